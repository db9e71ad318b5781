"""Seating language models in a game: each model's turn is checked on a copy of the game,
recorded in the log, then played, so the game loop treats models like any other player."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from whitecell.adjudication.matrix import cited, judge
from whitecell.agents.llm import Check, ModelAdjudicator, ModelPlayer, Turn
from whitecell.agents.player import Player
from whitecell.engine import commands as cmd
from whitecell.engine.decide import decide
from whitecell.engine.errors import RuleViolation
from whitecell.engine.evolve import fold
from whitecell.engine.game import Game
from whitecell.engine.seats import ADJUDICATOR, team_seat
from whitecell.engine.state import ActionRecord, ProposalRecord, new_state
from whitecell.engine.view import View
from whitecell.scenario.compiled import localize


@dataclass
class Cast:
    """Who plays which seat: model players by team (the rest are heuristic), and the
    adjudicator (None: the rules)."""

    players: Mapping[str, ModelPlayer] = field(default_factory=dict)
    adjudicator: ModelAdjudicator | None = None
    lang: str = "en"
    matrix: bool = False  # the adjudicator counts arguments (when no model adjudicates)


class GameStopped(Exception):
    """A game that could not go on (its model server is gone); the game so far is kept."""

    def __init__(self, game: Game, reason: str) -> None:
        super().__init__(reason)
        self.game = game
        self.reason = reason


def checker(game: Game, lang: str) -> Check:
    """Tries commands, in order, on a copy of the game: the first rule broken, or None."""

    def check(commands: Sequence[cmd.Command]) -> str | None:
        state = fold(new_state(game.scenario, game.state.seed), game.events)
        for command in commands:
            try:
                new = decide(state, command)
            except RuleViolation as exc:
                return exc.text(lang)
            fold(state, new)
        return None

    return check


def record(game: Game, turn: Turn) -> list[cmd.Command]:
    """Log the turn's exchanges with the model, and its fallback; the commands to play."""
    for command in turn.records():
        game.handle(command)
    return turn.commands


class SeatedModel:
    """A model player with the same two moves as the heuristic one, bound to its game."""

    def __init__(self, game: Game, player: ModelPlayer, lang: str) -> None:
        self.game = game
        self.player = player
        self.check = checker(game, lang)

    def choose_actions(self, view: View) -> list[cmd.Command]:
        return record(self.game, self.player.act(view, self.check))

    def respond(self, view: View, p: ProposalRecord, *, may_counter: bool = True) -> cmd.Command:
        return record(self.game, self.player.respond(view, p, may_counter, self.check))[0]


Assessor = Callable[[Game, ActionRecord], None]


def model_assessor(adjudicator: ModelAdjudicator, lang: str) -> Assessor:
    def assess(game: Game, rec: ActionRecord) -> None:
        turn = adjudicator.assess(game.view(ADJUDICATOR), rec, checker(game, lang))
        for command in record(game, turn):
            game.handle(command)

    return assess


def matrix_assessor(lang: str) -> Assessor:
    """Automated matrix adjudication: the acting team argues for, the targeted team
    (when it can see the action) against, and the adjudicator counts the strong ones."""

    def assess(game: Game, rec: ActionRecord) -> None:
        sc = game.scenario
        citations: list[int | None] = [None] * len(rec.arguments)
        sides: list[tuple[str, str]] = [(rec.team, "for")]
        if rec.target is not None and rec.target in sc.team and not rec.secret:
            sides.append((rec.target, "against"))
        for team, side in sides if rec.action in sc.action else []:
            view = game.view(team_seat(team))
            spec = sc.action[rec.action]
            for i in cited(view, rec, side)[: cmd.MAX_ARGUMENTS]:
                note = localize(spec.modifiers[i].note, lang)
                game.handle(cmd.Argue(seat=team_seat(team), uid=rec.uid, side=side, text=note))
                citations.append(i)
        game.handle(judge(game.view(ADJUDICATOR), game.state.actions[rec.uid], citations))

    return assess


def seat_models(game: Game, agents: dict[str, Player], cast: Cast) -> None:
    """Replace the heuristic agents of the cast's teams by their models."""
    for team, player in cast.players.items():
        agents[team] = SeatedModel(game, player, cast.lang)
