"""The escalation ladder in a scenario: rungs with weights (the default five when the file
writes none), and a rung on each catalogue action, checked where the author wrote it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.scenario.test_validation import BASE, edit, line_of, only
from whitecell.scenario import Located, ScenarioError, load_scenario_file
from whitecell.scenario.library import bundled_ids, bundled_path, load_bundled
from whitecell.scenario.load import load_scenario_text
from whitecell.scenario.problems_ja import in_japanese

LADDER = """escalation:
  levels:
    - {id: calm, label: {en: Calming, ja: 鎮静}, weight: -1.5}
    - {id: shove, label: {en: Shoving, ja: 小競り合い}, weight: 7}
"""
PATROL = "  - id: patrol\n    label: {en: Patrol the border, ja: 国境を巡回}\n"


@pytest.fixture
def problems_of(tmp_path: Path) -> Callable[[str], list[Located]]:
    """The problems reported for a scenario file holding ``text``."""

    def run(text: str) -> list[Located]:
        path = tmp_path / "laddered.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_scenario_file(path)
        except ScenarioError as exc:
            return exc.problems
        raise AssertionError("the scenario loaded without problems")

    return run


def with_rung(rung: str, text: str = BASE) -> str:
    return edit(PATROL, PATROL + f"    escalation: {rung}\n", text)


def test_without_a_ladder_a_scenario_has_the_default_five_rungs_and_their_weights() -> None:
    sc = load_scenario_text(with_rung("violent"))
    assert sc.escalation_weights == {
        "de_escalation": -2.0,
        "posturing": 4.0,
        "non_violent": 12.0,
        "violent": 28.0,
        "nuclear": 60.0,
    }
    assert all(set(level.label) == {"en", "ja"} for level in sc.ladder)
    assert sc.action["patrol"].escalation == "violent"
    assert sc.action["aid"].escalation is None  # not scored
    assert sc.scores_escalation


def test_a_scenario_whose_actions_name_no_rung_has_no_index() -> None:
    assert not load_scenario_text(BASE).scores_escalation


def test_a_ladder_written_in_the_file_replaces_the_default() -> None:
    sc = load_scenario_text(with_rung("shove", BASE + LADDER))
    assert sc.escalation_weights == {"calm": -1.5, "shove": 7.0}
    assert [level.label["ja"] for level in sc.ladder] == ["鎮静", "小競り合い"]
    assert sc.action["patrol"].escalation == "shove"


def test_an_unknown_rung_is_reported_at_its_line_with_the_known_rungs(problems_of) -> None:
    text = with_rung("violnt")
    problem = only(problems_of(text))
    assert problem.line == line_of(text, "escalation: violnt")
    assert problem.path == "actions[0].escalation"
    assert problem.message == (
        "unknown escalation level 'violnt' "
        "(known: de_escalation, non_violent, nuclear, posturing, violent)"
    )
    assert in_japanese(problem.message) == (
        "未知のエスカレーションの段階 'violnt'"
        "(定義済み:de_escalation, non_violent, nuclear, posturing, violent)"
    )


def test_a_rung_of_the_default_ladder_is_unknown_once_the_file_writes_its_own(
    problems_of,
) -> None:
    text = with_rung("violent", BASE + LADDER)
    problem = only(problems_of(text))
    assert problem.line == line_of(text, "escalation: violent")
    assert "(known: calm, shove)" in problem.message


def test_a_ladder_needs_unique_ids_every_language_and_a_weight_in_range(problems_of) -> None:
    text = BASE + (
        "escalation:\n"
        "  levels:\n"
        "    - {id: calm, label: {en: Calming, ja: 鎮静}, weight: -1}\n"
        "    - {id: calm, label: {en: Again}, weight: 2000}\n"
    )
    problems = problems_of(text)
    where = line_of(text, "{id: calm, label: {en: Again}")
    assert {p.line for p in problems} == {where}
    messages = " | ".join(p.message for p in problems)
    assert "2000" in messages and "<= 1000" in messages  # the structural check comes first
    fixed = text.replace("weight: 2000", "weight: 2")
    messages = " | ".join(p.message for p in problems_of(fixed))
    assert "duplicate id 'calm'" in messages
    assert "missing translation: ja" in messages


def test_an_empty_ladder_is_refused(problems_of) -> None:
    problem = only(problems_of(BASE + "escalation:\n  levels: []\n"))
    assert problem.path == "escalation.levels"
    assert "at least 1 item" in problem.message


@pytest.mark.parametrize("scenario_id", bundled_ids())
def test_every_action_of_a_bundled_scenario_stands_on_a_rung(scenario_id: str) -> None:
    sc = load_bundled(scenario_id)
    assert [a.id for a in sc.actions if a.escalation is None] == []
    rungs = {level.id for level in sc.ladder}
    assert {a.escalation for a in sc.actions} <= rungs
    # the ladder is written out in the file, labelled in both languages
    assert "\nescalation:\n  levels:\n" in bundled_path(scenario_id).read_text(encoding="utf-8")
    assert all(set(level.label) == {"en", "ja"} for level in sc.ladder)


def test_the_bundled_scenarios_use_several_rungs_each() -> None:
    """A ladder on which every action stood on one rung would measure nothing."""
    for scenario_id in bundled_ids():
        used = {a.escalation for a in load_bundled(scenario_id).actions}
        assert {"de_escalation", "posturing", "non_violent", "violent"} <= used, scenario_id


def test_a_scenario_file_with_a_ladder_loads_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "laddered.yaml"
    path.write_text(with_rung("calm", BASE + LADDER), encoding="utf-8")
    assert load_scenario_file(path).escalation_weights["calm"] == -1.5
