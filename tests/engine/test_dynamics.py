"""Dynamics rules and reference cards: checked when the scenario loads, applied as events
at each round's close, kept behind the fog of war, recomputed by verification."""

from __future__ import annotations

import json
from typing import Any

import pytest

from whitecell.engine import ADJUDICATOR, CONTROL, OBSERVER, Game, team_seat
from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.engine.log import dump_log, parse_log
from whitecell.engine.view import View
from whitecell.scenario import Scenario, ScenarioError
from whitecell.scenario.load import parse_scenario
from whitecell.selftest.runner import base_document, merge
from whitecell.verify import verify_log

RED_RULE = {
    "id": "red_drift",
    "label": {"en": "Red's morale drifts", "ja": "赤の士気の推移"},
    "news": {"en": "{actor} grows bolder.", "ja": "{actor}は大胆になった。"},
    "teams": ["red", "blue"],
    "when": "morale.actor >= 45",
    "effects": {"change": {"morale.actor": "(60 - morale.actor) / 2"}},
    "visibility": "team",
}
PLOT_RULE = {
    "id": "plot_grows",
    "label": {"en": "The plot grows", "ja": "陰謀の拡大"},
    "chance": "0.5 + tension / 200",
    "effects": {"change": {"plot": 7, "tension": 1}},
}
CARDS = [
    {
        "id": "ridge",
        "title": {"en": "The ridge", "ja": "尾根"},
        "body": {"en": "RIDGE-CARD-BODY about the garrison.", "ja": "RIDGE-CARD-BODY 守備隊。"},
        "facts": {"troops": 1200},
    },
    {
        "id": "weather",
        "title": {"en": "Weather", "ja": "天候"},
        "body": {"en": "WEATHER-CARD-BODY: snow in winter.", "ja": "WEATHER-CARD-BODY 冬は雪。"},
        "audience": "public",
    },
    {
        "id": "blue_notes",
        "title": {"en": "Blue's notes", "ja": "青のメモ"},
        "body": {"en": "BLUE-CARD-BODY for Blue.", "ja": "BLUE-CARD-BODY 青向け。"},
        "audience": ["blue"],
        "facts": {"reserves": 3},
    },
]


def scenario(patch: dict[str, Any] | None = None, **meta: Any) -> Scenario:
    doc = merge(base_document(), {"dynamics": [RED_RULE, PLOT_RULE], "cards": CARDS})
    if meta:
        doc = merge(doc, {"meta": meta})
    return parse_scenario(merge(doc, patch or {}), None, "<test>")


def problems(patch: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        scenario(patch)
    return [f"{p.path}: {p.message}" for p in caught.value.problems]


def played(sc: Scenario, seed: int = 5) -> Game:
    """Every round closed with nobody acting, then the end."""
    game = Game(sc, seed)
    game.handle(cmd.StartGame(seat=CONTROL))
    for rnd in sc.rounds:
        game.handle(cmd.OpenRound(seat=CONTROL, number=rnd.number))
        game.handle(cmd.CloseRound(seat=CONTROL, number=rnd.number))
    game.handle(cmd.EndGame(seat=CONTROL))
    return game


# -- loading -------------------------------------------------------------------------------


def test_rules_compile_with_their_teams_conditions_chances_and_amounts() -> None:
    sc = scenario()
    red, plot = sc.dynamics
    assert red.teams == ("red", "blue") and red.visibility == "team"
    assert red.when is not None and red.chance is None
    assert plot.teams is None and plot.chance is not None
    assert [(ref.text, absolute) for ref, _, absolute in plot.terms] == [
        ("plot", False),
        ("tension", False),
    ]


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"dynamics": [{"id": "plot_grows", "visibility": "team"}]}, "visibility 'team' is for"),
        (
            {"dynamics": [{"id": "plot_grows", "effects": {"change": {"morale": 1}}}]},
            "is kept per team",
        ),
        (
            {"dynamics": [{"id": "plot_grows", "effects": {"change": {"plot": "plot +"}}}]},
            "not a valid expression",
        ),
        (
            {"dynamics": [{"id": "plot_grows", "effects": {"change": {"nothing": 1}}}]},
            "unknown variable 'nothing'",
        ),
        ({"dynamics": [{"id": "plot_grows", "when": "morale.actor > 3"}]}, "no actor is defined"),
        (
            {"dynamics": [{"id": "plot_grows", "news": {"en": "{actor} plots", "ja": "{actor}"}}]},
            "unknown placeholder {actor}",
        ),
        (
            {"dynamics": [{"id": "plot_grows", "effects": {"set": {"tension": 130}}}]},
            "outside [0, 100]",
        ),
        (
            {"dynamics": [{"id": "plot_grows", "effects": {"set": {"alert": 3}}}]},
            "is a flag",
        ),
        (
            {"dynamics": [{"id": "plot_grows", "effects": {"change": {"tension": True}}}]},
            "not true/false",
        ),
        (
            {"dynamics": [{"id": "red_drift", "teams": ["red", "purple"]}]},
            "unknown team 'purple'",
        ),
        (
            {"dynamics": [{"id": "empty", "label": {"en": "E", "ja": "空"}, "effects": {}}]},
            "changes nothing",
        ),
        ({"dynamics": [{"id": "plot_grows", "chance": "cards.ridge.nope"}]}, "cards.ridge.troops"),
        ({"cards": [{"id": "blue_notes", "audience": ["navy"]}]}, "unknown team 'navy'"),
        ({"variables": [{"id": "cards", "label": {"en": "C", "ja": "C"}, "initial": 1}]}, "cards"),
        (
            {"cards": [{"id": "new", "title": {"en": "Only English"}, "body": {"en": "B"}}]},
            "missing translation: ja",
        ),
    ],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_a_bad_rule_or_card_is_reported_where_it_is(patch: dict[str, Any], message: str) -> None:
    found = problems(patch)
    assert any(message in p for p in found), found


def test_a_duplicate_rule_id_is_reported() -> None:
    doc = merge(base_document(), {"dynamics": [RED_RULE, PLOT_RULE]})
    doc["dynamics"].append(dict(PLOT_RULE))
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(doc, None, "<test>")
    assert any("duplicate id 'plot_grows'" in p.message for p in caught.value.problems)


def test_card_facts_are_constants_any_expression_may_read() -> None:
    sc = scenario(
        {"outcomes": [{"id": "final_tension", "value": "tension + cards.ridge.troops / 100"}]}
    )
    outcome = next(o for o in sc.outcomes if o.id == "final_tension")
    assert outcome.value(Game(sc, 1).state) == 62.0
    assert outcome.value.reads == {"tension"}, "a card fact is no variable"


# -- play ----------------------------------------------------------------------------------


def test_rules_apply_at_every_close_in_order_and_per_team() -> None:
    game = played(scenario())
    applied = [(e.round, e.rule, e.team) for e in game.events if isinstance(e, ev.DynamicApplied)]
    assert applied[0] != ("1", "red_drift", "red")  # a sanity check on the tuple shape
    assert applied[0] == (1, "red_drift", "red")  # morale 50 >= 45; blue (40) does not qualify
    assert all(team != "blue" for _, rule, team in applied if rule == "red_drift")
    rolls = [e for e in game.events if isinstance(e, ev.DiceRolled) and e.purpose == "dynamic"]
    assert len(rolls) == len(game.scenario.rounds)
    assert all(r.subject == "plot_grows" and r.audience == ("white",) for r in rolls)
    grown = [e for e in game.events if isinstance(e, ev.DynamicApplied) and e.rule == "plot_grows"]
    assert len(grown) == sum(r.success for r in rolls)


def test_the_same_seed_replays_the_same_log_and_it_verifies() -> None:
    sc = scenario()
    text = dump_log(sc, played(sc).events)
    assert dump_log(sc, played(sc).events) == text
    verdict = verify_log(parse_log(text, "game.jsonl"))
    assert verdict.ok, verdict.message


def _tampered(edit: Any) -> str:
    sc = scenario()
    text = dump_log(sc, played(sc).events)
    lines = text.splitlines()
    for i, line in enumerate(lines[1:], start=1):
        data = json.loads(line)
        if edit(data):
            lines[i] = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            break
    else:
        raise AssertionError("nothing to tamper with")
    return verify_log(parse_log("\n".join(lines) + "\n", "game.jsonl")).message


def test_verification_catches_a_rule_that_changed_more_than_it_says() -> None:
    def edit(e: dict[str, Any]) -> bool:
        if e["type"] == "dynamic_applied" and e["rule"] == "red_drift":
            e["changes"][0][2] = 99.0
            return True
        return False

    assert "red_drift.red changed" in _tampered(edit)


def test_verification_catches_a_rule_applied_to_a_team_it_does_not_fit() -> None:
    def edit(e: dict[str, Any]) -> bool:
        if e["type"] == "dynamic_applied" and e["rule"] == "red_drift":
            e["team"] = "blue"
            return True
        return False

    assert "condition does not hold" in _tampered(edit)


def test_verification_catches_a_rule_roll_against_other_odds() -> None:
    def edit(e: dict[str, Any]) -> bool:
        if e["type"] == "dice_rolled" and e["purpose"] == "dynamic":
            e["threshold"], e["success"] = 1.0, True
            return True
        return False

    message = _tampered(edit)
    assert "the rule's chance at that point is" in message or "seed gives" in message


# -- fog of war ----------------------------------------------------------------------------


def test_a_team_rule_is_told_to_its_team_and_the_white_cell_only() -> None:
    game = played(scenario())
    rule_events = [e for e in game.events if isinstance(e, ev.DynamicApplied)]
    red_rules = [e for e in rule_events if e.rule == "red_drift"]
    assert red_rules and all(e.audience == ("red",) for e in red_rules)
    state = game.state
    state.ended = False  # as during the game: no debrief reveal yet
    for seat, sees in (
        (team_seat("red"), True),
        (team_seat("blue"), False),
        (OBSERVER, False),
        (ADJUDICATOR, True),
        (CONTROL, True),
    ):
        seen = [e for e in View(state, seat).events() if isinstance(e, ev.DynamicApplied)]
        assert any(e.rule == "red_drift" for e in seen) is sees, seat


def test_a_public_rule_hides_its_changes_to_hidden_variables() -> None:
    game = played(scenario())
    game.state.ended = False
    for seat in (team_seat("blue"), OBSERVER):
        seen = [
            e
            for e in View(game.state, seat).events()
            if isinstance(e, ev.DynamicApplied) and e.rule == "plot_grows"
        ]
        assert seen, "the rule itself is public"
        assert all(key != "plot" for e in seen for key, _, _ in e.changes), "plot is control's"
        assert all(key == "tension" for e in seen for key, _, _ in e.changes)


def test_hidden_values_a_rule_moved_stay_hidden_in_a_teams_view() -> None:
    game = played(scenario())
    game.state.ended = False
    blue = View(game.state, team_seat("blue")).to_dict()
    assert blue["variables"]["morale.red"]["value"] is None
    assert blue["variables"]["plot"]["value"] is None


# -- cards in views ------------------------------------------------------------------------


def _card_ids(game: Game, seat: Any) -> list[str]:
    return [c["id"] for c in View(game.state, seat).to_dict()["cards"]]


def test_cards_are_for_the_white_cell_unless_opened_to_teams() -> None:
    sc = scenario(reveal_at_end=False)
    game = Game(sc, 1)
    game.handle(cmd.StartGame(seat=CONTROL))
    assert _card_ids(game, CONTROL) == ["ridge", "weather", "blue_notes"]
    assert _card_ids(game, ADJUDICATOR) == ["ridge", "weather", "blue_notes"]
    assert _card_ids(game, team_seat("blue")) == ["weather", "blue_notes"]
    assert _card_ids(game, team_seat("red")) == ["weather"]
    assert _card_ids(game, OBSERVER) == ["weather"]
    card = View(game.state, team_seat("blue")).to_dict("ja")["cards"][1]
    assert card == {
        "id": "blue_notes",
        "title": "青のメモ",
        "body": "BLUE-CARD-BODY 青向け。",
        "facts": {"reserves": 3.0},
        "audience": ["blue"],
        "source": None,
    }


def test_every_seat_reads_every_card_after_the_reveal() -> None:
    sc = scenario(reveal_at_end=False)
    game = played(sc)
    assert _card_ids(game, OBSERVER) == ["weather"]
    game.handle(cmd.RevealAll(seat=CONTROL))
    for seat in (OBSERVER, team_seat("red")):
        assert _card_ids(game, seat) == ["ridge", "weather", "blue_notes"]
