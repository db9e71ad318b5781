"""The bundled ukraine-ceasefire-2025 scenario is faithful to the Patterson School
simulation it follows; every bundled scenario is complete in both languages, valid by
every route, and plays, replays and verifies."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from whitecell.engine.evolve import fold
from whitecell.engine.game import Game
from whitecell.engine.log import dump_log, parse_log
from whitecell.engine.state import new_state
from whitecell.play import play_game
from whitecell.scenario import Scenario
from whitecell.scenario.compiled import localize
from whitecell.scenario.library import bundled_ids, bundled_path, load_bundled
from whitecell.verify import verify_log

REPO = Path(__file__).resolve().parents[2]
SCENARIO_ID = "ukraine-ceasefire-2025"
TEAMS = ("russia", "usa", "ukraine", "china", "turkey", "europe")
INSTRUMENTS = {"diplomatic", "information", "military", "economic"}
BUNDLED = bundled_ids()


def whitecell(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "whitecell", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_is_bundled() -> None:
    assert SCENARIO_ID in bundled_ids()
    assert "nuclear-cascade-2025" in bundled_ids()


def test_six_teams(ukraine: Scenario) -> None:
    assert ukraine.team_ids == TEAMS
    assert ukraine.actor_name("europe", "en") == "European powers"


def test_five_rounds_action_action_ankara_action_ankara(ukraine: Scenario) -> None:
    assert [r.kind for r in ukraine.rounds] == [
        "action",
        "action",
        "negotiation",
        "action",
        "negotiation",
    ]
    for number in (3, 5):
        talks = ukraine.rounds[number - 1]
        assert talks.venue == {"en": "Ankara", "ja": "アンカラ"}
        assert talks.duration_text == "14d"
        assert talks.duration.days == 14


@pytest.mark.parametrize("team", TEAMS)
def test_every_team_has_at_least_eight_actions_over_all_four_instruments(
    ukraine: Scenario, team: str
) -> None:
    open_to_team = [a for a in ukraine.actions if team in a.teams]
    assert len(open_to_team) >= 8
    assert {a.instrument for a in open_to_team} == INSTRUMENTS


def test_the_catalogue_has_team_specific_actions(ukraine: Scenario) -> None:
    """Not only shared moves: each team has some of its own."""
    for team in TEAMS:
        own = [a for a in ukraine.actions if a.teams == {team}]
        assert len(own) >= 3, team


def test_at_least_eight_clauses_on_the_table(ukraine: Scenario) -> None:
    assert len(ukraine.clauses) >= 8
    assert "ceasefire" in ukraine.agreements
    ceasefire = ukraine.agreements["ceasefire"]
    assert len(ceasefire.required) + len(ceasefire.optional) >= 8
    assert ceasefire.hazard_base is not None and 0 < ceasefire.hazard_base < 1


def test_a_un_mediator_runs_the_talks(ukraine: Scenario) -> None:
    assert ukraine.mediator in ukraine.roles
    assert ukraine.mediator not in ukraine.team
    assert "UN" in ukraine.actor_name(ukraine.mediator, "en")
    assert "国連" in ukraine.actor_name(ukraine.mediator, "ja")


def test_the_spoiler_bomb_is_conditional_and_probabilistic(ukraine: Scenario) -> None:
    bomb = ukraine.inject["spoiler_bomb"]
    assert bomb.round is None, "it must not be scripted to a round"
    assert bomb.when is not None
    assert bomb.chance is not None and 0 < bomb.chance < 1
    state = Game(ukraine, 1).state
    state.v[ukraine.var["spoiler_risk"].index] = 60.0
    assert not bomb.when(state), "no bomb while there is no ceasefire to wreck"
    state.agreement_counts["ceasefire"] = [1, 1, 0]  # in force, signed, broken
    assert bomb.when(state)
    state.v[ukraine.var["spoiler_risk"].index] = 0.0
    assert not bomb.when(state), "no bomb without a spoiler faction"


def test_the_spoiler_attack_makes_a_ceasefire_more_likely_to_break(ukraine: Scenario) -> None:
    covariates = {c.id: c for c in ukraine.agreements["ceasefire"].covariates}
    assert covariates["spoiler"].value.reads == {"spoiler_attack"}
    assert covariates["spoiler"].beta > 0
    assert covariates["peacekeepers"].beta < 0


@pytest.mark.parametrize(
    ("counts", "reached", "holding", "resumed"),
    [
        ([0, 0, 0], False, False, False),
        ([1, 1, 0], True, True, False),
        ([0, 1, 1], True, False, True),
    ],
    ids=["never", "holds", "broken"],
)
def test_the_ceasefire_outcomes_read_as_their_names_say(
    ukraine: Scenario, counts: list[int], reached: bool, holding: bool, resumed: bool
) -> None:
    outcome = {o.id: o for o in ukraine.outcomes}
    state = Game(ukraine, 1).state
    state.agreement_counts["ceasefire"] = counts  # in force, signed, broken
    assert bool(outcome["ceasefire_reached"].value(state)) is reached
    assert bool(outcome["ceasefire_holding_at_end"].value(state)) is holding
    assert bool(outcome["war_resumed"].value(state)) is resumed


def test_across_seeds_a_ceasefire_holds_breaks_or_never_comes(ukraine: Scenario) -> None:
    """What the README promises of the bundled scenario."""
    endings = Counter()
    for seed in range(40):
        o = play_game(ukraine, seed).state.outcomes
        assert o is not None
        endings[(o["ceasefire_reached"], o["ceasefire_holding_at_end"], o["war_resumed"])] += 1
    assert set(endings) == {(True, True, False), (True, False, True), (False, False, False)}


def _localized(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if "en" in node or "ja" in node:
            yield path, node
            return
        for key, value in node.items():
            yield from _localized(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _localized(item, f"{path}[{i}]")


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_every_text_in_the_file_is_in_english_and_japanese(scenario_id: str) -> None:
    raw = yaml.safe_load(bundled_path(scenario_id).read_text(encoding="utf-8"))
    texts = list(_localized(raw))
    assert len(texts) > 200  # every label, brief, objective, narrative and news item
    for path, text in texts:
        assert set(text) == {"en", "ja"}, path
        for lang in ("en", "ja"):
            assert isinstance(text[lang], str) and text[lang].strip(), f"{path}.{lang}"


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_japanese_texts_are_japanese(scenario_id: str) -> None:
    """A copied English string in the ja slot is a missing translation too."""
    raw = yaml.safe_load(bundled_path(scenario_id).read_text(encoding="utf-8"))
    for path, text in _localized(raw):
        assert any(ord(ch) > 0x3000 for ch in text["ja"]), f"{path}.ja = {text['ja']!r}"


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_whitecell_validate_says_ok(scenario_id: str) -> None:
    result = whitecell("validate", str(bundled_path(scenario_id)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(": ok")


@pytest.fixture(scope="module")
def schema_text() -> str:
    result = whitecell("schema")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_json_schema_export_describes_every_section(schema_text: str) -> None:
    schema = json.loads(schema_text)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    for section in (
        "format_version",
        "meta",
        "teams",
        "roles",
        "variables",
        "rounds",
        "actions",
        "negotiation",
        "injects",
        "outcomes",
        "dynamics",
        "cards",
        "adjudication",
        "automation",
    ):
        assert section in schema["properties"], section
    assert {"meta", "teams", "variables", "rounds", "actions"} <= set(schema["required"])
    action = schema["$defs"]["Action"]
    assert set(action["properties"]["instrument"]["enum"]) == INSTRUMENTS


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_the_bundled_yaml_keys_are_all_in_the_schema(schema_text: str, scenario_id: str) -> None:
    """Without a validator: every top-level and team/action key of the bundled file is
    declared, so editors using the schema will not flag the shipped scenario."""
    schema = json.loads(schema_text)
    raw = yaml.safe_load(bundled_path(scenario_id).read_text(encoding="utf-8"))
    assert set(raw) <= set(schema["properties"])
    defs = schema["$defs"]
    for section, model in (
        ("teams", "Team"),
        ("actions", "Action"),
        ("variables", "Variable"),
        ("dynamics", "Dynamic"),
        ("cards", "Card"),
    ):
        for item in raw.get(section, []):
            assert set(item) <= set(defs[model]["properties"]), (section, item.get("id"))


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_the_schema_the_bundled_file_points_editors_at_is_the_current_one(
    schema_text: str, scenario_id: str
) -> None:
    source = REPO / "whitecell" / "scenario" / "library" / f"{scenario_id}.yaml"
    modeline = source.read_text(encoding="utf-8").splitlines()[0]
    assert modeline.startswith("# yaml-language-server: $schema=")
    committed = (source.parent / modeline.split("$schema=", 1)[1]).resolve()
    assert committed.is_file(), committed
    assert json.loads(committed.read_text(encoding="utf-8")) == json.loads(schema_text)


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_every_bundled_scenario_plays_replays_and_verifies(
    scenario_id: str, tmp_path: Path
) -> None:
    """Automated play to the end; the log read back folds to the same state; every roll,
    rule-based odds, dynamics rule and outcome checks out, in process and by the command."""
    from whitecell.scenario.library import load_bundled

    scenario = load_bundled(scenario_id)
    for seed in (1, 2):
        game = play_game(scenario, seed)
        assert game.state.ended and game.state.outcomes is not None
        text = dump_log(scenario, game.events)
        log = parse_log(text, "game.jsonl")
        replayed = fold(new_state(log.scenario, seed), log.events)
        assert replayed.snapshot() == game.state.snapshot()
        verdict = verify_log(log)
        assert verdict.ok, verdict.message
        assert dump_log(scenario, play_game(scenario, seed).events) == text, "same seed, same log"
    path = tmp_path / "game.jsonl"
    path.write_text(text, encoding="utf-8")
    result = whitecell("verify", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok")


# a verb in -s straight after a placeholder agrees with a singular name only
_VERB_AFTER = re.compile(r"\{(actor|target)\} ([a-z]+)")


def _agrees(word: str) -> bool:
    return word in ("is", "has", "was") or (word.endswith("s") and not word.endswith("ss"))


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_no_narrative_makes_a_verb_agree_with_a_team_whose_name_is_plural(
    scenario_id: str,
) -> None:
    """Never "European powers pledges": where a placeholder may name a team whose English
    name is plural, the sentence is phrased so that no verb agrees with it."""
    sc = load_bundled(scenario_id)
    every = set(sc.team_ids)
    plural = {t.id for t in sc.teams if localize(t.name, "en").endswith(("powers", "states"))}
    plural -= {"usa"}  # "the United States" takes a singular verb
    wrong = []
    for a in sc.actions:
        may_name = {"actor": set(a.teams or every), "target": set(a.targets or every)}
        for text in (a.narrative_success, a.narrative_failure):
            en = localize(text, "en") if text else ""
            for who, word in _VERB_AFTER.findall(en):
                if may_name[who] & plural and _agrees(word):
                    wrong.append(f"{a.id}: {en}")
    assert not wrong, "\n".join(wrong)
