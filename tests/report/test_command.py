"""``whitecell report`` as a real subprocess: it writes the file asked for, and bad input
(truncated, tampered, too new, not a log at all) is one clear message and exit status 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.report.games import played
from whitecell.engine.log import dump_log


def whitecell(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "whitecell", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.fixture(scope="module")
def game(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("game") / "game.jsonl"
    log = played()
    path.write_text(dump_log(log.scenario, log.events))
    return path


def test_it_writes_the_report_and_says_where(game, tmp_path):
    out = tmp_path / "reports" / "debrief.md"
    done = whitecell(
        "report", game, "--format", "md", "--lang", "ja", "--audience", "public", "-o", out
    )
    assert done.returncode == 0, done.stderr
    assert "public report" in done.stdout and str(out) in done.stdout
    assert out.read_text().startswith("# アンカラの停戦")
    assert not list(out.parent.glob(".*.tmp"))


def test_it_tells_a_game_log_from_an_ensemble_summary(tmp_path):
    summary = tmp_path / "s.json"
    ran = whitecell(
        "ensemble", "ukraine-ceasefire-2025", "-n", "40", "--workers", "1", "--json", summary
    )
    assert ran.returncode == 0, ran.stderr
    done = whitecell("report", summary, "--format", "md", "-o", tmp_path / "e.md")
    assert done.returncode == 0, done.stderr
    assert "ensemble report" in done.stdout
    assert "Most frequent paths" in (tmp_path / "e.md").read_text()
    refused = whitecell("report", summary, "--audience", "public", "-o", tmp_path / "x.html")
    assert refused.returncode == 2 and "an ensemble has no secrets" in refused.stderr


def bad_inputs(game: Path, tmp: Path) -> dict[str, tuple[Path, str]]:
    lines = game.read_text().splitlines(keepends=True)
    cut = tmp / "cut.jsonl"
    cut.write_text("".join(lines[:40]) + lines[40][:25])
    tampered = tmp / "tampered.jsonl"
    header = json.loads(lines[0])
    events = [json.loads(line) for line in lines[1:]]
    roll = next(e for e in events if e["type"] == "dice_rolled")
    roll["value"] = (roll["value"] + 0.5) % 1
    tampered.write_text("".join(json.dumps(x) + "\n" for x in [header, *events]))
    newer = tmp / "newer.jsonl"
    newer.write_text(json.dumps({**header, "version": 99}) + "\n" + "".join(lines[1:]))
    summary = tmp / "newer.json"
    summary.write_text(json.dumps({"format": "whitecell-ensemble", "version": 5}))
    half = tmp / "half.json"
    half.write_text('{\n  "format": "whitecell-ensemble",\n  "version": 1,\n  "outco')
    other = tmp / "other.json"
    other.write_text('{"hello": "world"}')
    return {
        "truncated log": (cut, "cut.jsonl:41: the last line is cut off (the log is truncated)"),
        "tampered log": (tampered, "the log does not verify, so it was altered or damaged"),
        "newer log": (newer, "log format version 99 is newer than this whitecell reads"),
        "newer summary": (summary, "summary format version 5 is newer than this whitecell reads"),
        "truncated summary": (half, "half.json:4:3: not valid JSON"),
        "something else": (other, "neither a game log"),
        "missing file": (tmp / "nowhere.jsonl", "cannot read"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "truncated log",
        "tampered log",
        "newer log",
        "newer summary",
        "truncated summary",
        "something else",
        "missing file",
    ],
)
def test_bad_input_is_one_message_and_exit_status_2(game, tmp_path, case):
    source, message = bad_inputs(game, tmp_path)[case]
    out = tmp_path / "report.html"
    done = whitecell("report", source, "-o", out)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert message in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_an_unknown_format_lists_the_allowed_ones(game, tmp_path):
    done = whitecell("report", game, "--format", "docx", "-o", tmp_path / "r.docx")
    assert done.returncode == 2
    assert "html" in done.stderr and "pdf" in done.stderr and "Traceback" not in done.stderr
