"""Every problem the scenario validator reports reads in Japanese too.

The problems are real: each broken scenario below is the skeleton (or the bundled Ukraine
scenario) with a few edits, loaded the way ``whitecell validate`` loads it. Each problem's
Japanese text must differ from the English, leave no English word behind except those of
the values it repeats, and repeat every quoted value and number of the English.

Templates no test scenario can trigger (each has an example message in NOT_TRIGGERED):
- "the scenario is not valid": load.parse_scenario's fallback when a scenario fails with no
  problem listed, which the loader never does (a failed structural check lists its errors).
- "has too many items (allowed: at most N)": no list in the schema has a maximum length.
- "Permission denied": the tests run as root, who may read any file.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from whitecell.scenario import problems_ja
from whitecell.scenario.library import bundled_path
from whitecell.scenario.load import Located, ScenarioError, load_scenario_file, load_scenario_text
from whitecell.scenario.problems_ja import in_japanese
from whitecell.scenario.skeleton import skeleton

SKELETON = skeleton("new-scenario", "scenario.yaml")
UKRAINE = bundled_path("ukraine-ceasefire-2025").read_text(encoding="utf-8")

WORD = re.compile(r"[A-Za-z]{4,}")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
QUOTED = re.compile(r"(?<![A-Za-z])'[^']*'")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
# the words of an English sentence, which no format keyword or id of the skeleton is
PROSE = re.compile(
    r"(?<![A-Za-z])(?:the|is|are|not|with|each|every|here|only|must|should|needs|unknown|"
    r"expected|allowed|missing|required|duplicate|reserved|declared|write|choose|already|"
    r"exist|does|cannot)(?![A-Za-z])"
)


def edit(text: str, *changes: tuple[str, str]) -> str:
    """``text`` with each ``old`` (found exactly once, so an edit cannot miss) replaced."""
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def sk(*changes: tuple[str, str]) -> str:
    return edit(SKELETON, *changes)


def when(expression: str) -> str:
    """The skeleton with the patrol modifier's condition replaced (a JSON string is YAML)."""
    return sk(("when: tension > 70", f"when: {json.dumps(expression)}"))


# Sections added to the skeleton by some cases.
FLAG = """\
  - id: alarm
    label: {en: Alarm, ja: 警報}
    type: flag
    initial: false
"""
VARIABLES_END = "    initial: {north: 60, south: 50}\n"
DYNAMICS_END = "    visibility: team\n"


def with_variable(text: str) -> str:
    return VARIABLES_END + text


def with_dynamic(body: str) -> str:
    return DYNAMICS_END + "  - id: drift\n    label: {en: Drift, ja: 漂流}\n" + body


SOUTH = SKELETON[SKELETON.index("  - id: south") : SKELETON.index("\nroles:")]
NEGOTIATION = SKELETON[SKELETON.index("negotiation:\n  mediator") : SKELETON.index("# Events")]

# name: (broken scenario text, a fragment one of its English problems must contain)
CASES: dict[str, tuple[str, str]] = {
    # -- YAML
    "empty file": ("", "the file is empty"),
    "bad YAML": (sk(("format_version: 1", "format_version: [1")), "not valid YAML"),
    "list as a key": ("? [a, b]\n: 1\n" + SKELETON, "mapping keys must be plain text"),
    "duplicate key": (
        sk(("format_version: 1", "format_version: 1\nformat_version: 1")),
        "duplicate key 'format_version'",
    ),
    "top level list": ("- 1\n- 2\n", "at the top level, got a list"),
    "headline number": (
        sk(
            (
                "    type: number\n    value: tension\n",
                "    type: number\n    value: tension\n    headline: true\n",
            )
        ),
        "only a yes/no outcome can be a headline",
    ),
    "impossible date": (
        sk(("situation_date: 2025-01-01", "situation_date: 2025-13-01")),
        "'2025-13-01' cannot be read",
    ),
    # -- structure (pydantic)
    "missing field": (
        sk(("    label: {en: Tension on the border, ja: 国境の緊張}\n", "")),
        "missing",
    ),
    "unknown field": (sk(("  - id: north\n", "  - id: north\n    colour: red\n")), "'colour'"),
    "literal": (sk(("    instrument: military", "    instrument: cyber")), "'cyber'"),
    "language literal": (sk(("languages: [en, ja]", "languages: [en, fr]")), "'fr'"),
    "format version": (sk(("format_version: 1", "format_version: 2")), "2 is not allowed"),
    "probability": (sk(("base_probability: 0.6", "base_probability: 1.6")), "probability 1.6"),
    "negative noise": (sk(("noise: 10", "noise: -1")), "(allowed: >= 0.0)"),
    "out of range": (
        sk(("matrix_step: 0.1", "matrix_step: 0.9"), ("temperature: 0.1", "temperature: 0")),
        "is out of range",
    ),
    "identifier form": (sk(("  - id: north\n", "  - id: North\n")), "'North'"),
    "source form": (
        sk(("sources: []", "sources: [{title: a, author: b, date: '20', url: 'ftp://x'}]")),
        "'ftp://x'",
    ),
    "duration form": (
        sk(("duration: 14d\n    actions_per_team: 2", "duration: 14x\n    actions_per_team: 2")),
        "'14x'",
    ),
    "scenario id form": (sk(("  id: new-scenario", "  id: New")), "the pattern"),
    "clause id form": (sk(("required_clauses: [pullback]", "required_clauses: [Pull]")), "Pull"),
    "too long": (sk(("  - id: storm", "  - id: storm" + "_x" * 30)), "at most 48 characters"),
    "too few teams": (sk((SOUTH, "")), "needs at least 2 items"),
    "too few clauses": (sk(("required_clauses: [pullback]", "required_clauses: []")), "1 item"),
    "text as a number": (
        sk(('title: {en: "New scenario", ja: "New scenario"}', "title: 5")),
        "got a number",
    ),
    "text as a date": (
        sk(('title: {en: "New scenario", ja: "New scenario"}', "title: 2025-01-01")),
        "got date",
    ),
    "text of a number": (
        sk(('title: {en: "New scenario", ja: "New scenario"}', "title: {en: 5, ja: x}")),
        "expected text, got a number 5",
    ),
    "empty text": (sk(("name: {en: North, ja: 北}", "name: {en: ' ', ja: 北}")), "'en' text"),
    "infinite delta": (
        sk(("{change: {tension: 8, resolve.actor: 5}}", "{change: {tension: .inf}}")),
        "finite",
    ),
    "infinite count": (sk(("actions_per_team: 2", "actions_per_team: .inf")), "finite number"),
    "date with a time": (
        sk(("situation_date: 2025-01-01", "situation_date: 2025-01-01T10:00:00")),
        "zero time",
    ),
    "wrong types": (
        sk(
            ("reveal_at_end: true", "reveal_at_end: maybe"),
            ("actions_per_team: 2", "actions_per_team: 2.5"),
            ("mediator: envoy", "mediator: 5"),
            ("start_date: 2025-01-06", "start_date: [1]"),
            ("temperature: 0.1", "temperature: 0.1\n  hold_value: x\n  negotiation_sessions: 50"),
            ("sources: []", "sources: {}"),
        ),
        "expected true or false, got text 'maybe'",
    ),
    "nothing": (sk(("    initial: 50\n", "    initial: null\n")), "nothing None"),
    "not valid here": (
        sk(
            ("    teams: all\n    base_probability: 0.6", "    teams: 5\n    base_probability: 0.6")
        ),
        "a number 5 is not valid here",
    ),
    "not valid here, no description": (
        sk(("    round: 2\n", "    round: 2\n    audience: 5\n")),
        "see the schema",
    ),
    "list of teams with a number": (
        sk(
            (
                "    teams: all\n    base_probability: 0.6",
                "    teams: [1]\n    base_probability: 0.6",
            )
        ),
        "[1] is not allowed",
    ),
    # -- references (builder)
    "preferences": (
        sk(
            (
                "preferences: {tension: -0.5, resolve.actor: 1.0}",
                "preferences: {resolve.target: 1, resolve.west: 1, resolve: 1, "
                "tension.north: 1, morale: 1}",
            )
        ),
        "'resolve.target': no target is defined here",
    ),
    "flag set": (
        sk(
            (VARIABLES_END, with_variable(FLAG)),
            ("{change: {tension: 8, resolve.actor: 5}}", "{set: {alarm: 5, tension: 500}}"),
        ),
        "'alarm' is a flag",
    ),
    "reveal outside an action": (
        sk(("effects: {change: {tension: -5}}", "effects: {reveal: [tension]}")),
        "only an action's effects can reveal",
    ),
    "bad placeholder": (
        sk(('{en: "{actor} patrols in force."', '{en: "{actor patrols in force."')),
        "bad placeholder",
    ),
    "unknown placeholder": (
        sk(('{en: "{actor} patrols in force."', '{en: "{target} patrols in force."')),
        "unknown placeholder {target} (allowed: {actor})",
    ),
    "placeholder with none allowed": (
        sk(
            (
                DYNAMICS_END,
                with_dynamic(
                    '    news: {en: "{actor} drifts", ja: "{actor}"}\n'
                    "    effects: {change: {tension: 1}}\n"
                ),
            )
        ),
        "(allowed: none)",
    ),
    "unknown references": (
        sk(
            ("effects: {change: {tension: -5}}", "effects: {end_agreements: [ceasefire]}"),
            ("required_clauses: [pullback]", "required_clauses: [pullback, nope]"),
            ("mediator: envoy", "mediator: nobody"),
            (
                "    teams: all\n    base_probability: 0.6",
                "    teams: [north, west]\n    base_probability: 0.6",
            ),
        ),
        "unknown mediator (a role or team id) 'nobody'",
    ),
    # -- ids
    "reserved ids": (
        sk(
            (
                "roles:                             # non-player roles run by the white cell\n",
                "roles:\n  - {id: all, name: {en: All, ja: 全}}\n"
                "  - {id: north, name: {en: N, ja: 北}}\n",
            ),
            ("  - id: patrol\n", "  - id: free\n"),
            ("  - id: storm\n", "  - id: adhoc\n"),
            (VARIABLES_END, with_variable("  - {id: rounds, label: {en: R, ja: R}, initial: 1}\n")),
            (
                "  - id: south\n",
                "  - id: south\n    name: {en: S, ja: 南}\n    brief: {en: B, ja: B}\n"
                "  - id: white\n",
            ),
        ),
        "'white' is a reserved word (reserved:",
    ),
    "duplicate ids": (
        sk(
            (VARIABLES_END, with_variable("  - {id: tension, label: {en: T, ja: T}, initial: 1}\n"))
        ),
        "duplicate id 'tension'",
    ),
    # -- translations
    "translations": (
        sk(
            ("label: {en: Talks, ja: 協議}", "label: {en: Talks}"),
            ("label: {en: Storm, ja: 嵐}", "label: {en: Storm, ja: 嵐, fr: Orage}"),
        ),
        "missing translation: ja",
    ),
    # -- variables
    "variable rules": (
        sk(
            ("    initial: 50\n", "    initial: 50\n    min: 10\n    max: 5\n"),
            (
                VARIABLES_END,
                "    initial: {north: 60}\n    owner: north\n"
                + FLAG.replace("type: flag", "type: flag\n    min: 0").replace("false", "5")
                + "  - {id: fear, label: {en: F, ja: F}, visibility: owner, initial: true}\n"
                "  - {id: hope, label: {en: H, ja: H}, initial: {north: 1}}\n"
                "  - {id: dread, label: {en: D, ja: D}, initial: 500, owner: west}\n"
                "  - {id: awe, label: {en: A, ja: A}, per_team: true, initial: {north: 1, "
                "south: 1, west: 1}}\n",
            ),
        ),
        "min (10) must be below max (5)",
    ),
    # -- rounds
    "round rules": (
        sk(
            (
                "    duration: 14d\n    actions_per_team: 2",
                "    duration: 14d\n    venue: {en: V, ja: V}",
            ),
            (
                "    venue: {en: Geneva, ja: ジュネーブ}",
                "    venue: {en: Geneva, ja: ジュネーブ}\n    actions_per_team: 3",
            ),
        ),
        "only negotiation rounds have a venue",
    ),
    "no negotiation section": (sk((NEGOTIATION, "")), "needs a 'negotiation' section"),
    "no action round": (
        sk(
            (
                "  - kind: action\n    label: {en: Opening",
                "  - kind: negotiation\n    label: {en: Opening",
            ),
            (
                "  - kind: action\n    label: {en: Facts",
                "  - kind: negotiation\n    label: {en: Facts",
            ),
            ("    actions_per_team: 2\n", ""),
        ),
        "the round list has no action round",
    ),
    # -- negotiation, injects, dynamics, adjudication
    "clause twice": (
        sk(
            (
                "required_clauses: [pullback]",
                "required_clauses: [pullback]\n      optional_clauses: [pullback]",
            )
        ),
        "clause(s) pullback are already required",
    ),
    "inject without a trigger": (sk(("    round: 2\n", "")), "an inject needs a trigger"),
    "inject in no round": (sk(("    round: 2\n", "    round: 9\n")), "round 9 does not exist"),
    "team rule without teams": (
        sk(("    teams: all\n    when: tension > 60", "    when: tension > 60")),
        "visibility 'team'",
    ),
    "rule amounts": (
        sk(
            (VARIABLES_END, with_variable(FLAG)),
            (
                DYNAMICS_END,
                with_dynamic("    effects: {}\n")
                + "  - id: sway\n    label: {en: Sway, ja: 揺れ}\n"
                "    effects: {change: {tension: true}, set: {alarm: 3, tension: 500}}\n",
            ),
        ),
        "the rule changes nothing",
    ),
    "probability bounds": (
        sk(
            ("min_probability: 0.02", "min_probability: 0.9"),
            ("max_probability: 0.98", "max_probability: 0.1"),
        ),
        "min_probability must not exceed max_probability",
    ),
    # -- expressions
    "global variable field": (when("tension.x > 1"), "has no field 'x'"),
    "per-team variable alone": (when("resolve > 1"), "write resolve.TEAM, resolve.actor or"),
    "no target here": (when("resolve.target > 1"), "no target is defined"),
    "unknown team in a name": (when("resolve.west > 1"), "unknown team 'west' in 'resolve.west'"),
    "agreements": (when("agreements.nope.in_force"), "write agreements.KIND"),
    "no agreements": (sk((NEGOTIATION, "")), "(none declared)"),
    "clauses": (when("clauses.nope"), "write clauses.CLAUSE"),
    "unknown action": (when("actions.nope.taken"), "unknown action 'nope'"),
    "action count": (when("actions.patrol.x"), "write actions.ACTION"),
    "injects": (when("injects.nope"), "write injects.INJECT"),
    "cards": (when("cards.garrisons.nope"), "write cards.CARD.FACT"),
    "no card facts": (
        sk(("    facts: {troops_each: 1200}\n", ""), ("when: tension > 70", "when: cards.x.y")),
        "(no card facts)",
    ),
    "name with a hint": (when("tensoin > 1"), "did you mean tension?"),
    "name without a hint": (when("zzz > 1"), "unknown name 'zzz' (variables:"),
    "operator": (when("tension % 2"), "(allowed: + - * /)"),
    "unary operator": (when("~tension"), "(allowed: not, -, +)"),
    "comparison": (when("tension in 1"), "unsupported comparison"),
    "function": (when("foo(1)"), "unknown function"),
    "no argument": (when("min()"), "min() needs at least one argument"),
    "kind of expression": (when("[1]"), "(List)"),
    "dotted names": (when("(1).real"), "only dotted names"),
    "text constant": (when("'abc'"), "not 'abc'"),
    "huge number": (when("1e999"), "the number 1e309 is too large"),
    "long expression": (when("1" + " + 1" * 1000), "characters long (at most 4000)"),
    "deep expression": (when("-" * 1500 + "1"), "nested too deeply"),
    "syntax": (when("tension >"), "not a valid expression: invalid syntax"),
    "syntax detail": (when("1 if tension"), "expected 'else'"),
    # -- the bundled scenario
    "bundled: reservation": (
        edit(UKRAINE, ('reservation: "0.05"', 'reservation: "0.05 + talks_momentm"')),
        "did you mean talks_momentum?",
    ),
    "bundled: duplicate team": (
        edit(UKRAINE, ("  - id: turkey\n", "  - id: china\n")),
        "duplicate id 'china'",
    ),
}


def problems_of(text: str) -> list[Located]:
    with pytest.raises(ScenarioError) as refused:
        load_scenario_text(text, "scenario.yaml")
    assert refused.value.problems
    return refused.value.problems


def file_problems(tmp_path: Path) -> dict[str, Located]:
    """Files that cannot be read at all, each with its one problem."""
    (tmp_path / "binary.yaml").write_bytes(b"meta:\n  id: \xff\xfe\n")
    (tmp_path / "folder.yaml").mkdir()
    (tmp_path / "plain.yaml").write_text("x", encoding="utf-8")
    (tmp_path / "loop-a.yaml").symlink_to(tmp_path / "loop-b.yaml")
    (tmp_path / "loop-b.yaml").symlink_to(tmp_path / "loop-a.yaml")
    paths = {
        "no such file": tmp_path / "missing.yaml",
        "directory": tmp_path / "folder.yaml",
        "not UTF-8": tmp_path / "binary.yaml",
        "not a directory": tmp_path / "plain.yaml" / "scenario.yaml",
        "name too long": tmp_path / ("x" * 300 + ".yaml"),
        "symbolic link loop": tmp_path / "loop-a.yaml",
    }
    out = {}
    for name, path in paths.items():
        with pytest.raises(ScenarioError) as refused:
            load_scenario_file(path)
        (out[name],) = refused.value.problems
    return out


def captured(english: str) -> str:
    """The values the template that translates ``english`` captures from it."""
    for pattern, _ in problems_ja._RULES:
        found = pattern.fullmatch(english)
        if found:
            return " ".join(v for v in found.groupdict().values() if v)
    return ""


def assert_reads_in_japanese(english: str) -> None:
    japanese = in_japanese(english)
    assert japanese != english, f"no Japanese for: {english}"
    assert JAPANESE.search(japanese), japanese
    # English words are left only where the English has them too (ids, keywords, values)
    left = [w for w in WORD.findall(japanese) if w not in set(WORD.findall(english))]
    assert not left, f"{english!r} -> {japanese!r} keeps English words {left}"
    # and the sentence's own words only as often as the values repeated from it hold them
    in_values = Counter(PROSE.findall(captured(english)))
    prose = [w for w, n in Counter(PROSE.findall(japanese)).items() if n > in_values[w]]
    assert not prose, f"{english!r} -> {japanese!r} keeps English prose {prose}"


def assert_values_kept(english: str) -> None:
    japanese = in_japanese(english)
    for value in QUOTED.findall(english) + NUMBER.findall(english):
        assert value in japanese, f"{value!r} of {english!r} is lost in {japanese!r}"


@pytest.mark.parametrize("name", list(CASES))
def test_each_problem_reads_in_japanese(name: str) -> None:
    text, fragment = CASES[name]
    messages = [p.message for p in problems_of(text)]
    assert any(fragment in m for m in messages), f"{fragment!r} not in {messages}"
    for message in messages:
        assert_reads_in_japanese(message)


@pytest.mark.parametrize("name", list(CASES))
def test_quoted_values_and_numbers_are_kept(name: str) -> None:
    for problem in problems_of(CASES[name][0]):
        assert_values_kept(problem.message)


def test_file_problems_read_in_japanese(tmp_path: Path) -> None:
    for problem in file_problems(tmp_path).values():
        assert problem.path == "(file)"
        assert_reads_in_japanese(problem.message)
        assert_values_kept(problem.message)


# Messages of the templates no scenario can trigger (see the module docstring).
NOT_TRIGGERED = [
    "the scenario is not valid",
    "has too many items (allowed: at most 3)",
    "Permission denied",
]


def test_untriggered_templates_read_in_japanese() -> None:
    for message in NOT_TRIGGERED:
        assert_reads_in_japanese(message)
        assert_values_kept(message)


def test_real_problems_cover_the_templates(tmp_path: Path) -> None:
    """At least 85% of the templates are met by a problem a broken scenario really has, and
    every other one is listed in NOT_TRIGGERED."""
    real = {m.message for text, _ in CASES.values() for m in problems_of(text)}
    real |= {p.message for p in file_problems(tmp_path).values()}

    def matched(messages: set[str] | list[str]) -> set[str]:
        """The templates that translate ``messages`` (the first that matches each)."""
        rules = problems_ja._RULES
        return {
            next(pattern.pattern for pattern, _ in rules if pattern.fullmatch(m))
            for m in messages
            if any(pattern.fullmatch(m) for pattern, _ in rules)
        }

    templates = {pattern.pattern for pattern, _ in problems_ja._RULES}
    covered = matched(real)
    assert len(covered) >= 0.85 * len(templates), sorted(templates - covered)
    assert templates - covered == matched(NOT_TRIGGERED), sorted(templates - covered)


EXAMPLES = [
    (
        "unknown team 'west' (known: north, south)",
        "未知のチーム 'west'(定義済み:north, south)",
    ),
    ("unknown clause 'nope' (known: none declared)", "未知の条項 'nope'(定義済み:なし)"),
    (
        "expected a whole number, got text '2x'",
        "整数が必要ですが、テキスト '2x' が書かれています",
    ),
    (
        "'fr' is not allowed (allowed: 'en' or 'ja')",
        "'fr' は使えません(使えるもの:'en' or 'ja')",
    ),
    ("round 9 does not exist (allowed: 1 to 3)", "第9ラウンドはありません(使えるもの:1〜3)"),
    (
        "'Pull' is not of the expected form (allowed: the pattern ^[a-z][a-z0-9_]*$)",
        "'Pull' は求められる形ではありません(使える形:パターン ^[a-z][a-z0-9_]*$)",
    ),
]


@pytest.mark.parametrize(("english", "japanese"), EXAMPLES)
def test_examples(english: str, japanese: str) -> None:
    assert in_japanese(english) == japanese


def test_a_value_that_looks_like_a_word_of_the_validator_is_kept() -> None:
    """Only the validator's own words are translated, never an author's id or text."""
    assert in_japanese("unknown team 'none' (known: team)") == "未知のチーム 'none'(定義済み:team)"
    assert in_japanese("the 'text' text is empty") == "'text' のテキストが空です"


def test_an_unknown_message_is_returned_unchanged() -> None:
    for message in ("", "something new went wrong", "expected nothing at all"):
        assert in_japanese(message) == message


def test_the_module_is_pure() -> None:
    """No I/O and nothing from the rest of whitecell: any interface may import it."""
    source = Path(problems_ja.__file__).read_text(encoding="utf-8")
    imports = re.findall(r"^(?:from|import) (\S+)", source, re.MULTILINE)
    assert set(imports) <= {"__future__", "re", "collections.abc", "string"}, imports
    assert "open(" not in source and "print(" not in source
