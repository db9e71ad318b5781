"""Where the plays of forks run: in this process, in local worker processes, or on Ray.

Forecasts and turning points send many small batches of forks, in several waves (turning
points screen every candidate, then spend more runs where it matters). One pool lives for
all the waves, so the workers start once. Tasks carry the scenario's document and each
worker compiles it once (``scenario_by``); results come back in the order sent.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Protocol, TypeVar

import numpy as np

from whitecell.ensemble.executors import ExecutorError, start_ray
from whitecell.ensemble.run import worker_setup

T = TypeVar("T")
Batch = Callable[[Any], np.ndarray]


class Forks(Protocol):
    """Anything that plays batches of forks: a ``ForkPool``, or the server's workshop."""

    def map(
        self, batch: Batch, tasks: Sequence[T], on_done: Callable[[T], None] | None = None
    ) -> list[np.ndarray]: ...


class ForkPool:
    """``executor`` "local" (``workers`` processes; one worker plays here), "inprocess",
    or "ray" (the cluster at ``address``, the Ray running here, or a local one)."""

    def __init__(
        self, workers: int = 1, executor: str = "local", address: str | None = None
    ) -> None:
        self.workers = max(1, workers)
        self.executor = executor
        self.address = address
        self._pool: Any = None
        self._ray: Any = None
        self._ray_started = False
        self._remotes: dict[Batch, Any] = {}

    def __enter__(self) -> ForkPool:
        if self.executor == "ray":
            try:
                import ray
            except ImportError:
                raise ExecutorError("forks on Ray need Ray: pip install 'whitecell[ray]'") from None
            self._ray = ray
            self._ray_started = start_ray(ray, self.workers, self.address)
        elif self.executor == "local" and self.workers > 1:
            context = multiprocessing.get_context("spawn")
            self._pool = context.Pool(self.workers, initializer=worker_setup)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            if kind is None:
                self._pool.close()
            else:
                self._pool.terminate()
            self._pool.join()
            self._pool = None
        if self._ray_started:
            self._ray.shutdown()
            self._ray_started = False

    def map(
        self, batch: Batch, tasks: Sequence[T], on_done: Callable[[T], None] | None = None
    ) -> list[np.ndarray]:
        """``batch(task)`` for every task, in order; ``on_done(task)`` as each is back."""
        if not tasks:
            return []
        if self._ray is not None:
            remote = self._remotes.get(batch)
            if remote is None:
                remote = self._remotes[batch] = self._ray.remote(num_cpus=1)(batch)
            refs = [remote.remote(task) for task in tasks]
            waiting = list(refs)
            while waiting:
                ready, waiting = self._ray.wait(waiting, num_returns=1)
                if on_done is not None:
                    on_done(tasks[refs.index(ready[0])])
            return list(self._ray.get(refs))
        results: list[np.ndarray] = []
        parts = self._pool.imap(batch, tasks) if self._pool is not None else map(batch, tasks)
        for task, rows in zip(tasks, parts, strict=True):
            results.append(rows)
            if on_done is not None:
                on_done(task)
        return results


__all__ = ["ForkPool", "Forks"]
