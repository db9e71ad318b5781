"""Every store test runs on both backends (``backend`` in tests/conftest.py): a SQLite
file and a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from whitecell.store.sql import Store


@pytest.fixture
def store(backend) -> Iterator[Store]:
    made = Store(backend)
    made.migrate()
    yield made
    made.close()
