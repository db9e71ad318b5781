"""``whitecell serve`` in a process of its own, for tests that kill it: started with a
control password from the environment, signed in to through the real login form."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.web.server import free_port
from whitecell.store.sql import Store
from whitecell.web.auth import ACCOUNT_COOKIE, Signer

PASSWORD_ENV = "WHITECELL_TEST_PASSWORD"


@dataclass
class ServerProcess:
    db: str
    workdir: Path
    extra: tuple[str, ...] = ()
    port: int = field(default_factory=free_port)
    password: str = field(default_factory=lambda: uuid.uuid4().hex)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> ServerProcess:
        env = dict(os.environ, **{PASSWORD_ENV: self.password})
        command = [
            sys.executable, "-m", "whitecell", "serve", "--db", self.db, "--port", str(self.port),
            "--control-password-env", PASSWORD_ENV, *self.extra,
        ]  # fmt: skip
        log = (self.workdir / "server.log").open("ab")
        self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/login", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{self.log_tail()}")
            time.sleep(0.05)

    def log_tail(self, lines: int = 40) -> str:
        text = (self.workdir / "server.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no goodbye."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def control(self) -> httpx.Client:
        """The control account, signed in, with its CSRF header."""
        store = Store(self.db)
        try:
            signer = Signer(store.secret())
        finally:
            store.close()
        client = httpx.Client(base_url=self.url, timeout=10)
        r = client.post("/login", data={"name": "control", "password": self.password})
        cookie = client.cookies.get(ACCOUNT_COOKIE)
        assert r.status_code in (200, 303) and cookie, r.text
        client.headers["X-CSRF-Token"] = signer.csrf(cookie)
        return client
