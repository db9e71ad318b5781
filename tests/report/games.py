"""Games to report on: one played by automated players, and one played by hand whose
secrets are marked with strings that must never reach an audience not entitled to them."""

from __future__ import annotations

import copy
from functools import cache

from whitecell.engine import ADJUDICATOR, CONTROL, Game, team_seat
from whitecell.engine import commands as cmd
from whitecell.engine.log import GameLog, dump_log, parse_log
from whitecell.play import play_game
from whitecell.scenario.compiled import Scenario
from whitecell.scenario.library import load_bundled
from whitecell.scenario.load import scenario_from_document

SCENARIO = "ukraine-ceasefire-2025"

# Planted in the hand-played game: each belongs to the US or to Russia alone.
SECRET_MARKERS = {
    "usa_rationale": "MARKER-USA-WHY-7f3a",  # the US's case for its secret action
    "usa_ruling": "MARKER-RULING-USA-91c2",  # the adjudicator's reasoning on it
    "usa_result": "MARKER-RESULT-USA-55d0",  # the private result sent to the US
    "russia_free": "MARKER-RUSSIA-PLAN-0b7e",  # what Russia's secret free-form action attempts
    "russia_why": "MARKER-RUSSIA-WHY-c4d9",  # and Russia's rationale for it
}
PUBLIC_MARKER = "MARKER-PUBLIC-NEWS-2e8f"  # news the white cell publishes to everyone
HOSTILE_TEXT = "<script>alert('x')</script> **bold** [link](javascript:alert(1)) | a | b |"


def scenario(reveal_at_end: bool = True) -> Scenario:
    base = load_bundled(SCENARIO)
    if reveal_at_end == base.reveal_at_end:
        return base
    document = copy.deepcopy(dict(base.document))
    document["meta"]["reveal_at_end"] = reveal_at_end
    return scenario_from_document(document, "<variant>")


def as_log(game: Game) -> GameLog:
    return parse_log(dump_log(game.state.scenario, game.state.events), "game.jsonl")


@cache
def played(seed: int = 3) -> GameLog:
    """A whole game of the bundled scenario, automated players in every seat."""
    return as_log(play_game(scenario(), seed))


def hand_played(*, reveal_at_end: bool, end: bool = True) -> GameLog:
    """Round 1 by hand: the US takes a secret catalogue action against Ukraine, Russia a
    secret free-form one, Ukraine a public one whose rationale is hostile markup; the white
    cell publishes news. Then the game ends (or, with ``end=False``, is left running)."""
    game = Game(scenario(reveal_at_end), 424242)
    game.handle(cmd.StartGame(seat=CONTROL))
    game.handle(cmd.OpenRound(seat=CONTROL, number=1))
    usa = game.handle(
        cmd.SubmitAction(
            seat=team_seat("usa"),
            action="pause_intelligence",
            target="ukraine",
            rationale=SECRET_MARKERS["usa_rationale"],
        )
    )[0].uid
    russia = game.handle(
        cmd.SubmitAction(
            seat=team_seat("russia"),
            action="free",
            description=SECRET_MARKERS["russia_free"],
            rationale=SECRET_MARKERS["russia_why"],
            instrument="information",
            secret=True,
        )
    )[0].uid
    ukraine = game.handle(
        cmd.SubmitAction(
            seat=team_seat("ukraine"),
            action="back_channel",
            target="turkey",
            rationale=HOSTILE_TEXT,
        )
    )[0].uid
    for uid, ruling in ((usa, SECRET_MARKERS["usa_ruling"]), (russia, ""), (ukraine, HOSTILE_TEXT)):
        game.handle(cmd.Assess(seat=ADJUDICATOR, uid=uid, probability=0.5, rationale=ruling))
        game.handle(cmd.Roll(seat=ADJUDICATOR, uid=uid))
        private = SECRET_MARKERS["usa_result"] if uid == usa else ""
        game.handle(cmd.PublishOutcome(seat=CONTROL, uid=uid, private_text=private))
    game.handle(cmd.PublishNews(seat=CONTROL, text=PUBLIC_MARKER))
    game.handle(cmd.CloseRound(seat=CONTROL, number=1))
    if end:
        game.handle(cmd.EndGame(seat=CONTROL))
    return as_log(game)
