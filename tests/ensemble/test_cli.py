"""``whitecell ensemble`` as a real subprocess: the summary, the runs file, bad input, Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.conftest import BASE_YAML
from whitecell.ensemble.seeds import run_seed
from whitecell.scenario import localize
from whitecell.scenario.compiled import Scenario

SCENARIO = "ukraine-ceasefire-2025"
RUNS, SEED = 150, 9
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def whitecell(*args: str | Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "whitecell", "ensemble", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "COLUMNS": "160", "NO_COLOR": "1"},
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    return result


@pytest.fixture(scope="module")
def ensemble_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The bundled scenario, 150 runs on two local worker processes, chunks of 16."""
    folder = tmp_path_factory.mktemp("ensemble")
    summary, runs = folder / "summary.json", folder / "runs.parquet"
    result = whitecell(
        SCENARIO, "-n", RUNS, "--seed", SEED, "--workers", 2, "--chunk", 16,
        "--json", summary, "--runs", runs,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return {"report": json.loads(summary.read_text()), "runs": runs, "stdout": result.stdout}


def test_the_json_summary_gives_an_interval_for_every_bool_outcome_and_a_spread_for_every_number(
    ensemble_run, ukraine: Scenario
):
    report = ensemble_run["report"]
    assert report["format"] == "whitecell-ensemble"
    assert (report["scenario"], report["seed"]) == (ukraine.id, SEED)
    assert report["scenario_digest"] == ukraine.digest
    assert (report["runs"], report["requested_runs"], report["interrupted"]) == (RUNS, RUNS, False)
    assert (report["executor"], report["workers"]) == ("local", 2)
    outcomes = report["outcomes"]
    assert list(outcomes) == [o.id for o in ukraine.outcomes]
    kinds = {o.is_bool for o in ukraine.outcomes}
    assert kinds == {True, False}, "the bundled scenario has both kinds of outcome"
    for outcome in ukraine.outcomes:
        value = outcomes[outcome.id]
        if outcome.is_bool:
            assert 0 <= value["ci_low"] <= value["p"] <= value["ci_high"] <= 1, outcome.id
            assert value["p"] == pytest.approx(value["count"] / RUNS, abs=1e-6)
        else:
            assert value["std"] >= 0
            assert value["p5"] <= value["p50"] <= value["p95"], outcome.id
            assert value["p5"] <= value["mean"] <= value["p95"], outcome.id


def test_the_json_summary_gives_percentiles_of_every_variable_after_every_round(
    ensemble_run, ukraine: Scenario
):
    variables = ensemble_run["report"]["variables"]
    assert set(variables) == {v.key for v in ukraine.vars}
    for var in ukraine.vars:
        rows = variables[var.key]
        assert [r["round"] for r in rows] == list(range(1, len(ukraine.rounds) + 1))
        for row in rows:
            assert var.lo <= row["p5"] <= row["p50"] <= row["p95"] <= var.hi, (var.key, row)


def test_the_json_summary_lists_paths_with_a_replayable_example(ensemble_run):
    report = ensemble_run["report"]
    paths = report["paths"]
    assert 1 < len(paths) <= 20
    assert len(paths) == min(20, report["distinct_paths"])
    counts = [p["count"] for p in paths]
    assert counts == sorted(counts, reverse=True)
    assert sum(counts) <= RUNS
    if report["distinct_paths"] == len(paths):
        assert sum(counts) == RUNS
    for entry in paths:
        assert entry["share"] == pytest.approx(entry["count"] / RUNS, abs=1e-6)
        assert entry["example_seed"] == run_seed(SEED, entry["example_run"])


def test_the_terminal_shows_a_table_of_the_outcomes(ensemble_run, ukraine: Scenario):
    stdout = ensemble_run["stdout"]
    assert f"{ukraine.id}: {RUNS} runs" in stdout
    assert "95% interval" in stdout
    for outcome in ukraine.outcomes:
        assert localize(outcome.label, "en") in stdout, outcome.id


def test_the_runs_file_has_one_row_per_run_with_its_seed_outcomes_and_final_values(
    ensemble_run, ukraine: Scenario
):
    table = pq.read_table(ensemble_run["runs"])
    assert table.num_rows == RUNS
    names = set(table.column_names)
    assert {"run", "seed", "path"} <= names
    assert {f"outcome.{o.id}" for o in ukraine.outcomes} <= names
    assert {f"final.{v.key}" for v in ukraine.vars} <= names
    rows = table.to_pylist()
    assert sorted(r["run"] for r in rows) == list(range(RUNS))
    assert all(r["seed"] == run_seed(SEED, r["run"]) for r in rows)
    outcomes = ensemble_run["report"]["outcomes"]
    for outcome in ukraine.outcomes:
        column = [r[f"outcome.{outcome.id}"] for r in rows]
        if outcome.is_bool:
            assert all(isinstance(v, bool) for v in column)
            assert sum(column) == outcomes[outcome.id]["count"], outcome.id
        else:
            mean = sum(column) / len(column)
            assert mean == pytest.approx(outcomes[outcome.id]["mean"], abs=1e-5), outcome.id


def test_the_summary_records_the_values_set_for_the_ensemble(tmp_path: Path):
    """A summary of ``--set`` runs must say what was set: otherwise it reads as the
    unchanged scenario's."""
    target = tmp_path / "set.json"
    result = whitecell(
        BASE_YAML, "-n", 20, "--executor", "inprocess", "--json", target,
        "--set", "teams.red.preferences.tension=-2",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(target.read_text())
    assert report["settings"] == {"teams.red.preferences.tension": -2}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--set", "teams.red.preferences.foo.bar=1"],
            "unknown variable 'foo.bar' (known: alert, morale.blue",
        ),
        (["--set", "automation.temperature=-1"], "automation.temperature: -1 is out of range"),
        (["--set", "automation"], "write PATH=VALUE"),
        (["--sweep", "automation.temperature"], "write PATH=V1,V2"),
        (["--executor", "spark"], "spark"),
        (["--workers", "0"], "--workers"),
    ],
)
def test_bad_input_is_a_message_and_exit_status_2(tmp_path: Path, args, message):
    target = tmp_path / "never.json"
    result = whitecell(BASE_YAML, "-n", 10, "--json", target, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in " ".join(ANSI.sub("", result.stderr).split())
    assert not target.exists()


def test_ctrl_c_stops_the_ensemble_and_keeps_every_finished_run(tmp_path: Path):
    summary, runs = tmp_path / "summary.json", tmp_path / "runs.parquet"
    requested = 200_000
    args = [str(BASE_YAML), "-n", str(requested), "--workers", "2", "--seed", "3"]
    args += ["--json", str(summary), "--runs", str(runs)]
    with (tmp_path / "stdout.txt").open("wb") as stdout_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "whitecell", "ensemble", *args],
            stdout=stdout_file,
            stderr=subprocess.PIPE,
            env={**os.environ, "COLUMNS": "160", "FORCE_COLOR": "1"},  # live progress on a pipe
        )
    stderr: list[bytes] = []  # read as it comes: the progress bar tells when runs are done
    reader = threading.Thread(
        target=lambda: stderr.extend(iter(lambda: process.stderr.read1(4096), b""))
    )
    reader.start()
    progress = re.compile(rf"(\d+)/{requested}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        shown = ANSI.sub("", b"".join(stderr).decode(errors="replace"))
        if any(int(n) > 0 for n in progress.findall(shown)):
            break
        time.sleep(0.1)
    else:
        process.kill()
        reader.join()
        pytest.fail("no run finished within 60 s")
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=60)
    finally:
        process.kill()
        reader.join()
    err = ANSI.sub("", b"".join(stderr).decode(errors="replace"))
    out = ANSI.sub("", (tmp_path / "stdout.txt").read_text())
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "Interrupted" in err
    report = json.loads(summary.read_text())
    assert report["interrupted"] is True
    assert report["requested_runs"] == requested
    assert 0 < report["runs"] < requested
    assert f"{report['runs']:,} runs that finished" in " ".join(err.split())
    assert f"{report['runs']:,} runs" in out
    table = pq.read_table(runs)
    assert table.num_rows == report["runs"]
    assert len(set(table.column("run").to_pylist())) == report["runs"]
    truce = sum(table.column("outcome.truce_reached").to_pylist())
    assert truce == report["outcomes"]["truce_reached"]["count"]
    assert not (tmp_path / ".runs.parquet.tmp").exists()
