"""Scenarios: the file format, its validation and the compiled form the engine runs."""

from whitecell.scenario.compiled import Scenario, localize
from whitecell.scenario.load import (
    Located,
    ScenarioError,
    load_scenario_file,
    load_scenario_text,
    scenario_from_document,
)

__all__ = [
    "Located",
    "Scenario",
    "ScenarioError",
    "load_scenario_file",
    "load_scenario_text",
    "localize",
    "scenario_from_document",
]
