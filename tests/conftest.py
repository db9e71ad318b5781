"""Shared fixtures: the rule-case base scenario and the bundled scenario, compiled once, and
a real PostgreSQL server for the tests that run on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg import Postgres, start_or_skip
from whitecell.scenario import Scenario, load_scenario_file
from whitecell.scenario.library import load_bundled

BASE_YAML = Path(__file__).resolve().parents[1] / "whitecell" / "selftest" / "base.yaml"


@pytest.fixture(scope="session")
def base_scenario() -> Scenario:
    """Three teams (red, blue, green), a UN envoy, three rounds: action, negotiation, action."""
    return load_scenario_file(BASE_YAML)


@pytest.fixture(scope="session")
def ukraine() -> Scenario:
    return load_bundled("ukraine-ceasefire-2025")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """One throwaway PostgreSQL cluster for the whole run; each test takes a fresh database."""
    server = start_or_skip()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL of each kind: the test runs once on each."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'whitecell.db'}"
    return request.getfixturevalue("postgres").database()  # type: ignore[no-any-return]
