"""The workshop plays a trial in worker processes and writes its figures as it goes: the
same runs and seed give the same figures as an ensemble played in this process, however
the runs are cut into chunks; a cancelled trial stops and keeps what it found."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from whitecell.ensemble.driver import run_ensemble
from whitecell.ensemble.executors import InProcess
from whitecell.live.workshop import FIRST, Workshop, trial_tasks
from whitecell.scenario.library import load_bundled
from whitecell.store.jobs import CANCELLED, DONE, Job, Jobs
from whitecell.store.sql import Store

SCENARIO = "ukraine-ceasefire-2025"


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    made = Store(f"sqlite:///{tmp_path / 'jobs.db'}")
    made.migrate()
    yield made
    made.close()


def test_a_trial_starts_with_a_small_chunk_and_covers_every_run_once() -> None:
    tasks = list(trial_tasks(load_bundled(SCENARIO), 200, seed=5))
    assert tasks[0].count == FIRST
    starts = [i for t in tasks for i in range(t.start, t.start + t.count)]
    assert starts == list(range(200))


async def _until_finished(jobs: Jobs, job_id: str, timeout: float = 120) -> Job:
    for _ in range(int(timeout / 0.1)):
        job = jobs.get(job_id)
        assert job is not None
        if job.finished:
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")


def test_a_trial_in_worker_processes_gives_the_ensemble_figures(store: Store) -> None:
    scenario = load_bundled(SCENARIO)
    jobs = Jobs(store)
    account = store.create_account("designer", "x")

    async def go() -> Job:
        workshop = Workshop(jobs, workers=1)
        job = jobs.create(account, "trial", "x@1", {"runs": 150, "seed": 11})
        workshop.submit_trial(job, scenario, 150, 11)
        try:
            return await _until_finished(jobs, job.id)
        finally:
            await workshop.close()

    job = asyncio.run(go())
    assert (job.status, job.done, job.progress) == (DONE, 150, 1.0)
    alone = run_ensemble(scenario, 150, 11, InProcess()).aggregate.summary()
    assert job.result is not None
    assert job.result["runs"] == 150
    assert job.result["outcomes"] == alone["outcomes"]
    assert job.result["balance"]["warnings"] == alone["balance"]["warnings"]


def test_a_cancelled_trial_stops_early_and_keeps_its_partial_figures(store: Store) -> None:
    scenario = load_bundled(SCENARIO)
    jobs = Jobs(store)
    account = store.create_account("designer", "x")

    async def go() -> Job:
        workshop = Workshop(jobs, workers=1)
        job = jobs.create(account, "trial", "x@1", {"runs": 20_000, "seed": 3})
        workshop.submit_trial(job, scenario, 20_000, 3)
        try:
            for _ in range(1200):  # wait for the first figures, then cancel
                seen = jobs.get(job.id)
                assert seen is not None
                if seen.done > 0:
                    break
                await asyncio.sleep(0.1)
            assert jobs.cancel(job.id)
            await asyncio.sleep(1.5)  # the worker hears it at its next report
            return await _until_finished(jobs, job.id)
        finally:
            await workshop.close()

    job = asyncio.run(go())
    assert job.status == CANCELLED
    assert job.result is not None and 0 < job.result["runs"] == job.done < 20_000
