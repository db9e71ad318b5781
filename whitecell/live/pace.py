"""Background work that gives way to live play.

The workers run below the server's priority (``SCHED_IDLE`` on Linux), yet on a machine of
two cores a worker that plays forks beside a busy class still slowed live answers: it shares
caches and, on a virtual machine, the host's cores with them. So while the live games are
busy (many events a second) the background pool takes one chunk at a time and rests
between chunks, using at most ``share`` of one worker; when play is quiet it runs freely.
A forecast then takes longer in a crowded hour, and live answers keep their pace.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

BUSY_EVENTS_PER_S = 20.0  # live events a second, over WINDOW_S, above which play is busy
WINDOW_S = 2.0
SHARE = 0.25  # of one worker, for background work while play is busy


class Pace:
    """How busy live play is: the events the hub has folded lately."""

    def __init__(
        self,
        busy_per_s: float = BUSY_EVENTS_PER_S,
        window: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.busy_per_s = busy_per_s
        self.window = window
        self.clock = clock
        self._lock = threading.Lock()
        self._now = 0  # events in the current window
        self._before = 0  # events in the window before it
        self._start = clock()

    def note(self, events: int = 1) -> None:
        """Live events were folded (the hub's listener: called in the event loop)."""
        with self._lock:
            self._roll()
            self._now += events

    def rate(self) -> float:
        """Events a second over about the last ``window`` seconds."""
        with self._lock:
            self._roll()
            part = (self.clock() - self._start) / self.window
            return (self._now + self._before * max(0.0, 1.0 - part)) / self.window

    def busy(self) -> bool:
        return self.rate() >= self.busy_per_s

    def _roll(self) -> None:
        elapsed = self.clock() - self._start
        if elapsed >= 2 * self.window:
            self._before, self._now, self._start = 0, 0, self.clock()
        elif elapsed >= self.window:
            self._before, self._now, self._start = self._now, 0, self._start + self.window


class PacedPool(Executor):
    """An executor in front of the background pool: while ``pace`` says play is busy,
    one task at a time, each followed by a rest so that the pool works at most ``share``
    of the time. Callers submit from their own threads and may wait here."""

    def __init__(self, pool: Executor, pace: Pace, share: float = SHARE) -> None:
        self.pool = pool
        self.pace = pace
        self.rest_ratio = (1.0 - share) / share
        self._turn = threading.Condition()
        self._in_flight = 0
        self._rest_until = 0.0
        self._shut = False

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        with self._turn:
            while not self._shut and self.pace.busy():
                wait = self._rest_until - time.monotonic()
                if self._in_flight == 0 and wait <= 0:
                    break
                self._turn.wait(timeout=max(0.02, min(wait, 0.5)))
            if self._shut:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._in_flight += 1
        started = time.monotonic()
        try:
            future = self.pool.submit(fn, *args, **kwargs)
        except BaseException:
            self._finished(started, rest=False)
            raise
        future.add_done_callback(lambda _f: self._finished(started))
        return future

    def _finished(self, started: float, rest: bool = True) -> None:
        with self._turn:
            self._in_flight -= 1
            if rest and self.pace.busy():
                took = time.monotonic() - started
                self._rest_until = max(self._rest_until, time.monotonic() + took * self.rest_ratio)
            self._turn.notify_all()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._turn:
            self._shut = True
            self._turn.notify_all()
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def noted(pace: Pace) -> Callable[[str, list[Any]], None]:
    """A hub listener that tells ``pace`` of every batch of events folded."""

    def listener(_game_id: str, new: list[Any]) -> None:
        pace.note(len(new))

    return listener


__all__ = ["Pace", "PacedPool", "noted"]
