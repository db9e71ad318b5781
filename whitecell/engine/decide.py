"""``decide``: check a command against the rules and return the events it causes.

``decide`` never writes to the state. Commands that set off a chain (closing a
round applies agreements, rolls hazards and fires injects) work on a small
scratch copy, ``_Draft``, so each event in the chain sees the ones before it.

The module reads in the order of the dispatch table at its end: helpers and the
scratch draft first, then one decider per command, family by family (lifecycle,
actions, talks, white cell, model records). Each decider is named after the
command's wire name (``_publish_outcome`` decides ``publish_outcome``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.engine.dice import commitment
from whitecell.engine.errors import Phrase, RuleViolation
from whitecell.engine.seats import CONTROL_ONLY, PUBLIC, WHITE_CELL, Seat
from whitecell.engine.state import SET_ASIDE, UNRESOLVED, ActionRecord, ProposalRecord, State
from whitecell.scenario.compiled import (
    NO_EFFECTS,
    Action,
    AgreementKind,
    Dynamic,
    Effects,
    Inject,
    Scenario,
    VarRef,
)
from whitecell.scenario.expr import BROKEN, FAILED, IN_FORCE, SUCCEEDED, TAKEN, EvalContext

_PUBLIC: tuple[str, ...] = (PUBLIC,)
# the events of automated play's commonest commands, built without a call to their class
_ActionSubmitted = ev.NEW[ev.ActionSubmitted]
_ActionAssessed = ev.NEW[ev.ActionAssessed]
_DiceRolled = ev.NEW[ev.DiceRolled]
_OutcomeApplied = ev.NEW[ev.OutcomeApplied]
EventT = TypeVar("EventT", bound=ev.Event)  # the class of event a helper builds


# -- helpers: who may do what and when, text checks, one-event commands ----------------


def _require_control(c: cmd.Command, what: str) -> None:
    """``what`` is the catalogue key of what the command does (``violation.do.*``)."""
    if c.seat.kind != "control":
        raise RuleViolation("violation.only_control", what=Phrase(what), seat=str(c.seat))


def _require_umpire(c: cmd.Command, what: str) -> None:
    """Umpires rule on actions: the control seat or an adjudicator."""
    if c.seat.kind not in ("control", "adjudicator"):
        raise RuleViolation("violation.only_umpire", what=Phrase(what), seat=str(c.seat))


def _require_team(s: State, c: cmd.Command, what: str) -> str:
    """The team at the seat, which must be a team of this game."""
    if c.seat.kind != "team":
        raise RuleViolation("violation.only_team", what=Phrase(what), seat=str(c.seat))
    team = c.seat.team
    if team is None or team not in s.scenario.team:
        raise RuleViolation("violation.no_team_in_game", team=team)
    return team


def _require_running(s: State) -> None:
    if not s.started:
        raise RuleViolation("violation.not_started")
    if s.ended:
        raise RuleViolation("violation.ended")


_NO_ROUND = {"action": "violation.no_round.action", "negotiation": "violation.no_round.negotiation"}
_WRONG_ROUND = {
    "action": "violation.wrong_round.action",
    "negotiation": "violation.wrong_round.negotiation",
}


def _require_round(s: State, kind: str, what: str) -> None:
    """``what`` is the catalogue key of what only ``kind`` rounds allow (``violation.can.*``)."""
    _require_running(s)
    if not s.round_open:
        raise RuleViolation(_NO_ROUND[kind], what=Phrase(what))
    current = s.scenario.rounds[s.round - 1]
    if current.kind != kind:
        raise RuleViolation(_WRONG_ROUND[kind], round=s.round, what=Phrase(what))


def _check_text(
    c: cmd.Command, field: str, what: str, *, required: bool = True, limit: int = cmd.MAX_TEXT
) -> None:
    """The text in ``c``'s ``field``; ``what`` is the catalogue key of its name
    (``violation.field.*``). The field is read by name, so as it came: the compiled core
    (whitecell.native) would otherwise refuse a number there with a TypeError before the
    rules could say what is wrong."""
    text: object = getattr(c, field)
    if text == "" and not required:
        return  # the common case in automated play: nothing to check
    if not isinstance(text, str):
        raise RuleViolation("violation.text.not_text", what=Phrase(what))
    if required and not text.strip():
        raise RuleViolation("violation.text.empty", what=Phrase(what))
    if len(text) > limit:
        raise RuleViolation(
            "violation.text.too_long", what=Phrase(what), length=len(text), limit=limit
        )
    if not text.isascii():  # ASCII text has no lone surrogate
        _check_unicode(text, what)


def _check_unicode(text: str, what: str) -> None:
    """Logs are UTF-8: text with a lone surrogate would make the game's own log unreadable."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise RuleViolation("violation.text.not_unicode", what=Phrase(what)) from None


def _one(
    s: State,
    cls: type[EventT],
    audience: tuple[str, ...],
    actor: str,
    by: str | None = None,
    **fields: Any,
) -> EventT:
    """The single event of a command that only records something: most commands, and
    built straight from the state, without the scratch draft a chain needs."""
    new = ev.NEW[cls]  # cls(...), built faster
    event: EventT = new(  # type: ignore[assignment]
        seq=s.seq + 1, round=s.round, audience=audience, actor=actor, by=by, **fields
    )
    return event


def _listed(items: Iterable[str]) -> str | Phrase:
    """Ids joined for a message, or the word for none."""
    return ", ".join(items) or Phrase("violation.none")


def _time(text: Any) -> dt.datetime:
    """An ISO 8601 date and time as an instant; one without a time zone is taken as UTC."""
    try:
        when = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise RuleViolation("violation.bad_time", time=text) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _stamp(when: dt.datetime) -> str:
    """An instant as the round clock writes it: ISO 8601, UTC, to the second."""
    return when.astimezone(dt.UTC).isoformat(timespec="seconds")


def rule_odds(
    ctx: EvalContext, sc: Scenario, spec: Action, actor: str, target: str | None
) -> tuple[float, tuple[tuple[int, float], ...]]:
    """The rules' odds of an action and the modifiers that applied: the catalogue's base
    odds plus each modifier whose condition holds, clipped to the scenario's bounds.

    The same rule as ``whitecell.adjudication.rules.assess_in`` (which the verifier
    recomputes assessments with; tests/engine/test_resolve.py checks the two agree),
    here because the engine cannot import the adjudication package."""
    p = spec.base_probability
    applied: list[tuple[int, float]] = []
    for i, mod in enumerate(spec.modifiers):
        if mod.when.fn(ctx, actor, target):
            p += mod.add
            applied.append((i, mod.add))
    lo, hi = sc.min_probability, sc.max_probability
    p = lo if p < lo else hi if p > hi else p
    return _odds_rounded(p), tuple(applied)


_ROUNDED: dict[float, float] = {}


def _odds_rounded(p: float) -> float:
    """``round(p, 6)``, remembered: an action's odds take a few values (its base plus the
    modifiers that hold), and round() is slow. Only positive floats are remembered, so that
    a zero keeps its sign and an integer its type, as round() gives them."""
    if type(p) is not float or not p > 0.0:
        return round(p, 6)
    found = _ROUNDED.get(p)
    if found is None:
        if len(_ROUNDED) >= 4096:
            _ROUNDED.clear()
        found = _ROUNDED[p] = round(p, 6)
    return found


# -- the scratch draft, for commands that set off a chain of events --------------------


class _Draft:
    """Scratch copy of the parts of the state a chain of events changes.

    It copies the values at once and the agreement counts and injects only when a chain
    is about to change them; commands that only add a record skip the draft altogether
    (``_one``), which keeps the common single-event commands cheap. It reads like the
    state to scenario expressions (an :class:`EvalContext`), so conditions later in a
    chain see what happened earlier in it.
    """

    __slots__ = (
        "action_counts",
        "agreement_counts",
        "broken",
        "clauses_in_force",
        "copied",
        "events",
        "inj",
        "rolls",
        "round",
        "scenario",
        "seq",
        "state",
        "v",
    )

    def __init__(self, state: State) -> None:
        self.state = state
        self.scenario: Scenario = state.scenario
        self.v = list(state.v)
        self.agreement_counts = state.agreement_counts
        self.clauses_in_force = state.clauses_in_force
        self.inj = state.inj
        self.copied = False  # agreement counts and injects are copied on first write
        # copied only when a chain applies or voids actions (``own_actions``)
        self.action_counts = state.action_counts
        self.round = state.round
        self.rolls = state.rolls
        self.seq = state.seq
        self.events: list[ev.Event] = []
        self.broken: set[str] = set()  # agreements this chain has broken

    def own(self) -> None:
        """Copy what a chain is about to change, once, so the state itself stays untouched."""
        if not self.copied:
            self.agreement_counts = {k: list(x) for k, x in self.agreement_counts.items()}
            self.clauses_in_force = dict(self.clauses_in_force)
            self.inj = set(self.inj)
            self.copied = True

    def own_actions(self) -> None:
        """Copy the action counts once, before a chain applies or voids an action."""
        if self.action_counts is self.state.action_counts:
            self.action_counts = {k: list(x) for k, x in self.action_counts.items()}

    def emit(
        self,
        cls: type[EventT],
        audience: tuple[str, ...],
        actor: str,
        by: str | None = None,
        **fields: Any,
    ) -> EventT:
        """Add the chain's next event."""
        self.seq += 1
        new = ev.NEW[cls]  # cls(...), built faster
        event: EventT = new(  # type: ignore[assignment]
            seq=self.seq, round=self.round, audience=audience, actor=actor, by=by, **fields
        )
        self.events.append(event)
        return event

    def apply(
        self, effects: Effects, actor: str | None = None, target: str | None = None
    ) -> ev.Changes:
        """Work out ``effects`` and write them into the draft's values."""
        changes = _changes(self.v, self.scenario, effects, actor, target)
        var = self.scenario.var
        for key, _old, new in changes:
            self.v[var[key].index] = new
        return changes

    def roll(
        self,
        purpose: str,
        subject: str,
        threshold: float,
        audience: tuple[str, ...],
        actor: str = "engine",
        by: str | None = None,
    ) -> ev.DiceRolled:
        """Draw the game's next die against ``threshold``; the roll is an event of the chain."""
        dice = self.state.dice
        if dice is None:
            raise RuleViolation("violation.no_seed_roll")
        index = self.rolls
        self.rolls += 1
        value = dice.draw(index, threshold, purpose, subject, self.round)
        return self.emit(
            ev.DiceRolled,
            audience,
            actor,
            by,
            index=index,
            purpose=purpose,
            subject=subject,
            value=value,
            threshold=threshold,
            success=value < threshold,
        )

    def outcome(
        self,
        rec: ActionRecord,
        success: bool,
        effects: Effects,
        actor: str,
        by: str | None,
        *,
        edited: bool,
        public_text: str = "",
        private_text: str = "",
        count: bool = False,
    ) -> None:
        """Apply a rolled action's outcome and tell it: its changes, the agreements it
        ends, the intelligence it reveals, and the white cell's texts. ``count`` keeps the
        draft's action counts up to date, for a chain whose later conditions read them."""
        changes = self.apply(effects, rec.team, rec.target)
        self.emit(
            ev.OutcomeApplied,
            rec.audience,
            actor,
            by,
            uid=rec.uid,
            success=success,
            changes=changes,
            edited=edited,
        )
        if count and rec.action in self.action_counts:
            self.own_actions()
            self.action_counts[rec.action][SUCCEEDED if success else FAILED] += 1
        if effects.end_agreements:
            self.break_agreements(effects.end_agreements, "action", rec.uid, rec.team)
        if effects.reveal:
            estimates = []
            for ref in effects.reveal:
                i = ref.index(rec.team, rec.target)
                var = self.scenario.vars[i]
                true = self.v[i]
                if effects.reveal_exact or var.is_flag:
                    estimates.append((var.key, true, True))
                    continue
                u = self.roll("intel", rec.uid, 1.0, (rec.team,)).value
                noisy = var.clip(round(true + (2 * u - 1) * var.noise, 1))
                estimates.append((var.key, noisy, False))
            self.emit(
                ev.IntelligenceReport,
                (rec.team,),
                "engine",
                team=rec.team,
                source=rec.uid,
                estimates=tuple(estimates),
            )
        if public_text.strip():
            self.emit(ev.NewsPublished, _PUBLIC, actor, by, text=public_text, about=rec.uid)
        if private_text.strip():
            self.emit(
                ev.ResultReported,
                (rec.team,),
                actor,
                by,
                uid=rec.uid,
                team=rec.team,
                text=private_text,
            )

    def set_aside(self, rec: ActionRecord, reason: str, actor: str, by: str | None) -> None:
        """Void an action in the chain: it no longer counts as taken."""
        if rec.action in self.action_counts:
            self.own_actions()
            self.action_counts[rec.action][TAKEN] -= 1
        self.emit(
            ev.ActionVoided, rec.audience, actor, by, uid=rec.uid, team=rec.team, reason=reason
        )

    def break_agreements(
        self, kinds: tuple[str, ...], cause: str, source: str, culprit: str | None
    ) -> None:
        for rec in self.state.agreements.values():
            if rec.agreement in kinds and rec.in_force and rec.uid not in self.broken:
                self.break_one(rec.uid, cause, source, culprit)

    def break_one(self, uid: str, cause: str, source: str, culprit: str | None) -> None:
        rec = self.state.agreements[uid]
        self.own()
        self.broken.add(uid)
        counts = self.agreement_counts[rec.agreement]
        counts[IN_FORCE] -= 1
        counts[BROKEN] += 1
        for c in rec.clauses:
            self.clauses_in_force[c] -= 1
        kind = self.scenario.agreements[rec.agreement]
        changes = self.apply(kind.on_break)
        self.emit(
            ev.AgreementBroken,
            _PUBLIC,
            "engine",
            uid=uid,
            agreement=rec.agreement,
            cause=cause,
            source=source,
            culprit=culprit,
            changes=changes,
        )

    def fire(self, inject: Inject, *, manual: bool, actor: str, by: str | None = None) -> None:
        self.own()
        self.inj.add(inject.id)
        audience = _PUBLIC if inject.audience is None else inject.audience
        changes = self.apply(inject.effects)
        self.emit(
            ev.InjectFired,
            audience,
            actor,
            by,
            inject=inject.id,
            manual=manual,
            news="",
            changes=changes,
        )
        if inject.effects.end_agreements:
            self.break_agreements(inject.effects.end_agreements, "inject", inject.id, None)

    def maybe_fire(self, inject: Inject) -> None:
        """Fire ``inject`` if its condition holds and its chance comes up."""
        if inject.once and inject.id in self.inj:
            return
        if inject.when is not None and not inject.when(self):
            return
        if (
            inject.chance is not None
            and not self.roll("inject", inject.id, inject.chance, (WHITE_CELL,)).success
        ):
            return
        self.fire(inject, manual=False, actor="engine")

    def dynamic(self, rule: Dynamic, team: str | None) -> None:
        """Apply a dynamics rule (for ``team``) if its condition holds and its chance comes up."""
        if rule.when is not None and not rule.when.fn(self, team, None):
            return
        if (
            rule.chance is not None
            and not self.roll(
                "dynamic", rule_subject(rule.id, team), rule_chance(rule, self, team), (WHITE_CELL,)
            ).success
        ):
            return
        changes = rule_changes(self.v, self.scenario, rule, self, team)
        if not changes:
            return  # nothing moved: no event to tell
        var = self.scenario.var
        for key, _old, new in changes:
            self.v[var[key].index] = new
        if rule.visibility == "public":
            audience: tuple[str, ...] = _PUBLIC
        elif rule.visibility == "team" and team is not None:
            audience = (team,)
        else:
            audience = (WHITE_CELL,)
        self.emit(ev.DynamicApplied, audience, "engine", rule=rule.id, team=team, changes=changes)


def _changes(
    values: list[float], sc: Scenario, effects: Effects, actor: str | None, target: str | None
) -> ev.Changes:
    """What ``effects`` change, as (key, old, new), clipped to each variable's range; later
    terms see earlier ones. Nothing is written."""
    if not effects.terms:
        return ()
    variables = sc.vars
    current: dict[int, float] = {}
    changes: list[ev.Change] = []
    for ref, amount, absolute in effects.terms:
        i = ref.fixed
        if i is None:
            i = ref.index(actor, target)
        old = current[i] if i in current else values[i]
        var = variables[i]
        new = amount if absolute else old + amount
        if new % 1.0 != 0.0:  # a whole number is its own rounding, and round() is slow
            new = round(new, 6)
        if var.is_flag:  # Var.clip, inlined: this runs for every effect of every action
            new = 1.0 if new >= 0.5 else 0.0
        else:
            lo, hi = var.lo, var.hi
            new = lo if new < lo else hi if new > hi else new
        if new != old:
            current[i] = new
            changes.append((var.key, old, new))
    return tuple(changes)


def rule_subject(rule: str, team: str | None) -> str:
    """What a dynamics rule's roll is about: ``RULE``, or ``RULE.TEAM`` for a per-team rule."""
    return rule if team is None else f"{rule}.{team}"


def rule_chance(rule: Dynamic, ctx: EvalContext, team: str | None) -> float:
    """The chance a dynamics rule applies now, clipped to [0, 1]."""
    assert rule.chance is not None
    p = float(rule.chance.fn(ctx, team, None))
    if not math.isfinite(p):
        return 0.0 if p != p or p < 0 else 1.0
    return round(0.0 if p < 0.0 else 1.0 if p > 1.0 else p, 9)


def rule_changes(
    values: list[float], sc: Scenario, rule: Dynamic, ctx: EvalContext, team: str | None
) -> ev.Changes:
    """What a dynamics rule changes, as (key, old, new): every amount is computed from the
    state before the rule, then applied in order and clipped; nothing is written."""
    variables = sc.vars
    current: dict[int, float] = {}
    changes: list[ev.Change] = []
    amounts = [
        (ref, float(expr.fn(ctx, team, None)), absolute) for ref, expr, absolute in rule.terms
    ]
    for ref, amount, absolute in amounts:
        if not math.isfinite(amount):
            continue
        i = ref.index(team, None)
        old = current.get(i, values[i])
        new = variables[i].clip(round(amount, 6) if absolute else round(old + amount, 6))
        if new != old:
            current[i] = new
            changes.append((variables[i].key, old, new))
    return tuple(changes)


# -- lifecycle: start, rounds, pause and resume, end, reveal ---------------------------


def _start_game(s: State, c: cmd.StartGame) -> list[ev.Event]:
    _require_control(c, "violation.do.start_game")
    if s.started:
        raise RuleViolation("violation.already_started")
    if s.seed is None:
        raise RuleViolation("violation.no_seed_commit")
    return [
        _one(
            s,
            ev.GameStarted,
            _PUBLIC,
            c.seat.name,
            c.by,
            scenario_id=s.scenario.id,
            scenario_digest=s.scenario.digest,
            seed_commitment=commitment(s.seed),
            start_date=s.scenario.start_date.isoformat(),
        )
    ]


def _open_round(s: State, c: cmd.OpenRound) -> list[ev.Event]:
    _require_control(c, "violation.do.open_round")
    _require_running(s)
    if s.round_open:
        raise RuleViolation("violation.round_still_open", round=s.round)
    rounds = s.scenario.rounds
    if s.round >= len(rounds):
        raise RuleViolation("violation.all_rounds_played", count=len(rounds))
    if c.number != s.round + 1:
        raise RuleViolation("violation.wrong_next_round", next=s.round + 1, number=c.number)
    if c.deadline is not None:
        try:
            dt.datetime.fromisoformat(c.deadline)
        except (TypeError, ValueError):
            raise RuleViolation("violation.bad_deadline", deadline=c.deadline) from None
    spec = rounds[c.number - 1]
    deadline, stopped = c.deadline, None
    if s.paused and deadline is not None and c.at is not None:
        # opened while paused: the clock waits, with all its time, for the game to resume
        left = (_time(deadline) - _time(c.at)).total_seconds()
        deadline, stopped = None, round(max(left, 0.0), 3)
    d = _Draft(s)
    d.round = c.number
    d.emit(
        ev.RoundOpened,
        _PUBLIC,
        c.seat.name,
        c.by,
        kind=spec.kind,
        date=str(s.date),
        deadline=deadline,
    )
    if stopped is not None:
        d.emit(ev.ClockSet, _PUBLIC, c.seat.name, c.by, deadline=None, remaining=stopped)
    for inject in s.scenario.injects:
        if inject.round == c.number:
            d.maybe_fire(inject)
    return d.events


def hazard(kind: AgreementKind, ctx: EvalContext) -> float:
    """Per-round breakdown hazard h = h0 * exp(sum of beta * x), capped at 1 (Fortna)."""
    base = kind.hazard_base
    if base is None:
        return 0.0  # an agreement kind without a hazard never breaks down by itself
    total = 0.0
    for cov in kind.covariates:
        total += cov.beta * float(cov.value(ctx))
    h = base * math.exp(total)
    return 1.0 if h > 1.0 else h


def _close_round(s: State, c: cmd.CloseRound) -> list[ev.Event]:
    _require_control(c, "violation.do.close_round")
    _require_running(s)
    if not s.round_open:
        raise RuleViolation("violation.no_round_open")
    if c.number != s.round:
        raise RuleViolation("violation.not_the_open_round", round=s.round, number=c.number)
    pending = [a.uid for a in s.actions.values() if a.round == s.round and a.status in UNRESOLVED]
    if pending:
        raise RuleViolation(
            "violation.unresolved_actions",
            round=s.round,
            count=len(pending),
            uids=", ".join(pending),
        )
    d = _Draft(s)
    _close_chain(d, c.seat.name, c.by)
    return d.events


def _close_chain(d: _Draft, actor: str, by: str | None) -> None:
    """Close the open round in ``d``: the agreements' upkeep, the dynamics rules, the
    conditional injects, then each agreement's durability roll. ``close_round`` and
    ``end_game`` in mid-round both close rounds this way."""
    s = d.state
    sc = s.scenario
    assert s.date is not None  # the game started, so it has a date
    end = s.date + sc.rounds[s.round - 1].duration
    d.emit(ev.RoundClosed, _PUBLIC, actor, by, date=end.isoformat())
    # an agreement an action broke earlier in the chain costs nothing more
    in_force = [a for a in s.agreements.values() if a.in_force and a.uid not in d.broken]
    upkeep: list[ev.Change] = []
    for rec in in_force:
        for clause in rec.clauses:
            upkeep += d.apply(sc.clauses[clause].per_round)
    if upkeep:
        d.emit(ev.UpkeepApplied, _PUBLIC, "engine", changes=tuple(upkeep))
    for rule in sc.dynamics:
        for team in (None,) if rule.teams is None else rule.teams:
            d.dynamic(rule, team)
    for inject in sc.injects:
        if inject.round is None:
            d.maybe_fire(inject)
    # an agreement faces the round's events before its durability is rolled
    for rec in in_force:
        kind = sc.agreements[rec.agreement]
        if kind.hazard_base is None or rec.uid in d.broken:
            continue
        h = hazard(kind, d)
        # the odds are the white cell's: they are computed from variables teams may not see
        if d.roll("hazard", rec.uid, h, (WHITE_CELL,)).success:
            d.break_one(rec.uid, "hazard", str(d.rolls - 1), None)


def _pause_game(s: State, c: cmd.PauseGame) -> list[ev.Event]:
    _require_control(c, "violation.do.pause_game")
    _require_running(s)
    if s.paused:
        raise RuleViolation("violation.already_paused")
    remaining = None
    if c.at is not None:
        now = _time(c.at)
        if s.deadline is not None:  # the clock stops with what it has left
            left = (_time(s.deadline) - now).total_seconds()
            remaining = round(left, 3) if left > 0 else 0.0
    return [_one(s, ev.GamePaused, _PUBLIC, c.seat.name, c.by, remaining=remaining)]


def _resume_game(s: State, c: cmd.ResumeGame) -> list[ev.Event]:
    _require_control(c, "violation.do.resume_game")
    _require_running(s)
    if not s.paused:
        raise RuleViolation("violation.not_paused")
    deadline = None
    if c.at is not None:
        now = _time(c.at)
        if s.remaining is not None:  # the clock runs on with the time it had left
            deadline = _stamp(now + dt.timedelta(seconds=s.remaining))
    return [_one(s, ev.GameResumed, _PUBLIC, c.seat.name, c.by, deadline=deadline)]


def _extend_round(s: State, c: cmd.ExtendRound) -> list[ev.Event]:
    _require_control(c, "violation.do.extend_round")
    _require_running(s)
    if not s.round_open:
        raise RuleViolation("violation.no_round_open")
    minutes = c.minutes
    if (
        not isinstance(minutes, int)
        or isinstance(minutes, bool)
        or not 1 <= minutes <= cmd.MAX_EXTENSION
    ):
        raise RuleViolation("violation.extend_minutes", minutes=minutes, limit=cmd.MAX_EXTENSION)
    now = None if c.at is None else _time(c.at)
    added = dt.timedelta(minutes=minutes)
    if s.paused and s.deadline is None:
        # the clock is stopped: it gets more time left, and runs on when the game resumes
        left = round((s.remaining or 0.0) + added.total_seconds(), 3)
        return [_one(s, ev.ClockSet, _PUBLIC, c.seat.name, c.by, deadline=None, remaining=left)]
    # from the deadline, or from now once the time is up
    known = [t for t in (now, None if s.deadline is None else _time(s.deadline)) if t is not None]
    if not known:
        raise RuleViolation("violation.no_clock", round=s.round)
    deadline = _stamp(max(known) + added)
    return [_one(s, ev.ClockSet, _PUBLIC, c.seat.name, c.by, deadline=deadline, remaining=None)]


def compute_outcomes(ctx: EvalContext, scenario: Scenario) -> tuple[tuple[str, float | bool], ...]:
    """The scenario's outcomes as the game ends (and as the verifier recomputes them)."""
    out: list[tuple[str, float | bool]] = []
    for o in scenario.outcomes:
        value = o.value(ctx)
        out.append((o.id, bool(value) if o.is_bool else round(float(value), 6)))
    return tuple(out)


def _end_game(s: State, c: cmd.EndGame) -> list[ev.Event]:
    _require_control(c, "violation.do.end_game")
    _require_running(s)
    choice = c.open_actions
    if choice is not None and choice not in cmd.OPEN_ACTIONS:
        raise RuleViolation("violation.open_actions_choice", choice=choice)
    if s.round_open and choice is None:
        raise RuleViolation("violation.round_open_at_end", round=s.round)
    if s.seed is None:
        raise RuleViolation("violation.no_seed_reveal")
    if not s.round_open:
        outcomes = compute_outcomes(s, s.scenario)
        return [_one(s, ev.GameEnded, _PUBLIC, c.seat.name, c.by, seed=s.seed, outcomes=outcomes)]
    # mid-round: settle the open actions, close the round as close_round does, then end
    d = _Draft(s)
    actor, by = c.seat.name, c.by
    if choice == "resolve":
        _, left = _resolve_open(d, actor, by)  # free-form actions have no rules' odds
    else:
        left = [a for a in s.actions.values() if a.round == s.round and a.status in UNRESOLVED]
    for rec in left:
        d.set_aside(rec, ev.GAME_ENDED, actor, by)
    _close_chain(d, actor, by)
    d.emit(ev.GameEnded, _PUBLIC, actor, by, seed=s.seed, outcomes=compute_outcomes(d, s.scenario))
    return d.events


def _reveal_all(s: State, c: cmd.RevealAll) -> list[ev.Event]:
    _require_control(c, "violation.do.reveal_game")
    if not s.ended:
        raise RuleViolation("violation.reveal_before_end")
    if s.revealed:
        raise RuleViolation("violation.already_revealed")
    return [_one(s, ev.GameRevealed, _PUBLIC, c.seat.name, c.by)]


# -- actions: submit, draft, assess, estimate, assign, argue, roll, publish ------------


def _action_fields(s: State, team: str, c: cmd.SubmitAction | cmd.DraftAction) -> tuple[bool, str]:
    """Check an action a team submits or drafts; whether it is secret, and its instrument."""
    if c.action == cmd.FREE:
        if c.instrument not in cmd.INSTRUMENTS:
            raise RuleViolation(
                "violation.free_needs_instrument", allowed=", ".join(cmd.INSTRUMENTS)
            )
        _check_text(c, "description", "violation.field.free_description")
        if c.target is not None and (c.target not in s.scenario.team or c.target == team):
            raise RuleViolation("violation.free_bad_target", target=c.target)
        secret = bool(c.secret)
        instrument = c.instrument
    else:
        spec = s.scenario.action.get(c.action)
        if spec is None:
            raise RuleViolation("violation.no_such_action", action=c.action, free=cmd.FREE)
        if team not in spec.teams:
            raise RuleViolation("violation.action_not_for_team", action=c.action, team=team)
        if spec.targets is None:
            if c.target is not None:
                raise RuleViolation("violation.action_takes_no_target", action=c.action)
        elif c.target is None:
            raise RuleViolation(
                "violation.action_needs_target", action=c.action, targets=", ".join(spec.targets)
            )
        elif c.target not in spec.targets:
            raise RuleViolation(
                "violation.action_bad_target",
                target=c.target,
                action=c.action,
                targets=", ".join(spec.targets),
            )
        elif c.target == team:
            raise RuleViolation("violation.target_self")
        if c.secret is not None and c.secret != spec.secret:
            key = "violation.catalogue_secret" if spec.secret else "violation.catalogue_public"
            raise RuleViolation(key, action=c.action)
        if c.description:
            raise RuleViolation("violation.description_free_only")
        if c.instrument is not None and c.instrument != spec.instrument:
            raise RuleViolation(
                "violation.catalogue_instrument",
                action=c.action,
                instrument=Phrase(f"violation.instrument.{spec.instrument}"),
            )
        secret = spec.secret
        instrument = spec.instrument
    if c.rationale != "":
        _check_text(c, "rationale", "violation.field.rationale", required=False)
    return secret, instrument


def _require_time(s: State, at: str | None) -> None:
    """Once the round's time is up (by the server's clock), its actions stand as they are."""
    if at is not None and s.deadline is not None and _time(at) > _time(s.deadline):
        raise RuleViolation("violation.time_up", round=s.round)


def _submit_action(s: State, c: cmd.SubmitAction) -> list[ev.Event]:
    team = _require_team(s, c, "violation.do.submit_actions")
    _require_round(s, "action", "violation.can.submit_actions")
    if c.at is not None:
        _require_time(s, c.at)
    secret, instrument = _action_fields(s, team, c)
    spec = s.scenario.action.get(c.action)
    if spec is not None and spec.requires is not None and not spec.requires.fn(s, team, c.target):
        raise RuleViolation("violation.action_unavailable", action=c.action)
    limit = s.scenario.rounds[s.round - 1].actions_per_team
    if s.submitted.get((s.round, team), 0) >= limit:
        raise RuleViolation("violation.action_limit", team=team, limit=limit)
    if c.draft is not None:
        _own_draft(s, team, c.draft, ev.ActionDrafted, "violation.no_action_draft")
    seq = s.seq + 1
    return [
        _ActionSubmitted(
            seq=seq,
            round=s.round,
            audience=(team,) if secret else _PUBLIC,
            actor=c.seat.name,
            by=c.by,
            uid=f"a{seq}",
            team=team,
            action=c.action,
            target=c.target,
            secret=secret,
            instrument=instrument,
            description=c.description,
            rationale=c.rationale,
            draft=c.draft,
        )
    ]


def _own_draft(
    s: State, team: str, draft: Any, kind: type[ev.ActionDrafted | ev.ProposalDrafted], key: str
) -> None:
    """A draft a team submits or tables must be its own and still open (a draft goes once
    submitted or tabled)."""
    found = s.drafts.get(draft) if isinstance(draft, str) else None
    if not isinstance(found, kind) or found.team != team:
        raise RuleViolation(key, draft=draft, team=team)


def _draft_action(s: State, c: cmd.DraftAction) -> list[ev.Event]:
    team = _require_team(s, c, "violation.do.draft_actions")
    _require_running(s)
    secret, instrument = _action_fields(s, team, c)
    return [
        _one(
            s,
            ev.ActionDrafted,
            (team,),
            c.seat.name,
            c.by,
            draft=f"d{s.seq + 1}",
            team=team,
            action=c.action,
            target=c.target,
            secret=secret,
            instrument=instrument,
            description=c.description,
            rationale=c.rationale,
        )
    ]


def _action(s: State, uid: str) -> ActionRecord:
    """An action of the round now open, which the umpires and teams may still work on."""
    rec = s.actions.get(uid)
    if rec is None:
        raise RuleViolation("violation.no_action", uid=uid)
    if rec.round != s.round or not s.round_open:
        raise RuleViolation("violation.action_round_closed", uid=uid, round=rec.round)
    if rec.status in SET_ASIDE:
        raise RuleViolation("violation.action_set_aside", uid=uid, status=_SET_ASIDE[rec.status])
    return rec


_SET_ASIDE = {
    "withdrawn": Phrase("violation.status.withdrawn"),
    "voided": Phrase("violation.status.voided"),
}


def _odds_still_open(rec: ActionRecord, uid: str, p: Any) -> float:
    """Odds may be set until the die is rolled, and are a probability."""
    if rec.status not in ("submitted", "assessed"):
        raise RuleViolation("violation.odds_fixed", uid=uid)
    if not isinstance(p, int | float) or isinstance(p, bool) or not 0.0 <= p <= 1.0:
        raise RuleViolation("violation.probability_range", p=p)
    return float(p)


def _assess(s: State, c: cmd.Assess) -> list[ev.Event]:
    _require_umpire(c, "violation.do.assess_actions")
    _require_running(s)
    rec = _action(s, c.uid)
    p = _odds_still_open(rec, c.uid, c.probability)
    if c.method not in cmd.ASSESSMENT_METHODS:
        raise RuleViolation(
            "violation.unknown_method",
            method=c.method,
            allowed=", ".join(sorted(cmd.ASSESSMENT_METHODS)),
        )
    if c.suggested is not None and (
        not isinstance(c.suggested, int | float)
        or isinstance(c.suggested, bool)
        or not 0.0 <= c.suggested <= 1.0
    ):
        raise RuleViolation("violation.suggested_range", p=c.suggested)
    spec = s.scenario.action.get(rec.action)
    if spec is None and c.method == "rules":
        raise RuleViolation("violation.free_no_rules_odds", uid=c.uid)
    # a matrix assessment's "modifiers" are the arguments it counted as strong
    n_mods = len(rec.arguments) if c.method == "matrix" else len(spec.modifiers) if spec else 0
    for entry in c.modifiers:
        if (
            not isinstance(entry, tuple | list)
            or len(entry) != 2
            or not isinstance(entry[0], int)
            or not isinstance(entry[1], int | float)
            or not math.isfinite(entry[1])
        ):
            raise RuleViolation("violation.bad_modifier", entry=entry)
        index = entry[0]
        if not 0 <= index < n_mods:
            if c.method == "matrix":
                raise RuleViolation("violation.no_argument", uid=c.uid, index=index)
            raise RuleViolation("violation.no_modifier", action=rec.action, index=index)
        if c.method == "matrix":
            step = s.scenario.matrix_step
            want = step if rec.arguments[index][1] == "for" else -step
            if abs(entry[1] - want) > 1e-9:
                raise RuleViolation("violation.argument_weight", index=index, add=want)
    if c.method == "matrix" and len({i for i, _ in c.modifiers}) != len(c.modifiers):
        raise RuleViolation("violation.argument_twice", uid=c.uid)
    if c.rationale != "":
        _check_text(c, "rationale", "violation.field.rationale", required=False)
    if c.rung is not None:
        _check_rung(s, c, spec is None)
    return [
        _ActionAssessed(
            seq=s.seq + 1,
            round=s.round,
            audience=rec.odds_audience,
            actor=c.seat.name,
            by=c.by,
            uid=rec.uid,
            probability=float(p),
            method=c.method,
            rationale=c.rationale,
            modifiers=c.modifiers,
            suggested=c.suggested,
            rung=c.rung,
        )
    ]


def _check_rung(s: State, c: cmd.Assess, free: bool) -> None:
    """Only a free-form action takes its rung from the adjudicator (a catalogue action's is
    the scenario's), and only a rung of the scenario's ladder."""
    if c.rung is None:
        return
    if not free:
        raise RuleViolation("violation.rung_fixed", uid=c.uid)
    rungs = [level.id for level in s.scenario.ladder]
    if c.rung not in rungs:
        raise RuleViolation(
            "violation.unknown_rung", level=str(c.rung)[:48], allowed=", ".join(rungs)
        )


def _estimate_odds(s: State, c: cmd.EstimateOdds) -> list[ev.Event]:
    if c.seat.kind != "adjudicator":
        raise RuleViolation("violation.only_adjudicators_estimate", seat=str(c.seat))
    _require_running(s)
    if not c.by:
        raise RuleViolation("violation.estimate_unnamed")
    rec = _action(s, c.uid)
    p = _odds_still_open(rec, c.uid, c.probability)
    if c.by in rec.estimates:
        raise RuleViolation("violation.already_estimated", by=c.by, uid=c.uid)
    # blind: no adjudicator reads another's estimate in the log
    return [
        _one(
            s,
            ev.OddsEstimated,
            (CONTROL_ONLY,),
            c.seat.name,
            c.by,
            uid=rec.uid,
            probability=float(p),
        )
    ]


def _assign_action(s: State, c: cmd.AssignAction) -> list[ev.Event]:
    _require_control(c, "violation.do.assign_actions")
    _require_running(s)
    rec = _action(s, c.uid)
    if rec.status == "applied":
        raise RuleViolation("violation.already_resolved", uid=c.uid)
    _check_text(c, "adjudicator", "violation.field.adjudicator_name")
    if len(c.adjudicator) > 200:
        raise RuleViolation("violation.adjudicator_name_too_long")
    return [
        _one(
            s,
            ev.ActionAssigned,
            (WHITE_CELL,),
            c.seat.name,
            c.by,
            uid=rec.uid,
            adjudicator=c.adjudicator,
        )
    ]


def _argue(s: State, c: cmd.Argue) -> list[ev.Event]:
    team = _require_team(s, c, "violation.do.argue")
    _require_running(s)
    rec = s.actions.get(c.uid)
    if rec is None or (rec.secret and rec.team != team):
        raise RuleViolation("violation.no_action", uid=c.uid)  # a secret stays secret
    rec = _action(s, c.uid)
    if rec.status not in ("submitted", "assessed"):
        raise RuleViolation("violation.odds_fixed", uid=c.uid)
    if c.side not in cmd.ARGUMENT_SIDES:
        raise RuleViolation("violation.argument_side", side=c.side)
    if (c.side == "for") != (team == rec.team):
        raise RuleViolation(
            "violation.argument_for" if c.side == "for" else "violation.argument_against"
        )
    if sum(1 for t, _, _ in rec.arguments if t == team) >= cmd.MAX_ARGUMENTS:
        raise RuleViolation("violation.arguments_spent", uid=c.uid, limit=cmd.MAX_ARGUMENTS)
    _check_text(c, "text", "violation.field.argument")
    return [
        _one(
            s,
            ev.ArgumentMade,
            rec.audience,
            c.seat.name,
            c.by,
            uid=rec.uid,
            team=team,
            side=c.side,
            text=c.text,
        )
    ]


def _roll(s: State, c: cmd.Roll) -> list[ev.Event]:
    _require_umpire(c, "violation.do.roll_dice")
    _require_running(s)
    rec = _action(s, c.uid)
    if rec.status == "submitted":
        raise RuleViolation("violation.not_assessed", uid=c.uid)
    if rec.status != "assessed":
        raise RuleViolation("violation.already_rolled", uid=c.uid)
    if s.dice is None:
        raise RuleViolation("violation.no_seed_roll")
    threshold = rec.probability
    assert threshold is not None  # an assessed action has its odds
    value = s.dice.draw(s.rolls, threshold, "action", rec.uid, s.round)
    return [
        _DiceRolled(
            seq=s.seq + 1,
            round=s.round,
            audience=rec.odds_audience,
            actor=c.seat.name,
            by=c.by,
            index=s.rolls,
            purpose="action",
            subject=rec.uid,
            value=value,
            threshold=threshold,
            success=value < threshold,
        )
    ]


def _edited_effects(
    s: State, effects: tuple[tuple[str, float], ...] | object, keep: Effects = NO_EFFECTS
) -> Effects:
    """The white cell's own changes to variables (key, change). What ``keep`` does beyond
    changing numbers (ending agreements, revealing intelligence) stays: an adjudicator
    edits how much things change, not what kind of action it was."""
    if not isinstance(effects, tuple | list):
        raise RuleViolation("violation.effects_list", effects=effects)
    terms = []
    for entry in effects:
        if not isinstance(entry, tuple | list) or len(entry) != 2:
            raise RuleViolation("violation.effect_pair", entry=entry)
        key, delta = entry
        var = s.scenario.var.get(key) if isinstance(key, str) else None
        if var is None:
            raise RuleViolation(
                "violation.unknown_variable",
                variable=key,
                variables=", ".join(v.key for v in s.scenario.vars),
            )
        if (
            isinstance(delta, bool)
            or not isinstance(delta, int | float)
            or not math.isfinite(delta)
        ):
            raise RuleViolation("violation.change_not_number", variable=key, delta=delta)
        terms.append((VarRef(key, fixed=var.index), float(delta)))
    return Effects(
        change=tuple(terms),
        end_agreements=keep.end_agreements,
        reveal=keep.reveal,
        reveal_exact=keep.reveal_exact,
    )


def _publish_outcome(s: State, c: cmd.PublishOutcome) -> list[ev.Event]:
    _require_umpire(c, "violation.do.apply_outcomes")
    _require_running(s)
    rec = _action(s, c.uid)
    if rec.status in ("submitted", "assessed"):
        raise RuleViolation("violation.not_rolled", uid=c.uid)
    if rec.status == "applied":
        raise RuleViolation("violation.already_applied", uid=c.uid)
    if c.public_text != "":
        _check_text(c, "public_text", "violation.field.public_text", required=False)
    if c.private_text != "":
        _check_text(c, "private_text", "violation.field.private_text", required=False)
    spec = s.scenario.action.get(rec.action)
    catalogue = NO_EFFECTS if spec is None else spec.on_success if rec.success else spec.on_failure
    effects = catalogue if c.effects is None else _edited_effects(s, c.effects, catalogue)
    if not (effects.end_agreements or effects.reveal or c.public_text or c.private_text):
        # the common case: one event, no chain, no copy of the state (the same event as
        # the chain's ``outcome`` emits, repeated deliberately so automated play skips it)
        changes = _changes(s.v, s.scenario, effects, rec.team, rec.target)
        return [
            _OutcomeApplied(
                seq=s.seq + 1,
                round=s.round,
                audience=rec.audience,
                actor=c.seat.name,
                by=c.by,
                uid=rec.uid,
                success=bool(rec.success),
                changes=changes,
                edited=c.effects is not None,
            )
        ]
    d = _Draft(s)
    d.outcome(
        rec,
        bool(rec.success),
        effects,
        c.seat.name,
        c.by,
        edited=c.effects is not None,
        public_text=c.public_text,
        private_text=c.private_text,
    )
    return d.events


def _withdraw_action(s: State, c: cmd.WithdrawAction) -> list[ev.Event]:
    team = _require_team(s, c, "violation.do.withdraw_actions")
    _require_running(s)
    rec = s.actions.get(c.uid)
    if rec is None or (rec.secret and rec.team != team):
        raise RuleViolation("violation.no_action", uid=c.uid)  # a secret stays secret
    if rec.team != team:
        raise RuleViolation("violation.not_own_action", uid=c.uid, team=rec.team)
    rec = _action(s, c.uid)
    if rec.status not in ("submitted", "assessed"):
        raise RuleViolation("violation.withdraw_after_roll", uid=c.uid)
    _require_time(s, c.at)
    # told to those who learnt of the action: a secret one's withdrawal stays secret
    return [_one(s, ev.ActionWithdrawn, rec.audience, c.seat.name, c.by, uid=rec.uid, team=team)]


def _void_action(s: State, c: cmd.VoidAction) -> list[ev.Event]:
    _require_control(c, "violation.do.void_actions")
    _require_running(s)
    rec = _action(s, c.uid)
    if rec.status == "applied":
        raise RuleViolation("violation.void_applied", uid=c.uid)
    _check_text(c, "reason", "violation.field.void_reason", limit=cmd.MAX_REASON)
    return [
        _one(
            s,
            ev.ActionVoided,
            rec.audience,
            c.seat.name,
            c.by,
            uid=rec.uid,
            team=rec.team,
            reason=c.reason,
        )
    ]


def _resolve_open(d: _Draft, actor: str, by: str | None) -> tuple[list[str], list[ActionRecord]]:
    """Finish the open round's open catalogue actions in ``d``, as an adjudicator following
    the rules would: assess those not yet assessed at the rules' odds (all before any
    outcome, so each sees the state the verifier recomputes them from), roll every
    unrolled one with the game's dice, then publish each outcome with the catalogue's
    effects. Returns the uids resolved and the free-form actions left, which the rules
    give no odds."""
    s = d.state
    sc = s.scenario
    todo: list[tuple[ActionRecord, Action]] = []
    left: list[ActionRecord] = []
    for rec in s.actions.values():
        if rec.round == s.round and rec.status in UNRESOLVED:
            spec = sc.action.get(rec.action)
            if spec is None:
                left.append(rec)
            else:
                todo.append((rec, spec))
    odds: dict[str, float] = {}
    for rec, spec in todo:
        if rec.status == "submitted":
            p, modifiers = rule_odds(d, sc, spec, rec.team, rec.target)
            d.emit(
                ev.ActionAssessed,
                rec.odds_audience,
                actor,
                by,
                uid=rec.uid,
                probability=p,
                method="rules",
                rationale="",
                modifiers=modifiers,
                suggested=None,
            )
            odds[rec.uid] = p
        else:
            assert rec.probability is not None  # an assessed action has its odds
            odds[rec.uid] = rec.probability
    success: dict[str, bool] = {}
    for rec, _spec in todo:
        if rec.status == "rolled":
            success[rec.uid] = bool(rec.success)
        else:
            roll = d.roll("action", rec.uid, odds[rec.uid], rec.odds_audience, actor, by)
            success[rec.uid] = roll.success
    for rec, spec in todo:
        won = success[rec.uid]
        effects = spec.on_success if won else spec.on_failure
        d.outcome(rec, won, effects, actor, by, edited=False, count=True)
    return [rec.uid for rec, _spec in todo], left


def _resolve_by_rules(s: State, c: cmd.ResolveByRules) -> list[ev.Event]:
    _require_umpire(c, "violation.do.resolve_by_rules")
    _require_running(s)
    if not s.round_open:
        raise RuleViolation("violation.no_round_open")
    d = _Draft(s)
    resolved, left = _resolve_open(d, c.seat.name, c.by)
    if not resolved:
        if left:
            raise RuleViolation("violation.only_free_form_left", round=s.round, count=len(left))
        raise RuleViolation("violation.nothing_to_resolve", round=s.round)
    d.emit(
        ev.ActionsResolved,
        (WHITE_CELL,),
        c.seat.name,
        c.by,
        resolved=tuple(resolved),
        left=tuple(rec.uid for rec in left),
    )
    return d.events


# -- talks: messages, channels, statements, proposals ----------------------------------


def _known_party(s: State, who: str) -> bool:
    return who in s.scenario.team or who in s.scenario.roles


def _channel_members(s: State, channel: str) -> tuple[str, ...] | None:
    """The teams in a channel; ``team:<id>`` is each team's own chat."""
    if channel.startswith("team:"):
        team = channel.removeprefix("team:")
        return (team,) if team in s.scenario.team else None
    found = s.channels.get(channel)
    return found.members if found is not None else None


def _send_message(s: State, c: cmd.SendMessage) -> list[ev.Event]:
    _require_running(s)
    sc = s.scenario
    if c.seat.kind == "team":
        sender = _require_team(s, c, "violation.do.send_messages")
        if c.sender not in (None, sender):
            raise RuleViolation("violation.send_as_other", team=sender, sender=c.sender)
    elif c.seat.kind == "control":
        sender = c.sender or "control"
        if sender != "control" and sender not in sc.roles:
            raise RuleViolation(
                "violation.control_speaks_as", roles=_listed(sc.roles), sender=sender
            )
    else:
        raise RuleViolation("violation.seat_cannot_send", seat=str(c.seat))
    _check_text(c, "text", "violation.field.message")
    if c.channel is not None:
        if c.to:
            raise RuleViolation("violation.channel_and_teams")
        members = _channel_members(s, c.channel)
        if members is None:
            raise RuleViolation("violation.no_channel", channel=c.channel)
        if c.seat.kind == "team" and sender not in members:
            raise RuleViolation("violation.no_channel", channel=c.channel)
        return [
            _one(
                s,
                ev.MessageSent,
                members,
                c.seat.name,
                c.by,
                sender=sender,
                to=(),
                channel=c.channel,
                text=c.text,
            )
        ]
    if not c.to:
        raise RuleViolation("violation.no_recipient")
    if len(set(c.to)) != len(c.to):
        raise RuleViolation("violation.recipient_twice")
    for who in c.to:
        if who == sender:
            if sender in sc.team:
                raise RuleViolation("violation.message_to_own_team", chat=f"team:{sender}")
            raise RuleViolation("violation.message_to_self")
        if not _known_party(s, who):
            raise RuleViolation("violation.unknown_recipient", who=who, teams=", ".join(sc.team))
    teams = tuple(t for t in sc.team_ids if t == sender or t in c.to)
    return [
        _one(
            s,
            ev.MessageSent,
            teams,
            c.seat.name,
            c.by,
            sender=sender,
            to=tuple(c.to),
            channel=None,
            text=c.text,
        )
    ]


def _open_channel(s: State, c: cmd.OpenChannel) -> list[ev.Event]:
    _require_running(s)
    sc = s.scenario
    if c.seat.kind == "team":
        opener = _require_team(s, c, "violation.do.open_channels")
        members = (opener, *c.members)
    elif c.seat.kind == "control":
        members = tuple(c.members)
    else:
        raise RuleViolation("violation.seat_cannot_open_channel", seat=str(c.seat))
    if len(set(members)) != len(members):
        raise RuleViolation("violation.channel_member_twice")
    for team in members:
        if team not in sc.team:
            raise RuleViolation("violation.unknown_team", team=team, teams=", ".join(sc.team))
    if len(members) < 2:
        raise RuleViolation("violation.channel_too_small")
    _check_text(c, "name", "violation.field.channel_name", required=False)
    if len(c.name) > 200:
        raise RuleViolation("violation.channel_name_too_long")
    ordered = tuple(t for t in sc.team_ids if t in members)
    return [
        _one(
            s,
            ev.ChannelOpened,
            ordered,
            c.seat.name,
            c.by,
            channel=f"c{s.seq + 1}",
            name=c.name,
            members=ordered,
        )
    ]


def _publish_statement(s: State, c: cmd.PublishStatement) -> list[ev.Event]:
    team = _require_team(s, c, "violation.do.publish_statements")
    _require_running(s)
    _check_text(c, "text", "violation.field.statement")
    return [_one(s, ev.StatementPublished, _PUBLIC, c.seat.name, c.by, team=team, text=c.text)]


def _status(status: str) -> Phrase:
    """A proposal's status (open, rejected, countered, lapsed, signed) for a message."""
    return Phrase(f"proposal.status.{status}")


def _proposal(s: State, uid: str, team: str | None) -> ProposalRecord:
    """A proposal ``team`` may see (any, for None); one it may not see does not exist."""
    p = s.proposals.get(uid)
    if p is None or (team is not None and team not in p.audience):
        raise RuleViolation("violation.no_proposal", uid=uid)
    return p


def _check_package(
    s: State, agreement: str, clauses: tuple[str, ...], *, in_force_ok: bool = False
) -> str:
    """Check a package of clauses for an agreement kind; returns the kind."""
    sc = s.scenario
    kind = sc.agreements.get(agreement)
    if kind is None:
        raise RuleViolation(
            "violation.unknown_agreement", agreement=agreement, agreements=", ".join(sc.agreements)
        )
    if not in_force_ok and s.agreement_counts[agreement][IN_FORCE]:
        raise RuleViolation("violation.agreement_in_force", agreement=agreement)
    if not clauses:
        raise RuleViolation("violation.no_clause")
    if len(set(clauses)) != len(clauses):
        raise RuleViolation("violation.clause_twice")
    allowed = set(kind.required) | set(kind.optional)
    for clause in clauses:
        if clause not in allowed:
            raise RuleViolation(
                "violation.clause_not_allowed",
                clause=clause,
                agreement=agreement,
                clauses=", ".join(sorted(allowed)),
            )
    missing = [x for x in kind.required if x not in clauses]
    if missing:
        raise RuleViolation(
            "violation.clause_missing", agreement=agreement, missing=", ".join(missing)
        )
    return agreement


def _table_proposal(s: State, c: cmd.TableProposal) -> list[ev.Event]:
    sc = s.scenario
    if c.seat.kind == "team":
        sponsor = _require_team(s, c, "violation.do.table_proposals")
        if c.sponsor not in (None, sponsor):
            raise RuleViolation("violation.table_as_other", team=sponsor, sponsor=c.sponsor)
    elif c.seat.kind == "control":
        default = sc.mediator if sc.mediator is not None and sc.mediator in sc.roles else "control"
        sponsor = c.sponsor or default
        if sponsor != "control" and sponsor not in sc.roles:
            raise RuleViolation(
                "violation.control_tables_as", roles=_listed(sc.roles), sponsor=sponsor
            )
    else:
        raise RuleViolation("violation.seat_cannot_table", seat=str(c.seat))
    _require_round(s, "negotiation", "violation.can.table_proposals")
    _check_package(s, c.agreement, c.clauses)
    if c.counter_to is not None:
        original = _proposal(s, c.counter_to, sponsor if c.seat.kind == "team" else None)
        if original.status != "open":
            raise RuleViolation(
                "violation.cannot_counter", pid=c.counter_to, status=_status(original.status)
            )
        if original.agreement != c.agreement:
            raise RuleViolation(
                "violation.counter_kind", pid=c.counter_to, agreement=original.agreement
            )
    if c.draft is not None:
        _own_draft(s, sponsor, c.draft, ev.ProposalDrafted, "violation.no_proposal_draft")
    parties = sc.agreement_parties(c.agreement, c.clauses)
    audience = tuple(t for t in sc.team_ids if t in parties or t == sponsor)
    return [
        _one(
            s,
            ev.ProposalTabled,
            audience,
            c.seat.name,
            c.by,
            pid=f"p{s.seq + 1}",
            sponsor=sponsor,
            agreement=c.agreement,
            clauses=tuple(c.clauses),
            parties=parties,
            counter_to=c.counter_to,
            draft=c.draft,
        )
    ]


def _draft_proposal(s: State, c: cmd.DraftProposal) -> list[ev.Event]:
    team = _require_team(s, c, "violation.do.draft_proposals")
    _require_running(s)
    kind = _check_package(s, c.agreement, c.clauses, in_force_ok=True)
    return [
        _one(
            s,
            ev.ProposalDrafted,
            (team,),
            c.seat.name,
            c.by,
            draft=f"d{s.seq + 1}",
            team=team,
            agreement=kind,
            clauses=tuple(c.clauses),
        )
    ]


def _party(
    s: State, c: cmd.Command, pid: str, what: str, allowed: str
) -> tuple[str, ProposalRecord]:
    """The team answering an open proposal it is a party to (accept, reject, sign)."""
    team = _require_team(s, c, what)
    _require_round(s, "negotiation", allowed)
    p = _proposal(s, pid, team)
    if team not in p.parties:
        raise RuleViolation(
            "violation.not_a_party", team=team, pid=pid, parties=", ".join(p.parties)
        )
    if p.status != "open":
        raise RuleViolation("violation.proposal_not_open", pid=pid, status=_status(p.status))
    return team, p


def _accept_proposal(s: State, c: cmd.AcceptProposal) -> list[ev.Event]:
    team, p = _party(s, c, c.pid, "violation.do.accept_proposals", "violation.can.accept_proposals")
    if team in p.accepted:
        raise RuleViolation("violation.already_accepted", team=team, pid=c.pid)
    return [_one(s, ev.ProposalAccepted, p.audience, c.seat.name, c.by, pid=p.pid, team=team)]


def _reject_proposal(s: State, c: cmd.RejectProposal) -> list[ev.Event]:
    team, p = _party(s, c, c.pid, "violation.do.reject_proposals", "violation.can.reject_proposals")
    if team in p.signed:
        raise RuleViolation("violation.already_signed", team=team, pid=c.pid)
    _check_text(c, "reason", "violation.field.reason", required=False)
    return [
        _one(
            s,
            ev.ProposalRejected,
            p.audience,
            c.seat.name,
            c.by,
            pid=p.pid,
            team=team,
            reason=c.reason,
        )
    ]


def _sign_proposal(s: State, c: cmd.SignProposal) -> list[ev.Event]:
    team, p = _party(s, c, c.pid, "violation.do.sign_proposals", "violation.can.sign_proposals")
    if team in p.signed:
        raise RuleViolation("violation.already_signed", team=team, pid=c.pid)
    if s.agreement_counts[p.agreement][IN_FORCE]:
        raise RuleViolation("violation.agreement_in_force", agreement=p.agreement)
    if len(p.signed) + 1 < len(p.parties):  # not the last signature: one event, no chain
        return [_one(s, ev.ProposalSigned, p.audience, c.seat.name, c.by, pid=p.pid, team=team)]
    # the last signature: the agreement is signed and its clauses take effect
    d = _Draft(s)
    d.emit(ev.ProposalSigned, p.audience, c.seat.name, c.by, pid=p.pid, team=team)
    sc = s.scenario
    changes: list[ev.Change] = []
    for clause in p.clauses:
        changes += d.apply(sc.clauses[clause].on_sign)
    d.emit(
        ev.AgreementSigned,
        _PUBLIC,
        "engine",
        uid=f"g{d.seq + 1}",
        pid=p.pid,
        agreement=p.agreement,
        clauses=p.clauses,
        parties=p.parties,
        changes=tuple(changes),
    )
    return d.events


# -- white cell: injects, news, leaks, seating automated players -----------------------


def _fire_inject(s: State, c: cmd.FireInject) -> list[ev.Event]:
    _require_control(c, "violation.do.fire_injects")
    _require_running(s)
    if c.inject is None:
        _check_text(c, "news", "violation.field.inject_news")
        audience = _PUBLIC
        if c.teams is not None:
            if (
                not c.teams
                or len(set(c.teams)) != len(c.teams)
                or any(t not in s.scenario.team for t in c.teams)
            ):
                teams = ", ".join(s.scenario.team)
                raise RuleViolation("violation.inject_audience", teams=teams)
            audience = tuple(t for t in s.scenario.team_ids if t in c.teams)
        effects = _edited_effects(s, c.effects)
        d = _Draft(s)
        changes = d.apply(effects)
        d.emit(
            ev.InjectFired,
            audience,
            c.seat.name,
            c.by,
            inject="adhoc",
            manual=True,
            news=c.news,
            changes=changes,
        )
        return d.events
    if c.news or c.effects or c.teams is not None:
        raise RuleViolation("violation.scenario_inject_fixed")
    inject = s.scenario.inject.get(c.inject)
    if inject is None:
        raise RuleViolation(
            "violation.unknown_inject", inject=c.inject, injects=_listed(s.scenario.inject)
        )
    if inject.once and inject.id in s.inj:
        raise RuleViolation("violation.inject_fired", inject=c.inject)
    d = _Draft(s)
    d.fire(inject, manual=True, actor=c.seat.name, by=c.by)
    return d.events


def _publish_news(s: State, c: cmd.PublishNews) -> list[ev.Event]:
    _require_control(c, "violation.do.publish_news")
    _require_running(s)
    _check_text(c, "text", "violation.field.news")
    if c.about is not None and c.about not in s.actions:
        raise RuleViolation("violation.no_action", uid=c.about)
    return [_one(s, ev.NewsPublished, _PUBLIC, c.seat.name, c.by, text=c.text, about=c.about)]


def _leak(s: State, c: cmd.Leak) -> list[ev.Event]:
    _require_control(c, "violation.do.leak_intelligence")
    _require_running(s)
    if not isinstance(c.seq, int) or isinstance(c.seq, bool) or not 1 <= c.seq <= s.seq:
        raise RuleViolation("violation.no_event", seq=c.seq)
    if not c.teams or len(set(c.teams)) != len(c.teams):
        raise RuleViolation("violation.leak_teams")
    for team in c.teams:
        if team not in s.scenario.team:
            raise RuleViolation(
                "violation.unknown_team", team=team, teams=", ".join(s.scenario.team)
            )
    source = s.events[c.seq - 1]
    leaked = json.dumps(ev.event_to_dict(source), ensure_ascii=False, separators=(",", ":"))
    audience = tuple(t for t in s.scenario.team_ids if t in c.teams)
    return [
        _one(
            s,
            ev.IntelligenceLeaked,
            audience,
            c.seat.name,
            c.by,
            source=c.seq,
            teams=audience,
            leaked=leaked,
        )
    ]


def _seat_agent(s: State, c: cmd.SeatAgent) -> list[ev.Event]:
    _require_control(c, "violation.do.seat_agents")
    _require_running(s)
    if c.team not in s.scenario.team:
        raise RuleViolation("violation.unknown_team", team=c.team, teams=", ".join(s.scenario.team))
    if not isinstance(c.seated, bool):
        raise RuleViolation("violation.seated_not_bool", seated=c.seated)
    if c.seated == (c.team in s.agents):
        key = "violation.agent_already_seated" if c.seated else "violation.agent_not_seated"
        raise RuleViolation(key, team=c.team)
    if c.kind not in cmd.SEAT_KINDS:
        raise RuleViolation("violation.agent_kind", kind=c.kind, allowed=", ".join(cmd.SEAT_KINDS))
    kind = c.kind if c.seated else "heuristic"
    return [
        _one(s, ev.AgentSeated, _PUBLIC, c.seat.name, c.by, team=c.team, seated=c.seated, kind=kind)
    ]


# -- advisors: a team's questions, control's switch, the server's answers ---------------


def _ask_advisors(s: State, c: cmd.AskAdvisors) -> list[ev.Event]:
    team = _require_team(s, c, "violation.do.ask_advisors")
    _require_running(s)
    number = s.advice_round
    if not s.advisors_on(team, number):
        raise RuleViolation("violation.advisors_off", team=team, number=number)
    if c.lang not in ("en", "ja"):
        raise RuleViolation("violation.advice_lang", lang=str(c.lang)[:20])
    advisors = s.scenario.team[team].advisors
    if c.advisor is not None and (
        not isinstance(c.advisor, int)
        or isinstance(c.advisor, bool)
        or not 0 <= c.advisor < len(advisors)
    ):
        raise RuleViolation("violation.no_advisor", advisor=str(c.advisor), count=len(advisors))
    _check_text(c, "question", "violation.field.question", required=False, limit=cmd.MAX_QUESTION)
    return [
        _one(
            s,
            ev.AdvisorsAsked,
            (team,),
            c.seat.name,
            c.by,
            team=team,
            question=c.question.strip(),
            advisor=c.advisor,
            lang=c.lang,
        )
    ]


def _set_advisors(s: State, c: cmd.SetAdvisors) -> list[ev.Event]:
    _require_control(c, "violation.do.set_advisors")
    _require_running(s)
    if c.team not in s.scenario.team:
        raise RuleViolation("violation.unknown_team", team=c.team, teams=", ".join(s.scenario.team))
    if not isinstance(c.enabled, bool):
        raise RuleViolation("violation.enabled_not_bool", enabled=str(c.enabled)[:20])
    last = len(s.scenario.rounds)
    if c.number is not None and (
        not isinstance(c.number, int) or isinstance(c.number, bool) or not 1 <= c.number <= last
    ):
        raise RuleViolation("violation.advice_round", number=str(c.number)[:20], last=last)
    return [
        _one(
            s,
            ev.AdvisorsSet,
            (c.team,),
            c.seat.name,
            c.by,
            team=c.team,
            enabled=c.enabled,
            number=c.number,
        )
    ]


def _record_advice(s: State, c: cmd.RecordAdvice) -> list[ev.Event]:
    _require_control(c, "violation.do.record_advice")
    if not s.started:
        raise RuleViolation("violation.not_started")
    team = s.questions.get(c.question) if isinstance(c.question, int) else None
    if team is None:
        raise RuleViolation("violation.no_question", question=str(c.question)[:20])
    if c.source not in cmd.ADVICE_SOURCES:
        allowed = ", ".join(cmd.ADVICE_SOURCES)
        raise RuleViolation("violation.advice_source", source=str(c.source)[:40], allowed=allowed)
    _check_text(c, "text", "violation.field.advice")
    advisors = s.scenario.team[team].advisors
    if c.advisor is not None and (
        not isinstance(c.advisor, int)
        or isinstance(c.advisor, bool)
        or not 0 <= c.advisor < len(advisors)
    ):
        raise RuleViolation("violation.no_advisor", advisor=str(c.advisor), count=len(advisors))
    if not all(isinstance(n, int) and n >= 0 for n in (c.prompt_tokens, c.completion_tokens)):
        raise RuleViolation("violation.model_record", problem="negative token counts")
    # answered even after the game ended: a question asked in time gets its answer
    return [
        _one(
            s,
            ev.AdviceGiven,
            (team,),
            c.seat.name,
            c.by,
            team=team,
            question=c.question,
            advisor=c.advisor,
            text=c.text,
            source=c.source,
            model=str(c.model)[:200],
            prompt_tokens=c.prompt_tokens,
            completion_tokens=c.completion_tokens,
        )
    ]


# -- model records: what a language model was asked, and its fallbacks -----------------


def _model_subject(s: State, subject: str, purpose: str) -> None:
    team = subject.removeprefix("team:")
    if not (subject == "adjudicator" or (subject.startswith("team:") and team in s.scenario.team)):
        raise RuleViolation("violation.model_record", problem=f"no seat '{subject}' in this game")
    if purpose not in cmd.MODEL_PURPOSES:
        allowed = ", ".join(sorted(cmd.MODEL_PURPOSES))
        raise RuleViolation("violation.model_record", problem=f"purpose '{purpose}' ({allowed})")


def _record_model_call(s: State, c: cmd.RecordModelCall) -> list[ev.Event]:
    _require_control(c, "violation.do.record_model")
    _require_running(s)
    _model_subject(s, c.subject, c.purpose)
    size = len(c.response) + sum(len(m[1]) for m in c.messages if isinstance(m, tuple | list))
    if not all(
        isinstance(m, tuple | list) and len(m) == 2 and m[0] in ("system", "user", "assistant")
        for m in c.messages
    ):
        raise RuleViolation("violation.model_record", problem="messages are (role, text) pairs")
    if size > cmd.MAX_PROMPT or c.attempt not in (1, 2):
        raise RuleViolation("violation.model_record", problem="too long, or not attempt 1 or 2")
    if min(c.prompt_tokens, c.completion_tokens) < 0:
        raise RuleViolation("violation.model_record", problem="negative token counts")
    return [
        _one(
            s,
            ev.ModelCalled,
            (CONTROL_ONLY,),
            c.seat.name,
            c.by,
            subject=c.subject,
            purpose=c.purpose,
            model=str(c.model),
            attempt=c.attempt,
            messages=tuple((str(r), str(t)) for r, t in c.messages),
            response=str(c.response),
            prompt_tokens=int(c.prompt_tokens),
            completion_tokens=int(c.completion_tokens),
            error=str(c.error),
        )
    ]


def _record_fallback(s: State, c: cmd.RecordFallback) -> list[ev.Event]:
    _require_control(c, "violation.do.record_model")
    _require_running(s)
    _model_subject(s, c.subject, c.purpose)
    _check_text(c, "reason", "violation.field.reason")
    return [
        _one(
            s,
            ev.ModelFellBack,
            (CONTROL_ONLY,),
            c.seat.name,
            c.by,
            subject=c.subject,
            purpose=c.purpose,
            reason=c.reason,
        )
    ]


# -- dispatch --------------------------------------------------------------------------


# One decider per command, looked up by the command's exact class (a dict lookup: no
# isinstance chain on the hot path). Same families, same order as above.
_DECIDERS: dict[type[cmd.Command], Callable[[State, Any], list[ev.Event]]] = {
    # lifecycle
    cmd.StartGame: _start_game,
    cmd.OpenRound: _open_round,
    cmd.CloseRound: _close_round,
    cmd.PauseGame: _pause_game,
    cmd.ResumeGame: _resume_game,
    cmd.ExtendRound: _extend_round,
    cmd.EndGame: _end_game,
    cmd.RevealAll: _reveal_all,
    # actions
    cmd.SubmitAction: _submit_action,
    cmd.DraftAction: _draft_action,
    cmd.Assess: _assess,
    cmd.EstimateOdds: _estimate_odds,
    cmd.AssignAction: _assign_action,
    cmd.Argue: _argue,
    cmd.Roll: _roll,
    cmd.PublishOutcome: _publish_outcome,
    cmd.WithdrawAction: _withdraw_action,
    cmd.VoidAction: _void_action,
    cmd.ResolveByRules: _resolve_by_rules,
    # talks
    cmd.SendMessage: _send_message,
    cmd.OpenChannel: _open_channel,
    cmd.PublishStatement: _publish_statement,
    cmd.TableProposal: _table_proposal,
    cmd.DraftProposal: _draft_proposal,
    cmd.AcceptProposal: _accept_proposal,
    cmd.RejectProposal: _reject_proposal,
    cmd.SignProposal: _sign_proposal,
    # white cell
    cmd.FireInject: _fire_inject,
    cmd.PublishNews: _publish_news,
    cmd.Leak: _leak,
    cmd.SeatAgent: _seat_agent,
    # advisors
    cmd.AskAdvisors: _ask_advisors,
    cmd.SetAdvisors: _set_advisors,
    cmd.RecordAdvice: _record_advice,
    # model records
    cmd.RecordModelCall: _record_model_call,
    cmd.RecordFallback: _record_fallback,
}


def decide(state: State, command: cmd.Command) -> list[ev.Event]:
    """The events ``command`` causes in ``state``, or :class:`RuleViolation`."""
    handler = _DECIDERS.get(type(command))
    if handler is None:
        raise RuleViolation("violation.unknown_command", command=type(command).__name__)
    seat = command.seat
    if not isinstance(seat, Seat):
        raise RuleViolation("violation.no_seat")
    kind = seat.kind
    if kind == "observer":
        raise RuleViolation("violation.observer")
    if state.paused and kind != "control":
        raise RuleViolation("violation.paused")
    if command.by is not None:
        if not isinstance(command.by, str) or len(command.by) > 200:
            raise RuleViolation("violation.person_name")
        _check_unicode(command.by, "violation.field.person_name")
    return handler(state, command)


__all__ = [
    "compute_outcomes",
    "decide",
    "hazard",
    "rule_chance",
    "rule_changes",
    "rule_odds",
    "rule_subject",
]
