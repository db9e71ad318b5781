"""Every kind of scenario error is reported as FILE:LINE:COLUMN: field.path: message.

Each bad file is the rule-case base scenario with one edit, so the line of the
mistake is known: it is looked up in the edited text, never copied from output.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import BASE_YAML
from whitecell.scenario import Located, ScenarioError, load_scenario_file

BASE = BASE_YAML.read_text(encoding="utf-8")

Problems = Callable[[str], list[Located]]


def edit(old: str, new: str, text: str = BASE) -> str:
    """``text`` with its one occurrence of ``old`` replaced (so the edit cannot miss)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def insert_before(anchor: str, lines: str) -> str:
    return edit(anchor, lines + anchor)


def line_of(text: str, fragment: str) -> int:
    """The 1-based line where ``fragment`` first occurs."""
    index = text.index(fragment)
    return text.count("\n", 0, index) + 1


def column_of(text: str, line_fragment: str, part: str) -> int:
    """The 1-based column of ``part`` within the line holding ``line_fragment``."""
    line = text.splitlines()[line_of(text, line_fragment) - 1]
    return line.index(part, line.index(line_fragment)) + 1


@pytest.fixture
def scenario_path(tmp_path: Path) -> Path:
    return tmp_path / "bad-scenario.yaml"


@pytest.fixture
def problems_of(scenario_path: Path) -> Problems:
    """The problems ``whitecell`` reports for a scenario file holding ``text``."""

    def run(text: str) -> list[Located]:
        scenario_path.write_text(text, encoding="utf-8")
        try:
            load_scenario_file(scenario_path)
        except ScenarioError as exc:
            assert exc.problems, "a ScenarioError must carry its problems"
            for p in exc.problems:
                assert p.file == str(scenario_path)
                assert str(p) == f"{p.file}:{p.line}:{p.column}: {p.path}: {p.message}"
            return exc.problems
        raise AssertionError("the scenario loaded without problems")

    return run


def only(problems: list[Located]) -> Located:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_the_base_scenario_itself_is_valid(scenario_path: Path) -> None:
    scenario_path.write_text(BASE, encoding="utf-8")
    assert load_scenario_file(scenario_path).id == "selftest-border"


# -- YAML itself ------------------------------------------------------------


def test_bad_yaml_syntax_is_reported_with_its_line(problems_of: Problems) -> None:
    text = edit("    initial: 20\n", "    initial: 20: 30\n")
    p = only(problems_of(text))
    assert p.line == line_of(text, "initial: 20: 30")
    assert p.path == "(document)"
    assert p.message.startswith("not valid YAML")


def test_a_tab_in_the_indentation_is_reported_with_its_line(problems_of: Problems) -> None:
    text = edit("    visibility: control\n", "\tvisibility: control\n")
    p = only(problems_of(text))
    assert (p.line, p.column) == (line_of(text, "\tvisibility: control"), 1)
    assert "not valid YAML" in p.message


def test_a_duplicate_yaml_key_is_reported_on_the_second_key(problems_of: Problems) -> None:
    text = edit(
        "    base_probability: 0.6\n", "    base_probability: 0.6\n    base_probability: 0.7\n"
    )
    p = only(problems_of(text))
    assert (p.line, p.column) == (line_of(text, "base_probability: 0.7"), 5)
    assert p.path == "actions[0].base_probability"
    assert "duplicate key 'base_probability'" in p.message


@pytest.mark.parametrize("text", ["", "\n\n", "# a comment and nothing else\n"])
def test_an_empty_file_is_reported_as_empty(problems_of: Problems, text: str) -> None:
    p = only(problems_of(text))
    assert (p.line, p.column, p.path) == (1, 1, "(document)")
    assert "empty" in p.message


def test_a_document_that_is_not_a_mapping_is_reported(problems_of: Problems) -> None:
    p = only(problems_of("- red\n- blue\n"))
    assert (p.line, p.path) == (1, "(document)")
    assert "expected a scenario mapping" in p.message
    assert "a list" in p.message


# -- structure ------------------------------------------------------------------


def test_an_unknown_field_is_reported_on_its_key_with_the_allowed_fields(
    problems_of: Problems,
) -> None:
    text = edit("    base_probability: 0.6\n", "    base_probability: 0.6\n    odds: 3\n")
    p = only(problems_of(text))
    assert (p.line, p.column) == (line_of(text, "odds: 3"), 5)
    assert p.path == "actions[0].odds"
    assert "unknown field 'odds'" in p.message
    allowed = p.message.split("allowed:", 1)[1]
    for name in ("base_probability", "modifiers", "narrative", "on_success"):
        assert name in allowed


NESTED_UNKNOWN_FIELDS = {
    "meta": (
        "  languages: [en, ja]\n",
        "  languages: [en, ja]\n  langauges: [en]\n",
        "langauges",
        "meta",
        ["languages", "situation_date", "sources"],
    ),
    "effects": (
        "    on_failure: {change: {tension: 2}}\n",
        "    on_failure: {change: {tension: 2}, chnage: {}}\n",
        "chnage",
        "actions[0].on_failure",
        ["change", "set", "end_agreements", "reveal"],
    ),
    "automation": (
        "  temperature: 0.05\n",
        "  temperature: 0.05\n  temprature: 1\n",
        "temprature",
        "automation",
        ["temperature", "negotiation_sessions", "hold_value"],
    ),
}


@pytest.mark.parametrize("case", NESTED_UNKNOWN_FIELDS)
def test_an_unknown_field_in_a_nested_mapping_lists_that_mappings_fields(
    problems_of: Problems, case: str
) -> None:
    old, new, field, parent, allowed = NESTED_UNKNOWN_FIELDS[case]
    text = edit(old, new)
    p = only(problems_of(text))
    assert (p.line, p.column) == (line_of(text, field), column_of(text, field, field))
    assert p.path == f"{parent}.{field}"
    listed = p.message.split("allowed:", 1)[1]
    for name in allowed:
        assert name in listed, p.message
    assert "format_version" not in listed and "base_probability" not in listed, p.message


def test_a_missing_required_field_is_reported_at_its_mapping(problems_of: Problems) -> None:
    text = edit("    base_probability: 0.6\n", "")
    p = only(problems_of(text))
    assert p.line == line_of(text, "  - id: patrol")
    assert p.path == "actions[0].base_probability"
    assert p.message == "required field is missing"


@pytest.mark.parametrize(
    ("old", "new", "fragment", "path", "says"),
    [
        (
            "    base_probability: 0.6\n",
            "    base_probability: high\n",
            "high",
            "actions[0].base_probability",
            "expected a number, got text 'high'",
        ),
        (
            "    actions_per_team: 2\n",
            "    actions_per_team: two\n",
            "two",
            "rounds[0].actions_per_team",
            "expected a whole number",
        ),
        (
            "  start_date: 2025-01-06\n",
            "  start_date: next monday\n",
            "next monday",
            "meta.start_date",
            "a date (YYYY-MM-DD)",
        ),
        (
            "    label: {en: Tension, ja: 緊張}\n",
            "    label: Tension\n",
            "Tension",
            "variables[0].label",
            "expected text in each language such as {en: ..., ja: ...}",
        ),
    ],
    ids=["number", "whole-number", "date", "text"],
)
def test_a_value_of_the_wrong_type_says_what_was_expected(
    problems_of: Problems, old: str, new: str, fragment: str, path: str, says: str
) -> None:
    text = edit(old, new)
    p = only(problems_of(text))
    assert p.line == line_of(text, new.strip())
    assert p.column == column_of(text, new.strip(), fragment)
    assert p.path == path
    assert says in p.message


def test_a_literal_outside_its_choices_lists_the_choices(problems_of: Problems) -> None:
    text = edit("    instrument: economic\n", "    instrument: cyber\n")
    p = only(problems_of(text))
    assert p.line == line_of(text, "instrument: cyber")
    assert p.path == "actions[4].instrument"
    for choice in ("diplomatic", "information", "military", "economic"):
        assert choice in p.message


# -- translations -----------------------------------------------------------------


def test_a_missing_translation_names_the_language(problems_of: Problems) -> None:
    text = edit("    label: {en: Tension, ja: 緊張}\n", "    label: {en: Tension}\n")
    p = only(problems_of(text))
    assert p.line == line_of(text, "label: {en: Tension}")
    assert p.path == "variables[0].label"
    assert "missing translation: ja" in p.message
    assert "every text needs: en, ja" in p.message


def test_a_missing_translation_deep_in_an_action_is_located(problems_of: Problems) -> None:
    old = '      failure: {en: "{actor} learns nothing.", ja: "{actor}は何も得られなかった。"}\n'
    text = edit(old, '      failure: {en: "{actor} learns nothing."}\n')
    p = only(problems_of(text))
    assert p.line == line_of(text, '{en: "{actor} learns nothing."}')
    assert p.path == "actions[2].narrative.failure"
    assert "missing translation: ja" in p.message


def test_a_text_in_an_undeclared_language_is_reported_on_its_key(problems_of: Problems) -> None:
    text = edit(
        "    label: {en: Tension, ja: 緊張}\n", "    label: {en: Tension, ja: 緊張, fr: Tension}\n"
    )
    p = only(problems_of(text))
    assert (p.line, p.column) == (
        line_of(text, "fr: Tension"),
        column_of(text, "fr: Tension", "fr"),
    )
    assert p.path == "variables[0].label.fr"
    assert "'fr' is not declared" in p.message


def test_a_blank_translation_is_reported(problems_of: Problems) -> None:
    text = edit("    label: {en: Tension, ja: 緊張}\n", '    label: {en: Tension, ja: "  "}\n')
    p = only(problems_of(text))
    assert p.line == line_of(text, 'ja: "  "')
    assert p.path == "variables[0].label"
    assert "'ja' text is empty" in p.message


# -- duplicate ids -----------------------------------------------------------------

DUPLICATES = {
    "teams": (
        "roles:\n",
        "  - id: blue\n    name: {en: Blue twin, ja: 青2}\n    brief: {en: Hi., ja: やあ。}\n",
        "blue",
        "teams[3].id",
        "teams[1]",
    ),
    "roles": (
        "variables:\n",
        "  - id: un\n    name: {en: Another envoy, ja: 別の特使}\n",
        "un",
        "roles[1].id",
        "roles[0]",
    ),
    "variables": (
        "rounds:\n",
        "  - id: plot\n    label: {en: Plot twin, ja: 陰謀2}\n    initial: 1\n",
        "plot",
        "variables[4].id",
        "variables[2]",
    ),
    "actions": (
        "negotiation:\n",
        "  - id: aid\n    label: {en: More aid, ja: 追加支援}\n    instrument: economic\n"
        "    teams: [green]\n    base_probability: 0.5\n    narrative:\n"
        "      success: {en: Yes., ja: はい。}\n      failure: {en: No., ja: いいえ。}\n",
        "aid",
        "actions[6].id",
        "actions[4]",
    ),
    "clauses": (
        "  agreements:\n",
        "    - id: monitors\n      label: {en: More monitors, ja: 追加監視団}\n",
        "monitors",
        "negotiation.clauses[3].id",
        "clauses[1]",
    ),
    "agreements": (
        "injects:\n",
        "    - id: truce\n      label: {en: Truce again, ja: 再休戦}\n"
        "      required_clauses: [truce_line]\n",
        "truce",
        "negotiation.agreements[1].id",
        "agreements[0]",
    ),
    "injects": (
        "outcomes:\n",
        "  - id: storm\n    label: {en: Storm 2, ja: 嵐2}\n    news: {en: Rain., ja: 雨。}\n"
        "    round: 1\n",
        "storm",
        "injects[3].id",
        "injects[0]",
    ),
    "outcomes": (
        "automation:\n",
        "  - id: truce_reached\n    label: {en: Again, ja: 再}\n    value: round\n",
        "truce_reached",
        "outcomes[3].id",
        "outcomes[0]",
    ),
}


@pytest.mark.parametrize("section", DUPLICATES)
def test_a_duplicate_id_is_reported_at_the_second_use(problems_of: Problems, section: str) -> None:
    anchor, lines, ident, path, first = DUPLICATES[section]
    text = insert_before(anchor, lines)
    p = only(problems_of(text))
    assert p.line == line_of(text, lines)
    assert p.path == path
    assert f"duplicate id '{ident}'" in p.message
    assert first in p.message


def test_a_duplicate_clause_names_the_first_use_by_its_full_path(problems_of: Problems) -> None:
    """The message must name a path the author can find: there is no top-level 'clauses'."""
    anchor, lines, *_ = DUPLICATES["clauses"]
    p = only(problems_of(insert_before(anchor, lines)))
    assert "negotiation.clauses[1]" in p.message


def test_a_duplicate_team_id_is_not_listed_twice_among_known_teams(problems_of: Problems) -> None:
    """Renaming green to red makes every green reference unknown; the 'known' list
    offered as a correction must still name each team once."""
    text = edit("  - id: green\n", "  - id: red\n")
    problems = problems_of(text)
    assert problems[0].path == "teams[2].id"
    unknown = [p for p in problems if "unknown team 'green'" in p.message]
    assert unknown
    for p in unknown:
        assert "(known: blue, red)" in p.message, p.message


# -- references -------------------------------------------------------------------


def test_an_unknown_team_is_reported_with_the_known_teams(problems_of: Problems) -> None:
    text = edit(
        "    teams: [red, blue]\n    base_probability: 0.6",
        "    teams: [red, purple]\n    base_probability: 0.6",
    )
    p = only(problems_of(text))
    assert (p.line, p.column) == (
        line_of(text, "[red, purple]"),
        column_of(text, "[red, purple]", "purple"),
    )
    assert p.path == "actions[0].teams[1]"
    assert "unknown team 'purple' (known: blue, green, red)" in p.message


def test_an_unknown_team_in_a_per_team_name_is_reported(problems_of: Problems) -> None:
    text = edit("      - when: tension > 70\n", "      - when: morale.purple > 70\n")
    p = only(problems_of(text))
    assert (p.line, p.column) == (
        line_of(text, "morale.purple > 70"),
        column_of(text, "morale.purple > 70", "morale.purple"),
    )
    assert p.path == "actions[0].modifiers[0].when"
    assert "unknown team 'purple'" in p.message
    assert "blue, green, red" in p.message


def test_an_unknown_mediator_is_reported_with_the_roles_and_teams(problems_of: Problems) -> None:
    text = edit("  mediator: un\n", "  mediator: unesco\n")
    p = only(problems_of(text))
    assert p.line == line_of(text, "mediator: unesco")
    assert p.path == "negotiation.mediator"
    assert "'unesco'" in p.message
    assert "blue, green, red, un" in p.message


def test_an_unknown_variable_in_effects_is_reported_on_its_key(problems_of: Problems) -> None:
    text = edit(
        "    on_failure: {change: {tension: 2}}\n", "    on_failure: {change: {tensoin: 2}}\n"
    )
    p = only(problems_of(text))
    assert (p.line, p.column) == (
        line_of(text, "tensoin: 2"),
        column_of(text, "tensoin: 2", "tensoin"),
    )
    assert p.path == "actions[0].on_failure.change.tensoin"
    assert "unknown variable 'tensoin'" in p.message
    assert "tension" in p.message.split("known:", 1)[1]


def test_an_unknown_variable_in_an_expression_points_at_the_name(problems_of: Problems) -> None:
    text = edit("      - when: tension > 70\n", "      - when: round > 1 and tensoin > 70\n")
    p = only(problems_of(text))
    assert p.line == line_of(text, "and tensoin")
    assert p.column == column_of(text, "and tensoin", "tensoin")
    assert p.path == "actions[0].modifiers[0].when"
    assert "unknown name 'tensoin'" in p.message


def test_an_unknown_name_in_a_quoted_expression_points_at_the_name(problems_of: Problems) -> None:
    text = edit('{reservation: "0.05"}', '{reservation: "0.05 + tensoin"}')
    p = only(problems_of(text))
    assert p.line == line_of(text, "0.05 + tensoin")
    assert p.column == column_of(text, "0.05 + tensoin", "tensoin")
    assert p.path == "teams[0].negotiation.reservation"


def test_an_unknown_name_in_an_expression_says_which_names_are_known(
    problems_of: Problems,
) -> None:
    """The README promises 'what is wrong (what is allowed)' for every problem, and
    an unknown variable in an effect does list the known ones."""
    text = edit("      - when: tension > 70\n", "      - when: tensoin > 70\n")
    p = only(problems_of(text))
    assert "tension" in p.message.replace("'tensoin'", ""), p.message


def test_an_unknown_action_in_an_expression_is_reported_with_its_line(
    problems_of: Problems,
) -> None:
    text = edit("    value: agreements.truce.signed > 0\n", "    value: actions.invade.taken > 0\n")
    p = only(problems_of(text))
    assert p.line == line_of(text, "actions.invade.taken")
    assert p.column == column_of(text, "actions.invade.taken", "actions")
    assert p.path == "outcomes[0].value"
    assert "actions.ACTION.taken|succeeded|failed" in p.message


def test_an_unknown_action_message_lists_the_catalogue(problems_of: Problems) -> None:
    """Clauses, agreements and injects list their ids in the same situation."""
    text = edit("    value: agreements.truce.signed > 0\n", "    value: actions.invade.taken > 0\n")
    p = only(problems_of(text))
    for action in ("patrol", "sabotage", "spy", "expose_plot", "aid", "break_truce"):
        assert action in p.message, p.message


def test_an_unknown_clause_in_an_agreement_is_reported_with_the_known_clauses(
    problems_of: Problems,
) -> None:
    text = edit("[monitors, amnesty]", "[monitors, amnesti]")
    p = only(problems_of(text))
    assert (p.line, p.column) == (
        line_of(text, "amnesti]"),
        column_of(text, "amnesti]", "amnesti"),
    )
    assert p.path == "negotiation.agreements[0].optional_clauses[1]"
    assert "unknown clause 'amnesti' (known: amnesty, monitors, truce_line)" in p.message


def test_an_unknown_clause_in_an_expression_lists_the_clauses(problems_of: Problems) -> None:
    text = edit("            value: clauses.monitors\n", "            value: clauses.monitor\n")
    p = only(problems_of(text))
    assert p.line == line_of(text, "clauses.monitor\n")
    assert p.path == "negotiation.agreements[0].hazard.covariates[0].value"
    assert "amnesty, monitors, truce_line" in p.message


def test_an_unknown_agreement_to_end_is_reported(problems_of: Problems) -> None:
    text = edit("end_agreements: [truce]", "end_agreements: [peace]")
    p = only(problems_of(text))
    assert (p.line, p.column) == (line_of(text, "[peace]"), column_of(text, "[peace]", "peace"))
    assert p.path == "actions[5].on_success.end_agreements[0]"
    assert "unknown agreement kind 'peace' (known: truce)" in p.message


def test_an_inject_in_a_round_that_does_not_exist_is_reported(problems_of: Problems) -> None:
    text = edit("    round: 2\n", "    round: 9\n")
    p = only(problems_of(text))
    assert p.line == line_of(text, "round: 9")
    assert p.path == "injects[0].round"
    assert "allowed: 1 to 3" in p.message


# -- ranges ---------------------------------------------------------------------------

PROBABILITIES = {
    "action": ("    base_probability: 0.6\n", "base_probability: 1.5", "actions[0]"),
    "negative": ("    base_probability: 0.6\n", "base_probability: -0.1", "actions[0]"),
    "hazard": ("        base: 0.2\n", "base: 1.2", "negotiation.agreements[0].hazard"),
    "inject": ("    chance: 0.5\n", "chance: 1.5", "injects[2]"),
    "adjudication": ("  max_probability: 0.98\n", "max_probability: 1.2", "adjudication"),
}
ADJUDICATION = "adjudication:\n  min_probability: 0.02\n  max_probability: 0.98\n"


@pytest.mark.parametrize("case", PROBABILITIES)
def test_a_probability_outside_zero_to_one_is_reported_with_its_line(
    problems_of: Problems, case: str
) -> None:
    old, new, parent = PROBABILITIES[case]
    text = insert_before("automation:\n", ADJUDICATION)
    text = edit(old, old[: len(old) - len(old.lstrip())] + new + "\n", text)
    p = only(problems_of(text))
    assert p.line == line_of(text, new)
    assert p.path == f"{parent}.{new.split(':')[0]}"
    assert "outside [0, 1]" in p.message
    assert "allowed: 0 to 1" in p.message


def test_a_modifier_beyond_one_says_the_bound(problems_of: Problems) -> None:
    text = edit("        add: -0.2\n", "        add: -2\n")
    p = only(problems_of(text))
    assert p.line == line_of(text, "add: -2")
    assert p.path == "actions[0].modifiers[0].add"
    assert "allowed: >= -1" in p.message


def test_a_min_above_a_max_is_reported_at_the_min(problems_of: Problems) -> None:
    text = edit(
        "    label: {en: Tension, ja: 緊張}\n",
        "    label: {en: Tension, ja: 緊張}\n    min: 100\n    max: 10\n",
    )
    mine = [p for p in problems_of(text) if p.path == "variables[0].min"]
    assert len(mine) == 1
    assert mine[0].line == line_of(text, "min: 100")
    assert "min (100) must be below max (10)" in mine[0].message


def test_an_initial_value_out_of_range_is_reported_with_the_range(problems_of: Problems) -> None:
    text = edit("    initial: 50\n", "    initial: 150\n")
    mine = [p for p in problems_of(text) if p.path == "variables[0].initial"]
    assert len(mine) == 1
    assert mine[0].line == line_of(text, "initial: 150")
    assert "initial value 150 is outside [0, 100]" in mine[0].message


def test_a_per_team_initial_out_of_range_points_at_that_team(problems_of: Problems) -> None:
    text = edit("{red: 50, blue: 40, green: 60}", "{red: 50, blue: 400, green: 60}")
    p = only(problems_of(text))
    assert (p.line, p.column) == (
        line_of(text, "blue: 400"),
        column_of(text, "blue: 400", "400"),
    )
    assert p.path == "variables[1].initial.blue"
    assert "outside [0, 100]" in p.message


def test_a_per_team_variable_without_a_team_initial_names_the_team(
    problems_of: Problems,
) -> None:
    text = edit("{red: 50, blue: 40, green: 60}", "{red: 50, blue: 40}")
    problems = problems_of(text)
    mine = [p for p in problems if p.path == "variables[1].initial"]
    assert len(mine) == 1
    assert mine[0].line == line_of(text, "{red: 50, blue: 40}")
    assert "no initial value for team(s) green" in mine[0].message


BAD_VARIABLES = {
    "min-above-max": (
        "    label: {en: Tension, ja: 緊張}\n",
        "    label: {en: Tension, ja: 緊張}\n    min: 100\n    max: 10\n",
    ),
    "initial-out-of-range": ("    initial: 50\n", "    initial: 150\n"),
    "missing-team-initial": ("{red: 50, blue: 40, green: 60}", "{red: 50, blue: 40}"),
}


@pytest.mark.parametrize("case", BAD_VARIABLES)
def test_a_declared_variable_with_a_bad_range_is_reported_once(
    problems_of: Problems, case: str
) -> None:
    """The variable is declared: calling every use of it an 'unknown variable'
    buries the one real mistake under a dozen false ones."""
    problems = problems_of(edit(*BAD_VARIABLES[case]))
    assert len(problems) == 1, "\n".join(map(str, problems))


def test_a_round_list_without_an_action_round_is_reported(problems_of: Problems) -> None:
    text = BASE
    for old, new in [
        ("  - kind: action\n    label: {en: Moves", "  - kind: negotiation\n    label: {en: Moves"),
        ("  - kind: action\n    label: {en: More", "  - kind: negotiation\n    label: {en: More"),
        ("    actions_per_team: 2\n", ""),
        ("    actions_per_team: 1\n", ""),
    ]:
        text = edit(old, new, text)
    p = only(problems_of(text))
    assert p.line == line_of(text, "  - kind: negotiation")
    assert p.path == "rounds"
    assert "no action round" in p.message
    assert "kind: action" in p.message


# -- expressions ---------------------------------------------------------------------


def test_an_expression_that_does_not_parse_points_into_the_expression(
    problems_of: Problems,
) -> None:
    text = edit("      - when: tension > 70\n", "      - when: tension >> > 70\n")
    p = only(problems_of(text))
    start = column_of(text, "tension >> > 70", "tension")
    assert p.line == line_of(text, "tension >> > 70")
    assert start <= p.column < start + len("tension >> > 70")
    assert p.path == "actions[0].modifiers[0].when"
    assert p.message.startswith("not a valid expression")


def test_a_forbidden_construct_in_an_expression_is_reported(problems_of: Problems) -> None:
    text = edit("    value: tension\n", "    value: tension.__class__\n")
    p = only(problems_of(text))
    assert p.line == line_of(text, "tension.__class__")
    assert p.path == "outcomes[2].value"
    assert "__class__" in p.message


def test_actor_is_rejected_where_no_actor_is_bound(problems_of: Problems) -> None:
    text = edit("    value: tension\n", "    value: morale.actor\n")
    p = only(problems_of(text))
    assert p.line == line_of(text, "value: morale.actor")
    assert p.path == "outcomes[2].value"
    assert "no actor is defined" in p.message


def test_target_is_rejected_in_an_untargeted_action(problems_of: Problems) -> None:
    text = edit("{change: {morale.actor: 5}}", "{change: {morale.target: 5}}")
    p = only(problems_of(text))
    assert p.line == line_of(text, "morale.target: 5")
    assert p.path == "actions[4].on_success.change.morale.target"
    assert "no target is defined" in p.message


# -- many problems at once ---------------------------------------------------------------


def test_every_problem_of_a_file_is_reported_in_one_run_sorted_by_line(
    problems_of: Problems,
) -> None:
    text = edit("    label: {en: Tension, ja: 緊張}\n", "    label: {en: Tension}\n")
    text = edit(
        "    teams: [red, blue]\n    base_probability: 0.6",
        "    teams: [red, purple]\n    base_probability: 0.6",
        text,
    )
    text = edit("    base_probability: 0.9\n", "    base_probability: 9\n", text)
    text = edit("    value: tension\n", "    value: tensoin\n", text)
    problems = problems_of(text)
    assert [(p.line, p.path) for p in problems] == [
        (line_of(text, "{en: Tension}"), "variables[0].label"),
        (line_of(text, "[red, purple]"), "actions[0].teams[1]"),
        (line_of(text, "base_probability: 9"), "actions[4].base_probability"),
        (line_of(text, "value: tensoin"), "outcomes[2].value"),
    ]
