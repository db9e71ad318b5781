"""The report of a game with withdrawn and voided actions, a leak and a round clock: what
never happened is not shown as an action, the white cell's notes say what became of it,
and a leak reads as the leaked event in words."""

from __future__ import annotations

from whitecell.engine import ADJUDICATOR, CONTROL, Game, team_seat
from whitecell.engine import commands as cmd
from whitecell.engine.log import dump_log, parse_log
from whitecell.report.aar import GameReport, build_game_report
from whitecell.scenario import Scenario

RED, BLUE = team_seat("red"), team_seat("blue")


def report(scenario: Scenario, audience: str, lang: str = "en", *, end: bool = True) -> GameReport:
    """The report of round 1 played by hand; the game ended (the base scenario then reveals
    everything to everyone), or still running."""
    game = Game(scenario, 5)
    for step in (
        cmd.StartGame(seat=CONTROL),
        cmd.OpenRound(seat=CONTROL, number=1, deadline="2025-01-10T17:00:00+00:00"),
        cmd.SubmitAction(seat=RED, action="patrol"),  # a3: withdrawn
        cmd.SubmitAction(seat=RED, action="sabotage", target="blue"),  # a4: leaked, voided
        cmd.SubmitAction(seat=BLUE, action="aid"),  # a5: resolved by the rules
        cmd.WithdrawAction(seat=RED, uid="a3"),
        cmd.Leak(seat=CONTROL, seq=4, teams=("blue",)),
        cmd.VoidAction(seat=CONTROL, uid="a4", reason="VOID-REASON"),
        cmd.PauseGame(seat=CONTROL, at="2025-01-10T16:30:00+00:00"),
        cmd.ResumeGame(seat=CONTROL, at="2025-01-10T16:40:00+00:00"),
        cmd.ExtendRound(seat=CONTROL, minutes=15, at="2025-01-10T16:45:00+00:00"),
        cmd.ResolveByRules(seat=ADJUDICATOR),
        cmd.CloseRound(seat=CONTROL, number=1),
        *([cmd.EndGame(seat=CONTROL)] if end else []),
    ):
        game.handle(step)
    log = parse_log(dump_log(scenario, game.events))
    return build_game_report(log, lang=lang, audience=audience, verdict="ok")


def test_withdrawn_and_voided_actions_are_not_reported_as_actions(
    base_scenario: Scenario,
) -> None:
    for audience in ("control", "public"):
        first = report(base_scenario, audience, end=False).rounds[0]
        assert [a.uid for a in first.actions] == ["a5"]


def test_the_white_cells_notes_say_what_became_of_them(base_scenario: Scenario) -> None:
    notes = report(base_scenario, "control").rounds[0].control
    assert "Withdrawn by its team: Red — Patrol the border" in notes
    assert "Voided by the white cell: Red — Sabotage — VOID-REASON" in notes
    assert "Intelligence passed to Blue: a secret action by Red: Sabotage against Blue." in notes
    assert "The white cell pauses the game, with 30 min left on the round clock." in notes
    assert "The game resumes; the round clock runs until 17:10 UTC." in notes
    assert "The round clock is extended to 17:25 UTC." in notes


def test_the_public_report_keeps_the_secret_and_the_reason(base_scenario: Scenario) -> None:
    first = report(base_scenario, "public", end=False).rounds[0]
    flat = str(first)
    assert "Withdrawn by its team: Red — Patrol the border" in first.control
    assert "Sabotage" not in flat and "VOID-REASON" not in flat


def test_the_notes_read_in_japanese(base_scenario: Scenario) -> None:
    notes = report(base_scenario, "control", "ja").rounds[0].control
    assert "チームが取り下げ:赤 — 国境を巡回" in notes
    assert any(note.startswith("青に情報を提供:赤の秘密行動") for note in notes)
