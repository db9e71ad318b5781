"""Fixtures for the web tests: a live server on loopback with a fresh SQLite file."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.web.server import Server


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
