"""The narrative of a played game tells every move, every roll and every result."""

from __future__ import annotations

import pytest
from rich.text import Text

from whitecell.engine import events as ev
from whitecell.engine.game import Game, replay
from whitecell.engine.seats import team_seat
from whitecell.engine.view import View
from whitecell.narrate import narrate, story
from whitecell.play import play_game
from whitecell.scenario import Scenario, localize

SEED = 3  # in the base scenario: secret moves, a truce signed, then broken by its hazard


def plain(lines: list[str]) -> list[str]:
    return [Text.from_markup(line).plain.strip() for line in lines]


@pytest.fixture(scope="module")
def game(base_scenario: Scenario) -> Game:
    return play_game(base_scenario, SEED)


@pytest.fixture(scope="module")
def told(base_scenario: Scenario, game: Game) -> list[str]:
    """The control narrative: every event of the game."""
    return plain(narrate(base_scenario, game.events, "en"))


def applied_actions(game: Game) -> list[ev.ActionSubmitted]:
    submitted = {e.uid: e for e in game.events if isinstance(e, ev.ActionSubmitted)}
    return [submitted[e.uid] for e in game.events if isinstance(e, ev.OutcomeApplied)]


def test_every_team_that_acted_is_named_with_each_of_its_moves(
    base_scenario: Scenario, game: Game, told: list[str]
) -> None:
    moves = applied_actions(game)
    assert {m.team for m in moves} == set(base_scenario.team_ids)
    expected = [
        f"{base_scenario.actor_name(m.team, 'en')} — "
        f"{localize(base_scenario.action[m.action].label, 'en')} ("
        for m in moves
    ]
    action_lines = [line for line in told if " — " in line]
    assert len(action_lines) == len(expected)
    for line, start in zip(action_lines, expected, strict=True):
        assert line.startswith(start), (line, start)


DICE = {True: "The dice fell for it: it succeeded.", False: "The dice fell against it: it failed."}


def test_every_action_roll_and_its_result_is_told_in_order(game: Game, told: list[str]) -> None:
    rolls = [e for e in game.events if isinstance(e, ev.DiceRolled) and e.purpose == "action"]
    assert rolls
    told_rolls = [line[line.index("The dice fell") :] for line in told if "The dice fell" in line]
    assert told_rolls == [DICE[r.success] for r in rolls]


def test_the_odds_told_are_the_odds_rolled_against(game: Game, told: list[str]) -> None:
    rolls = [e for e in game.events if isinstance(e, ev.DiceRolled) and e.purpose == "action"]
    odds = [
        line[line.index("(") + 1 : line.index(")")]
        for line in told
        if line.startswith("By the rules' odds it was ")
    ]
    assert odds == [f"{r.threshold * 100:.0f}%" for r in rolls]


def test_the_odds_are_told_in_words_not_as_a_roll(told: list[str]) -> None:
    """No jargon: how likely it was and how the dice fell, not "odds 75%; roll 0.44 → FAILURE"."""
    assert not [line for line in told if "roll 0." in line or "→ SUCCESS" in line]
    assert any("likely to succeed (" in line for line in told)


def test_every_durability_roll_is_told(game: Game, told: list[str]) -> None:
    hazards = [e for e in game.events if isinstance(e, ev.DiceRolled) and e.purpose == "hazard"]
    assert any(h.success for h in hazards), "seed 3 breaks the truce by its hazard"
    expected = [
        f"{'breaks down' if h.success else 'holds this round'} (it had a "
        f"{h.threshold * 100:.0f}% chance"
        for h in hazards
    ]
    told_hazards = [
        line[line.index("Truce ") + 6 : line.index("% chance") + 8]
        for line in told
        if "% chance" in line
    ]
    assert told_hazards == expected


def test_a_secret_action_is_in_the_control_narrative(
    base_scenario: Scenario, game: Game, told: list[str]
) -> None:
    secret = [m for m in applied_actions(game) if m.secret]
    assert secret
    for move in secret:
        team = base_scenario.actor_name(move.team, "en")
        label = localize(base_scenario.action[move.action].label, "en")
        assert any(
            line.startswith(f"{team} — {label} (") and ", secret)" in line for line in told
        ), (team, label)


def test_a_secret_action_is_not_in_another_teams_narrative(
    base_scenario: Scenario, game: Game
) -> None:
    """Before the end-of-game reveal, a team's narrative holds only what it may see."""
    before_the_end = replay(base_scenario, game.events[:-1])
    move = next(m for m in applied_actions(game) if m.secret)
    label = localize(base_scenario.action[move.action].label, "en")
    own = plain(narrate(base_scenario, View(before_the_end, team_seat(move.team)).events()))
    other = next(t for t in base_scenario.team_ids if t not in (move.team, move.target))
    theirs = plain(narrate(base_scenario, View(before_the_end, team_seat(other)).events()))
    assert any(label in line for line in own)
    assert not any(label in line for line in theirs)


def test_the_outcomes_and_the_seed_close_the_story(game: Game, told: list[str]) -> None:
    assert "Outcomes" in told
    assert told[-1].startswith(f"The dice are unsealed (seed {SEED}): anyone can check")


def test_the_japanese_narrative_tells_the_same_rolls(base_scenario: Scenario, game: Game) -> None:
    told = plain(narrate(base_scenario, game.events, "ja"))
    rolls = [e for e in game.events if isinstance(e, ev.DiceRolled) and e.purpose == "action"]
    told_rolls = [
        line[line.index("ダイスは") :]
        for line in told
        if "ダイスは有利" in line or "ダイスは不利" in line
    ]
    assert told_rolls == [
        "ダイスは有利に出て、成功した。" if r.success else "ダイスは不利に出て、失敗した。"
        for r in rolls
    ]


def test_a_rounds_duration_is_told_in_japanese(base_scenario: Scenario, game: Game) -> None:
    """The catalogue has duration.d ("{n}日") for this; "7d" is an English abbreviation."""
    told = plain(narrate(base_scenario, game.events, "ja"))
    dates = [line for line in told if "→" in line and "ダイス" not in line]
    assert dates
    assert any("7日" in line for line in dates), dates
    assert not any("7d" in line or "14d" in line for line in dates), dates


# -- English possessives -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "actor", "target", "expected"),
    [
        ("{actor}'s leaders meet.", "European powers", "", "European powers' leaders meet."),
        ("{actor}'s leaders meet.", "Russia", "", "Russia's leaders meet."),
        ("{target}'s assets.", "Russia", "United States", "United States' assets."),
        ("{actor} sabotages {target}.", "Red", "Blue", "Red sabotages Blue."),
    ],
)
def test_english_possessives_of_plural_names(
    template: str, actor: str, target: str, expected: str
) -> None:
    assert story(template, "en", actor, target) == expected


def test_japanese_narratives_are_filled_without_possessive_rules() -> None:
    assert story("{actor}の首脳", "ja", "欧州列強") == "欧州列強の首脳"


def test_a_played_game_says_european_powers_not_powerss(ukraine: Scenario) -> None:
    told = "\n".join(plain(narrate(ukraine, play_game(ukraine, 7).events, "en")))
    assert "European powers'" in told
    assert "European powers's" not in told
