"""``whitecell play`` with language-model seats, as a real subprocess against the stand-in
model server of ``fake_server`` (no model weights can be downloaded here): the log keeps
every exchange, a recorded game replays without a server, the API key stays out of every
file, and a dead server stops the game with its log kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.llm.fake_server import running
from whitecell.engine import events as ev
from whitecell.engine.log import parse_log

KEY = "sk-test-9f8e7d6c5b4a-never-in-a-log"


def whitecell(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "whitecell", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **env},
    )


def play(url: str, log: Path, *extra: str, **env: str) -> subprocess.CompletedProcess[str]:
    return whitecell(
        "play", "ukraine-ceasefire-2025", "--seed", "5", "--quiet", "--log", log,
        "--agent", "usa=llm", "--agent", "*=heuristic", "--adjudicator", "llm",
        "--llm-base-url", url, "--llm-model", "scripted", "--llm-api-key-env", "WC_TEST_KEY",
        *extra, **env,
    )  # fmt: skip


def test_a_recorded_game_replays_without_a_server_to_the_same_log(tmp_path):
    first = tmp_path / "first.jsonl"
    with running() as server:
        done = play(server.url, first, WC_TEST_KEY=KEY)
        assert done.returncode == 0, done.stderr
        sent = [{k.lower(): v for k, v in r["headers"].items()} for r in server.requests]
        assert sent and all(h.get("authorization") == f"Bearer {KEY}" for h in sent)
    assert "Language models" in done.stdout and "team:usa" in done.stdout  # the token summary
    again = tmp_path / "again.jsonl"
    replayed = play("http://127.0.0.1:9/v1", again, "--llm-replay", str(first))
    assert replayed.returncode == 0, replayed.stderr
    assert again.read_bytes() == first.read_bytes()


def test_the_api_key_is_never_written_anywhere(tmp_path):
    log, summary = tmp_path / "game.jsonl", tmp_path / "game.json"
    with running() as server:
        done = play(server.url, log, "--json", str(summary), WC_TEST_KEY=KEY)
    assert done.returncode == 0, done.stderr
    for text in (log.read_text(), summary.read_text(), done.stdout, done.stderr):
        assert KEY not in text
    assert "WC_TEST_KEY" not in log.read_text()


def test_a_dead_server_stops_the_game_with_exit_3_and_keeps_the_log(tmp_path):
    log = tmp_path / "game.jsonl"
    with running() as server:
        server.script.extend(["500"] * 20)
        done = play(server.url, log, "--llm-timeout", "1")
    assert done.returncode == 3
    assert "the game stopped" in done.stderr and "did not answer" in done.stderr
    assert str(log) in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr
    kept = parse_log(log.read_text(), str(log))
    assert any(isinstance(e, ev.GameStarted) for e in kept.events)
    assert not any(isinstance(e, ev.GameEnded) for e in kept.events)


def test_seats_asked_for_in_error_get_a_message_that_lists_what_is_allowed(tmp_path):
    cases = [
        (["--agent", "usa=llm"], "needs --llm-base-url and --llm-model"),
        (["--agent", "narnia=llm", "--llm-base-url", "x", "--llm-model", "m"], "no team 'narnia'"),
        (["--agent", "usa=oracle"], "KIND one of heuristic, llm"),
        (["--adjudicator", "oracle"], "allowed: rules, matrix, llm"),
        (["--agent", "usa=llm", "--llm-replay", str(tmp_path / "none.jsonl")], "cannot read"),
    ]
    for args, message in cases:
        done = whitecell("play", "ukraine-ceasefire-2025", "--quiet", *args)
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr
