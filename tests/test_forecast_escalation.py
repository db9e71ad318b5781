"""Forecasts of the escalation index: all teams' index per round over the forks (mean and
5/25/50/75/95th percentiles) and over the whole game; the rounds before the fork are the
game's own, the same in every fork."""

from __future__ import annotations

from typer.testing import CliRunner

from whitecell.cli import app
from whitecell.engine.log import dump_log
from whitecell.escalation import escalation_index
from whitecell.forecast import cut_at_round, forecast
from whitecell.play import play_game
from whitecell.scenario.library import load_bundled

SC = load_bundled("ukraine-ceasefire-2025")
GAME = play_game(SC, 7)
ROUNDS = len(SC.rounds)
OWN = escalation_index(SC, GAME.state.actions.values(), ROUNDS).overall


def test_a_forecast_gives_the_index_of_every_round_and_of_the_whole_game() -> None:
    found = forecast(SC, cut_at_round(GAME.events, 2), runs=24, seed=5)
    rounds = found["escalation"]["rounds"]
    assert [r["round"] for r in rounds] == list(range(1, ROUNDS + 1))
    for r in rounds:
        assert set(r) == {"round", "mean", "p5", "p25", "p50", "p75", "p95"}
        assert r["p5"] <= r["p25"] <= r["p50"] <= r["p75"] <= r["p95"]
    assert set(found["escalation"]["total"]) == {"mean", "p5", "p25", "p50", "p75", "p95"}


def test_the_rounds_before_the_fork_are_the_game_s_own_in_every_fork() -> None:
    found = forecast(SC, cut_at_round(GAME.events, 2), runs=24, seed=5)
    for r in (0, 1):
        got = found["escalation"]["rounds"][r]
        assert got["p5"] == got["p95"] == got["mean"] == OWN[r]
    # round 4 is an action round still to be played: the forks differ
    later = found["escalation"]["rounds"][3]
    assert later["p5"] < later["p95"]


def test_a_forecast_from_the_last_event_gives_the_game_s_own_index() -> None:
    found = forecast(SC, GAME.events, runs=5, seed=1)
    assert [r["mean"] for r in found["escalation"]["rounds"]] == list(OWN)
    total = found["escalation"]["total"]
    assert total["p5"] == total["p95"] == sum(OWN)


def test_the_forecast_table_has_a_line_for_the_index(tmp_path) -> None:
    log = tmp_path / "game.jsonl"
    log.write_text(dump_log(SC, GAME.events), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["forecast", str(log), "--at-round", "2", "-n", "12", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "Escalation index" in result.output
