"""Where an ensemble's chunks are played: in this process, in local processes, or on Ray.

Each executor takes tasks and hands back their chunks as they finish, in any
order; the parent folds them into the statistics. Workers never write anywhere.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures import Executor as ConcurrentExecutor
from typing import Any, Protocol

from whitecell.ensemble.run import Chunk, Task, run_chunk, worker_setup


class ExecutorError(Exception):
    """An executor that cannot run here, with what to do about it."""


class Executor(Protocol):
    name: str
    workers: int
    ships_document: bool  # whether tasks must carry the scenario document

    def prepare(self, document: dict[str, Any]) -> None: ...

    def run(self, tasks: Iterable[Task]) -> Iterator[Chunk]: ...

    def close(self, *, interrupted: bool = False) -> None: ...


class InProcess:
    """Every chunk in this process, one after the other (tests, small ensembles)."""

    name = "inprocess"
    workers = 1
    ships_document = True

    def prepare(self, document: dict[str, Any]) -> None:
        pass

    def run(self, tasks: Iterable[Task]) -> Iterator[Chunk]:
        for task in tasks:
            yield run_chunk(task)

    def close(self, *, interrupted: bool = False) -> None:
        pass


class LocalProcesses:
    """A pool of worker processes on this machine (started with ``spawn``)."""

    name = "local"
    ships_document = False  # each worker is handed the scenario once, when it starts

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool: Any = None

    def prepare(self, document: dict[str, Any]) -> None:
        if self.pool is None:
            context = multiprocessing.get_context("spawn")
            self.pool = context.Pool(self.workers, initializer=worker_setup, initargs=(document,))

    def run(self, tasks: Iterable[Task]) -> Iterator[Chunk]:
        yield from self.pool.imap_unordered(run_chunk, tasks)

    def close(self, *, interrupted: bool = False) -> None:
        if self.pool is None:
            return
        if interrupted:
            self.pool.terminate()
        else:
            self.pool.close()
        self.pool.join()
        self.pool = None


def _ray_chunk(document: list[Any], task: Task) -> Chunk:
    """On a Ray worker: the scenario comes by reference (wrapped in a list so Ray does not
    fetch it for every task) and is fetched and compiled once per worker."""
    if not getattr(_ray_chunk, "ready", False):
        worker_setup()
        _ray_chunk.ready = True  # type: ignore[attr-defined]
    from whitecell.ensemble.run import _SCENARIOS, learn

    if task.digest not in _SCENARIOS:
        import ray

        learn(ray.get(document[0]))
    return run_chunk(task)


def _check_reachable(address: str) -> None:
    """Fail in seconds on a wrong address: Ray itself retries for minutes."""
    if address == "auto":
        return
    where = address.removeprefix("ray://")
    host, _, port = where.rpartition(":")
    if not host or not port.isdigit():
        raise ExecutorError(
            f"cannot reach Ray at {address}: expected HOST:PORT, ray://HOST:PORT or auto"
        )
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as exc:
        raise ExecutorError(f"cannot reach Ray at {address}: {exc}") from None


def start_ray(ray: Any, workers: int, address: str | None) -> bool:
    """Connect to the cluster at ``address`` or start a local Ray of ``workers`` CPUs,
    unless one is already running here; True when this call started it."""
    if address:
        _check_reachable(address)
    if ray.is_initialized():
        return False
    options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
    if address:
        options["address"] = address
    else:
        options["num_cpus"] = workers
    try:
        ray.init(**options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ExecutorError(f"cannot reach Ray at {address or 'a local instance'}: {exc}") from None
    return True


class RayExecutor:
    """Ray tasks, one CPU each, on a cluster (``address``) or a local Ray instance."""

    name = "ray"
    ships_document = False

    def __init__(self, workers: int, address: str | None = None) -> None:
        try:
            import ray
        except ImportError:
            raise ExecutorError(
                "the Ray executor needs Ray: pip install 'whitecell[ray]'"
            ) from None
        self.ray = ray
        self.workers = workers
        self.started_here = start_ray(ray, workers, address)
        self.remote = ray.remote(num_cpus=1)(_ray_chunk)
        self.document: Any = None

    def prepare(self, document: dict[str, Any]) -> None:
        self.document = self.ray.put(document)

    def run(self, tasks: Iterable[Task]) -> Iterator[Chunk]:
        ray = self.ray
        pending: list[Any] = []
        queue = iter(tasks)
        limit = max(2, 2 * self.workers)  # enough in flight to keep every CPU busy
        while True:
            while len(pending) < limit:
                task = next(queue, None)
                if task is None:
                    break
                pending.append(self.remote.remote([self.document], task))
            if not pending:
                return
            done, pending = ray.wait(pending, num_returns=1)
            yield ray.get(done[0])

    def close(self, *, interrupted: bool = False) -> None:
        if self.started_here:
            self.ray.shutdown()


ORPHAN_CHECK_S = 2.0  # how often a background worker checks that its server still lives


def _background_setup(nice: int, parent: int | None = None) -> None:
    """In a background worker: give way to the server's own process, then as any worker;
    and go when the server is gone (killed, it cannot shut its pool down, and a worker
    waiting on the pool's queue would otherwise wait for ever)."""
    os.nice(nice)
    if nice and hasattr(os, "SCHED_IDLE"):
        # Linux: run only on a core nothing else wants (a niced process still takes a
        # tenth of a busy core from the server, and that showed in live answers' p99)
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    worker_setup()
    if parent is not None:
        threading.Thread(target=_leave_with, args=(parent,), daemon=True).start()


def _leave_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_S)
    os._exit(0)


def shared_pool(workers: int, nice: int = 0) -> ProcessPoolExecutor:
    """Worker processes that outlive one ensemble (a server's background work): started
    with ``spawn``, each ignores Ctrl-C, learns each scenario the first time it plays it,
    and runs ``nice`` steps below the process that started it (so that, on a machine with
    few cores, the server's answers come first)."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_background_setup,
        initargs=(nice, os.getpid()),
    )


class Pooled:
    """Chunks on a :func:`shared_pool`. Several ensembles may share its processes: each
    keeps only a few chunks in flight, so the pool's queue serves them in turn."""

    name = "pool"
    ships_document = True  # the pool's processes may not have met this scenario yet

    def __init__(self, pool: ConcurrentExecutor, workers: int) -> None:
        self.pool = pool
        self.workers = workers
        self.pending: set[Future[Chunk]] = set()

    def prepare(self, document: dict[str, Any]) -> None:
        pass

    def run(self, tasks: Iterable[Task]) -> Iterator[Chunk]:
        queue = iter(tasks)
        limit = max(2, 2 * self.workers)
        while True:
            while len(self.pending) < limit:
                task = next(queue, None)
                if task is None:
                    break
                self.pending.add(self.pool.submit(run_chunk, task))
            if not self.pending:
                return
            done, self.pending = wait(self.pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()

    def close(self, *, interrupted: bool = False) -> None:
        """Drop the chunks not yet begun (a running one finishes in its worker, unread)."""
        for future in self.pending:
            future.cancel()
        self.pending = set()


def executor(name: str, workers: int, address: str | None = None) -> Executor:
    if workers < 1:
        raise ExecutorError("--workers must be at least 1")
    if name == "inprocess":
        return InProcess()
    if name == "local":
        return InProcess() if workers == 1 else LocalProcesses(workers)
    if name == "ray":
        return RayExecutor(workers, address)
    raise ExecutorError(f"unknown executor '{name}' (allowed: local, ray, inprocess)")
