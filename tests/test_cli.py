"""The ``whitecell`` command, run as a real subprocess: exit codes, files, messages.

Bad input is a message and exit status 2, never a traceback (README).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BASE_YAML
from whitecell.scenario.library import bundled_ids

SCENARIO = "ukraine-ceasefire-2025"
SUMMARY_KEYS = {
    "scenario",
    "seed",
    "seed_commitment",
    "rounds",
    "final_state",
    "outcomes",
    "event_count",
    "log_sha256",
}


def whitecell(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "whitecell", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
        cwd=cwd,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    return result


@pytest.fixture(scope="module")
def played_game(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """One game of the bundled scenario, seed 7: its JSON summary, its log and its story."""
    folder = tmp_path_factory.mktemp("played")
    out, log = folder / "out.json", folder / "game.jsonl"
    result = whitecell("play", SCENARIO, "--seed", "7", "--json", out, "--log", log)
    assert result.returncode == 0, result.stderr
    return out, log, result.stdout


@pytest.fixture
def played(played_game: tuple[Path, Path, str]) -> tuple[Path, Path]:
    return played_game[0], played_game[1]


def log_lines(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


# -- scenarios and validate ------------------------------------------------------------


def test_scenarios_lists_the_bundled_id_in_full() -> None:
    """The id is what a user types next; an 80-column terminal must show all of it."""
    result = whitecell("scenarios")
    assert result.returncode == 0
    assert SCENARIO in result.stdout, result.stdout


def test_validate_a_good_file_says_ok_and_exits_0() -> None:
    result = whitecell("validate", BASE_YAML)
    assert result.returncode == 0
    assert result.stdout == f"{BASE_YAML}: ok\n"


def test_validate_a_bad_file_prints_every_problem_located_and_exits_2(tmp_path: Path) -> None:
    base = BASE_YAML.read_text(encoding="utf-8")
    text = base.replace("    label: {en: Tension, ja: 緊張}\n", "    label: {en: Tension}\n")
    text = text.replace("    base_probability: 0.9\n", "    base_probability: 9\n")
    text = text.replace("    value: tension\n", "    value: tensoin\n")
    assert text.count("\n") == base.count("\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    result = whitecell("validate", BASE_YAML, bad)
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    assert lines[0] == f"{BASE_YAML}: ok"
    located = lines[1:]
    assert len(located) == 3
    pattern = re.compile(rf"^{re.escape(str(bad))}:(\d+):(\d+): (\S+): .+")
    matches = [pattern.match(line) for line in located]
    assert all(matches), located
    lines_of = [
        base.splitlines().index(old) + 1
        for old in (
            "    label: {en: Tension, ja: 緊張}",
            "    base_probability: 0.9",
            "    value: tension",
        )
    ]
    assert [(int(m[1]), m[3]) for m in matches if m] == [
        (lines_of[0], "variables[0].label"),
        (lines_of[1], "actions[4].base_probability"),
        (lines_of[2], "outcomes[2].value"),
    ]


def test_validate_a_missing_file_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    result = whitecell("validate", missing)
    assert result.returncode == 2
    assert result.stdout.startswith(f"{missing}:1:1:")
    assert "no such file" in result.stdout


def test_validate_a_very_long_expression_is_never_an_internal_error(tmp_path: Path) -> None:
    """A 250-term sum is valid (exit 0); a size limit would be a located problem (exit 2)."""
    long_sum = " + ".join(["tension"] * 250)
    text = BASE_YAML.read_text(encoding="utf-8").replace(
        "    value: tension\n", f"    value: {long_sum}\n"
    )
    scenario = tmp_path / "long.yaml"
    scenario.write_text(text, encoding="utf-8")
    result = whitecell("validate", scenario)
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode in (0, 2)
    if result.returncode == 2:
        assert result.stdout.startswith(f"{scenario}:")


def test_play_a_bad_scenario_file_exits_2_with_its_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        BASE_YAML.read_text(encoding="utf-8").replace("teams: [red, blue]", "teams: [red, x]"),
        encoding="utf-8",
    )
    result = whitecell("play", bad, "--quiet")
    assert result.returncode == 2
    assert re.search(
        rf"^{re.escape(str(bad))}:\d+:\d+: actions\[0\]\.teams\[1\]: ", result.stderr, re.M
    )


# -- play --------------------------------------------------------------------------------


def test_play_writes_the_json_summary_and_the_log(played: tuple[Path, Path]) -> None:
    out, log = played
    summary = json.loads(out.read_text(encoding="utf-8"))
    assert set(summary) == SUMMARY_KEYS
    assert summary["scenario"] == SCENARIO
    assert summary["seed"] == 7
    assert summary["log_sha256"] == hashlib.sha256(log.read_bytes()).hexdigest()
    records = log_lines(log)
    assert records[0]["format"] == "whitecell-log"
    assert summary["event_count"] == len(records) - 1
    started = next(r for r in records[1:] if r["type"] == "game_started")
    ended = next(r for r in records[1:] if r["type"] == "game_ended")
    assert summary["seed_commitment"] == started["seed_commitment"]
    assert ended["seed"] == 7
    assert [r["number"] for r in summary["rounds"]] == [1, 2, 3, 4, 5]
    assert set(summary["outcomes"]) >= {"ceasefire_reached", "war_resumed"}


def test_the_same_seed_gives_a_byte_identical_log(
    played: tuple[Path, Path], tmp_path: Path
) -> None:
    _, first = played
    again = tmp_path / "again.jsonl"
    other = tmp_path / "other.jsonl"
    assert whitecell("play", SCENARIO, "--seed", "7", "--log", again, "--quiet").returncode == 0
    assert whitecell("play", SCENARIO, "--seed", "8", "--log", other, "--quiet").returncode == 0
    assert again.read_bytes() == first.read_bytes()
    assert other.read_bytes() != first.read_bytes()


def test_play_in_japanese_tells_the_rounds_in_japanese() -> None:
    result = whitecell("play", SCENARIO, "--seed", "7", "--lang", "ja")
    assert result.returncode == 0, result.stderr
    for number in range(1, 6):
        assert f"第{number}ラウンド" in result.stdout
    assert not re.search(r"Round \d", result.stdout)
    for english in ("Action round", "Negotiation round", "SUCCESS", "FAILURE", "odds "):
        assert english not in result.stdout


def test_play_in_english_tells_the_rounds_in_english(
    played_game: tuple[Path, Path, str],
) -> None:
    story = played_game[2]
    for number in range(1, 6):
        assert f"Round {number} · " in story
    assert "ラウンド" not in story


def test_an_unknown_scenario_exits_2_and_lists_the_bundled_ids() -> None:
    result = whitecell("play", "no-such-scenario", "--quiet")
    assert result.returncode == 2
    assert "no-such-scenario" in result.stderr
    for sid in bundled_ids():
        assert sid in result.stderr


def test_a_negative_seed_is_rejected() -> None:
    result = whitecell("play", SCENARIO, "--seed", "-1", "--quiet")
    assert result.returncode == 2
    assert "--seed" in result.stderr


# -- verify --------------------------------------------------------------------------------


def test_verify_accepts_a_fresh_log(played: tuple[Path, Path]) -> None:
    _, log = played
    result = whitecell("verify", log)
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


def test_verify_catches_one_altered_roll(played: tuple[Path, Path], tmp_path: Path) -> None:
    _, log = played
    lines = log.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if '"type":"dice_rolled"' in line)
    event = json.loads(lines[index])
    event["value"] = 0.5 if event["value"] != 0.5 else 0.25
    lines[index] = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    altered = tmp_path / "altered.jsonl"
    altered.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = whitecell("verify", altered)
    assert result.returncode == 1
    assert "mismatch" in result.stderr
    assert f"event {event['seq']}" in result.stderr


def test_verify_rejects_a_truncated_log(played: tuple[Path, Path], tmp_path: Path) -> None:
    _, log = played
    text = log.read_text(encoding="utf-8")
    cut = len(text) // 2
    while text[cut - 1] == "\n":
        cut += 1
    truncated = tmp_path / "truncated.jsonl"
    truncated.write_text(text[:cut], encoding="utf-8")
    result = whitecell("verify", truncated)
    assert result.returncode == 2
    assert "truncated" in result.stderr


def test_verify_rejects_a_file_that_is_not_a_log() -> None:
    result = whitecell("verify", BASE_YAML)
    assert result.returncode == 2
    assert "not a whitecell log" in result.stderr


def test_verify_rejects_a_missing_file(tmp_path: Path) -> None:
    result = whitecell("verify", tmp_path / "nowhere.jsonl")
    assert result.returncode == 2
    assert "cannot read" in result.stderr


def test_verify_rejects_an_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    result = whitecell("verify", empty)
    assert result.returncode == 2
    assert "empty" in result.stderr


def test_verify_rejects_a_log_from_a_newer_format(
    played: tuple[Path, Path], tmp_path: Path
) -> None:
    _, log = played
    lines = log.read_text(encoding="utf-8").split("\n")
    header = json.loads(lines[0])
    header["version"] = 99
    lines[0] = json.dumps(header, ensure_ascii=False, separators=(",", ":"))
    newer = tmp_path / "newer.jsonl"
    newer.write_text("\n".join(lines), encoding="utf-8")
    result = whitecell("verify", newer)
    assert result.returncode == 2
    assert "version 99" in result.stderr
    assert "upgrade" in result.stderr


# -- selftest ---------------------------------------------------------------------------------


def test_selftest_runs_the_rule_cases() -> None:
    result = whitecell("selftest")
    assert "rule cases pass" in result.stdout
    failed = "FAIL " in result.stdout
    assert result.returncode == (1 if failed else 0), result.stdout


# -- forecast ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def game_log(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("forecast") / "game.jsonl"
    r = whitecell("play", SCENARIO, "--seed", "7", "--quiet", "--log", path)
    assert r.returncode == 0, r.stderr
    return path


def test_forecast_from_a_round_writes_the_ensemble_summarys_shape(game_log: Path, tmp_path) -> None:
    out = tmp_path / "forecast.json"
    r = whitecell("forecast", game_log, "--at-round", "3", "-n", "60", "--seed", "4", "--json", out)
    assert r.returncode == 0, r.stderr
    assert "60 forks after event" in r.stdout and "round 3" in r.stdout
    data = json.loads(out.read_text())
    assert data["format"] == "whitecell-forecast" and data["runs"] == 60 and data["seed"] == 4
    assert data["fork"]["round"] == 3 and data["fork"]["after_event"] == "inject_fired"
    holding = data["outcomes"]["ceasefire_holding_at_end"]
    assert 0 <= holding["ci_low"] <= holding["p"] <= holding["ci_high"] <= 1
    assert {"mean", "p5", "p50", "p95"} <= set(data["outcomes"]["casualties"])


def test_forecast_each_round_gives_one_forecast_per_round(game_log: Path, tmp_path) -> None:
    out = tmp_path / "rounds.json"
    r = whitecell("forecast", game_log, "--each-round", "-n", "20", "--seed", "1", "--json", out)
    assert r.returncode == 0, r.stderr
    rounds = [f["fork"]["round"] for f in json.loads(out.read_text())["each_round"]]
    assert rounds == [0, 1, 2, 3, 4, 5] and "after r5" in r.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--at-round", "9"), "round 9 has not closed"),
        (("--at-event", "5000"), "--at-event 5000 is not among them"),
        (("--at-round", "1", "--at-event", "3"), "give at most one of"),
    ],
)
def test_forecast_refuses_a_place_the_game_never_reached(
    game_log: Path, args: tuple[str, ...], said: str
) -> None:
    r = whitecell("forecast", game_log, *args, "-n", "5")
    assert r.returncode == 2 and said in r.stderr and "Traceback" not in r.stderr


def test_forecast_of_a_file_that_is_not_a_log_says_so(tmp_path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    r = whitecell("forecast", bad, "-n", "5")
    assert r.returncode == 2 and "bad.jsonl" in r.stderr and "Traceback" not in r.stderr


# -- turning points ---------------------------------------------------------------------------


def test_turning_points_writes_every_events_swings_largest_first(game_log: Path, tmp_path) -> None:
    out = tmp_path / "turning.json"
    r = whitecell(
        "turning-points", game_log, "--screen", "5", "-n", "10", "--seed", "4", "--json", out
    )
    assert r.returncode == 0, r.stderr
    report = json.loads(out.read_text())
    entries = report["turning_points"]
    assert report["seed"] == 4 and report["candidates"] > 0 and entries
    assert {x["outcome"] for x in entries} == set(report["headline"])
    assert [abs(x["swing"]) for x in entries] == sorted(
        (abs(x["swing"]) for x in entries), reverse=True
    )
    assert "turning points" in r.stdout and "points, 95% interval" in r.stdout


def test_turning_points_of_an_unfinished_game_says_it_needs_the_end(tmp_path) -> None:
    path = tmp_path / "running.jsonl"
    r = whitecell("play", SCENARIO, "--seed", "2", "--quiet", "--log", path)
    assert r.returncode == 0, r.stderr
    lines = path.read_text().splitlines()
    path.write_text("\n".join(x for x in lines if '"game_ended"' not in x) + "\n")
    r = whitecell("turning-points", path, "--screen", "5", "-n", "10")
    assert r.returncode == 2 and "has not ended" in r.stderr and "Traceback" not in r.stderr


def test_turning_points_refuses_a_screen_larger_than_the_most(game_log: Path) -> None:
    r = whitecell("turning-points", game_log, "--screen", "50", "-n", "20")
    assert r.returncode == 2 and "--screen 50 is more than -n 20" in r.stderr
