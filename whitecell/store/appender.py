"""PostgreSQL appends made on the server's event loop, with psycopg's async connections.

A live command's one write is its append. Made in a thread, each round trip to the
database ended with the thread waiting for the interpreter lock while the event loop
held it, and the game's lock was held all the while: under an institution's load that
was most of a command's time. Here the append is one pipelined round trip (BEGIN, the
events, the notification, the answer, COMMIT) awaited on the loop itself.

The connections belong to the event loop that made them; a store used from another loop
(a test's second ``asyncio.run``) makes new ones. A connection idle for a while is
checked before use, as the store's pool does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

POOL = 4  # connections a process keeps for appends
IDLE_PING_S = 5.0  # a pooled connection unused this long is checked before it is used


class AsyncAppender:
    def __init__(self, conninfo: str, size: int = POOL) -> None:
        self.conninfo = conninfo
        self.size = size
        self._loop: asyncio.AbstractEventLoop | None = None
        self._room = asyncio.Semaphore(size)  # made again for each event loop
        self._free: list[tuple[Any, float]] = []  # (connection, when it was last used)

    async def run(self, statements: Sequence[Statement]) -> None:
        """``statements`` in one transaction, sent at once. Raises psycopg's errors (an
        ``IntegrityError`` when a key was taken)."""
        import psycopg

        self._own_loop()
        async with self._room:
            conn = await self._take()
            try:
                async with conn.pipeline(), conn.transaction(), conn.cursor() as cur:
                    for sql, params, many in statements:
                        if many:
                            await cur.executemany(sql, params)
                        else:
                            await cur.execute(sql, params)
            except psycopg.OperationalError:
                conn.pgconn.finish()  # lost: the next append makes a new one
                raise
            except psycopg.Error:
                self._give_back(conn)  # refused (a key taken) and rolled back: still good
                raise
            except BaseException:
                conn.pgconn.finish()  # cancelled midway: its state is not worth trusting
                raise
            self._give_back(conn)

    async def _take(self) -> Any:
        """A free connection (checked first if it sat idle), or a new one."""
        import psycopg

        while self._free:
            conn, used = self._free.pop()
            if time.monotonic() - used < idle_ping_s():
                return conn
            try:
                await conn.execute("SELECT 1")
                return conn
            except psycopg.Error:
                conn.pgconn.finish()
        return await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)

    def _give_back(self, conn: Any) -> None:
        if conn.closed or conn.broken:
            conn.pgconn.finish()
        else:
            self._free.append((conn, time.monotonic()))

    def _own_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self.drop()
            self._loop, self._room = loop, asyncio.Semaphore(self.size)

    def drop(self) -> None:
        """Close every free connection at once (they may belong to a loop that ended)."""
        for conn, _used in self._free:
            conn.pgconn.finish()
        self._free = []


def idle_ping_s() -> float:
    """Read at each use (a test shortens it)."""
    return IDLE_PING_S


PG_EVENT = (
    "INSERT INTO events (game_id, seq, type, data, created_at) "
    "VALUES (%(game_id)s, %(seq)s, %(type)s, %(data)s, %(created_at)s)"
)
PG_ANSWER = (
    "INSERT INTO idempotency (principal, key, game_id, status, response, fingerprint, "
    "created_at) VALUES (%(principal)s, %(key)s, %(game_id)s, %(status)s, %(response)s, "
    "%(fingerprint)s, %(created_at)s)"
)
Statement = tuple[str, Any, bool]  # SQL, its parameters, whether they are many rows


def append_statements(
    game_id: str,
    rows: Sequence[dict[str, Any]],
    listing: dict[str, Any],
    notify: tuple[str, str] | None,
    answer: dict[str, Any] | None,
) -> list[Statement]:
    """An append as PostgreSQL statements: the events' rows, what changes in the game's
    row, the notification (channel, payload), the request's answer."""
    out: list[Statement] = []
    if rows:
        out.append((PG_EVENT, list(rows), True))
    if listing:
        sets = ", ".join(f"{k} = %({k})s" for k in listing)
        out.append((f"UPDATE games SET {sets} WHERE id = %(id)s", listing | {"id": game_id}, False))
    if notify is not None:
        out.append(("SELECT pg_notify(%s, %s)", notify, False))
    if answer is not None:
        out.append((PG_ANSWER, answer, False))
    return out


__all__ = [
    "IDLE_PING_S",
    "PG_ANSWER",
    "PG_EVENT",
    "AsyncAppender",
    "Statement",
    "append_statements",
    "idle_ping_s",
]
