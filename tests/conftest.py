"""Shared fixtures: the rule-case base scenario and the bundled scenario, compiled once, and
a real PostgreSQL server for the tests that run on both databases, and a real local Ray
instance for the tests of the Ray executor."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="module")
def ray_instance() -> Iterator[Any]:
    """One real local Ray instance (2 CPUs) for the whole module."""
    try:
        import ray
    except ImportError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Ray must be installed in CI (pip install -e '.[dev]'): {exc}")
        message = f"RAY IS NOT INSTALLED: the Ray executor is NOT tested here ({exc})"
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()
