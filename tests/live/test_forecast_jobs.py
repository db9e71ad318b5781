"""A live game's forecast is a job of the workshop: its forks are played in the same worker
processes as the studio's trials, and give exactly what ``whitecell.forecast.forecast``
gives for the same events and seed, however they are cut into chunks; a forecast
superseded (cancelled) while it plays stops and is never finished."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from whitecell.forecast import cut_at_round, forecast
from whitecell.live.workshop import FIRST, Workshop, fork_tasks
from whitecell.play import play_game
from whitecell.scenario.library import load_bundled
from whitecell.store.jobs import CANCELLED, DONE, Job, Jobs
from whitecell.store.sql import Store

SC = load_bundled("ukraine-ceasefire-2025")
GAME = play_game(SC, 7)


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    made = Store(f"sqlite:///{tmp_path / 'jobs.db'}")
    made.migrate()
    yield made
    made.close()


async def _until_finished(jobs: Jobs, job_id: str, timeout: float = 120) -> Job:
    for _ in range(int(timeout / 0.1)):
        job = jobs.get(job_id)
        assert job is not None
        if job.finished:
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")


def test_a_forecasts_forks_start_with_a_small_chunk_and_cover_every_fork_once() -> None:
    tasks = list(fork_tasks(SC, cut_at_round(GAME.events, 2), 300, seed=5))
    assert tasks[0].count == FIRST
    assert [i for t in tasks for i in range(t.start, t.start + t.count)] == list(range(300))


def test_a_forecast_in_worker_processes_is_the_forecast_of_the_same_events_and_seed(
    store: Store,
) -> None:
    cut = cut_at_round(GAME.events, 3)
    jobs = Jobs(store)

    async def go() -> Job:
        workshop = Workshop(jobs, workers=1)
        job = jobs.create(None, "forecast", "game1", {"runs": 200, "seed": 41})
        workshop.submit_forecast(job, SC, cut, 200, 41)
        try:
            return await _until_finished(jobs, job.id)
        finally:
            await workshop.close()

    job = asyncio.run(go())
    assert (job.status, job.done, job.account_id) == (DONE, 200, None)
    alone = forecast(SC, cut, runs=200, seed=41)
    assert job.result is not None
    assert job.result["outcomes"] == alone["outcomes"]
    assert job.result["fork"] == alone["fork"] and job.result["seed"] == 41
    assert job.result.get("escalation") == alone.get("escalation")
    assert set(job.result) == set(alone)  # the same shape as the CLI's forecast
    assert job.result["runs"] == 200


def test_a_forecast_cancelled_while_it_plays_stops_and_is_never_finished(store: Store) -> None:
    jobs = Jobs(store)

    async def go() -> Job:
        workshop = Workshop(jobs, workers=1)
        job = jobs.create(None, "forecast", "game2", {"runs": 20_000, "seed": 3})
        workshop.submit_forecast(job, SC, cut_at_round(GAME.events, 0), 20_000, 3)
        try:
            for _ in range(1200):
                seen = jobs.get(job.id)
                assert seen is not None
                if seen.done > 0:
                    break
                await asyncio.sleep(0.1)
            assert jobs.cancel(job.id)
            await asyncio.sleep(1.0)
            return await _until_finished(jobs, job.id)
        finally:
            await workshop.close()

    job = asyncio.run(go())
    assert job.status == CANCELLED and 0 < job.done < 20_000


def test_a_newer_forecast_of_a_game_takes_the_queue_place_of_the_one_it_supersedes(
    store: Store,
) -> None:
    """Rounds that close faster than forecasts finish do not starve a game: its newest
    forecast waits where its first one waited, not at the back of the queue."""
    jobs = Jobs(store)
    cut = cut_at_round(GAME.events, 3)

    async def go() -> tuple[Job, Job, Job]:
        workshop = Workshop(jobs, workers=1, slots=1)
        busy = jobs.create(None, "forecast", "other", {"runs": 150, "seed": 1})
        workshop.submit_forecast(busy, SC, cut, 150, 1)
        first = jobs.create(None, "forecast", "game3", {"runs": 100, "seed": 2})
        workshop.submit_forecast(first, SC, cut, 100, 2)
        jobs.cancel(first.id)  # superseded, as the web layer does
        newer = jobs.create(None, "forecast", "game3", {"runs": 100, "seed": 3})
        workshop.submit_forecast(newer, SC, cut, 100, 3)
        assert len({id(t) for t in workshop._held.values()}) == 2  # one task a game
        try:
            done = await _until_finished(jobs, newer.id)
            other = await _until_finished(jobs, busy.id)
            old = jobs.get(first.id)
            assert old is not None
            return other, old, done
        finally:
            await workshop.close()

    other, old, done = asyncio.run(go())
    assert other.status == DONE and done.status == DONE and done.result is not None
    assert done.result["seed"] == 3
    assert (old.status, old.done) == (CANCELLED, 0)  # never started


def test_a_forecast_dropped_while_it_waits_lets_go_of_its_game_and_never_starts(
    store: Store,
) -> None:
    """A game that ends while its forecast waits for a slot: the forecast is dropped, and
    the game's events are not held until a slot would have come."""
    jobs = Jobs(store)
    cut = cut_at_round(GAME.events, 3)

    async def go() -> tuple[Job, Job]:
        workshop = Workshop(jobs, workers=1, slots=1)
        busy = jobs.create(None, "forecast", "other", {"runs": 150, "seed": 1})
        workshop.submit_forecast(busy, SC, cut, 150, 1)
        waiting = jobs.create(None, "forecast", "game4", {"runs": 100, "seed": 2})
        workshop.submit_forecast(waiting, SC, cut, 100, 2)
        assert "game4" in workshop._waiting
        workshop.drop_waiting("game4")
        jobs.cancel(waiting.id)  # as the web layer does when the game ends
        assert "game4" not in workshop._waiting
        try:
            other = await _until_finished(jobs, busy.id)
            await asyncio.sleep(0.3)  # the dropped one's turn has come and gone
            dropped = jobs.get(waiting.id)
            assert dropped is not None
            return other, dropped
        finally:
            await workshop.close()

    other, dropped = asyncio.run(go())
    assert other.status == DONE
    assert (dropped.status, dropped.done) == (CANCELLED, 0)
