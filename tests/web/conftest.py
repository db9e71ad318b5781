"""Fixtures for the web tests: a live server on loopback with a fresh SQLite file."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.web.server import Server
from whitecell.web.auth import ACCOUNT_COOKIE, hash_password


@pytest.fixture
def server(tmp_path) -> Iterator[Server]:
    s = Server(tmp_path / "whitecell.db").start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory) -> Iterator[Server]:
    """One live server for a whole test module (starting one costs a migration and a
    password hash); each test makes its own game on it."""
    s = Server(tmp_path_factory.mktemp("shared") / "whitecell.db").start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def account(shared_server) -> Iterator[httpx.Client]:
    """The control account's browser session on the shared server, signed in once."""
    c = shared_server.control()
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def stranger(shared_server: Server) -> Iterator[httpx.Client]:
    """Another control account of the same server, signed in."""
    ctx = shared_server.app.state.ctx
    name = f"other-{ctx.store.account_count()}"
    ctx.store.create_account(name, hash_password("another long password"))
    c = httpx.Client(base_url=shared_server.url, timeout=10)
    r = c.post("/login", data={"name": name, "password": "another long password"})
    assert r.status_code in (200, 303), r.text
    c.headers["X-CSRF-Token"] = ctx.signer.csrf(c.cookies[ACCOUNT_COOKIE])
    yield c
    c.close()
