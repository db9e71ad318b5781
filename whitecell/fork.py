"""A game continued from any event of its log by automated players, with fresh dice.

Roll ``n`` of a game is a function of the game's seed, so a forecast made with that seed
during a live game would reveal the rolls to come. A fork never reads it: the state is
rebuilt from the events alone, with the dice of a seed of its own (from the forecast's
``SeedSequence``), and the rest of the game is played as ``play_game`` plays it.

Pure: the same events and seed give the same fork.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import suppress

from whitecell.agents.heuristic import HeuristicAgent
from whitecell.agents.mediator import Mediator
from whitecell.agents.player import Player
from whitecell.engine import commands as cmd
from whitecell.engine.dice import Dice, Forcing, commitment
from whitecell.engine.errors import RuleViolation
from whitecell.engine.events import Event, GameForked, ProposalTabled
from whitecell.engine.evolve import evolve
from whitecell.engine.game import Game
from whitecell.engine.seats import ADJUDICATOR, CONTROL, WHITE_CELL, team_seat
from whitecell.engine.state import State
from whitecell.play import agent_rng, negotiation_round, responses, rule_assessor
from whitecell.scenario.compiled import Round, Scenario


def fork(
    scenario: Scenario,
    events: Sequence[Event],
    seed: int,
    *,
    forced: Forcing | None = None,
    parent_seed: int | None = None,
    then: cmd.Command | None = None,
) -> Game:
    """The game as ``events`` leave it, with the dice of ``seed`` (``forced``: rolls drawn
    from a chosen side), marked by a ``game_forked`` event; ``then`` is a counterfactual
    command played first (a refusal where there was a signature). ``parent_seed`` goes
    into the log only when the parent game has ended and revealed it."""
    game = Game(scenario, seed)
    state = game.state
    for event in events:
        evolve(state, event)
    if state.ended:  # nothing left to play: the fork is the game
        return game
    if forced:
        state.dice = Dice(seed, forced)
    marks = tuple((p, s, r, side) for (p, s, r), side in (forced or {}).items())
    evolve(
        state,
        GameForked(
            seq=state.seq + 1,
            round=state.round,
            audience=(WHITE_CELL,),
            actor=CONTROL.name,
            seed_commitment=commitment(seed),
            parent_seed=parent_seed,
            forced=marks,
            replaced=then.type if then is not None else None,
        ),
    )
    if then is not None:
        game.handle(then)
    return game


def _try(game: Game, command: cmd.Command) -> None:
    with suppress(RuleViolation):  # already done as the game stood (assessed, rolled...)
        game.handle(command)


def _finish_actions(game: Game, agents: dict[str, Player]) -> None:
    """An action round already open: the teams use what is left of their allowance, then
    every action still open is assessed by the rules, rolled and published."""
    state = game.state
    for team in game.scenario.team_ids:
        for command in agents[team].choose_actions(game.view(team_seat(team))):
            _try(game, command)
    for rec in [a for a in state.actions.values() if a.round == state.round and a.unresolved]:
        if rec.status == "submitted":
            with suppress(RuleViolation):
                rule_assessor(game, rec)
        _try(game, cmd.Roll(seat=ADJUDICATOR, uid=rec.uid))
        _try(game, cmd.PublishOutcome(seat=CONTROL, uid=rec.uid))


def _sessions_held(state: State) -> int:
    """Sessions of talks this round so far: the most first proposals of any one kind."""
    firsts: dict[str, int] = {}
    for event in state.events:
        if (
            isinstance(event, ProposalTabled)
            and event.round == state.round
            and event.counter_to is None
        ):
            firsts[event.agreement] = firsts.get(event.agreement, 0) + 1
    return max(firsts.values(), default=0)


def _finish_talks(game: Game, agents: dict[str, Player], mediator: Mediator) -> None:
    """A negotiation round already open: the parties answer what is on the table, then
    the sessions the round has left are held (a fork does not rerun the talks so far)."""
    for proposal in [p for p in game.state.proposals.values() if p.status == "open"]:
        if proposal.round == game.state.round:
            responses(game, agents, proposal.pid, may_counter=proposal.counter_to is None)
    left = game.scenario.negotiation_sessions - _sessions_held(game.state)
    negotiation_round(game, agents, mediator, sessions=max(0, left))


def play_on(
    game: Game,
    seed: int,
    after_round: Callable[[Game], None] | None = None,
    *,
    close_now: bool = False,
) -> Game:
    """Play the game to its end from where it stands: the round under way finished (or,
    ``close_now``, closed at once: the fork was made just before its close), then every
    round left, then the end."""
    sc = game.scenario
    state = game.state
    agents: dict[str, Player] = {t: HeuristicAgent(sc, t, agent_rng(seed, t)) for t in sc.team_ids}
    mediator = Mediator(sc)
    if state.ended:
        return game
    if not state.started:
        game.handle(cmd.StartGame(seat=CONTROL))
    if state.paused:
        _try(game, cmd.ResumeGame(seat=CONTROL))

    def close(rnd: Round) -> None:
        game.handle(cmd.CloseRound(seat=CONTROL, number=rnd.number))
        if after_round is not None:
            after_round(game)

    if state.round_open:
        current = sc.rounds[state.round - 1]
        if not close_now and current.kind == "action":
            _finish_actions(game, agents)
        elif not close_now:
            _finish_talks(game, agents, mediator)
        close(current)
    for rnd in sc.rounds[state.round :]:
        game.handle(cmd.OpenRound(seat=CONTROL, number=rnd.number))
        if rnd.kind == "action":
            _finish_actions(game, agents)
        else:
            negotiation_round(game, agents, mediator)
        close(rnd)
    game.handle(cmd.EndGame(seat=CONTROL))
    return game


__all__ = ["fork", "play_on"]
