"""The server's background work: a bounded pool that plays ensembles (a studio trial)
beside the live games without slowing them.

Two bounds keep live commands fast. The games are played in worker processes (by default
one fewer than the machine's cores, at least one), so the server's own process keeps a
core for the rooms; and only ``slots`` jobs run at once, the rest wait their turn in
order. Every job is a row (``store.jobs``): how far it got and what it found so far are
written as it goes, so any server process can show it, and a cancelled or failed job
keeps what finished.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from anyio import to_thread

from whitecell.ensemble.executors import Pooled, shared_pool
from whitecell.ensemble.run import Task
from whitecell.ensemble.stats import Aggregate
from whitecell.scenario.compiled import Scenario
from whitecell.store.jobs import Job, Jobs

log = logging.getLogger(__name__)

FIRST = 16  # runs in the first chunk: a first figure within a fraction of a second
CHUNK = 64
REPORT_EVERY = 0.4  # seconds between two writes of a running job's progress
BEAT_EVERY = 20.0  # seconds between two heartbeats of the jobs this process holds
MAX_UNFINISHED = 3  # jobs one account may have waiting or running at once
NICE = 10  # the workers' priority below the server's: live answers come first


def default_workers() -> int:
    return max(1, (os.cpu_count() or 2) - 1)


def trial_tasks(scenario: Scenario, runs: int, seed: int) -> Iterator[Task]:
    """A small first chunk, then full ones (each run's seed depends only on its index, so
    the cut changes nothing in the result)."""
    document = dict(scenario.document)
    start = 0
    while start < runs:
        count = min(FIRST if start == 0 else CHUNK, runs - start)
        yield Task(document, scenario.digest, seed, start, count)
        start += count


class Workshop:
    def __init__(self, jobs: Jobs, workers: int | None = None, slots: int = 2) -> None:
        self.jobs = jobs
        self.workers = workers or default_workers()
        self._slots = asyncio.Semaphore(slots)
        self._pool: ProcessPoolExecutor | None = None
        self._held: dict[str, asyncio.Task[None]] = {}
        self._beating: asyncio.Task[None] | None = None
        self._starting = threading.Lock()
        self._warming: Future[int] | None = None

    def busy(self, account_id: str) -> bool:
        """Whether the account already has as many unfinished jobs as it may."""
        mine = self.jobs.of(account_id, limit=MAX_UNFINISHED * 4)
        return sum(not j.finished for j in mine) >= MAX_UNFINISHED

    def submit_trial(self, job: Job, scenario: Scenario, runs: int, seed: int) -> None:
        """Play ``runs`` games of ``scenario`` for ``job`` (created by the caller) when a
        slot is free."""
        task = asyncio.create_task(self._trial(job.id, scenario, runs, seed))
        self._held[job.id] = task
        task.add_done_callback(lambda _t: self._held.pop(job.id, None))
        if self._beating is None:
            self._beating = asyncio.create_task(self._beat())

    async def _beat(self) -> None:
        """Keep the heartbeat of every job held here, waiting or working."""
        while True:
            await asyncio.sleep(BEAT_EVERY)
            for job_id in list(self._held):
                await to_thread.run_sync(self.jobs.beat, job_id)

    async def _trial(self, job_id: str, scenario: Scenario, runs: int, seed: int) -> None:
        async with self._slots:
            if not await to_thread.run_sync(self.jobs.start, job_id):
                return  # cancelled while it waited
            try:
                await to_thread.run_sync(self._play, job_id, scenario, runs, seed)
            except Exception as exc:  # a job fails in words; the server goes on
                log.exception("trial %s failed", job_id)
                await to_thread.run_sync(self.jobs.fail, job_id, f"{type(exc).__name__}: {exc}")

    def _play(self, job_id: str, scenario: Scenario, runs: int, seed: int) -> None:
        """In a thread: fold the chunks as the pool hands them back, writing the figures so
        far at most every REPORT_EVERY seconds (and after the first chunk)."""
        executor = Pooled(self._started(), self.workers)
        aggregate = Aggregate(scenario)
        last = 0.0
        try:
            for chunk in executor.run(trial_tasks(scenario, runs, seed)):
                aggregate.add(chunk)
                if aggregate.n >= runs:
                    break
                if time.monotonic() - last >= REPORT_EVERY:
                    last = time.monotonic()
                    if not self.jobs.advance(job_id, aggregate.n, aggregate.summary()):
                        self.jobs.keep_partial(job_id, aggregate.n, aggregate.summary())
                        return
        finally:
            executor.close()
        self.jobs.finish(job_id, aggregate.n, aggregate.summary())

    def _started(self) -> ProcessPoolExecutor:
        with self._starting:
            if self._pool is None:
                self._pool = shared_pool(self.workers, NICE)
            return self._pool

    async def warm(self) -> None:
        """Start the worker processes now (a designer opened the studio and may soon try a
        scenario): a first trial then shows figures in a fraction of a second, not after
        the seconds a new process takes to start."""
        if self._pool is None:
            pool = await to_thread.run_sync(self._started)
            self._warming = pool.submit(os.getpid)  # makes the pool start its processes

    async def close(self) -> None:
        """Stop: jobs held here fail in words (their rows say so), the pool goes."""
        if self._beating is not None:
            self._beating.cancel()
        for job_id, task in list(self._held.items()):
            task.cancel()
            await to_thread.run_sync(self.jobs.fail, job_id, "stopped")
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await to_thread.run_sync(lambda: pool.shutdown(wait=True, cancel_futures=True))


__all__ = ["MAX_UNFINISHED", "Workshop", "default_workers", "trial_tasks"]
