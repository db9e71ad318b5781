"""``evolve``: fold one event into the state. It trusts the event and cannot fail on one
that ``decide`` produced; replaying a log through it rebuilds the live state exactly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from whitecell.engine import events as ev
from whitecell.engine.dice import Dice
from whitecell.engine.state import ActionRecord, AgreementRecord, Channel, ProposalRecord, State
from whitecell.scenario.expr import BROKEN, FAILED, IN_FORCE, SIGNED, SUCCEEDED, TAKEN


def _set(state: State, changes: ev.Changes) -> None:
    if not changes:
        return
    var = state.scenario.var
    v = state.v
    for key, _old, new in changes:
        v[var[key].index] = new
    state.version += 1


def _game_started(s: State, e: ev.GameStarted) -> None:
    s.started = True
    s.date = dt.date.fromisoformat(e.start_date)


def _round_opened(s: State, e: ev.RoundOpened) -> None:
    s.version += 1
    s.round = e.round
    s.round_open = True
    s.date = dt.date.fromisoformat(e.date)
    s.deadline = e.deadline


def _round_closed(s: State, e: ev.RoundClosed) -> None:
    s.round_open = False
    s.date = dt.date.fromisoformat(e.date)
    s.deadline = None
    s.remaining = None


def _action_submitted(s: State, e: ev.ActionSubmitted) -> None:
    s.version += 1  # action counts, which projections may show, change
    s.actions[e.uid] = ActionRecord(
        e.uid,
        e.round,
        e.team,
        e.action,
        e.target,
        e.secret,
        e.instrument,
        e.description,
        e.rationale,
    )
    key = (e.round, e.team)
    s.submitted[key] = s.submitted.get(key, 0) + 1
    counts = s.action_counts.get(e.action)
    if counts is not None:  # a free-form action has no counts
        counts[TAKEN] += 1
    if e.draft is not None:
        s.drafts.pop(e.draft, None)


def _set_aside(s: State, e: ev.ActionWithdrawn | ev.ActionVoided) -> None:
    """A withdrawn or voided action: no longer taken, no longer counted against the limit."""
    s.version += 1
    rec = s.actions[e.uid]
    rec.status = "withdrawn" if isinstance(e, ev.ActionWithdrawn) else "voided"
    s.submitted[(rec.round, rec.team)] -= 1
    counts = s.action_counts.get(rec.action)
    if counts is not None:
        counts[TAKEN] -= 1


def _action_assessed(s: State, e: ev.ActionAssessed) -> None:
    rec = s.actions[e.uid]
    rec.status = "assessed"
    rec.probability = e.probability
    rec.method = e.method
    if e.rung is not None:
        rec.rung = e.rung


def _dice_rolled(s: State, e: ev.DiceRolled) -> None:
    s.rolls = e.index + 1
    if e.purpose == "action":
        rec = s.actions[e.subject]
        rec.status = "rolled"
        rec.roll = e.value
        rec.success = e.success


def _outcome_applied(s: State, e: ev.OutcomeApplied) -> None:
    s.version += 1
    rec = s.actions[e.uid]
    rec.status = "applied"
    counts = s.action_counts.get(rec.action)
    if counts is not None:
        counts[SUCCEEDED if e.success else FAILED] += 1
    _set(s, e.changes)


def _intelligence_report(s: State, e: ev.IntelligenceReport) -> None:
    s.version += 1
    book = s.intel.setdefault(e.team, {})
    for key, value, exact in e.estimates:
        book[key] = (value, exact, e.round)


def _argument_made(s: State, e: ev.ArgumentMade) -> None:
    s.actions[e.uid].arguments.append((e.team, e.side, e.text))


def _log_only(s: State, e: ev.Event) -> None:
    """Messages, news, statements, reports and leaks live in the log; views read them there."""


def _channel_opened(s: State, e: ev.ChannelOpened) -> None:
    s.channels[e.channel] = Channel(e.channel, e.name, e.members)


def _odds_estimated(s: State, e: ev.OddsEstimated) -> None:
    s.actions[e.uid].estimates[e.by or e.actor] = e.probability


def _action_assigned(s: State, e: ev.ActionAssigned) -> None:
    s.actions[e.uid].adjudicator = e.adjudicator


def _agent_seated(s: State, e: ev.AgentSeated) -> None:
    if e.seated:
        s.agents.add(e.team)
    else:
        s.agents.discard(e.team)


def _drafted(s: State, e: ev.ActionDrafted | ev.ProposalDrafted) -> None:
    s.drafts[e.draft] = e


def _paused(s: State, e: ev.GamePaused) -> None:
    s.paused = True
    if e.remaining is not None:  # the clock stops with this much left
        s.remaining = e.remaining
        s.deadline = None


def _resumed(s: State, e: ev.GameResumed) -> None:
    s.paused = False
    if s.remaining is not None:  # the clock runs on with the time that was left
        s.deadline = e.deadline
        s.remaining = None


def _clock_set(s: State, e: ev.ClockSet) -> None:
    s.deadline = e.deadline
    s.remaining = e.remaining


def _revealed(s: State, e: ev.GameRevealed) -> None:
    s.revealed = True


def _proposal_tabled(s: State, e: ev.ProposalTabled) -> None:
    s.proposals[e.pid] = ProposalRecord(
        e.pid, e.round, e.sponsor, e.agreement, e.clauses, e.parties, e.counter_to, e.audience
    )
    if e.counter_to is not None:
        s.proposals[e.counter_to].status = "countered"
    if e.draft is not None:
        s.drafts.pop(e.draft, None)


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
    counts = s.agreement_counts[e.agreement]
    counts[IN_FORCE] += 1
    counts[SIGNED] += 1
    in_force = s.clauses_in_force
    for c in e.clauses:
        in_force[c] = in_force.get(c, 0) + 1
    _set(s, e.changes)


def _agreement_broken(s: State, e: ev.AgreementBroken) -> None:
    rec = s.agreements[e.uid]
    rec.in_force = False
    rec.broken_round = e.round
    rec.culprit = e.culprit
    rec.cause = e.cause
    counts = s.agreement_counts[e.agreement]
    counts[IN_FORCE] -= 1
    counts[BROKEN] += 1
    in_force = s.clauses_in_force
    for c in rec.clauses:
        in_force[c] -= 1
        if not in_force[c]:
            del in_force[c]
    _set(s, e.changes)


def _changes_only(s: State, e: ev.UpkeepApplied | ev.DynamicApplied) -> None:
    _set(s, e.changes)


def _inject_fired(s: State, e: ev.InjectFired) -> None:
    s.version += 1
    if e.inject in s.scenario.inject:
        s.inj.add(e.inject)
    _set(s, e.changes)


def _game_ended(s: State, e: ev.GameEnded) -> None:
    s.version += 1
    s.ended = True
    s.paused = False
    s.outcomes = dict(e.outcomes)
    s.revealed_seed = e.seed
    if s.seed is None:
        s.seed = e.seed
        s.dice = Dice(e.seed)


def _advisors_asked(s: State, e: ev.AdvisorsAsked) -> None:
    s.questions[e.seq] = e.team


def _advice_given(s: State, e: ev.AdviceGiven) -> None:
    s.questions.pop(e.question, None)
    spent = e.prompt_tokens + e.completion_tokens
    if spent:
        s.advice_tokens[e.team] = s.advice_tokens.get(e.team, 0) + spent


def _advisors_set(s: State, e: ev.AdvisorsSet) -> None:
    if e.number is None:  # for every round: the single rounds' settings go
        for key in [k for k in s.advisors if k[0] == e.team]:
            del s.advisors[key]
    s.advisors[(e.team, e.number)] = e.enabled


# One handler per event type; ``fold`` looks them up by the event's exact class.
_HANDLERS: dict[type[ev.Event], Callable[[State, Any], None]] = {
    ev.GameStarted: _game_started,
    ev.RoundOpened: _round_opened,
    ev.RoundClosed: _round_closed,
    ev.ActionSubmitted: _action_submitted,
    ev.ActionWithdrawn: _set_aside,
    ev.ActionVoided: _set_aside,
    ev.ActionsResolved: _log_only,
    ev.ActionAssessed: _action_assessed,
    ev.DiceRolled: _dice_rolled,
    ev.OutcomeApplied: _outcome_applied,
    ev.IntelligenceReport: _intelligence_report,
    ev.MessageSent: _log_only,
    ev.ProposalTabled: _proposal_tabled,
    ev.ProposalAccepted: _proposal_accepted,
    ev.ProposalRejected: _proposal_rejected,
    ev.ProposalSigned: _proposal_signed,
    ev.AgreementSigned: _agreement_signed,
    ev.AgreementBroken: _agreement_broken,
    ev.UpkeepApplied: _changes_only,
    ev.DynamicApplied: _changes_only,
    ev.InjectFired: _inject_fired,
    ev.GameEnded: _game_ended,
    ev.GameForked: _log_only,
    ev.ChannelOpened: _channel_opened,
    ev.NewsPublished: _log_only,
    ev.StatementPublished: _log_only,
    ev.ResultReported: _log_only,
    ev.OddsEstimated: _odds_estimated,
    ev.ActionAssigned: _action_assigned,
    ev.AgentSeated: _agent_seated,
    ev.IntelligenceLeaked: _log_only,
    ev.ArgumentMade: _argument_made,
    ev.ModelCalled: _log_only,
    ev.ModelFellBack: _log_only,
    ev.ActionDrafted: _drafted,
    ev.ProposalDrafted: _drafted,
    ev.GamePaused: _paused,
    ev.GameResumed: _resumed,
    ev.ClockSet: _clock_set,
    ev.GameRevealed: _revealed,
    ev.AdvisorsAsked: _advisors_asked,
    ev.AdviceGiven: _advice_given,
    ev.AdvisorsSet: _advisors_set,
}


def evolve(state: State, event: ev.Event) -> State:
    """Fold ``event`` into ``state`` (in place) and return it."""
    _HANDLERS[type(event)](state, event)
    state.seq = event.seq
    state.events.append(event)
    return state


def fold(state: State, events: Iterable[ev.Event]) -> State:
    """Fold many events: ``evolve``'s body repeated inline, deliberately, since replaying a
    long log is a loop of a hundred thousand steps and a call per step shows."""
    handlers = _HANDLERS
    append = state.events.append
    for event in events:
        handlers[type(event)](state, event)
        state.seq = event.seq
        append(event)
    return state
