"""Background work gives way to busy live play: while many events a second are folded, the
pool takes one task at a time and rests between them; when play is quiet it runs freely.
The pace runs on a clock the test moves; the pool is a real thread pool."""

from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from whitecell.live.pace import Pace, PacedPool, noted


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_play_is_busy_while_events_come_faster_than_the_threshold_and_quiet_after() -> None:
    clock = Clock()
    pace = Pace(busy_per_s=20, window=2.0, clock=clock)
    assert not pace.busy()
    for _ in range(10):
        clock.now += 0.1
        pace.note(5)  # 50 events a second
    assert pace.busy()
    clock.now += 2.5  # a window later: the last window still counts, partly
    assert pace.rate() < 25
    clock.now += 2.0
    assert pace.rate() == 0 and not pace.busy()


def test_a_few_events_a_second_are_quiet_play() -> None:
    clock = Clock()
    pace = Pace(busy_per_s=20, window=2.0, clock=clock)
    listener = noted(pace)
    for _ in range(40):
        clock.now += 0.25
        listener("g1", [object(), object()])  # 8 events a second
    assert 7 <= pace.rate() <= 9 and not pace.busy()


class Work:
    """Tasks that each take ``seconds``, recording when they ran."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spans: list[tuple[float, float]] = []
        self.lock = threading.Lock()

    def __call__(self) -> None:
        start = time.monotonic()
        time.sleep(self.seconds)
        with self.lock:
            self.spans.append((start, time.monotonic()))


def overlapping(spans: list[tuple[float, float]]) -> int:
    ordered = sorted(spans)
    return sum(1 for a, b in itertools.pairwise(ordered) if b[0] < a[1])


@pytest.mark.parametrize("busy", [False, True], ids=["quiet", "busy"])
def test_the_pool_takes_one_task_at_a_time_and_rests_only_while_play_is_busy(busy: bool) -> None:
    pace = Pace(busy_per_s=0 if busy else 1e9)  # always busy, or never
    work = Work(0.05)
    with ThreadPoolExecutor(4) as threads:
        pool = PacedPool(threads, pace, share=0.5)  # rest as long as each task took
        futures = [pool.submit(work) for _ in range(6)]
        for f in futures:
            f.result()
    spans = sorted(work.spans)
    if busy:
        assert overlapping(spans) == 0
        gaps = [b[0] - a[1] for a, b in itertools.pairwise(spans)]
        assert min(gaps) >= 0.04  # a rest about as long as the task before it
    else:
        assert overlapping(spans) >= 3  # all four threads at work at once


def test_a_pool_shut_while_a_task_waits_for_its_turn_refuses_it() -> None:
    pace = Pace(busy_per_s=0)
    work = Work(0.2)
    with ThreadPoolExecutor(2) as threads:
        pool = PacedPool(threads, pace)
        first = pool.submit(work)
        refused: list[BaseException] = []

        def second() -> None:
            try:
                pool.submit(work)
            except RuntimeError as exc:
                refused.append(exc)

        waiter = threading.Thread(target=second)
        waiter.start()
        time.sleep(0.05)
        pool.shutdown(wait=True)
        waiter.join(timeout=5)
        assert first.done()
    assert len(refused) == 1 and "shutdown" in str(refused[0])
    assert len(work.spans) == 1
