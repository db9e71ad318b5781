"""Work asked for faster than it begins is begun in batches: each game's newest wish stands
for the ones before it, one batch is in hand at a time, and a batch that fails does not
stop the next."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from whitecell.web.drain import Drain


class Spawner:
    def __init__(self) -> None:
        self.tasks: list[asyncio.Task[None]] = []

    def __call__(self, work: Coroutine[Any, Any, None]) -> None:
        self.tasks.append(asyncio.ensure_future(work))

    async def settle(self) -> None:
        while not all(task.done() for task in self.tasks):
            await asyncio.gather(*self.tasks)


def test_rounds_closing_faster_than_forecasts_begin_are_taken_in_batches() -> None:
    batches: list[list[int]] = []
    gate = asyncio.Event()

    async def handle(batch: list[int]) -> None:
        batches.append(batch)
        await gate.wait()  # slower than the closes come

    async def play() -> Spawner:
        spawn = Spawner()
        drain: Drain[str, int] = Drain(spawn, handle)
        drain.want("g1", 1)
        await asyncio.sleep(0)  # the first batch is in hand
        for game, closed in [("g1", 2), ("g2", 1), ("g1", 3), ("g3", 1), ("g2", 2)]:
            drain.want(game, closed)
        drain.drop("g3")  # g3 ended while it waited
        gate.set()
        await spawn.settle()
        assert not drain.draining and not drain.wanted
        return spawn

    spawn = asyncio.run(play())
    assert batches == [[1], [3, 2]]  # g1's newest close, then g2's; one batch at a time
    assert len(spawn.tasks) == 1  # one draining task for all of them


def test_a_batch_that_fails_does_not_stop_the_next() -> None:
    seen: list[list[str]] = []
    spawn = Spawner()

    async def handle(batch: list[str]) -> None:
        seen.append(batch)
        if batch == ["bad"]:
            drain.want("g2", "good")  # asked for while the failing batch was in hand
            raise RuntimeError("the database is gone")

    drain: Drain[str, str] = Drain(spawn, handle)

    async def play() -> None:
        drain.want("g1", "bad")
        await spawn.settle()
        assert not drain.draining
        drain.want("g3", "later")  # a wish after the drain ran dry starts it again
        await spawn.settle()

    asyncio.run(play())
    assert seen == [["bad"], ["good"], ["later"]] and len(spawn.tasks) == 2
