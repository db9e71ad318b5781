"""``evolve``: fold one event into the state. It trusts the event and cannot fail on one
that ``decide`` produced; replaying a log through it rebuilds the live state exactly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from whitecell.engine import events as ev
from whitecell.engine.dice import Dice
from whitecell.engine.state import ActionRecord, AgreementRecord, ProposalRecord, State


def _set(state: State, changes: ev.Changes) -> None:
    var = state.scenario.var
    v = state.v
    for key, _old, new in changes:
        v[var[key].index] = new


def _game_started(s: State, e: ev.GameStarted) -> None:
    s.started = True
    s.date = dt.date.fromisoformat(e.start_date)


def _round_opened(s: State, e: ev.RoundOpened) -> None:
    s.round = e.round
    s.round_open = True
    s.date = dt.date.fromisoformat(e.date)


def _round_closed(s: State, e: ev.RoundClosed) -> None:
    s.round_open = False
    s.date = dt.date.fromisoformat(e.date)


def _action_submitted(s: State, e: ev.ActionSubmitted) -> None:
    s.actions[e.uid] = ActionRecord(e.uid, e.round, e.team, e.action, e.target, e.secret)
    key = (e.round, e.team)
    s.submitted[key] = s.submitted.get(key, 0) + 1
    s.ac[e.action][0] += 1


def _action_assessed(s: State, e: ev.ActionAssessed) -> None:
    rec = s.actions[e.uid]
    rec.status = "assessed"
    rec.probability = e.probability
    rec.method = e.method


def _dice_rolled(s: State, e: ev.DiceRolled) -> None:
    s.rolls = e.index + 1
    if e.purpose == "action":
        rec = s.actions[e.subject]
        rec.status = "rolled"
        rec.roll = e.value
        rec.success = e.success


def _outcome_applied(s: State, e: ev.OutcomeApplied) -> None:
    rec = s.actions[e.uid]
    rec.status = "applied"
    s.ac[rec.action][1 if e.success else 2] += 1
    _set(s, e.changes)


def _intelligence_report(s: State, e: ev.IntelligenceReport) -> None:
    book = s.intel.setdefault(e.team, {})
    for key, value, exact in e.estimates:
        book[key] = (value, exact, e.round)


def _message_sent(s: State, e: ev.MessageSent) -> None:
    pass  # messages live in the log; views read them from there


def _proposal_tabled(s: State, e: ev.ProposalTabled) -> None:
    s.proposals[e.pid] = ProposalRecord(
        e.pid, e.round, e.sponsor, e.agreement, e.clauses, e.parties, e.counter_to, e.audience
    )
    if e.counter_to is not None:
        s.proposals[e.counter_to].status = "countered"


def _proposal_accepted(s: State, e: ev.ProposalAccepted) -> None:
    s.proposals[e.pid].accepted.append(e.team)


def _proposal_rejected(s: State, e: ev.ProposalRejected) -> None:
    p = s.proposals[e.pid]
    p.status = "rejected"
    p.rejected_by = e.team


def _proposal_signed(s: State, e: ev.ProposalSigned) -> None:
    s.proposals[e.pid].signed.append(e.team)


def _agreement_signed(s: State, e: ev.AgreementSigned) -> None:
    s.proposals[e.pid].status = "signed"
    for p in s.proposals.values():
        if p.status == "open" and p.agreement == e.agreement:
            p.status = "lapsed"
    s.agreements[e.uid] = AgreementRecord(e.uid, e.pid, e.agreement, e.clauses, e.parties, e.round)
    stats = s.ag[e.agreement]
    stats[0] += 1
    stats[1] += 1
    for c in e.clauses:
        s.cl[c] = s.cl.get(c, 0) + 1
    _set(s, e.changes)


def _agreement_broken(s: State, e: ev.AgreementBroken) -> None:
    rec = s.agreements[e.uid]
    rec.in_force = False
    rec.broken_round = e.round
    rec.culprit = e.culprit
    rec.cause = e.cause
    stats = s.ag[e.agreement]
    stats[0] -= 1
    stats[2] += 1
    for c in rec.clauses:
        s.cl[c] -= 1
        if not s.cl[c]:
            del s.cl[c]
    _set(s, e.changes)


def _changes_only(s: State, e: ev.UpkeepApplied) -> None:
    _set(s, e.changes)


def _inject_fired(s: State, e: ev.InjectFired) -> None:
    s.inj.add(e.inject)
    _set(s, e.changes)


def _game_ended(s: State, e: ev.GameEnded) -> None:
    s.ended = True
    s.outcomes = dict(e.outcomes)
    s.revealed_seed = e.seed
    if s.seed is None:
        s.seed = e.seed
        s.dice = Dice(e.seed)


_HANDLERS: dict[type[ev.Event], Callable[[State, ev.Event], None]] = {
    ev.GameStarted: _game_started,
    ev.RoundOpened: _round_opened,
    ev.RoundClosed: _round_closed,
    ev.ActionSubmitted: _action_submitted,
    ev.ActionAssessed: _action_assessed,
    ev.DiceRolled: _dice_rolled,
    ev.OutcomeApplied: _outcome_applied,
    ev.IntelligenceReport: _intelligence_report,
    ev.MessageSent: _message_sent,
    ev.ProposalTabled: _proposal_tabled,
    ev.ProposalAccepted: _proposal_accepted,
    ev.ProposalRejected: _proposal_rejected,
    ev.ProposalSigned: _proposal_signed,
    ev.AgreementSigned: _agreement_signed,
    ev.AgreementBroken: _agreement_broken,
    ev.UpkeepApplied: _changes_only,
    ev.InjectFired: _inject_fired,
    ev.GameEnded: _game_ended,
}  # type: ignore[dict-item]


def evolve(state: State, event: ev.Event) -> State:
    """Fold ``event`` into ``state`` (in place) and return it."""
    _HANDLERS[type(event)](state, event)
    state.seq = event.seq
    state.events.append(event)
    return state


def fold(state: State, events: Iterable[ev.Event]) -> State:
    handlers = _HANDLERS
    append = state.events.append
    for event in events:
        handlers[type(event)](state, event)
        state.seq = event.seq
        append(event)
    return state
