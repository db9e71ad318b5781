"""``--set`` and ``--sweep``: precise paths, the validator's messages, one ensemble per value."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BASE_YAML
from whitecell.ensemble.overrides import (
    SettingError,
    configured,
    grid,
    parse_setting,
    parse_sweep,
)
from whitecell.scenario.compiled import Scenario
from whitecell.scenario.load import ScenarioError, scenario_from_document


def preference(scenario: Scenario, team: str, key: str) -> float:
    index = next(v.index for v in scenario.vars if v.key == key)
    return dict(scenario.team[team].preferences).get(index, 0.0)


def red(scenario: Scenario) -> dict:
    return next(t for t in scenario.document["teams"] if t["id"] == "red")


def test_set_changes_the_scenario_and_its_digest(base_scenario: Scenario):
    changed = configured(base_scenario, [parse_setting("teams.red.preferences.tension=-2")])
    assert changed.digest != base_scenario.digest
    assert red(changed)["preferences"]["tension"] == -2
    assert red(base_scenario)["preferences"]["tension"] == -0.5, "the base is left alone"
    # compiled weights scale with the declared value (-2 is four times -0.5)
    assert preference(changed, "red", "tension") == pytest.approx(
        4 * preference(base_scenario, "red", "tension")
    )
    assert preference(changed, "blue", "tension") == preference(base_scenario, "blue", "tension")


def test_set_with_no_settings_is_the_scenario_itself(base_scenario: Scenario):
    assert configured(base_scenario, []) is base_scenario


def test_set_reaches_a_preference_on_a_per_team_variable(base_scenario: Scenario):
    """Preferences on per-team variables have dotted keys (``morale.red``, and in the bundled
    scenario ``cohesion.russia``): a path must be able to name them."""
    changed = configured(base_scenario, [parse_setting("teams.red.preferences.morale.red=3")])
    assert red(changed)["preferences"]["morale.red"] == 3
    assert preference(changed, "red", "morale.red") == pytest.approx(
        3 * preference(base_scenario, "red", "morale.red")
    )


def test_set_adds_a_preference_the_team_did_not_declare(base_scenario: Scenario):
    """Red declares no preference on blue's morale; a path may add one, dots and all."""
    assert preference(base_scenario, "red", "morale.blue") == 0
    changed = configured(base_scenario, [parse_setting("teams.red.preferences.morale.blue=-1")])
    assert red(changed)["preferences"]["morale.blue"] == -1
    assert preference(changed, "red", "morale.blue") < 0


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            "foo.bar=1",
            "foo.bar: no 'foo' under the scenario (fields: actions, automation, format_version,"
            " injects, meta, negotiation, outcomes, roles, rounds, teams, variables)",
        ),
        (
            "teams.purple.preferences.tension=1",
            "no item 'purple' in teams (ids: red, blue, green)",
        ),
        ("automation.x.y=1", "no 'x' under automation (fields: temperature)"),
        ("rounds.5.kind=action", "no item '5' in rounds (positions 0 to 2)"),
        ("meta.id.x=1", "meta.id is a plain value; it has no 'x'"),
        ("teams.red=1", "name a field of item 'red', not the item"),
    ],
)
def test_a_bad_path_names_what_exists_there(base_scenario: Scenario, setting, message):
    with pytest.raises(SettingError) as caught:
        configured(base_scenario, [parse_setting(setting)])
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("setting", "path", "value"),
    [
        ("automation.temperature=-1", ("automation",), {"temperature": -1}),
        ("automation.temprature=0.5", ("automation",), {"temprature": 0.5}),
        ("rounds.0.kind=bogus", ("rounds", 0), {"kind": "bogus"}),
        ("teams.red.preferences.tensoin=1", ("teams", 0, "preferences"), {"tensoin": 1}),
    ],
)
def test_a_bad_value_gets_the_scenario_validators_message(
    base_scenario: Scenario, setting, path, value
):
    document = copy.deepcopy(dict(base_scenario.document))
    node = document
    for step in path:
        node = node[step]
    node.update(value)
    with pytest.raises(ScenarioError) as validator:
        scenario_from_document(document, "by hand")
    problem = validator.value.problems[0]
    with pytest.raises(SettingError) as caught:
        configured(base_scenario, [parse_setting(setting)])
    text = str(caught.value)
    assert text.startswith(setting.split("=")[0]), "the message names the setting"
    assert f"{problem.path}: {problem.message}" in text


def test_values_are_read_as_yaml_scalars():
    assert parse_setting("automation.temperature=0.5") == ("automation.temperature", 0.5)
    assert parse_setting(" a.b = true") == ("a.b", True)
    assert parse_setting("a=text") == ("a", "text")
    assert parse_setting("a=") == ("a", "")
    assert parse_sweep("automation.temperature=0.05,0.5") == (
        "automation.temperature",
        [0.05, 0.5],
    )
    for bad in ("no-equals", "=1"):
        with pytest.raises(SettingError, match="PATH=VALUE"):
            parse_setting(bad)
    for bad in ("a=", "a", "=1,2", "a=,"):
        with pytest.raises(SettingError, match="PATH=V1,V2"):
            parse_sweep(bad)


def test_a_grid_of_two_sweeps_has_every_combination(base_scenario: Scenario):
    sweeps = [
        parse_sweep("automation.temperature=0.05,0.5"),
        parse_sweep("teams.red.preferences.tension=-1,0,1"),
    ]
    combos = grid(sweeps)
    assert len(combos) == 6
    assert combos[0] == [("automation.temperature", 0.05), ("teams.red.preferences.tension", -1)]
    assert {tuple(c) for c in combos} == {
        (("automation.temperature", t), ("teams.red.preferences.tension", w))
        for t in (0.05, 0.5)
        for w in (-1, 0, 1)
    }
    digests = {configured(base_scenario, c).digest for c in combos}
    assert len(digests) == 6
    assert grid([]) == [[]]


def test_a_sweep_runs_one_ensemble_per_value_and_compares_each_to_the_first(tmp_path: Path):
    target = tmp_path / "sweep.json"
    args = [str(BASE_YAML), "-n", "120", "--seed", "5", "--executor", "inprocess"]
    args += ["--json", str(target), "--sweep", "automation.temperature=0.05,0.5"]
    result = subprocess.run(
        [sys.executable, "-m", "whitecell", "ensemble", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "COLUMNS": "120", "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(target.read_text())
    sweep = report["sweep"]
    assert [part["values"] for part in sweep] == [
        {"automation.temperature": 0.05},
        {"automation.temperature": 0.5},
    ]
    assert [part["runs"] for part in sweep] == [120, 120]
    assert len({part["scenario_digest"] for part in sweep}) == 2
    first, second = sweep
    assert report["outcomes"] == first["outcomes"]
    assert first["outcomes"] != second["outcomes"], "a hotter agent plays differently"
    for key, value in first["outcomes"].items():
        if "p" in value:
            assert first["change"][key] == {"dp": 0.0}
            dp = second["outcomes"][key]["p"] - value["p"]
            assert second["change"][key]["dp"] == pytest.approx(dp, abs=1e-6)
        else:
            assert first["change"][key] == {"dmean": 0.0}
            dmean = second["outcomes"][key]["mean"] - value["mean"]
            assert second["change"][key]["dmean"] == pytest.approx(dmean, abs=1e-6)
    assert "automation.temperature=0.5" in result.stdout, "one table per value"
