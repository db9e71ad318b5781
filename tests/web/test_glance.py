"""The odds at a glance a designer reads: each team's actions, their odds in the starting
state with the modifiers that apply, and their effects by the variables' labels."""

from __future__ import annotations

import pytest

from whitecell.engine.decide import rule_odds
from whitecell.engine.state import new_state
from whitecell.scenario.compiled import localize
from whitecell.scenario.library import bundled_ids, load_bundled
from whitecell.web.glance import glance


@pytest.mark.parametrize("scenario_id", bundled_ids())
def test_each_team_sees_the_actions_it_may_take_at_the_rules_odds(scenario_id: str) -> None:
    sc = load_bundled(scenario_id)
    state = new_state(sc, None)
    teams = glance(sc, "en")
    assert [t.id for t in teams] == list(sc.team_ids)
    for team in teams:
        mine = [a for a in sc.actions if team.id in a.teams]
        assert [line.id for line in team.lines] == [a.id for a in mine]
        for line, spec in zip(team.lines, mine, strict=True):
            targets = [x for x in (spec.targets or ()) if x != team.id] or [None]
            assert len(line.odds) == len(targets)
            for odds, target in zip(line.odds, targets, strict=True):
                p, applied = rule_odds(state, sc, spec, team.id, target)
                assert odds.percent == round(p * 100) and len(odds.modifiers) == len(applied)


def test_a_modifier_that_holds_at_the_start_is_shown_with_its_reason() -> None:
    sc = load_bundled("ukraine-ceasefire-2025")
    shown = [
        (team.id, line.id, o)
        for team in glance(sc, "en")
        for line in team.lines
        for o in line.odds
        if o.modifiers
    ]
    assert shown, "the bundled scenario has a modifier that holds in its starting state"
    team, action, odds = shown[0]
    spec = sc.action[action]
    notes = {localize(m.note, "en") for m in spec.modifiers}
    assert all(why in notes for _add, why in odds.modifiers)
    assert all(add.endswith("%") and add[0] in "+-" for add, _why in odds.modifiers)
    line = next(x for t in glance(sc, "en") if t.id == team for x in t.lines if x.id == action)
    assert line.base == round(spec.base_probability * 100)


def test_effects_are_named_by_the_variables_labels_in_the_readers_language() -> None:
    sc = load_bundled("ukraine-ceasefire-2025")
    labels = {localize(v.label, "en") for v in sc.vars}
    keys = {v.key for v in sc.vars}
    effects = [e for t in glance(sc, "en") for line in t.lines for e in line.success + line.failure]
    assert effects and all(
        e.ends or e.label in labels or any(e.label.startswith(f"{x} (") for x in labels)
        for e in effects
    )
    assert not any(e.label in keys for e in effects)
    ja = glance(sc, "ja")
    assert ja[0].name == localize(sc.team[ja[0].id].name, "ja")
    assert ja[0].lines[0].label == localize(sc.action[ja[0].lines[0].id].label, "ja")
