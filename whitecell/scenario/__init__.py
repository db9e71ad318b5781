"""Scenarios: the file format, its validation and the compiled form the engine runs."""

from whitecell.scenario.load import (
    Located,
    ScenarioError,
    load_scenario_file,
    load_scenario_text,
    scenario_from_document,
)
from whitecell.scenario.model import Scenario, localize

__all__ = [
    "Located",
    "Scenario",
    "ScenarioError",
    "load_scenario_file",
    "load_scenario_text",
    "localize",
    "scenario_from_document",
]
