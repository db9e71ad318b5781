"""Reading a scenario's text: what YAML cannot make into a value is a problem at its line,
never a crash."""

from __future__ import annotations

import pytest

from whitecell.scenario.load import ScenarioError, load_scenario_text
from whitecell.scenario.skeleton import skeleton

SKELETON = skeleton("new-scenario", "scenario.yaml")


def test_an_impossible_date_is_a_problem_at_its_line() -> None:
    text = SKELETON.replace("situation_date: 2025-01-01", "situation_date: 2025-13-01", 1)
    assert text != SKELETON
    line = 1 + text[: text.index("2025-13-01")].count("\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "scenario.yaml")
    [problem] = caught.value.problems
    assert (problem.line, problem.path) == (line, "meta.situation_date")
    assert "'2025-13-01' cannot be read" in problem.message
