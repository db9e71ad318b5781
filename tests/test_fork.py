"""A game continued from any event of its log: from the last event it is the game itself;
from anywhere else it plays to an end by the rules, with the dice of its own seed."""

from __future__ import annotations

import pytest

from whitecell.engine.dice import Dice
from whitecell.engine.events import DiceRolled
from whitecell.forecast import cut_after, cut_at_round
from whitecell.fork import fork, play_on
from whitecell.play import play_game
from whitecell.scenario.library import load_bundled

SC = load_bundled("ukraine-ceasefire-2025")
GAME = play_game(SC, 7)


def test_a_fork_after_the_last_event_is_the_game_as_it_ended() -> None:
    ended = play_on(fork(SC, GAME.events, seed=999), seed=999)
    assert ended.events == GAME.events and ended.state.outcomes == GAME.state.outcomes


@pytest.mark.parametrize("where", ["start", "round 1", "mid round 2", "round 3", "round 5"])
def test_a_fork_from_anywhere_plays_to_an_end_by_the_rules(where: str) -> None:
    closes = [e.seq for e in GAME.events if e.type == "round_closed"]
    cut = {
        "start": cut_at_round(GAME.events, 0),
        "round 1": cut_at_round(GAME.events, 1),
        "mid round 2": cut_after(GAME.events, closes[1] - 5),
        "round 3": cut_at_round(GAME.events, 3),
        "round 5": cut_at_round(GAME.events, 5),
    }[where]
    game = play_on(fork(SC, cut, seed=11), seed=11)
    assert game.state.ended and game.state.outcomes is not None
    assert game.events[: len(cut)] == cut  # the game as it stood, then the fork
    assert [e.round for e in game.events if e.type == "round_closed"] == [1, 2, 3, 4, 5]


def test_a_fork_rolls_its_own_seeds_dice_after_the_game_as_it_stood() -> None:
    cut = cut_at_round(GAME.events, 2)
    forked = play_on(fork(SC, cut, seed=31337), seed=31337)
    rolls = [e for e in forked.events[len(cut) :] if isinstance(e, DiceRolled)]
    assert rolls, "the rest of the game rolled no die"
    theirs, ours = Dice(7), Dice(31337)
    assert all(r.value == ours.roll(r.index) for r in rolls)
    assert any(r.value != theirs.roll(r.index) for r in rolls)
    before = [e for e in cut if isinstance(e, DiceRolled)]  # the game's own, untouched
    assert all(r.value == theirs.roll(r.index) for r in before)
    assert rolls[0].index == len(before)  # the fork's rolls carry on the count
