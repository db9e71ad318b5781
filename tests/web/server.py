"""A real whitecell server on loopback for tests: uvicorn in a thread over a SQLite file."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from whitecell.store.sql import Store
from whitecell.web.app import create_app
from whitecell.web.auth import ACCOUNT_COOKIE, hash_password

PASSWORD = "correct horse battery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    db: Path
    port: int = field(default_factory=free_port)
    thread: threading.Thread | None = None
    server: uvicorn.Server | None = None
    app: Any = None
    model: Any = None  # a whitecell.live.model_seats.ModelConfig: the server's language model
    rate_limits: bool = False
    # a finished game's debrief plays thousands of forks in the background: only the
    # tests of debriefs ask for them (tests/web/test_debrief_report.py)
    debrief: Any = None
    warm_reports: bool = False  # a finished game's report made as it ends (serve option)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        store = Store(f"sqlite:///{self.db}")
        store.migrate()
        if store.account_count() == 0:
            store.create_account("control", hash_password(PASSWORD))
        # the tests sign in and open links far faster than people: doors are tested alone
        self.app = create_app(
            store,
            self.model,
            rate_limits=self.rate_limits,
            debrief=self.debrief,
            warm_reports=self.warm_reports,
        )
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=15)
        if self.app is not None:
            self.app.state.ctx.store.close()

    def control(self) -> httpx.Client:
        """A browser-like session of the control account: its cookie and CSRF header.
        Already used to sign in, so close it rather than enter it with ``with``."""
        c = httpx.Client(base_url=self.url, timeout=10)
        r = c.post("/login", data={"name": "control", "password": PASSWORD})
        assert r.status_code in (200, 303), r.text
        cookie = c.cookies.get(ACCOUNT_COOKIE)
        assert cookie, "no session cookie after signing in"
        c.headers["X-CSRF-Token"] = self.app.state.ctx.signer.csrf(cookie)
        return c

    def create_game(
        self, scenario: str = "ukraine-ceasefire-2025", **options: Any
    ) -> dict[str, Any]:
        """A game made through the API by the control account; its id and join links."""
        c = self.control()
        try:
            r = c.post("/api/v1/games", json={"scenario": scenario, **options})
        finally:
            c.close()
        assert r.status_code == 201, r.text
        return r.json()


def seat_tokens(created: dict[str, Any]) -> dict[str, str]:
    """Seat name -> token of its first link (a team's lead)."""
    out: dict[str, str] = {}
    for link in created["links"]:
        out.setdefault(link["seat"], link["token"])
    return out


def bearer(server: Server, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
