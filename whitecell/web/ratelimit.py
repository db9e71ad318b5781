"""Rate limits on the doors: signing in and opening join links.

A token bucket per client address and door: a burst is allowed, then attempts refill at a
steady rate; beyond that the answer is 429 with ``Retry-After``. Guessing a 192-bit token
is hopeless anyway; the limit stops a password being guessed and keeps a flood of
requests from hurting a class in progress. Buckets live in each server process (with
several processes the limit applies per process), and idle ones are forgotten.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class Door:
    """Requests that share a limit: ``burst`` at once, then ``per_minute``."""

    name: str
    method: str
    prefix: str
    burst: int
    per_minute: float


DOORS = (
    Door("login", "POST", "/login", burst=10, per_minute=10),
    Door("setup", "POST", "/setup", burst=10, per_minute=10),
    Door("join", "GET", "/join/", burst=30, per_minute=30),
)


class Buckets:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.levels: dict[
            tuple[str, str], tuple[float, float]
        ] = {}  # (door, client) -> (tokens, at)

    def take(self, door: Door, client: str) -> float:
        """0 if the request may pass, else the seconds until it may."""
        now = self.clock()
        rate = door.per_minute / 60
        tokens, at = self.levels.get((door.name, client), (float(door.burst), now))
        tokens = min(door.burst, tokens + (now - at) * rate)
        if tokens >= 1:
            self.levels[(door.name, client)] = (tokens - 1, now)
            self._forget(now)
            return 0.0
        self.levels[(door.name, client)] = (tokens, now)
        return (1 - tokens) / rate

    def _forget(self, now: float) -> None:
        if len(self.levels) > 10_000:  # a full bucket is the same as no bucket
            self.levels = {k: v for k, v in self.levels.items() if now - v[1] < 600}


class RateLimit:
    """ASGI middleware in front of the app."""

    def __init__(
        self, app: Any, doors: tuple[Door, ...] = DOORS, buckets: Buckets | None = None
    ) -> None:
        self.app = app
        self.doors = doors
        self.buckets = buckets or Buckets()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path, method = scope.get("path", ""), scope.get("method", "")
            for door in self.doors:
                if method == door.method and path.startswith(door.prefix):
                    client = (scope.get("client") or ("?", 0))[0]
                    wait = self.buckets.take(door, client)
                    if wait > 0:
                        await _refuse(send, wait)
                        return
                    break
        await self.app(scope, receive, send)


async def _refuse(send: Send, wait: float) -> None:
    seconds = max(1, math.ceil(wait))
    body = json.dumps(
        {
            "error": {
                "code": "rate_limited",
                "message": f"too many attempts: try again in {seconds} s",
                "messages": {
                    "en": f"too many attempts: try again in {seconds} s",
                    "ja": f"試行回数が多すぎます。{seconds}秒後にもう一度お試しください",
                },
            }
        },
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"retry-after", str(seconds).encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
