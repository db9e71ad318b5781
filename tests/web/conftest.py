"""Fixtures for the web tests: a live server on loopback with a fresh SQLite file."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.server import Server


@pytest.fixture
def server(tmp_path) -> Iterator[Server]:
    s = Server(tmp_path / "whitecell.db").start()
    try:
        yield s
    finally:
        s.stop()
