"""Work asked for faster than it can be done one request at a time, done in batches.

A class closes its rounds and ends its games together, and a server playing games through
the API closes dozens a second. Each close asks for a forecast and each end for a debrief;
begun one by one, each under a lock and with its own trip to a database thread, they
queued up faster than they were begun, each holding its game in memory. A drain keeps
the newest wish per key (a game) and one task that takes all the wishes waiting, as one
batch, whenever the last batch is done: however fast wishes come, there is at most one
per game waiting and one batch in hand.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

log = logging.getLogger("whitecell.web")


class Drain(Generic[K, V]):
    def __init__(
        self,
        spawn: Callable[[Coroutine[Any, Any, None]], None],
        handle: Callable[[list[V]], Awaitable[None]],
    ) -> None:
        self.spawn = spawn  # runs the draining task (the hub's, so a shutdown awaits it)
        self.handle = handle
        self.wanted: dict[K, V] = {}
        self.draining = False

    def want(self, key: K, value: V) -> None:
        """Ask for ``value``'s work; it replaces what ``key`` still had waiting."""
        self.wanted[key] = value
        if not self.draining:
            self.draining = True
            self.spawn(self._drain())

    def drop(self, key: K) -> None:
        """Forget what ``key`` had waiting (its game ended: the work is moot)."""
        self.wanted.pop(key, None)

    async def _drain(self) -> None:
        try:
            while self.wanted:
                batch = list(self.wanted.values())
                self.wanted.clear()
                try:
                    await self.handle(batch)
                except Exception:  # one failed batch must not stop the next
                    log.exception("background work for %d games failed to begin", len(batch))
        finally:
            self.draining = False
