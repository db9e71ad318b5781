"""A finished game's debrief is a job of the workshop: its forks are played in the same
worker processes as trials and forecasts (through an adapter to ``Forks``), and give
exactly what ``whitecell.debrief.debrief`` gives in this process for the same events,
seed and scenario ensemble; the scenario's ensemble is played once and kept as a row; its
progress is written stage by stage."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import numpy as np
import pytest

from whitecell.debrief import debrief
from whitecell.ensemble.executors import shared_pool
from whitecell.forecast import run_forks
from whitecell.forkpool import ForkPool
from whitecell.live.workshop import (
    ENSEMBLE,
    DebriefPlan,
    PoolForks,
    Stopped,
    Workshop,
    fork_tasks,
)
from whitecell.play import play_game
from whitecell.scenario.library import load_bundled
from whitecell.store.jobs import DONE, Job, Jobs
from whitecell.store.sql import Store

SC = load_bundled("ukraine-ceasefire-2025")
GAME = play_game(SC, 7)
PLAN = DebriefPlan(typical_runs=100, forecast_runs=20, screen=4, most=8)


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    made = Store(f"sqlite:///{tmp_path / 'jobs.db'}")
    made.migrate()
    yield made
    made.close()


def test_the_pool_adapter_gives_every_batch_in_order_and_stops_when_told() -> None:
    chunks = list(fork_tasks(SC, GAME.events[:60], 120, seed=9))
    assert len(chunks) > 2
    here = ForkPool(1, "inprocess").map(run_forks, chunks)
    pool = shared_pool(1)
    try:
        seen: list[int] = []
        got = PoolForks(pool, 1).map(run_forks, chunks, lambda task: seen.append(task.start))
        assert all(np.array_equal(a, b) for a, b in zip(got, here, strict=True))
        assert sorted(seen) == [c.start for c in chunks]  # each batch reported once

        def stop(_task: object) -> None:
            raise Stopped("cancelled")

        with pytest.raises(Stopped):
            PoolForks(pool, 1).map(run_forks, chunks, stop)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def test_a_debrief_on_the_workshop_is_the_debrief_of_the_same_events_seed_and_plays(
    store: Store,
) -> None:
    jobs = Jobs(store)
    stages: set[str] = set()

    async def go() -> Job:
        workshop = Workshop(jobs, workers=1)
        job = jobs.create(None, "debrief", "game1", {"seed": 77})
        workshop.submit_debrief(job, SC, GAME.events, 77, PLAN)
        try:
            for _ in range(3000):
                seen = jobs.get(job.id)
                assert seen is not None
                if seen.finished:
                    return seen
                if seen.result and "stage" in seen.result:
                    stages.add(seen.result["stage"])
                    assert 0 <= seen.result["done"] <= seen.result["planned"]
                await asyncio.sleep(0.05)
            raise AssertionError("the debrief did not finish in 150 s")
        finally:
            await workshop.close()

    job = asyncio.run(go())
    assert job.status == DONE and job.result is not None, job.error
    assert "turning points" in stages  # its progress, written as it went
    rows = jobs.about(SC.digest, ENSEMBLE)
    assert [(r.status, r.params["runs"]) for r in rows] == [(DONE, PLAN.typical_runs)]
    ensemble = rows[0].result
    assert ensemble is not None and ensemble["runs"] == PLAN.typical_runs
    with ForkPool(1, "inprocess") as here:
        again = debrief(
            SC, GAME.events, 77, ensemble, here,
            forecast_runs=PLAN.forecast_runs, screen=PLAN.screen, most=PLAN.most,
        )  # fmt: skip
    assert job.result == again
    assert job.result["typical"] and job.result["ensemble_runs"] == PLAN.typical_runs


def test_the_scenarios_plays_are_made_once_and_a_larger_ensemble_only_when_asked(
    store: Store,
) -> None:
    jobs = Jobs(store)
    workshop = Workshop(jobs, workers=1)
    said: list[tuple[str, int, int]] = []
    try:
        first = workshop.scenario_ensemble(SC, 60, lambda *x: said.append(x))
        again = workshop.scenario_ensemble(SC, 40, lambda *x: said.append(x))
        assert first is not None and first == again  # a larger one serves a smaller ask
        assert said and said[-1] == ("automated plays", 60, 60)
        assert len(jobs.about(SC.digest, ENSEMBLE)) == 1
        bigger = workshop.scenario_ensemble(SC, 80, lambda *x: None)
        assert bigger is not None and bigger["runs"] == 80
        assert [r.params["runs"] for r in jobs.about(SC.digest, ENSEMBLE)] == [80, 60]
        assert workshop.scenario_ensemble(SC, 0, lambda *x: None) is None
    finally:
        asyncio.run(workshop.close())
