"""The studio's form view of a scenario: every value a typed field, found from the format's
own models; a change written into the text in its place and nowhere else, comments kept;
a form saved unchanged gives the very same file."""

from __future__ import annotations

import difflib
import re

import pytest

from whitecell.scenario.form import apply, copy, fields, rename, scalar, sections
from whitecell.scenario.library import bundled_ids, bundled_path
from whitecell.scenario.load import ScenarioError, load_scenario_text
from whitecell.scenario.skeleton import skeleton

SKELETON = skeleton("new-scenario", "scenario.yaml")


def changed_lines(old: str, new: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.mark.parametrize("scenario_id", bundled_ids())
def test_a_bundled_scenario_saved_unchanged_from_the_form_is_the_same_file(
    scenario_id: str,
) -> None:
    text = bundled_path(scenario_id).read_text(encoding="utf-8")
    found = fields(text)
    assert len(found) > 500
    assert apply(text, {f.key: f.value for f in found}) == text


def test_each_value_gets_the_kind_of_field_its_type_calls_for() -> None:
    by_key = {f.key: f for f in fields(SKELETON)}
    assert by_key["rounds[0].kind"].kind == "choice"
    assert by_key["rounds[0].kind"].choices == ("action", "negotiation")
    probability = by_key["actions[0].base_probability"]
    assert (probability.kind, probability.lo, probability.hi) == ("number", 0.0, 1.0)
    assert by_key["rounds[0].actions_per_team"].kind == "integer"
    assert by_key["meta.start_date"].kind == "date"
    assert by_key["actions[0].modifiers[0].when"].kind == "expr"
    assert by_key["meta.reveal_at_end"].kind == "bool"
    assert by_key["meta.summary.en"].kind == "long" and by_key["meta.summary.en"].lang == "en"
    assert by_key["variables[1].visibility"].kind == "choice"


def test_a_changed_number_replaces_only_itself_and_comments_stay() -> None:
    key = "actions[0].base_probability"
    new = apply(SKELETON, {key: "0.35"})
    assert changed_lines(SKELETON, new) == [
        "-    base_probability: 0.6",
        "+    base_probability: 0.35",
    ]
    assert load_scenario_text(new, "scenario.yaml").actions[0].base_probability == 0.35
    assert SKELETON.count("#") == new.count("#")


def test_text_with_quotes_or_colons_is_quoted_so_it_stays_the_same_text() -> None:
    key = "meta.title.en"
    wanted = 'Crisis: "the pass" # not a comment'
    new = apply(SKELETON, {key: wanted})
    assert load_scenario_text(new, "scenario.yaml").title["en"] == wanted
    assert scalar("plain words", "line") == "plain words"
    assert scalar("yes", "line") == '"yes"'  # a word YAML would read as true stays text


def test_a_missing_translation_is_an_empty_field_and_filling_it_adds_the_language() -> None:
    text = SKELETON.replace("label: {en: Talks, ja: 協議}", "label: {en: Talks}", 1)
    assert text != SKELETON
    missing = [f for f in fields(text) if f.start < 0]
    assert [(f.key, f.lang) for f in missing] == [("rounds[1].label.ja", "ja")]
    new = apply(text, {"rounds[1].label.ja": "協議"})
    assert new == SKELETON
    assert apply(text, {"rounds[1].label.ja": ""}) == text  # left empty: nothing added


def test_a_missing_translation_in_a_block_mapping_goes_on_its_own_line() -> None:
    marker = "  summary:\n    en: What the crisis is about"
    assert marker in SKELETON
    start = SKELETON.index(marker)
    ja_line = SKELETON.index("    ja:", start)
    end = SKELETON.index("\n", ja_line) + 1
    text = SKELETON[:ja_line] + SKELETON[end:]
    [missing] = [f for f in fields(text) if f.start < 0]
    new = apply(text, {missing.key: "新しい要約"})
    assert load_scenario_text(new, "scenario.yaml").summary["ja"] == "新しい要約"
    assert changed_lines(text, new) == ["+    ja: 新しい要約"]


def test_a_multi_line_text_keeps_the_lines_after_it() -> None:
    text = bundled_path("ukraine-ceasefire-2025").read_text(encoding="utf-8")
    block = next(f for f in fields(text) if f.raw.startswith((">", "|")))
    new = apply(text, {block.key: "two\nlines"})
    after = text[block.end :]
    assert new.endswith(after) and load_scenario_text(new, "s.yaml")


def test_fields_come_by_section_and_entry_with_texts_side_by_side() -> None:
    parts = {s.name: s for s in sections(fields(SKELETON))}
    assert list(parts)[:3] == ["format_version", "meta", "teams"]
    north = parts["teams"].items[0]
    assert north.title == "teams[0] · north"
    name = next(r for r in north.rows if r.label == "name")
    assert [f.lang for f in name.fields] == ["en", "ja"]


def test_keys_the_format_does_not_have_are_left_to_the_validator() -> None:
    text = SKELETON.replace("meta:\n", "meta:\n  colour: blue\n", 1)
    assert "meta.colour" not in {f.key for f in fields(text)}
    assert apply(text, {"meta.colour": "red"}) == text


def test_a_team_copied_asks_for_its_starting_value_of_each_per_team_variable() -> None:
    text = copy(SKELETON, "teams[1]")
    [missing] = [f for f in fields(text) if f.start < 0]
    assert (missing.key, missing.kind) == ("variables[1].initial.south_2", "number")
    with pytest.raises(ScenarioError):  # the validator asks for it too
        load_scenario_text(text, "scenario.yaml")
    filled = apply(text, {missing.key: "40"})
    keys = [v.key for v in load_scenario_text(filled, "scenario.yaml").vars]
    assert "resolve.south_2" in keys
    assert changed_lines(text, filled) == [
        "-    initial: {north: 60, south: 50}",
        "+    initial: {north: 60, south: 50, south_2: 40}",
    ]


def test_a_renamed_id_follows_into_expressions_keys_and_lists_not_into_prose() -> None:
    text = bundled_path("ukraine-ceasefire-2025").read_text(encoding="utf-8")
    renamed, places = rename(text, "russia", "moscow")
    assert places > 10
    scenario = load_scenario_text(renamed, "s.yaml")
    assert "moscow" in [t.id for t in scenario.teams]
    code = "\n".join(
        line.split(" #")[0] for line in renamed.splitlines() if not line.lstrip().startswith("#")
    )
    assert "russia" in text and not re.search(r"(?<!\w)russia(?!\w)", code)
    prose = [line for line in renamed.splitlines() if "Russia" in line]
    assert prose and all("Moscow" not in line for line in prose)
    assert rename(text, "russ", "x") == (text, 0)  # a whole name only
