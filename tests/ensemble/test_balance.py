"""The balance check: after an ensemble, does every outcome occur at least sometimes, and
does every catalogue action get chosen and every clause signed?"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from tests.conftest import BASE_YAML
from whitecell.ensemble.balance import balance_lines
from whitecell.ensemble.driver import run_ensemble
from whitecell.ensemble.executors import InProcess
from whitecell.ensemble.run import Chunk, Task, learn, run_chunk
from whitecell.ensemble.stats import Aggregate
from whitecell.play import play_game
from whitecell.scenario.compiled import Scenario
from whitecell.scenario.expr import TAKEN
from whitecell.selftest.runner import case_scenario, merge

LABEL = {"en": "x", "ja": "x"}
UNBALANCED = {
    "actions": [
        {
            "id": "never",
            "label": {"en": "Never possible", "ja": "決して不可能"},
            "instrument": "diplomatic",
            "teams": "all",
            "requires": False,
            "base_probability": 0.5,
            "narrative": {"success": LABEL, "failure": LABEL},
        }
    ],
    "negotiation": {
        "clauses": [{"id": "orphan", "label": {"en": "In no agreement", "ja": "どの合意にもない"}}]
    },
    "outcomes": [
        {"id": "always", "label": LABEL, "value": True},
        {"id": "constant", "label": LABEL, "type": "number", "value": 3},
    ],
}


@pytest.fixture(scope="module")
def unbalanced() -> Scenario:
    return case_scenario(UNBALANCED, "unbalanced")


@pytest.fixture(scope="module")
def report(unbalanced: Scenario) -> dict:
    result = run_ensemble(unbalanced, 40, 3, InProcess(), chunk=16)
    return result.aggregate.summary()


def test_a_never_chosen_action_a_never_signed_clause_and_dull_outcomes_warn(report) -> None:
    balance = report["balance"]
    assert not balance["ok"]
    warned = {(w["kind"], w["id"]) for w in balance["warnings"]}
    assert ("action", "never") in warned
    assert ("clause", "orphan") in warned
    assert ("outcome", "always") in warned
    assert ("outcome", "constant") in warned
    messages = " / ".join(w["message"] for w in balance["warnings"])
    assert "action 'never' was never chosen by an automated player in 40 runs" in messages
    assert "outcome 'always' is always true in 40 runs" in messages
    assert "outcome 'constant' is 3 in every run" in messages


def test_outcomes_that_vary_raise_no_warning(report) -> None:
    warned = {w["id"] for w in report["balance"]["warnings"]}
    assert "final_tension" not in warned, "tension moves from run to run"


def test_the_counts_are_the_final_states_of_the_games(unbalanced: Scenario) -> None:
    learn(dict(unbalanced.document))
    chunk = run_chunk(Task(None, unbalanced.digest, 3, 0, 6))
    assert chunk.actions is not None and chunk.clauses is not None
    assert chunk.actions.shape == (6, len(unbalanced.actions))
    assert chunk.clauses.shape == (6, len(unbalanced.clauses))
    for row in range(6):
        state = play_game(unbalanced, int(chunk.seeds[row])).state
        assert list(chunk.actions[row]) == [
            state.action_counts[a.id][TAKEN] for a in unbalanced.actions
        ]
        signed = {c: 0 for c in unbalanced.clauses}
        for rec in state.agreements.values():
            for c in rec.clauses:
                signed[c] += 1
        assert list(chunk.clauses[row]) == list(signed.values())
    never = [a.id for a in unbalanced.actions].index("never")
    assert not chunk.actions[:, never].any()


def test_per_action_and_per_clause_figures_in_the_summary(report) -> None:
    actions, clauses = report["balance"]["actions"], report["balance"]["clauses"]
    assert actions["never"] == {"runs": 0, "share": 0.0, "taken": 0}
    assert 0 < actions["patrol"]["runs"] <= 40
    assert actions["patrol"]["taken"] >= actions["patrol"]["runs"]
    assert clauses["orphan"]["signed"] == 0


def test_a_balanced_ensemble_says_so() -> None:
    sc = case_scenario({"outcomes": [{"id": "final_tension", "remove": True}]}, "small")
    aggregate = Aggregate(sc)
    n = 4
    outcomes = np.array([[0, 0], [1, 1], [1, 0], [0, 1]], dtype=np.float64)
    aggregate.add(
        Chunk(
            start=0,
            seeds=np.arange(n, dtype=np.uint64),
            outcomes=outcomes,
            rounds=np.full((n, len(sc.rounds), len(sc.vars)), 50, dtype=np.float32),
            paths=["a"] * n,
            actions=np.ones((n, len(sc.actions)), dtype=np.int32),
            clauses=np.ones((n, len(sc.clauses)), dtype=np.int32),
        )
    )
    summary = aggregate.summary()
    assert summary["balance"]["ok"] and summary["balance"]["warnings"] == []
    lines = balance_lines(summary)
    assert len(lines) == 1 and "every outcome varies" in lines[0]


def test_chunks_without_counts_give_no_move_warnings(unbalanced: Scenario) -> None:
    """Chunks made elsewhere (older workers, benchmarks) carry no counts: the outcome checks
    still run, the move checks are left out rather than wrong."""
    aggregate = Aggregate(unbalanced)
    n = 2
    aggregate.add(
        Chunk(
            0,
            np.arange(n, dtype=np.uint64),
            np.zeros((n, len(unbalanced.outcomes))),
            np.zeros((n, len(unbalanced.rounds), len(unbalanced.vars)), dtype=np.float32),
            ["a", "b"],
        )
    )
    balance = aggregate.summary()["balance"]
    assert balance["runs"] == 0 and balance["actions"] == {} and balance["clauses"] == {}
    assert {w["kind"] for w in balance["warnings"]} == {"outcome"}


def test_whitecell_ensemble_prints_the_warnings(tmp_path: Path) -> None:
    base = yaml.safe_load(BASE_YAML.read_text(encoding="utf-8"))
    path = tmp_path / "unbalanced.yaml"
    path.write_text(yaml.safe_dump(merge(base, UNBALANCED), allow_unicode=True), encoding="utf-8")
    summary = tmp_path / "summary.json"
    result = subprocess.run(
        [sys.executable, "-m", "whitecell", "ensemble", str(path), "-n", "30", "--json",
         str(summary), "--executor", "inprocess"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "Balance over 30 runs:" in out
    assert "action 'never' was never chosen by an automated player in 30 runs" in out
    assert "clause 'orphan' was never signed in 30 runs" in out
    assert "outcome 'always' is always true in 30 runs" in out
    assert json.loads(summary.read_text())["balance"]["ok"] is False


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_ensemble_report_has_the_balance_check(report, unbalanced: Scenario, lang: str) -> None:
    from whitecell.ensemble.driver import FORMAT, VERSION
    from whitecell.report import ensemble_report

    summary = {"format": FORMAT, "version": VERSION, "scenario": unbalanced.id, "seed": 3, **report}
    md = ensemble_report(summary, fmt="md", lang=lang, scenario=unbalanced).decode()
    if lang == "en":
        assert "## Balance" in md
        assert "No automated player ever chose “Never possible”." in md
        assert "“In no agreement” was never signed." in md
        assert "“x” is true in every run." in md
    else:
        assert "## バランス" in md
        assert "「決して不可能」を選んだ自動プレイヤーはいません。" in md
    html = ensemble_report(summary, fmt="html", lang=lang, scenario=unbalanced).decode()
    assert 'id="balance"' in html
