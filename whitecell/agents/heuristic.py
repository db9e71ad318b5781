"""Heuristic players: expected utility over the team's declared preferences.

An agent sees only its seat's view. In action rounds it scores every action it
may take by expected utility (odds estimated with the rule adjudicator on *its*
view) and samples by softmax with the scenario's temperature, so plays vary.
In negotiations it signs a package when the package's value exceeds its
reservation (a scenario expression over what it can see), with the same
softness, and otherwise counters or rejects.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from whitecell.adjudication.rules import odds
from whitecell.engine import commands as cmd
from whitecell.engine.fastinit import constructor
from whitecell.engine.seats import team_seat
from whitecell.engine.state import ProposalRecord
from whitecell.engine.view import View
from whitecell.i18n import t
from whitecell.narrate import odds_words, pct
from whitecell.scenario.compiled import Action, Effects, Scenario, Team, localize
from whitecell.scenario.expr import EvalContext

# the commands agents give most, built without a call to their class (see fastinit)
_SubmitAction = constructor(cmd.SubmitAction)
_SignProposal = constructor(cmd.SignProposal)
_RejectProposal = constructor(cmd.RejectProposal)


class Term:
    """What one change of an effect is worth to a team: the variable's index, the amount
    (the new value, if ``absolute``), the team's weight on the variable and its bounds. A
    class rather than a tuple so that the compiled core reads the numbers unboxed."""

    __slots__ = ("absolute", "amount", "hi", "i", "lo", "weight")

    def __init__(
        self, i: int, amount: float, absolute: bool, weight: float, lo: float, hi: float
    ) -> None:
        self.i, self.amount, self.absolute = i, amount, absolute
        self.weight, self.lo, self.hi = weight, lo, hi


class Valuer:
    """How much a team gains from effects and clauses, in preference units.

    Effects are reduced once to the terms this team cares about ("plans"), so
    scoring an option costs a few multiplications, not a walk over every change.
    """

    __slots__ = ("_clauses", "_plans", "_seen", "_values", "sc", "team", "w")

    def __init__(self, scenario: Scenario, team: Team) -> None:
        self.sc = scenario
        self.team = team
        self.w: dict[int, float] = {}
        for index, weight in team.preferences:
            self.w[index] = self.w.get(index, 0.0) + weight
        self._plans: dict[tuple[int, str | None, str | None], tuple[Term, ...]] = {}
        self._clauses = [
            (cid, self.plan(c.on_sign, None, None), self.plan(c.per_round, None, None))
            for cid, c in scenario.clauses.items()
        ]
        self._values: dict[tuple[tuple[float, ...], int], dict[str, float]] = {}
        # the same, by the identity of beliefs that cannot change (a projection's tuple):
        # found without hashing every value again
        self._seen: dict[int, tuple[Sequence[float], int, dict[str, float]]] = {}

    def plan(self, eff: Effects, actor: str | None, target: str | None) -> tuple[Term, ...]:
        key = (id(eff), actor, target)
        plan = self._plans.get(key)
        if plan is None:
            variables = self.sc.vars
            terms: list[Term] = []
            changes = [(ref, amount, False) for ref, amount in eff.change]
            for ref, amount, absolute in changes + [(ref, value, True) for ref, value in eff.set]:
                i = ref.index(actor, target)
                if i in self.w:
                    var = variables[i]
                    terms.append(Term(i, amount, absolute, self.w[i], var.lo, var.hi))
            plan = self._plans[key] = tuple(terms)
        return plan

    def effects(
        self,
        eff: Effects,
        beliefs: Sequence[float],
        actor: str | None = None,
        target: str | None = None,
    ) -> float:
        return _worth(self.plan(eff, actor, target), beliefs)

    def clause_values(self, beliefs: Sequence[float], remaining: int) -> dict[str, float]:
        """Each clause's worth if signed now and kept for ``remaining`` round closes
        (remembered while beliefs stay the same, as they do through a session of talks)."""
        fixed = type(beliefs) is tuple
        if fixed:
            seen = self._seen.get(id(beliefs))
            if seen is not None and seen[0] is beliefs and seen[1] == remaining:
                return seen[2]
        key = (tuple(beliefs), remaining)
        out = self._values.get(key)
        if out is None:
            if len(self._values) > 64:
                self._values.clear()
            # a clause moving nothing this team weighs is worth 0.0 (what _worth gives for
            # no terms), without the call; most clauses are such for most teams
            out = self._values[key] = {
                cid: (_worth(on_sign, beliefs) if on_sign else 0.0)
                + remaining * (_worth(per_round, beliefs) if per_round else 0.0)
                for cid, on_sign, per_round in self._clauses
            }
        if fixed:
            if len(self._seen) > 64:
                self._seen.clear()
            self._seen[id(beliefs)] = (beliefs, remaining, out)  # holding it keeps its id
        return out

    def agreement_loss(
        self, kinds: tuple[str, ...], view: View, beliefs: Sequence[float], remaining: int
    ) -> float:
        """What breaking the agreements of ``kinds`` now in force would cost this team."""
        loss = 0.0
        for rec in view.agreements():
            if rec.in_force and rec.agreement in kinds:
                values = self.clause_values(beliefs, remaining)
                loss += sum(values[c] for c in rec.clauses)
                loss -= self.effects(self.sc.agreements[rec.agreement].on_break, beliefs)
        return loss


@lru_cache(maxsize=256)
def valuer(scenario: Scenario, team: str) -> Valuer:
    """One valuer per scenario and team: its plans never change, so games share it."""
    return Valuer(scenario, scenario.team[team])


# (action, target, worth of success, worth of failure, odds if they never change)
_Option = tuple[Action, str | None, tuple[Term, ...], tuple[Term, ...], float | None]


_Target = tuple[str | None, tuple[Term, ...], tuple[Term, ...]]
# (action, its condition, agreements it ends, odds if they never change, its targets)
_Group = tuple[Action, Any, tuple[str, ...], float | None, tuple[_Target, ...]]


@lru_cache(maxsize=256)
def _groups(scenario: Scenario, team: str) -> tuple[_Group, ...]:
    """Every move open to a team, by action: what each target is worth on success and on
    failure, and, for an action without modifiers, its odds."""
    v = valuer(scenario, team)
    lo, hi = scenario.min_probability, scenario.max_probability
    out: list[_Group] = []
    for a in scenario.actions:
        if team not in a.teams:
            continue
        fixed = None if a.modifiers else min(max(a.base_probability, lo), hi)
        targets = tuple(
            (t, v.plan(a.on_success, team, t), v.plan(a.on_failure, team, t))
            for t in ((None,) if a.targets is None else [t for t in a.targets if t != team])
        )
        requires = a.requires.fn if a.requires is not None else None
        out.append((a, requires, a.on_success.end_agreements, fixed, targets))
    return tuple(out)


@lru_cache(maxsize=256)
def _plans(
    scenario: Scenario, team: str
) -> dict[tuple[str, str | None], tuple[float | None, tuple[Term, ...]]]:
    """Each move's fixed odds (None: they depend on the state) and its worth of success."""
    return {
        (action.id, target): (fixed, on_success)
        for action, _requires, _ends, fixed, targets in _groups(scenario, team)
        for target, on_success, _on_failure in targets
    }


@lru_cache(maxsize=256)
def _rationales(scenario: Scenario, team: str) -> dict[tuple[str, str | None, float], str]:
    """A team's rationales already written, by (action, target, odds): games share them."""
    return {}


def rationale(
    sc: Scenario, action: Action, target: str | None, p: float, plan: tuple[Term, ...]
) -> str:
    """One sentence on why an automated team takes an action, in the scenario's first
    language: the odds as it judges them, and what it hopes success brings (the one or two
    terms of its preferences the action's success moves most in its favour)."""
    lang = sc.languages[0] if sc.languages else "en"
    gains = sorted(
        ((term.weight * term.amount, term.i, term.amount) for term in plan),
        reverse=True,
    )
    named = []
    for gain, i, amount in gains[:2]:
        if gain <= 0:
            break
        var = sc.vars[i]
        label = localize(var.label, lang)
        if var.team is not None:
            label = f"{label} ({sc.actor_name(var.team, lang)})"
        key = "agent.higher" if amount > 0 else "agent.lower"
        named.append(t(key, lang, label=label))
    words, odds_text = odds_words(p, lang), pct(p)
    if not named:
        return t("agent.rationale.try", lang, words=words, p=odds_text)
    joined = t("agent.and", lang, first=named[0], second=named[1]) if len(named) > 1 else named[0]
    return t("agent.rationale", lang, words=words, p=odds_text, gains=joined)


def _worth(plan: tuple[Term, ...], beliefs: Sequence[float]) -> float:
    total = 0.0
    for term in plan:
        old = beliefs[term.i]
        new = term.amount if term.absolute else old + term.amount
        lo, hi = term.lo, term.hi
        new = lo if new < lo else hi if new > hi else new
        total += term.weight * (new - old)
    return total


def remaining_rounds(view: View) -> int:
    """Round closes still to come, counting the current round's."""
    state = view.state
    return len(view.sc.rounds) - state.round + (1 if state.round_open else 0)


def package_value(values: Mapping[str, float], clauses: Sequence[str]) -> float:
    return sum(map(values.__getitem__, clauses))  # sum() as before: the same rounding


def _softmax_sample(
    utilities: list[float], temperature: float, k: int, rng: random.Random
) -> list[int]:
    """Up to ``k`` distinct indices drawn by softmax without replacement; index 0 ("hold")
    ends the draw when it comes up. If what is left underflows (a cold agent whose best
    move is taken), the weights are taken again relative to the best move still in the draw."""
    top = max(utilities)
    weights = [math.exp((u - top) / temperature) for u in utilities]
    total = sum(weights)
    picked: list[int] = []
    while len(picked) < k:
        if total <= 1e-300:
            left = [i for i, w in enumerate(weights) if i not in picked]
            if len(left) < 2:
                break
            top = max(utilities[i] for i in left)
            for i in left:
                weights[i] = math.exp((utilities[i] - top) / temperature)
            total = sum(weights[i] for i in left)
        x = rng.random() * total
        for i, w in enumerate(weights):
            x -= w
            if x <= 0 and w > 0:
                choice = i
                break
        else:  # rounding ran past the end: the heaviest weight (the first, if tied)
            choice = max(range(len(weights)), key=weights.__getitem__)
        if choice == 0:
            break
        picked.append(choice)
        weights[choice] = 0.0
        total = sum(weights)  # summed again rather than subtracted: no drift
    return picked


def _sigmoid(x: float) -> float:
    if x < -40:
        return 0.0
    return 1.0 / (1.0 + math.exp(-x))


class HeuristicAgent:
    """A team played by rules of thumb over the team's scenario preferences."""

    def __init__(self, scenario: Scenario, team: str, rng: random.Random) -> None:
        self.sc = scenario
        self.team = scenario.team[team]
        self.id = team
        self.seat = team_seat(team)
        self.rng = rng
        self.valuer = valuer(scenario, team)
        self.temperature = scenario.temperature
        self.groups = _groups(scenario, team)
        self.rationales = _rationales(scenario, team)
        self.plans = _plans(scenario, team)

    # -- action rounds ---------------------------------------------------
    def choose_actions(self, view: View) -> list[cmd.SubmitAction]:
        """Score each action at its best target, then sample actions by softmax.

        Scoring per action rather than per (action, target) pair keeps an action with
        five possible targets from being five times as likely to be drawn.
        """
        ctx = view.context()
        beliefs = ctx.v
        remaining = remaining_rounds(view)
        sc = self.sc
        me = self.id
        # (utility, action, target, odds if worked out: the rationale states them too)
        moves: list[tuple[float, Action, str | None, float | None]] = []
        for action, requires, ends, fixed, targets in self.groups:
            found = False  # the best target so far, in plain locals (no tuple per target)
            best_u = 0.0
            best_target: str | None = None
            best_judged: float | None = None
            for target, on_success, on_failure in targets:
                if requires is not None and not requires(ctx, me, target):
                    continue
                judged: float | None = None
                if not (on_success or on_failure or ends):
                    u = 0.0  # nothing this team weighs changes, whatever the odds
                else:
                    p = odds(ctx, sc, action, me, target) if fixed is None else fixed
                    judged = p
                    u = 0.0
                    for term in on_success:  # inlined _worth
                        old = beliefs[term.i]
                        new = term.amount if term.absolute else old + term.amount
                        lo, hi = term.lo, term.hi
                        u += p * term.weight * ((lo if new < lo else hi if new > hi else new) - old)
                    q = 1.0 - p
                    for term in on_failure:
                        old = beliefs[term.i]
                        new = term.amount if term.absolute else old + term.amount
                        lo, hi = term.lo, term.hi
                        u += q * term.weight * ((lo if new < lo else hi if new > hi else new) - old)
                    if ends:
                        u -= p * self.valuer.agreement_loss(ends, view, beliefs, remaining)
                if not found or u > best_u:
                    found, best_u, best_target, best_judged = True, u, target, judged
            if found:
                moves.append((best_u, action, best_target, best_judged))
        utilities = [self.sc.hold_value] + [m[0] for m in moves]  # index 0: hold back
        limit = self.sc.rounds[view.state.round - 1].actions_per_team
        chosen = _softmax_sample(utilities, self.temperature, limit, self.rng)
        out = []
        for i in chosen:
            _u, action, target, judged = moves[i - 1]
            why = self.why(ctx, action, target, judged)
            out.append(
                _SubmitAction(seat=self.seat, action=action.id, target=target, rationale=why)
            )
        return out

    def why(
        self, ctx: EvalContext, action: Action, target: str | None, p: float | None = None
    ) -> str:
        """The rationale of a chosen move, from the odds the team judges it has (``p``, if
        already worked out) and the preferences its success serves (written once per
        scenario, team, move and odds)."""
        fixed, on_success = self.plans[action.id, target]
        if p is None:
            p = odds(ctx, self.sc, action, self.id, target) if fixed is None else fixed
        key = (action.id, target, p)
        text = self.rationales.get(key)
        if text is None:
            text = self.rationales[key] = rationale(self.sc, action, target, p, on_success)
        return text

    # -- negotiation -------------------------------------------------------
    def appraise(self, view: View) -> tuple[dict[str, float], float]:
        """(value of each clause to this team, its reservation) as the team sees things now."""
        ctx = view.context()
        values = self.valuer.clause_values(ctx.v, remaining_rounds(view))
        return values, float(self.team.reservation.fn(ctx, self.id, None))

    def counter(self, view: View, p: ProposalRecord) -> tuple[str, ...] | None:
        """The one-clause change to ``p`` this team likes best, if it would then sign."""
        values, reservation = self.appraise(view)
        return self._counter(values, reservation, p, package_value(values, p.clauses))

    def _counter(
        self, values: Mapping[str, float], reservation: float, p: ProposalRecord, value: float
    ) -> tuple[str, ...] | None:
        """``counter``, given the team's appraisal and its value of ``p`` as it stands."""
        best, best_value = None, value
        for clause in self.sc.agreements[p.agreement].optional:
            if clause in p.clauses:
                variant = tuple(c for c in p.clauses if c != clause)
                value = best_value - values[clause]
            else:
                variant = (*p.clauses, clause)
                value = best_value + values[clause]
            if best is None or value > best[1]:
                best = (variant, value)
        if best is None or best[1] <= best_value + 1e-9 or best[1] <= reservation:
            return None
        return best[0]

    def respond(self, view: View, p: ProposalRecord, *, may_counter: bool = True) -> cmd.Command:
        """Sign, counter or reject proposal ``p`` (appraised once for both)."""
        values, reservation = self.appraise(view)
        value = package_value(values, p.clauses)
        if self.rng.random() < _sigmoid((value - reservation) / self.temperature):
            return _SignProposal(seat=self.seat, pid=p.pid)
        variant = self._counter(values, reservation, p, value) if may_counter else None
        if variant is not None:
            return cmd.TableProposal(
                seat=self.seat, agreement=p.agreement, clauses=variant, counter_to=p.pid
            )
        return _RejectProposal(seat=self.seat, pid=p.pid)
