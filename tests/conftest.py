"""Shared fixtures: the rule-case base scenario and the bundled scenario, compiled once."""

from __future__ import annotations

from pathlib import Path

import pytest

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
