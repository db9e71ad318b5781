"""What the source view suggests comes from the format and the text itself: the field
names allowed at each place, and the ids a scenario declares."""

from __future__ import annotations

from whitecell.scenario import schema as s
from whitecell.scenario.outline import declared, field_names
from whitecell.scenario.skeleton import skeleton

TEXT = skeleton("new-scenario", "scenario.yaml")


def test_each_place_allows_the_fields_of_its_model() -> None:
    names = field_names()
    assert names[""] == list(s.ScenarioFile.model_fields)
    assert names["actions[]"] == list(s.Action.model_fields)
    assert names["actions[].modifiers[]"] == list(s.Modifier.model_fields)
    assert names["negotiation.agreements[]"] == list(s.Agreement.model_fields)
    assert "meta.title" not in names  # a text is a language per key, not fields


def test_the_ids_a_scenario_declares_by_kind() -> None:
    found = declared(TEXT)
    assert found["teams"] == ["north", "south"]
    assert found["clauses"] == ["pullback"] and found["outcomes"] == ["truce_holds", "tension"]


def test_a_text_that_does_not_parse_declares_nothing_rather_than_failing() -> None:
    assert declared("teams: [unclosed\n") == {}
    assert declared("- a list at the top\n") == {}
