"""The server's background work: a bounded pool that plays ensembles (a studio trial) and
forks of live games (a forecast) beside the live games without slowing them.

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
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from anyio import to_thread

from whitecell.debrief import debrief
from whitecell.engine.events import Event
from whitecell.ensemble.executors import Pooled, shared_pool
from whitecell.ensemble.run import Task
from whitecell.ensemble.stats import Aggregate
from whitecell.forecast import (
    FORMAT,
    VERSION,
    ForkTask,
    run_forks,
    summarise,
    summarise_escalation,
    where,
)
from whitecell.forkpool import Batch
from whitecell.live.pace import Pace, PacedPool
from whitecell.scenario.compiled import Scenario
from whitecell.store.jobs import DONE, STOPPED, Job, Jobs

log = logging.getLogger(__name__)

FIRST = 16  # runs in the first chunk: a first figure within a fraction of a second
CHUNK = 64
REPORT_EVERY = 0.4  # seconds between two writes of a running job's progress
BEAT_EVERY = 20.0  # seconds between two heartbeats of the jobs this process holds
MAX_UNFINISHED = 3  # jobs one account may have waiting or running at once
NICE = 10  # the workers' priority below the server's: live answers come first
ENSEMBLE = "scenario-ensemble"  # a job row that caches a scenario's automated plays
ENSEMBLE_SEED = 0  # the seed the CLI's cache uses too: every game is compared with the same
PLAYS = "automated plays"  # the debrief's first stage, when its scenario has no ensemble yet

T = TypeVar("T")


class Stopped(Exception):
    """A job cancelled or failed while it ran (the server stops): drop the rest of it."""


@dataclass(frozen=True)
class DebriefPlan:
    """How much work a finished game's debrief may take on the server.

    Small by default, so a debrief (some 20 seconds of one worker for a five-round game
    of a bundled scenario) never keeps the live games' forecasts waiting long: 300 forks a
    forecast point (a Wilson band of at most ±5.7 points, enough for a line over the
    rounds), turning points screened with 40 forks a side and at most 200 where it matters
    (the top swings within about ±10 points), and 2,000 automated plays of the scenario to
    tell how typical the game was (a band of at most ±2.2 points), played once per
    scenario and kept."""

    typical_runs: int = 2000
    forecast_runs: int = 300
    screen: int = 40
    most: int = 200


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


def fork_tasks(
    scenario: Scenario, events: Sequence[Event], runs: int, seed: int
) -> Iterator[ForkTask]:
    """A forecast's forks in chunks: a small first one, then full ones (fork ``i`` is
    seeded ``run_seed(seed, i)`` however they are cut, so the forecast is the same)."""
    document, kept = dict(scenario.document), tuple(events)
    start = 0
    while start < runs:
        count = min(FIRST if start == 0 else CHUNK, runs - start)
        yield ForkTask(document, scenario.digest, kept, seed, start, count)
        start += count


class PoolForks:
    """The ``whitecell.forkpool.Forks`` protocol over the workshop's pool: a debrief's
    batches of forks on the same processes as trials and forecasts, only a few in flight at
    once so that their chunks take turns in the pool's queue."""

    def __init__(self, pool: Executor, workers: int) -> None:
        self.pool = pool
        self.limit = max(2, 2 * workers)

    def map(
        self, batch: Batch, tasks: Sequence[T], on_done: Callable[[T], None] | None = None
    ) -> list[np.ndarray]:
        """``batch(task)`` for every task, in order; ``on_done(task)`` as each is back (an
        exception it raises, such as :class:`Stopped`, drops the tasks not yet begun)."""
        results: dict[int, np.ndarray] = {}
        pending: dict[Future[np.ndarray], int] = {}
        queue = iter(enumerate(tasks))
        try:
            while True:
                while len(pending) < self.limit and (item := next(queue, None)) is not None:
                    pending[self.pool.submit(batch, item[1])] = item[0]
                if not pending:
                    break
                finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for future in finished:
                    index = pending.pop(future)
                    results[index] = future.result()
                    if on_done is not None:
                        on_done(tasks[index])
        finally:
            for future in pending:
                future.cancel()
        return [results[i] for i in range(len(tasks))]


class Workshop:
    def __init__(
        self, jobs: Jobs, workers: int | None = None, slots: int = 2, pace: Pace | None = None
    ) -> None:
        self.jobs = jobs
        self.pace = pace or Pace()  # how busy live play is (the hub tells it)
        self.workers = workers or default_workers()
        self._slots = asyncio.Semaphore(slots)
        self._pool: PacedPool | None = None
        self._held: dict[str, asyncio.Task[None]] = {}
        self._beating: asyncio.Task[None] | None = None
        self._starting = threading.Lock()
        self._warming: Future[int] | None = None
        self.forecasting = asyncio.Lock()  # a game's forecast superseded and made at once
        # the forecast each subject (game) has waiting for a slot: job, scenario, events...
        self._waiting: dict[str, tuple[str, Scenario, tuple[Event, ...], int, int]] = {}
        # one debrief at a time, waiting without a slot: a slot stays free for forecasts
        self._debriefing: asyncio.Lock | None = None
        self._ensembles: dict[str, threading.Lock] = {}  # one scenario's plays made once
        self._closed = False

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

    def submit_forecast(
        self, job: Job, scenario: Scenario, events: Sequence[Event], runs: int, seed: int
    ) -> None:
        """Play ``runs`` forks of a game from just after ``events`` for ``job`` when a slot
        is free (the same slots and processes as the trials). A newer forecast of the same
        subject (game) takes the place in the queue of one still waiting there, so every
        game gets its turn however often its rounds close; the older job was cancelled by
        the caller."""
        waiting = self._waiting.get(job.subject)
        self._waiting[job.subject] = (job.id, scenario, tuple(events), runs, seed)
        if waiting is not None and waiting[0] in self._held:
            self._held[job.id] = self._held.pop(waiting[0])
            return
        task = asyncio.create_task(self._forecast(job.subject))
        self._held[job.id] = task
        task.add_done_callback(self._let_go)
        if self._beating is None:
            self._beating = asyncio.create_task(self._beat())

    def _let_go(self, task: asyncio.Task[None]) -> None:
        for job_id in [k for k, v in self._held.items() if v is task]:
            del self._held[job_id]

    async def _forecast(self, subject: str) -> None:
        async with self._slots:
            waiting = self._waiting.pop(subject, None)
            if waiting is None:
                return  # dropped while it waited (its game ended)
            job_id, scenario, events, runs, seed = waiting
            if not await to_thread.run_sync(self.jobs.start, job_id):
                return  # cancelled while it waited
            try:
                await to_thread.run_sync(self._fork, job_id, scenario, events, runs, seed)
            except Stopped:
                return  # the server stopped while it waited: its row says so
            except Exception as exc:  # a job fails in words; the server goes on
                log.exception("forecast %s failed", job_id)
                await to_thread.run_sync(self.jobs.fail, job_id, f"{type(exc).__name__}: {exc}")

    def _fork(
        self, job_id: str, scenario: Scenario, events: tuple[Event, ...], runs: int, seed: int
    ) -> None:
        """In a thread: the forks' chunks on the pool, a few in flight at once (so trials
        and other forecasts take their turns), progress written as they come back; a
        cancelled job (superseded by a newer forecast) drops what has not begun."""
        pool = self._started()
        queue = fork_tasks(scenario, events, runs, seed)
        limit = max(2, 2 * self.workers)
        pending: dict[Future[np.ndarray], int] = {}
        parts: dict[int, np.ndarray] = {}
        done, last = 0, 0.0
        try:
            while True:
                while len(pending) < limit and (task := next(queue, None)) is not None:
                    pending[pool.submit(run_forks, task)] = task.start
                if not pending:
                    break
                finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for future in finished:
                    rows = future.result()
                    parts[pending.pop(future)] = rows
                    done += len(rows)
                if done < runs and time.monotonic() - last >= REPORT_EVERY:
                    last = time.monotonic()
                    if not self.jobs.advance(job_id, done):
                        return  # superseded or cancelled: the newer forecast stands
        finally:
            for future in pending:
                future.cancel()
        rows = np.concatenate([parts[k] for k in sorted(parts)]) if parts else np.empty((0, 0))
        self.jobs.finish(job_id, done, forecast_result(scenario, events, rows, seed, self.workers))

    def drop_waiting(self, subject: str) -> None:
        """Forget the forecast of ``subject`` (a game) still waiting for a slot: its game
        ended, and what it held (the game's events) need not stay in memory meanwhile."""
        self._waiting.pop(subject, None)

    def submit_debrief(
        self,
        job: Job,
        scenario: Scenario,
        events: Sequence[Event] | Callable[[], Sequence[Event]],
        seed: int,
        plan: DebriefPlan,
    ) -> None:
        """Work out the debrief of a finished game (``whitecell.debrief``) for ``job`` when
        its turn comes: one debrief at a time, in a slot shared with trials and forecasts,
        its forks seeded from ``seed`` (never the game's). ``events`` may be a loader,
        called when the turn comes: many games ending at once queue their debriefs without
        holding their events in memory."""
        task = asyncio.create_task(self._debrief(job.id, scenario, events, seed, plan))
        self._held[job.id] = task
        task.add_done_callback(self._let_go)
        if self._beating is None:
            self._beating = asyncio.create_task(self._beat())

    async def _debrief(
        self,
        job_id: str,
        scenario: Scenario,
        events: Sequence[Event] | Callable[[], Sequence[Event]],
        seed: int,
        plan: DebriefPlan,
    ) -> None:
        if self._debriefing is None:
            self._debriefing = asyncio.Lock()
        async with self._debriefing, self._slots:
            if not await to_thread.run_sync(self.jobs.start, job_id):
                return  # cancelled while it waited
            try:
                kept = tuple(await to_thread.run_sync(events) if callable(events) else events)
                await to_thread.run_sync(self._work_out, job_id, scenario, kept, seed, plan)
            except Stopped:
                return  # its row says why already
            except Exception as exc:  # a job fails in words; the server goes on
                log.exception("debrief %s failed", job_id)
                await to_thread.run_sync(self.jobs.fail, job_id, f"{type(exc).__name__}: {exc}")

    def _work_out(
        self,
        job_id: str,
        scenario: Scenario,
        events: tuple[Event, ...],
        seed: int,
        plan: DebriefPlan,
    ) -> None:
        """In a thread: the scenario's ensemble (kept), then the forecast line and the
        turning points on the pool, each stage's progress written as it goes."""
        last = [0.0]

        def progress(stage: str, done: int, planned: int) -> None:
            if time.monotonic() - last[0] < REPORT_EVERY and done < planned:
                return
            last[0] = time.monotonic()
            partial = {"stage": stage, "done": done, "planned": planned}
            if not self.jobs.advance(job_id, done, partial):
                raise Stopped(job_id)

        ensemble = self.scenario_ensemble(scenario, plan.typical_runs, progress)
        found = debrief(
            scenario,
            events,
            seed,
            ensemble,
            PoolForks(self._started(), self.workers),
            forecast_runs=plan.forecast_runs,
            screen=plan.screen,
            most=plan.most,
            on_progress=progress,
        )
        self.jobs.finish(job_id, int(found["turning_points"].get("forks", 0)), found)

    def scenario_ensemble(
        self, scenario: Scenario, runs: int, progress: Callable[[str, int, int], None]
    ) -> dict[str, Any] | None:
        """The scenario's ensemble of at least ``runs`` automated plays, from its row
        (kind ``scenario-ensemble``, about the scenario's digest) or played now on the pool
        and kept there: every game of a scenario is compared with the same plays, made
        once. None (no typicality) if it cannot be had; ``progress`` raising
        :class:`Stopped` stops it."""
        if runs <= 0:
            return None
        with self._starting:
            lock = self._ensembles.setdefault(scenario.digest, threading.Lock())
        with lock:  # two games of one scenario ending at once: the plays are made once
            for row in self.jobs.about(scenario.digest, ENSEMBLE, limit=20):
                if row.status == DONE and row.result and int(row.result.get("runs", 0)) >= runs:
                    return row.result
            params = {"scenario": scenario.id, "runs": runs, "seed": ENSEMBLE_SEED}
            row = self.jobs.create(None, ENSEMBLE, scenario.digest, params)
            self.jobs.start(row.id)
            executor = Pooled(self._started(), self.workers)
            aggregate = Aggregate(scenario)
            try:
                for chunk in executor.run(trial_tasks(scenario, runs, ENSEMBLE_SEED)):
                    aggregate.add(chunk)
                    self.jobs.advance(row.id, aggregate.n)
                    progress(PLAYS, aggregate.n, runs)
                    if aggregate.n >= runs:
                        break
            except Stopped:
                self.jobs.fail(row.id, STOPPED)
                raise
            except Exception as exc:  # the debrief goes on without typicality
                log.exception("the ensemble of scenario %s failed", scenario.digest[:12])
                self.jobs.fail(row.id, f"{type(exc).__name__}: {exc}")
                return None
            finally:
                executor.close()
            made = {**aggregate.summary(), "scenario_digest": scenario.digest}
            made["seed"] = ENSEMBLE_SEED
            self.jobs.finish(row.id, aggregate.n, made)
            return made

    async def _beat(self) -> None:
        """Keep the heartbeat of every job held here, waiting or working."""
        while True:
            await asyncio.sleep(BEAT_EVERY)
            if self._held:
                await to_thread.run_sync(self.jobs.beat_all, list(self._held))

    async def _trial(self, job_id: str, scenario: Scenario, runs: int, seed: int) -> None:
        async with self._slots:
            if not await to_thread.run_sync(self.jobs.start, job_id):
                return  # cancelled while it waited
            try:
                await to_thread.run_sync(self._play, job_id, scenario, runs, seed)
            except Stopped:
                return  # the server stopped while it waited: its row says so
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

    def _started(self) -> PacedPool:
        """The pool, through the pace that makes it give way to busy live play."""
        with self._starting:
            if self._closed:  # a job's thread that outlived the server: no new processes
                raise Stopped("the workshop is closed")
            if self._pool is None:
                self._pool = PacedPool(shared_pool(self.workers, NICE), self.pace)
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
        with self._starting:
            self._closed = True
        if self._beating is not None:
            self._beating.cancel()
        for job_id, task in list(self._held.items()):
            task.cancel()
            await to_thread.run_sync(self.jobs.fail, job_id, "stopped")
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await to_thread.run_sync(lambda: pool.shutdown(wait=True, cancel_futures=True))


def forecast_result(
    scenario: Scenario, events: Sequence[Event], rows: np.ndarray, seed: int, workers: int
) -> dict[str, Any]:
    """A forecast played on the pool, in the shape of :func:`whitecell.forecast.forecast`."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "scenario": scenario.id,
        "scenario_digest": scenario.digest,
        "seed": seed,
        "runs": len(rows),
        "workers": workers,
        "executor": "pool",
        "fork": where(events),
        "outcomes": summarise(scenario, rows),
        **summarise_escalation(scenario, rows),
    }


__all__ = [
    "ENSEMBLE",
    "MAX_UNFINISHED",
    "DebriefPlan",
    "PoolForks",
    "Stopped",
    "Workshop",
    "default_workers",
    "forecast_result",
    "fork_tasks",
    "trial_tasks",
]
