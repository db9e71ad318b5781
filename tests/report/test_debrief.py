"""The debrief in the game report: counterfactual turning points, the forecast over the
rounds and how typical the game was; the effect-size ranking only when there are no forks,
saying so; a secret another audience may not read never shows as a turning point.

Real forks of a real game of the rule-case scenario; the reports rendered for real."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from whitecell.debrief import debrief, typicality
from whitecell.engine import events as ev
from whitecell.engine.game import Game
from whitecell.engine.log import GameLog, dump_log
from whitecell.play import play_game
from whitecell.report import game_report
from whitecell.report.aar import build_game_report
from whitecell.scenario.compiled import Scenario
from whitecell.turning import describe

SEED = 0  # red's secret sabotage (a3) in round 1 moves whether the truce holds


@pytest.fixture(scope="module")
def game(base_scenario: Scenario) -> Game:
    return play_game(base_scenario, SEED)


@pytest.fixture(scope="module")
def found(base_scenario: Scenario, game: Game) -> dict[str, Any]:
    ensemble = {
        "runs": 200,
        "outcomes": {"truce_reached": {"count": 150}, "truce_holds": {"count": 50}},
    }
    return debrief(base_scenario, game.events, 5, ensemble, forecast_runs=60, screen=10, most=40)


def _log(sc: Scenario, game: Game) -> GameLog:
    return GameLog(sc, list(game.events), {})


def test_the_forecast_line_starts_before_round_1_and_ends_on_how_the_game_ended(
    game: Game, found: dict[str, Any]
) -> None:
    line = found["forecast_line"]
    assert [p["round"] for p in line] == [0, 1, 2, 3]
    for outcome, value in game.state.outcomes.items():
        if outcome in line[-1]["outcomes"]:
            assert line[-1]["outcomes"][outcome]["p"] == (1.0 if value else 0.0)


def test_typicality_is_the_share_of_plays_that_ended_the_same_way(
    base_scenario: Scenario,
) -> None:
    ensemble = {
        "runs": 200,
        "outcomes": {"truce_reached": {"count": 150}, "truce_holds": {"count": 50}},
    }
    got = typicality(base_scenario, {"truce_reached": True, "truce_holds": False}, ensemble)
    by = {x["outcome"]: x for x in got}
    assert (by["truce_reached"]["same"], by["truce_reached"]["p"]) == (150, 0.75)
    assert (by["truce_holds"]["same"], by["truce_holds"]["p"]) == (150, 0.75)  # 200 - 50
    assert by["truce_holds"]["ci_low"] < 0.75 < by["truce_holds"]["ci_high"]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_report_shows_the_counterfactual_swings_and_says_how_they_were_made(
    base_scenario: Scenario, game: Game, found: dict[str, Any], lang: str
) -> None:
    html = game_report(_log(base_scenario, game), lang=lang, debrief=found).decode()
    if lang == "en":
        assert "played both ways" in html and "How typical this game was" in html
        assert "that happened in 75%" in html or "that happened in 25%" in html
        assert "effect size" not in html
    else:
        assert "両方の結果を試しました" in html and "典型的" in html
    assert 'id="forecast-table"' in html and "<svg" in html
    report = build_game_report(
        _log(base_scenario, game), lang=lang, audience="control", verdict="", debrief=found
    )
    assert report.debrief is not None and report.debrief.turning
    top = found["turning_points"]["turning_points"][0]
    assert report.debrief.turning[0].text == describe(base_scenario, game.events, top, lang)


def test_without_forks_the_report_ranks_by_effect_size_and_says_so(
    base_scenario: Scenario, game: Game
) -> None:
    md = game_report(_log(base_scenario, game), fmt="md").decode()
    assert "ranking by effect size" in md and "played both ways" not in md


def test_a_secret_action_is_a_turning_point_once_revealed_but_never_in_the_public_report(
    base_scenario: Scenario, game: Game, found: dict[str, Any]
) -> None:
    secret = {e.uid for e in game.events if isinstance(e, ev.ActionSubmitted) and e.secret}
    entries = found["turning_points"]["turning_points"]
    hidden = next(x for x in entries if x["subject"] in secret and x["swing"] != 0)
    only = {**found, "turning_points": {**found["turning_points"], "turning_points": [hidden]}}
    said = describe(base_scenario, game.events, hidden, "en")
    texts: dict[str, list[str]] = {}
    for audience in ("control", "debrief", "public"):
        report = build_game_report(
            _log(base_scenario, game), lang="en", audience=audience, verdict="", debrief=only
        )
        assert report.debrief is not None
        texts[audience] = [x.text for x in report.debrief.turning]
    assert texts["control"] == texts["debrief"] == [said]  # the game revealed its secrets
    assert texts["public"] == []  # a version to hand out keeps them


def test_the_report_command_caches_the_scenarios_plays_and_writes_the_debrief(
    base_scenario: Scenario, game: Game, tmp_path: Path
) -> None:
    log = tmp_path / "game.jsonl"
    log.write_text(dump_log(base_scenario, game.events))
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "COLUMNS": "200"}

    def report(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "whitecell", "report", str(log), *args],
            capture_output=True, text=True, timeout=300, env=env,
        )  # fmt: skip

    small = ("--format", "md", "--forks", "20", "--typical-runs", "200", "--seed", "2")
    first = report(*small, "-o", str(tmp_path / "a.md"))
    assert first.returncode == 0, first.stderr
    cached = list((tmp_path / "cache" / "whitecell" / "ensembles").glob("*-200.json"))
    assert len(cached) == 1
    stamp = cached[0].stat().st_mtime_ns
    second = report(*small, "-o", str(tmp_path / "b.md"))
    assert second.returncode == 0, second.stderr
    assert cached[0].stat().st_mtime_ns == stamp  # the same plays, not played again
    assert (tmp_path / "a.md").read_text() == (tmp_path / "b.md").read_text()
    assert "of 200 automated plays of the scenario" in (tmp_path / "a.md").read_text()
    quick = report("--format", "md", "--quick", "-o", str(tmp_path / "q.md"))
    assert quick.returncode == 0 and "ranking by effect size" in (tmp_path / "q.md").read_text()


def test_a_report_that_keeps_secrets_leaves_out_the_forecast_line(
    base_scenario: Scenario, game: Game, found: dict[str, Any]
) -> None:
    """Forks see the whole game: the line would jump when a secret move came off."""
    for audience, shown in (("control", True), ("debrief", True), ("public", False)):
        report = build_game_report(
            _log(base_scenario, game), lang="en", audience=audience, verdict="", debrief=found
        )
        assert report.debrief is not None
        assert bool(report.debrief.forecast) is shown
