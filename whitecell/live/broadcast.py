"""Live updates across server processes: PostgreSQL LISTEN/NOTIFY.

A notification is small and only says what changed ("game G is at event N", "seat S
changed", "game G exists"); each process then reads what it needs from the database.
One thread per process listens on its own connection and hands each notification to
the event loop. After the connection drops and comes back, the process catches every
game up, since notifications sent meanwhile are lost.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

import sqlalchemy as sa

from whitecell.store.sql import CHANNEL

log = logging.getLogger("whitecell.broadcast")
RESYNC = "*|resync"  # handed on after a reconnection: everything may have moved


class Listener:
    def __init__(
        self, url: str, handle: Callable[[str], None], loop: asyncio.AbstractEventLoop
    ) -> None:
        made = sa.make_url(url)
        self.conninfo = made.set(drivername="postgresql").render_as_string(hide_password=False)
        self.handle = handle
        self.loop = loop
        self.stopped = threading.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name="whitecell-listen", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)

    def _run(self) -> None:
        import psycopg

        backoff, first = 0.2, True
        while not self.stopped.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    if not first:
                        self._hand_on(RESYNC)
                    first, backoff = False, 0.2
                    self.ready.set()
                    while not self.stopped.is_set():
                        for note in conn.notifies(timeout=0.5):
                            self._hand_on(note.payload)
            except psycopg.Error as exc:
                log.warning("lost the notification connection (%s); reconnecting", exc)
                self.stopped.wait(backoff)
                backoff = min(backoff * 2, 5.0)

    def _hand_on(self, payload: str) -> None:
        try:
            self.loop.call_soon_threadsafe(self.handle, payload)
        except RuntimeError:  # the loop is closing
            self.stopped.set()
