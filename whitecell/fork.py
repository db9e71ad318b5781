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
from whitecell.engine.errors import RuleViolation
from whitecell.engine.events import Event
from whitecell.engine.evolve import evolve
from whitecell.engine.game import Game
from whitecell.engine.seats import ADJUDICATOR, CONTROL, team_seat
from whitecell.engine.state import new_state
from whitecell.play import agent_rng, negotiation_round, rule_assessor
from whitecell.scenario.compiled import Round, Scenario


def fork(scenario: Scenario, events: Sequence[Event], seed: int) -> Game:
    """The game as ``events`` leave it, with the dice of ``seed``."""
    game = Game.__new__(Game)
    game.state = new_state(scenario, seed)
    for event in events:
        evolve(game.state, event)
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


def play_on(game: Game, seed: int, after_round: Callable[[Game], None] | None = None) -> Game:
    """Play the game to its end from where it stands: the round under way finished, then
    every round left, then the end."""
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
    def finish(rnd: Round) -> None:
        if rnd.kind == "action":
            _finish_actions(game, agents)
        else:
            negotiation_round(game, agents, mediator)
        game.handle(cmd.CloseRound(seat=CONTROL, number=rnd.number))
        if after_round is not None:
            after_round(game)

    if state.round_open:
        finish(sc.rounds[state.round - 1])
    for rnd in sc.rounds[state.round :]:
        game.handle(cmd.OpenRound(seat=CONTROL, number=rnd.number))
        finish(rnd)
    game.handle(cmd.EndGame(seat=CONTROL))
    return game


__all__ = ["fork", "play_on"]
