"""Each run's seed is NumPy's spawned child of the ensemble seed, and replays alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from whitecell.engine.state import MAX_SEED
from whitecell.ensemble.driver import run_ensemble
from whitecell.ensemble.executors import InProcess
from whitecell.ensemble.output import RunsWriter
from whitecell.ensemble.run import game_path
from whitecell.ensemble.seeds import run_seed
from whitecell.play import play_game
from whitecell.scenario.compiled import Scenario


@pytest.mark.parametrize("ensemble_seed", [0, 7, 2**40 + 3, MAX_SEED])
def test_run_seed_is_the_spawned_child_of_the_same_index_masked_to_63_bits(ensemble_seed):
    children = np.random.SeedSequence(ensemble_seed).spawn(40)
    for index, child in enumerate(children):
        expected = int(child.generate_state(1, dtype=np.uint64)[0]) & (2**63 - 1)
        assert run_seed(ensemble_seed, index) == expected, index
        assert 0 <= run_seed(ensemble_seed, index) <= MAX_SEED


def test_every_run_of_an_ensemble_gets_its_own_seed():
    seeds = [run_seed(11, i) for i in range(20_000)]
    assert len(set(seeds)) == len(seeds)
    others = [run_seed(12, i) for i in range(1000)]
    assert not set(others) & set(seeds[:1000])
    assert any(s >= 2**62 for s in seeds), "the seeds use the full 63 bits"


def test_a_run_replayed_alone_gives_the_outcomes_in_its_row_of_the_runs_file(
    base_scenario: Scenario, tmp_path: Path
):
    seed, runs = 31, 40
    target = tmp_path / "runs.parquet"
    writer = RunsWriter(target, base_scenario)
    result = run_ensemble(base_scenario, runs, seed, InProcess(), writer.add, chunk=7)
    writer.close()
    assert result.aggregate.n == runs
    rows = pq.read_table(target).to_pylist()
    assert sorted(r["run"] for r in rows) == list(range(runs))
    by_run = {r["run"]: r for r in rows}
    assert len({(r["outcome.final_tension"], r["path"]) for r in rows}) > 1, "runs must differ"

    for run in (0, 6, 7, 23, runs - 1):
        row = by_run[run]
        game = play_game(base_scenario, run_seed(seed, run))
        assert row["seed"] == run_seed(seed, run)
        for outcome in base_scenario.outcomes:
            recorded = row[f"outcome.{outcome.id}"]
            assert recorded == game.state.outcomes[outcome.id], (run, outcome.id)
        for var in base_scenario.vars:
            final = float(np.float32(game.state.v[var.index]))
            assert row[f"final.{var.key}"] == final, (run, var.key)
        assert row["path"] == game_path(game)
