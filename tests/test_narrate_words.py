"""What a team reads in "what has happened" is plain language, in both languages: no hashes,
no dice values, no blank recipients, no event numbers, no verb that must agree with a team's
name; and the new moves (withdrawals, voids, rulings by the rules, the round clock) are told
to those who may know of them."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from rich.text import Text

from whitecell.engine import commands as cmd
from whitecell.engine.game import Game
from whitecell.engine.seats import ADJUDICATOR, CONTROL, Seat, team_seat
from whitecell.i18n import catalogue
from whitecell.narrate import narrate
from whitecell.scenario import Scenario

RED, BLUE, GREEN = team_seat("red"), team_seat("blue"), team_seat("green")


def told(game: Game, seat: Seat, lang: str = "en") -> list[str]:
    lines = narrate(game.scenario, game.view(seat).events(), lang)
    return [Text.from_markup(line).plain.strip() for line in lines if line.strip()]


def new_game(scenario: Scenario, *steps: cmd.Command) -> Game:
    game = Game(scenario, 1)
    game.handle(cmd.StartGame(seat=CONTROL))
    game.handle(cmd.OpenRound(seat=CONTROL, number=1, deadline="2025-01-10T17:00:00+00:00"))
    for step in steps:
        game.handle(step)
    return game


def test_the_seed_line_says_in_words_that_the_dice_are_sealed(base_scenario: Scenario) -> None:
    game = new_game(base_scenario)
    commitment = game.events[0].seed_commitment  # type: ignore[attr-defined]
    for seat in (CONTROL, RED):
        line = told(game, seat)[1]
        assert line.startswith("The dice are sealed")
        assert "checked after the game" in line
        assert commitment[:8] in line and commitment[:16] not in line  # a short fingerprint
    ja = told(game, RED, "ja")[1]
    assert "封印" in ja and commitment[:16] not in ja


def test_a_ruling_reads_as_sentences_not_as_a_roll(base_scenario: Scenario) -> None:
    game = new_game(
        base_scenario,
        cmd.SubmitAction(seat=RED, action="patrol"),
        cmd.Assess(seat=ADJUDICATOR, uid="a3", probability=0.75, rationale="Judgement call."),
        cmd.Roll(seat=ADJUDICATOR, uid="a3"),
        cmd.PublishOutcome(seat=ADJUDICATOR, uid="a3"),
    )
    rolled = game.state.actions["a3"]
    dice = "for it: it succeeded." if rolled.success else "against it: it failed."
    assert (
        f"The adjudicators judged it likely to succeed (75%): Judgement call. The dice fell {dice}"
        in told(game, RED)
    )
    ja = "\n".join(told(game, RED, "ja"))
    assert "審判団の判定は「成功の可能性が高い」(75%)。理由:Judgement call." in ja
    for lines in (told(game, RED), told(game, RED, "ja")):
        assert not [line for line in lines if ".;" in line or "roll 0." in line]


def test_rules_odds_name_the_modifiers_that_applied(base_scenario: Scenario) -> None:
    game = new_game(
        base_scenario,
        cmd.SubmitAction(seat=RED, action="sabotage", target="blue"),
        cmd.ResolveByRules(seat=ADJUDICATOR),
    )
    line = next(x for x in told(game, RED) if x.startswith("By the rules' odds"))
    assert "likely to succeed (70%): the target is demoralised (+20%)." in line


@pytest.mark.parametrize(
    ("make", "en", "ja"),
    [
        (
            lambda: cmd.SendMessage(seat=RED, channel="team:red", text="Hold the line."),
            "Red → the team chat of Red: Hold the line.",
            "赤 → 赤のチーム内チャット:Hold the line.",
        ),
        (
            lambda: cmd.SendMessage(seat=RED, channel="c3", text="Talk?"),
            "Red → the channel “Ridge talks” (Red, Blue): Talk?",
            "赤 → チャンネル「Ridge talks」(赤、青):Talk?",
        ),
        (
            lambda: cmd.SendMessage(seat=RED, to=("blue",), text="Talk?"),
            "Red → Blue: Talk?",
            "赤 → 青:Talk?",
        ),
    ],
)
def test_a_message_names_where_it_went(
    base_scenario: Scenario, make: Callable[[], cmd.Command], en: str, ja: str
) -> None:
    game = new_game(base_scenario)
    game.handle(cmd.OpenChannel(seat=RED, members=("blue",), name="Ridge talks"))
    game.handle(make())
    assert en in told(game, RED)
    assert ja in told(game, RED, "ja")
    assert not [line for line in told(game, CONTROL) if "→ :" in line]


def test_a_channel_message_names_its_members_to_one_who_never_saw_it_open(
    base_scenario: Scenario,
) -> None:
    game = new_game(base_scenario)
    game.handle(cmd.OpenChannel(seat=CONTROL, members=("red", "blue")))
    game.handle(cmd.SendMessage(seat=BLUE, channel="c3", text="Hello"))
    assert "Blue → the channel of Red, Blue: Hello" in told(game, RED)


# a name followed by a verb that would have to agree with it ("European powers signs")
AGREEMENT = re.compile(
    r"(?<!team )\{(team|sponsor|sender|culprit|members|parties|teams|actor|who)\} [a-z]+s\b"
)


def test_no_english_template_puts_a_verb_after_a_teams_name() -> None:
    bad = {
        key: entry["en"]
        for key, entry in catalogue().items()
        if AGREEMENT.search(entry["en"]) and not key.startswith("violation.")
    }
    assert not bad, bad


def test_a_game_of_the_european_powers_reads_without_agreement_errors(ukraine: Scenario) -> None:
    from whitecell.play import play_game

    lines = "\n".join(told(play_game(ukraine, 7), CONTROL))
    assert not re.search(r"European powers (signs|proposes|counters|rejects|accepts|argues)", lines)
    assert "European powers" in lines


def test_a_leak_reads_as_the_leaked_event_in_words(base_scenario: Scenario) -> None:
    game = new_game(
        base_scenario,
        cmd.SubmitAction(seat=RED, action="sabotage", target="blue"),
        cmd.Leak(seat=CONTROL, seq=3, teams=("blue",)),
    )
    expected = (
        "Intelligence from the white cell for Blue (round 1): "
        "a secret action by Red: Sabotage against Blue."
    )
    assert expected in told(game, BLUE)
    assert expected in told(game, CONTROL)
    assert not [line for line in told(game, GREEN) if "Intelligence" in line]  # not chosen
    ja = told(game, BLUE, "ja")
    assert "ホワイトセルから青への情報(第1ラウンド):赤の秘密行動:破壊工作(対象:青)。" in ja
    assert not [line for line in told(game, BLUE) if "event 3" in line or "passes" in line]


def test_a_leaked_outcome_reads_as_the_outcome(base_scenario: Scenario) -> None:
    game = new_game(
        base_scenario,
        cmd.SubmitAction(seat=RED, action="patrol"),
        cmd.Assess(seat=ADJUDICATOR, uid="a3", probability=1.0),
        cmd.Roll(seat=ADJUDICATOR, uid="a3"),
        cmd.PublishOutcome(seat=ADJUDICATOR, uid="a3"),
        cmd.Leak(seat=CONTROL, seq=5, teams=("green",)),
    )
    line = next(x for x in told(game, GREEN) if x.startswith("Intelligence"))
    assert "the dice fell for Patrol the border" in line


def test_a_withdrawal_is_told_to_whoever_knew_of_the_action(base_scenario: Scenario) -> None:
    game = new_game(
        base_scenario,
        cmd.SubmitAction(seat=RED, action="patrol"),
        cmd.SubmitAction(seat=RED, action="sabotage", target="blue"),
        cmd.WithdrawAction(seat=RED, uid="a3"),
        cmd.WithdrawAction(seat=RED, uid="a4"),
    )
    assert "Action withdrawn by Red: Patrol the border." in told(game, BLUE)
    assert "Action withdrawn by Red: Sabotage against Blue." in told(game, RED)
    assert not [line for line in told(game, BLUE) if "Sabotage" in line]
    assert "赤が行動を取り下げた:国境を巡回。" in told(game, BLUE, "ja")


def test_a_void_gives_its_reason_to_the_acting_team(base_scenario: Scenario) -> None:
    game = new_game(
        base_scenario,
        cmd.SubmitAction(seat=RED, action="patrol"),
        cmd.VoidAction(seat=CONTROL, uid="a3", reason="The passes are closed."),
    )
    assert (
        "The white cell voids the action of Red: Patrol the border — The passes are closed."
        in told(game, RED)
    )
    assert "The white cell voids the action of Red: Patrol the border." in told(game, BLUE)
    assert not [line for line in told(game, BLUE) if "passes" in line]
    assert "ホワイトセルが赤の行動を無効にした:国境を巡回(理由:The passes are closed.)。" in told(
        game, RED, "ja"
    )


def test_the_end_of_the_game_voids_in_words(base_scenario: Scenario) -> None:
    game = new_game(
        base_scenario,
        cmd.SubmitAction(seat=RED, action="free", instrument="diplomatic", description="Call."),
        cmd.EndGame(seat=CONTROL, open_actions="resolve"),
    )
    assert "The white cell voids the action of Red: free-form: Call. — the game ended." in told(
        game, RED
    )
    assert any("ゲーム終了のため" in line for line in told(game, RED, "ja"))


def test_a_ruling_by_the_rules_is_summed_up_for_the_white_cell_only(
    base_scenario: Scenario,
) -> None:
    game = new_game(
        base_scenario,
        cmd.SubmitAction(seat=RED, action="patrol"),
        cmd.SubmitAction(seat=BLUE, action="free", instrument="economic", description="Grain."),
        cmd.ResolveByRules(seat=ADJUDICATOR),
    )
    summary = "Resolved by the rules: 1 action(s); 1 free-form action(s) left for an adjudicator."
    assert summary in told(game, CONTROL)
    assert summary in told(game, ADJUDICATOR)
    assert not [line for line in told(game, RED) + told(game, BLUE) if "Resolved" in line]


def test_the_round_clock_is_told_in_minutes_and_times(base_scenario: Scenario) -> None:
    game = new_game(
        base_scenario,
        cmd.PauseGame(seat=CONTROL, at="2025-01-10T16:48:00+00:00"),
        cmd.ExtendRound(seat=CONTROL, minutes=5, at="2025-01-10T16:50:00+00:00"),
        cmd.ResumeGame(seat=CONTROL, at="2025-01-10T18:00:00+00:00"),
        cmd.ExtendRound(seat=CONTROL, minutes=10, at="2025-01-10T18:01:00+00:00"),
    )
    lines = told(game, RED)
    assert "The white cell pauses the game, with 12 min left on the round clock." in lines
    assert "The round clock is stopped with 17 min left; it runs on when the game resumes." in lines
    assert "The game resumes; the round clock runs until 18:17 UTC." in lines
    assert "The round clock is extended to 18:27 UTC." in lines
    ja = told(game, RED, "ja")
    assert "ラウンドの締め切りを18:27(UTC)まで延長。" in ja
    assert "ホワイトセルがゲームを一時停止(ラウンドの残り時間 12分)。" in ja


def test_narration_is_a_pure_function_of_the_events(base_scenario: Scenario) -> None:
    game = new_game(
        base_scenario,
        cmd.SubmitAction(seat=RED, action="sabotage", target="blue"),
        cmd.Leak(seat=CONTROL, seq=3, teams=("blue",)),
        cmd.ResolveByRules(seat=CONTROL),
    )
    events = list(game.events)
    assert narrate(base_scenario, events, "en") == narrate(base_scenario, events, "en")
    assert narrate(base_scenario, events, "ja") == narrate(base_scenario, events, "ja")
