"""Every store test runs on both backends: a SQLite file and a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.pg import Postgres, start_or_skip
from whitecell.store.sql import Store


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    server = start_or_skip()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path) -> str:
    """A database URL of each kind, empty."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'whitecell.db'}"
    return request.getfixturevalue("postgres").database()


@pytest.fixture
def store(backend) -> Iterator[Store]:
    made = Store(backend)
    made.migrate()
    yield made
    made.close()
