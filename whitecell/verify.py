"""Re-check every die roll of a finished game against its revealed seed.

Anyone holding the log can run this. The commitment published at the start must
match the seed revealed at the end; every roll must be the seed's roll of that
number; and every roll must be taken against the odds the rules give at that
moment: an action's assessed odds, an inject's declared chance, an agreement's
hazard recomputed from the state the log itself folds to. Assessments that claim
to follow the rules are recomputed too, and so are the final outcomes. So the
white cell can neither pick the dice nor quietly change the odds they are rolled
against.

The applications of the scenario's dynamics rules are recomputed as well: each one's
condition must hold, its chance must have come up, and its changes must be the rule's.

Chains of events one command makes (a ruling by the rules, the end of a game in mid-round)
are checked event by event like any others: each assessment that claims the rules is
recomputed from the state the events before it fold to. A withdrawn or voided action is
never rolled or applied afterwards.

A fork (``whitecell turning-points``, a forecast's plays) is checked too: its rolls before
the ``game_forked`` event against the parent game's seed, those after against the fork's
own, with any roll the fork forced drawn from the side it names.
"""

from __future__ import annotations

from dataclasses import dataclass

from whitecell.adjudication.matrix import matrix_odds
from whitecell.adjudication.rules import assess_in
from whitecell.engine import events as ev
from whitecell.engine.decide import (
    compute_outcomes,
    hazard,
    rule_chance,
    rule_changes,
    rule_subject,
)
from whitecell.engine.dice import Dice, commitment
from whitecell.engine.evolve import evolve
from whitecell.engine.log import GameLog
from whitecell.engine.state import SET_ASIDE, State, new_state
from whitecell.scenario.compiled import Dynamic


@dataclass(frozen=True)
class Verdict:
    ok: bool
    rolls: int
    message: str
    seq: int | None = None  # the first event that does not match


class _Mismatch(Exception):
    def __init__(self, seq: int, message: str) -> None:
        super().__init__(message)
        self.seq = seq
        self.message = f"event {seq}: {message}"


def _expected_odds(state: State, e: ev.DiceRolled) -> float | None:
    """The threshold the rules give for this roll now (None: nothing to compare)."""
    sc = state.scenario
    if e.purpose == "action":
        rec = state.actions.get(e.subject)
        if rec is None:
            raise _Mismatch(e.seq, f"a roll for action {e.subject}, which was never submitted")
        if rec.status in SET_ASIDE:
            raise _Mismatch(e.seq, f"a roll for action {e.subject}, which was {rec.status}")
        return rec.probability
    if e.purpose == "inject":
        inject = sc.inject.get(e.subject)
        if inject is None:
            raise _Mismatch(e.seq, f"a roll for an inject the scenario lacks: {e.subject}")
        return inject.chance
    if e.purpose == "hazard":
        agreement = state.agreements.get(e.subject)
        if agreement is None or not agreement.in_force:
            raise _Mismatch(e.seq, f"a hazard roll for {e.subject}, which is not in force")
        return hazard(sc.agreements[agreement.agreement], state)
    if e.purpose == "intel":
        return 1.0
    if e.purpose == "dynamic":
        rule, team = _rule_of(state, e.seq, e.subject)
        if rule.chance is None:
            raise _Mismatch(e.seq, f"a roll for rule {rule.id}, which has no chance")
        return rule_chance(rule, state, team)
    raise _Mismatch(e.seq, f"a roll for an unknown purpose {e.purpose!r}")


def _rule_of(state: State, seq: int, subject: str) -> tuple[Dynamic, str | None]:
    """The dynamics rule (and team) a roll or an application names; its condition must hold."""
    rule_id, _, team = subject.partition(".")
    rule = next((r for r in state.scenario.dynamics if r.id == rule_id), None)
    if rule is None:
        raise _Mismatch(seq, f"a dynamics rule the scenario lacks: {rule_id}")
    who = team or None
    applies = rule.teams is None if who is None else rule.teams is not None and who in rule.teams
    if not applies:
        raise _Mismatch(seq, f"rule {rule_id} does not apply to {who or 'the game as a whole'}")
    if rule.when is not None and not rule.when.fn(state, who, None):
        raise _Mismatch(seq, f"rule {subject} applied while its condition does not hold")
    return rule, who


def _check_dynamic(state: State, e: ev.DynamicApplied) -> None:
    subject = rule_subject(e.rule, e.team)
    rule, team = _rule_of(state, e.seq, subject)
    if rule.chance is not None:
        last = state.events[-1] if state.events else None
        if not (
            isinstance(last, ev.DiceRolled)
            and last.purpose == "dynamic"
            and last.subject == subject
            and last.success
        ):
            raise _Mismatch(e.seq, f"rule {subject} applied without its chance coming up")
    expected = rule_changes(state.v, state.scenario, rule, state, team)
    if tuple(tuple(c) for c in e.changes) != expected:
        raise _Mismatch(e.seq, f"rule {subject} changed {e.changes!r}, the rule gives {expected!r}")


def _check_roll(state: State, dice: Dice, e: ev.DiceRolled, due: int) -> None:
    if e.index != due:
        raise _Mismatch(
            e.seq, f"roll number {e.index} where {due} was due (a roll was removed or reordered)"
        )
    value = dice.draw(e.index, e.threshold, e.purpose, e.subject, e.round)
    if e.value != value:
        raise _Mismatch(e.seq, f"roll {e.index} reads {e.value!r} but the seed gives {value!r}")
    if e.success != (e.value < e.threshold):
        result = "success" if e.success else "failure"
        raise _Mismatch(
            e.seq, f"roll {e.value:.4f} against {e.threshold:.4f} is recorded as a {result}"
        )
    odds = _expected_odds(state, e)
    if odds is not None and abs(odds - e.threshold) > 1e-12:
        source = {
            "action": "the action was assessed at",
            "inject": "the scenario gives the inject a chance of",
            "hazard": "the agreement's hazard at that point is",
            "dynamic": "the rule's chance at that point is",
        }.get(e.purpose, "the rules give")
        raise _Mismatch(
            e.seq,
            f"the {e.purpose} roll for {e.subject} was taken against {e.threshold!r}, "
            f"but {source} {odds!r}",
        )


def _check(state: State, e: ev.Event, dice: Dice, due: int) -> int:
    """Check one event against the state before it; returns the next roll number due."""
    if isinstance(e, ev.DiceRolled):
        _check_roll(state, dice, e, due)
        return due + 1
    if isinstance(e, ev.ActionAssessed) and e.method == "rules":
        rec = state.actions.get(e.uid)
        if rec is None:
            raise _Mismatch(e.seq, f"an assessment of action {e.uid}, which was never submitted")
        if rec.action not in state.scenario.action:
            raise _Mismatch(e.seq, f"free-form action {e.uid} cannot be assessed 'by the rules'")
        rules = assess_in(state, state.scenario, rec.action, rec.team, rec.target)
        if abs(rules.probability - e.probability) > 1e-9:
            raise _Mismatch(
                e.seq,
                f"action {e.uid} is assessed 'by the rules' at {e.probability!r}, "
                f"but the rules give {rules.probability!r}",
            )
    elif isinstance(e, ev.ActionAssessed) and e.method == "matrix":
        rec = state.actions.get(e.uid)
        if rec is None:
            raise _Mismatch(e.seq, f"an assessment of action {e.uid}, which was never submitted")
        expected = matrix_odds(state.scenario, rec, e.modifiers)
        if abs(expected - e.probability) > 1e-9:
            raise _Mismatch(
                e.seq,
                f"action {e.uid} is assessed by the matrix at {e.probability!r}, but its "
                f"base odds and {len(e.modifiers)} strong argument(s) give {expected!r}",
            )
    elif isinstance(e, ev.DynamicApplied):
        _check_dynamic(state, e)
    elif isinstance(e, ev.OutcomeApplied):
        rec = state.actions.get(e.uid)
        if rec is not None and rec.status in SET_ASIDE:
            raise _Mismatch(e.seq, f"the outcome of action {e.uid}, which was {rec.status}")
        if rec is None or rec.success is None or rec.success != e.success:
            raise _Mismatch(e.seq, f"the outcome of action {e.uid} does not follow its roll")
    elif isinstance(e, ev.GameEnded) and tuple(e.outcomes) != compute_outcomes(
        state, state.scenario
    ):
        raise _Mismatch(e.seq, "the recorded outcomes differ from those the final state gives")
    return due


def verify_log(log: GameLog) -> Verdict:
    events = log.events
    started = next((e for e in events if isinstance(e, ev.GameStarted)), None)
    ended = next((e for e in events if isinstance(e, ev.GameEnded)), None)
    if started is None:
        return Verdict(False, 0, "no game_started event: nothing commits to a seed")
    if started.scenario_digest != log.scenario.digest:
        return Verdict(
            False,
            0,
            f"event {started.seq}: the game was started with scenario "
            f"{started.scenario_digest[:12]}…, not the one embedded in the log",
            started.seq,
        )
    if ended is None:
        return Verdict(
            False,
            0,
            "the game has not ended: its seed is not revealed yet, so the dice cannot be checked",
        )
    forked = next((e for e in events if isinstance(e, ev.GameForked)), None)
    first_seed = ended.seed
    if forked is not None:
        if commitment(ended.seed) != forked.seed_commitment:
            return Verdict(
                False,
                0,
                f"event {ended.seq}: the revealed seed {ended.seed} does not match the fork's "
                f"commitment in event {forked.seq}",
                ended.seq,
            )
        if forked.parent_seed is None:
            return Verdict(
                False,
                0,
                f"event {forked.seq}: a fork of a game whose seed was still secret; the rolls "
                "before the fork cannot be checked",
                forked.seq,
            )
        first_seed = forked.parent_seed
    if commitment(first_seed) != started.seed_commitment:
        which = "parent game's seed" if forked is not None else "revealed seed"
        at = forked if forked is not None else ended
        return Verdict(
            False,
            0,
            f"event {at.seq}: the {which} {first_seed} does not match the commitment "
            f"published in event {started.seq}",
            at.seq,
        )
    dice = Dice(first_seed)
    state = new_state(log.scenario, None)
    due = 0
    for e in events:
        if e is forked:
            dice = Dice(ended.seed, {(p, s, r): side for p, s, r, side in forked.forced})
        try:
            due = _check(state, e, dice, due)
        except _Mismatch as bad:
            return Verdict(False, due, bad.message, bad.seq)
        try:
            evolve(state, e)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            return Verdict(
                False, due, f"event {e.seq} ({e.type}) does not fit the game so far ({exc})", e.seq
            )
    if forked is not None:
        return Verdict(
            True,
            due,
            f"all {due} rolls match: the parent game's seed {first_seed} before the fork "
            f"(event {forked.seq}), the fork's seed {ended.seed} after it, "
            f"{len(forked.forced)} roll(s) forced to one side",
        )
    return Verdict(True, due, f"all {due} rolls match the revealed seed {ended.seed}")
