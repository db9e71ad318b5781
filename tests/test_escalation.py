"""The escalation index: each action a team chose, at its rung's weight on the scenario's
ladder, summed per team and per round; withdrawn and voided actions never happened; a
free-form action stands on the rung its adjudicator gave it; a team's view never counts
another team's secret actions."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from tests.conftest import BASE_YAML
from whitecell.engine import ADJUDICATOR, CONTROL, OBSERVER, Game, team_seat
from whitecell.engine import commands as cmd
from whitecell.engine.errors import RuleViolation
from whitecell.engine.log import dump_log, parse_log
from whitecell.escalation import escalation_index, player_kinds
from whitecell.scenario.compiled import Scenario
from whitecell.scenario.load import parse_scenario
from whitecell.verify import verify_log

# A ladder of our own, so the numbers below can only come from the scenario's weights.
CALM, SHOW, HIT = -3.0, 5.0, 20.0


def small_scenario() -> Scenario:
    """The rule cases' scenario (red, blue, green; rounds: action, negotiation, action) with
    a three-rung ladder: patrol and spy are shows of force, sabotage a hit, aid calming."""
    data: dict[str, Any] = yaml.safe_load(BASE_YAML.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data["escalation"] = {
        "levels": [
            {"id": "calm", "label": {"en": "Calming", "ja": "鎮静"}, "weight": CALM},
            {"id": "show", "label": {"en": "Show of force", "ja": "示威"}, "weight": SHOW},
            {"id": "hit", "label": {"en": "Hit", "ja": "攻撃"}, "weight": HIT},
        ]
    }
    rungs = {"patrol": "show", "spy": "show", "sabotage": "hit", "aid": "calm"}
    for action in data["actions"]:
        if action["id"] in rungs:
            action["escalation"] = rungs[action["id"]]
    return parse_scenario(data)


def submit(game: Game, team: str, action: str, **kw: Any) -> str:
    return game.handle(cmd.SubmitAction(seat=team_seat(team), action=action, **kw))[0].uid  # type: ignore[attr-defined,no-any-return]


def rule(game: Game, uid: str, **kw: Any) -> None:
    game.handle(cmd.Assess(seat=ADJUDICATOR, uid=uid, probability=0.5, **kw))
    game.handle(cmd.Roll(seat=ADJUDICATOR, uid=uid))
    game.handle(cmd.PublishOutcome(seat=CONTROL, uid=uid))


@pytest.fixture(scope="module")
def game() -> Game:
    """Round 1: red patrols and sabotages blue (secret); blue sends aid and patrols, then
    withdraws the patrol; green takes a free-form action the adjudicator puts on the 'hit'
    rung. Round 3: green sends aid, red patrols, blue takes a free-form action ruled
    without a rung."""
    sc = small_scenario()
    g = Game(sc, 2024)
    g.handle(cmd.StartGame(seat=CONTROL))
    g.handle(cmd.OpenRound(seat=CONTROL, number=1))
    red_patrol = submit(g, "red", "patrol")
    sabotage = submit(g, "red", "sabotage", target="blue")
    aid = submit(g, "blue", "aid")
    blue_patrol = submit(g, "blue", "patrol")
    g.handle(cmd.WithdrawAction(seat=team_seat("blue"), uid=blue_patrol))
    raid = submit(g, "green", "free", description="A raid across the river", instrument="military")
    for uid in (red_patrol, sabotage, aid):
        rule(g, uid)
    rule(g, raid, rung="hit")
    g.handle(cmd.CloseRound(seat=CONTROL, number=1))
    g.handle(cmd.OpenRound(seat=CONTROL, number=2))
    g.handle(cmd.CloseRound(seat=CONTROL, number=2))
    g.handle(cmd.OpenRound(seat=CONTROL, number=3))
    green_aid = submit(g, "green", "aid")
    red_again = submit(g, "red", "patrol")
    vague = submit(g, "blue", "free", description="Something vague", instrument="diplomatic")
    for uid in (green_aid, red_again, vague):
        rule(g, uid)
    g.handle(cmd.CloseRound(seat=CONTROL, number=3))
    g.handle(cmd.EndGame(seat=CONTROL))
    return g


def test_each_team_s_index_per_round_is_the_sum_of_its_chosen_actions_weights(game) -> None:
    sc = game.state.scenario
    index = escalation_index(sc, game.state.actions.values(), 3)
    # red: round 1 patrol (show) + sabotage (hit); round 3 patrol (show)
    assert index.per_team["red"] == (SHOW + HIT, 0.0, SHOW)
    # blue: round 1 aid (calm); its patrol was withdrawn; round 3's free-form has no rung
    assert index.per_team["blue"] == (CALM, 0.0, 0.0)
    # green: round 1 its free-form raid, put on the hit rung; round 3 aid (calm)
    assert index.per_team["green"] == (HIT, 0.0, CALM)
    assert index.overall == (SHOW + HIT + CALM + HIT, 0.0, CALM + SHOW)
    assert index.total == 2 * SHOW + 2 * HIT + 2 * CALM
    assert index.cumulative("red") == [SHOW + HIT, SHOW + HIT, 2 * SHOW + HIT]
    assert (index.scored, index.unscored) == (6, 1)
    assert index.rungs == {"show": 2, "hit": 2, "calm": 2}


def test_an_action_counts_whether_it_succeeded_or_failed(game) -> None:
    """The studies score the actions chosen: red's round-1 actions count either way."""
    red = [a for a in game.state.actions.values() if a.team == "red" and a.round == 1]
    assert {a.success for a in red} <= {True, False} and len(red) == 2
    index = escalation_index(game.state.scenario, red, 3)
    assert index.per_team["red"][0] == SHOW + HIT


def test_an_observer_keeping_secrets_never_counts_a_secret_action(game) -> None:
    """Sabotage is secret: a view keeping secrets (an observer's, or another team's: the
    game has ended and revealed all, so only a secret-keeping view still hides it) leaves
    it out; red's own view counts it."""
    from whitecell.engine.view import View

    sc = game.state.scenario
    public = View(game.state, OBSERVER, keep_secrets=True)
    index = escalation_index(sc, public.actions(), 3)
    assert index.per_team["red"] == (SHOW, 0.0, SHOW)
    blue = View(game.state, team_seat("blue"), keep_secrets=True)
    assert escalation_index(sc, blue.actions(), 3).per_team["red"][0] == SHOW
    red = View(game.state, team_seat("red"), keep_secrets=True)
    assert escalation_index(sc, red.actions(), 3).per_team["red"][0] == SHOW + HIT


def test_a_catalogue_action_s_rung_is_the_scenario_s_not_the_adjudicator_s() -> None:
    g = Game(small_scenario(), 1)
    g.handle(cmd.StartGame(seat=CONTROL))
    g.handle(cmd.OpenRound(seat=CONTROL, number=1))
    uid = submit(g, "red", "patrol")
    with pytest.raises(RuleViolation) as caught:
        g.handle(cmd.Assess(seat=ADJUDICATOR, uid=uid, probability=0.5, rung="hit"))
    assert caught.value.key == "violation.rung_fixed"


def test_a_free_form_action_takes_only_a_rung_of_the_ladder() -> None:
    g = Game(small_scenario(), 1)
    g.handle(cmd.StartGame(seat=CONTROL))
    g.handle(cmd.OpenRound(seat=CONTROL, number=1))
    uid = submit(g, "red", "free", description="A feint", instrument="military")
    with pytest.raises(RuleViolation) as caught:
        g.handle(cmd.Assess(seat=ADJUDICATOR, uid=uid, probability=0.5, rung="nuclear"))
    assert caught.value.key == "violation.unknown_rung"
    assert "calm, show, hit" in caught.value.message


def test_a_game_with_rungs_set_by_the_adjudicator_still_verifies(game) -> None:
    log = parse_log(dump_log(game.state.scenario, game.state.events))
    assert verify_log(log).ok
    again = escalation_index(log.scenario, _replayed(log).actions.values(), 3)
    assert again.per_team["green"] == (HIT, 0.0, CALM)


def test_an_assessment_logged_before_the_escalation_index_still_loads(game) -> None:
    """Older logs have no ``rung`` on action_assessed: it reads as none."""
    import json

    text = dump_log(game.state.scenario, game.state.events)
    lines = text.splitlines()
    old = [lines[0]]
    for line in lines[1:]:
        event = json.loads(line)
        if event["type"] == "action_assessed":
            assert "rung" in event
            del event["rung"]
        old.append(json.dumps(event, ensure_ascii=False))
    log = parse_log("\n".join(old) + "\n")
    assert verify_log(log).ok
    index = escalation_index(log.scenario, _replayed(log).actions.values(), 3)
    assert index.per_team["green"] == (0.0, 0.0, CALM)  # the raid's rung was not recorded
    assert index.unscored == 2


def test_actions_are_told_apart_by_who_chose_them(game) -> None:
    """Commands without a person's name come from automated players; with one, people."""
    kinds = player_kinds(game.state.events)
    assert set(kinds.values()) == {"heuristic"}
    g = Game(small_scenario(), 1)
    g.handle(cmd.StartGame(seat=CONTROL))
    g.handle(cmd.OpenRound(seat=CONTROL, number=1))
    g.handle(cmd.SubmitAction(seat=team_seat("red"), by="Aiko", action="patrol"))
    g.handle(cmd.SeatAgent(seat=CONTROL, team="blue", seated=True, kind="llm"))
    g.handle(cmd.SubmitAction(seat=team_seat("blue"), action="patrol"))
    assert sorted(player_kinds(g.state.events).values()) == ["human", "model"]


def _replayed(log: Any) -> Any:
    from whitecell.engine.log import replay_log

    return replay_log(log)
