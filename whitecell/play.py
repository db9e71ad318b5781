"""One automated game: heuristic agents or language models in the seats, rule or model
adjudication, no store.

Pure: the same scenario, seed and model answers give the same commands, so the same log
(the models themselves are passed in; replaying a recorded game's answers replays it).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping

from whitecell.adjudication.rules import assess_command
from whitecell.agents.heuristic import HeuristicAgent
from whitecell.agents.language_model import ModelUnavailable
from whitecell.agents.mediator import Mediator
from whitecell.agents.player import Negotiator, Player
from whitecell.agents.seating import (
    Cast,
    GameStopped,
    matrix_assessor,
    model_assessor,
    seat_models,
)
from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.engine.decide import rule_odds
from whitecell.engine.errors import RuleViolation
from whitecell.engine.fastinit import constructor
from whitecell.engine.game import Game
from whitecell.engine.seats import ADJUDICATOR, CONTROL, OBSERVER, team_seat
from whitecell.engine.state import ActionRecord
from whitecell.scenario.compiled import Scenario
from whitecell.scenario.expr import IN_FORCE


def agent_rng(seed: int, who: str) -> random.Random:
    """Each automated seat has its own random stream: one seat's draws never shift another's."""
    return random.Random(f"whitecell-agent:{seed}:{who}")


Assessor = Callable[[Game, ActionRecord], None]

# the commands automated play gives most, built without a call to their class (fastinit)
_Assess = constructor(cmd.Assess)
_Roll = constructor(cmd.Roll)
_PublishOutcome = constructor(cmd.PublishOutcome)


def rule_assessment(game: Game, rec: ActionRecord) -> cmd.Assess:
    """The adjudicator's assessment by the rules: ``assess_command``'s, without building an
    adjudicator's view (the adjudicator sees the whole state, so the view adds nothing)."""
    state = game.state
    spec = state.scenario.action.get(rec.action)
    if spec is None:  # a free-form action: the rules' own path, as it always was
        return assess_command(game.view(ADJUDICATOR), rec)
    probability, modifiers = rule_odds(state, state.scenario, spec, rec.team, rec.target)
    return _Assess(
        seat=ADJUDICATOR, uid=rec.uid, probability=probability, method="rules", modifiers=modifiers
    )


def rule_assessor(game: Game, rec: ActionRecord) -> None:
    game.handle(rule_assessment(game, rec))


def _action_round(
    game: Game, agents: Mapping[str, Player], assessor: Assessor = rule_assessor
) -> None:
    state = game.state
    for team in game.scenario.team_ids:
        for command in agents[team].choose_actions(game.view(team_seat(team))):
            try:
                game.handle(command)
            except RuleViolation:
                continue  # the agent misjudged an availability it could not see
    pending = [a for a in state.actions.values() if a.round == state.round and a.unresolved]
    for rec in pending:
        assessor(game, rec)
    for rec in pending:
        game.handle(_Roll(seat=ADJUDICATOR, uid=rec.uid))
        game.handle(_PublishOutcome(seat=CONTROL, uid=rec.uid))


def responses(
    game: Game, agents: Mapping[str, Negotiator], pid: str, *, may_counter: bool
) -> str | None:
    """Each party in turn signs, counters or rejects; returns a counter-proposal's id."""
    proposal = game.state.proposals[pid]
    for team in proposal.parties:
        if proposal.status != "open":
            break
        if team in proposal.signed:
            continue
        command = agents[team].respond(
            game.view(team_seat(team)), proposal, may_counter=may_counter
        )
        events = game.handle(command)
        if isinstance(command, cmd.TableProposal) and isinstance(events[0], ev.ProposalTabled):
            return events[0].pid
    return None


def negotiation_round(
    game: Game,
    agents: Mapping[str, Negotiator],
    mediator: Mediator,
    sessions: int | None = None,
) -> None:
    """Sessions of talks (the scenario's number, or ``sessions``): the mediator tables its
    compromise (or adopts a party's counter it judges better), the parties answer, and a
    counter gets one round of answers."""
    sc = game.scenario
    state = game.state
    seat = team_seat(sc.mediator) if sc.mediator in sc.team else CONTROL
    for _session in range(sc.negotiation_sessions if sessions is None else sessions):
        for kind in sc.agreements:
            if state.agreement_counts[kind][IN_FORCE]:
                continue
            public = game.view(OBSERVER)
            clauses = mediator.package(public, kind)
            counters = [
                p
                for p in state.proposals.values()
                if p.status == "open" and p.agreement == kind and p.counter_to
            ]
            appraisal = mediator.appraise(public, kind) if counters else None
            if appraisal and appraisal.score(counters[-1].clauses) >= appraisal.score(clauses):
                pid = counters[-1].pid
            else:
                table = cmd.TableProposal(seat=seat, agreement=kind, clauses=clauses)
                tabled = game.handle(table)[0]
                assert isinstance(tabled, ev.ProposalTabled)
                pid = tabled.pid
            counter = responses(game, agents, pid, may_counter=True)
            if counter is not None:
                responses(game, agents, counter, may_counter=False)


def play_game(
    scenario: Scenario,
    seed: int,
    *,
    after_round: Callable[[Game], None] | None = None,
    cast: Cast | None = None,
) -> Game:
    """Play ``scenario`` from start to end: heuristic agents in every seat the ``cast``
    gives no model; ``after_round`` sees the game after each round closes (ensembles
    record the state). A model server that stops answering raises :class:`GameStopped`
    with the game so far."""
    game = Game(scenario, seed)
    agents: dict[str, Player] = {
        t: HeuristicAgent(scenario, t, agent_rng(seed, t)) for t in scenario.team_ids
    }
    assessor: Assessor = rule_assessor
    if cast is not None:
        seat_models(game, agents, cast)
        if cast.adjudicator is not None:
            assessor = model_assessor(cast.adjudicator, cast.lang)
        elif cast.matrix:
            assessor = matrix_assessor(cast.lang)
    mediator = Mediator(scenario)
    try:
        game.handle(cmd.StartGame(seat=CONTROL))
        for rnd in scenario.rounds:
            game.handle(cmd.OpenRound(seat=CONTROL, number=rnd.number))
            if rnd.kind == "action":
                _action_round(game, agents, assessor)
            else:
                negotiation_round(game, agents, mediator)
            game.handle(cmd.CloseRound(seat=CONTROL, number=rnd.number))
            if after_round is not None:
                after_round(game)
        game.handle(cmd.EndGame(seat=CONTROL))
    except ModelUnavailable as exc:
        raise GameStopped(game, str(exc)) from None
    return game
