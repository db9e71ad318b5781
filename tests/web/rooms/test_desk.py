"""The adjudicator's desk: the queue of this round's cases and the one to take now, the
rules' odds with the modifiers behind them, a model's draft while a case is open, the
outcome's effects as people say them (free-form actions too), and who may be assigned."""

from __future__ import annotations

import pytest

from tests.web.rooms.games import (
    close_round,
    in_round,
    label,
    link,
    name,
    owned,
    room,
    rule,
    submit,
    team,
)
from whitecell.engine import ADJUDICATOR, CONTROL, OBSERVER, Game
from whitecell.engine import commands as cmd
from whitecell.i18n import estimative
from whitecell.live.model_seats import Draft
from whitecell.scenario.compiled import localize
from whitecell.web.rooms import PANELS


def catalogue_effects(game: Game, uid: str) -> dict[str, float]:
    """The catalogue's changes for an action's result, by label, as the scenario has them."""
    rec = game.state.actions[uid]
    spec = game.scenario.action[rec.action]
    effects = spec.on_success if rec.success else spec.on_failure
    out: dict[str, float] = {}
    for ref, delta in effects.change:
        key = game.scenario.vars[ref.index(rec.team, rec.target)].key
        out[owned(game, key)] = delta
    return out


def test_the_queue_holds_this_rounds_open_cases_in_the_order_they_came_in() -> None:
    game = in_round(1)
    earlier = submit(game, "russia", "spring_offensive")
    close_round(game)  # ruled on by the rules, then closed
    game.handle(cmd.OpenRound(seat=CONTROL, number=2))
    first = submit(game, "ukraine", "deep_strike")
    second = submit(game, "usa", "pause_intelligence", "ukraine")
    done = submit(game, "europe", "unity_summit")
    rule(game, done, 0.6)
    desk = room(game, ADJUDICATOR, person="Judge").desk
    queued = [c["uid"] for c in desk.queue]
    assert queued == [first, second]
    assert earlier not in queued and done not in queued
    assert desk.current is not None and desk.current["uid"] == first  # the oldest
    assert desk.queue[1]["secret"] and desk.queue[1]["target_name"] == name(game, "ukraine")


def test_a_case_assigned_to_an_adjudicator_comes_first_for_them() -> None:
    game = in_round(1)
    oldest = submit(game, "ukraine", "deep_strike")
    assigned = submit(game, "china", "calm_pyongyang")
    game.handle(cmd.AssignAction(seat=CONTROL, uid=assigned, adjudicator="Judge B"))
    judge_b = room(game, ADJUDICATOR, person="Judge B").desk
    judge_a = room(game, ADJUDICATOR, person="Judge A").desk
    assert judge_b.current is not None and judge_b.current["uid"] == assigned
    assert judge_b.current["adjudicator"] == "Judge B"
    assert judge_a.current is not None and judge_a.current["uid"] == oldest


def test_the_desk_shows_the_rules_modifiers_that_apply_to_a_case() -> None:
    game = in_round(1)
    game.handle(cmd.FireInject(seat=CONTROL, news="Congress stalls.", effects=(("us_aid", -30.0),)))
    uid = submit(game, "russia", "spring_offensive")
    spec = game.scenario.action["spring_offensive"]
    dried = spec.modifiers[0]  # US aid has dried up
    (case,) = room(game, ADJUDICATOR).desk.queue
    assert case["uid"] == uid
    assert case["modifiers"] == [(f"{dried.add:+.0%}", localize(dried.note, "en"))]
    assert round(case["suggested"], 6) == round(spec.base_probability + dried.add, 6)
    assert case["suggested_words"] == estimative(case["suggested"], "en")
    assert case["base"] == spec.base_probability


@pytest.mark.parametrize("odds", [0.0, 1.0], ids=["failed", "succeeded"])
def test_an_outcomes_effects_are_labelled_as_people_say_them_the_catalogues_first(
    odds: float,
) -> None:
    game = in_round(1)
    uid = submit(game, "usa", "pause_intelligence", "ukraine")
    game.handle(cmd.Assess(seat=ADJUDICATOR, uid=uid, probability=odds))  # a certain result
    game.handle(cmd.Roll(seat=ADJUDICATOR, uid=uid))
    (case,) = room(game, ADJUDICATOR).desk.queue
    assert case["success"] is (odds == 1.0) and case["status"] == "rolled"
    fields = case["effects"]
    chosen = [f for f in fields if f.from_catalogue]
    assert chosen and fields[: len(chosen)] == chosen
    assert {f.label: f.delta for f in chosen} == catalogue_effects(game, uid)
    if not case["success"]:
        assert [f.label for f in chosen] == [owned(game, "cohesion.usa")]  # with its team
    assert [f.key for f in fields[len(chosen) :]] == [
        v.key for v in game.scenario.vars if v.key not in {f.key for f in chosen}
    ]  # then every other variable, to edit
    assert all("." not in f.label and "_" not in f.label for f in fields)  # no internal keys


def test_a_free_form_action_may_be_given_effects_on_any_variable() -> None:
    game = in_round(1)
    uid = submit(
        game,
        "turkey",
        "free",
        description="Host a prisoner exchange on the Bosphorus",
        instrument="diplomatic",
    )
    (case,) = room(game, ADJUDICATOR).desk.queue
    assert case["free"] and "suggested" not in case  # the rules give it no odds
    assert case["label"] == "Host a prisoner exchange on the Bosphorus"
    assert case["effects"] == []  # nothing to publish before the roll
    game.handle(cmd.Assess(seat=ADJUDICATOR, uid=uid, probability=0.5))
    game.handle(cmd.Roll(seat=ADJUDICATOR, uid=uid))
    (case,) = room(game, ADJUDICATOR).desk.queue
    fields = case["effects"]
    assert [f.key for f in fields] == [v.key for v in game.scenario.vars]
    assert not any(f.from_catalogue or f.delta for f in fields)
    assert fields[0].label == label(game, "front_line")


def test_a_models_draft_is_offered_only_while_its_case_is_open() -> None:
    game = in_round(1)
    uid = submit(game, "china", "calm_pyongyang")
    draft = Draft(uid=uid, number=1, probability=0.35, rationale="Pyongyang is wary", rules=0.6)
    (case,) = room(game, ADJUDICATOR, drafts={uid: draft}).desk.queue
    assert case["draft"] is draft and case["draft_words"] == estimative(0.35, "en")
    game.handle(cmd.Assess(seat=ADJUDICATOR, uid=uid, probability=0.35))
    game.handle(cmd.Roll(seat=ADJUDICATOR, uid=uid))
    (case,) = room(game, ADJUDICATOR, drafts={uid: draft}).desk.queue
    assert case["draft"] is None  # rolled: too late for a draft


def test_the_adjudicators_to_choose_from_are_the_people_at_the_adjudicator_seat() -> None:
    game = in_round(1)
    links = [
        link("adjudicator", "Mira"),
        link("adjudicator", "Ken"),
        link("adjudicator", "Mira"),  # a second link for the same person
        link("adjudicator", "Gone", revoked=True),
        link("team:usa", "Ana", lead=True),
        link("control", "Wendy"),
    ]
    assert room(game, CONTROL, links=links).desk.adjudicators == ["Ken", "Mira"]


def test_the_desk_speaks_japanese() -> None:
    game = in_round(1)
    uid = submit(game, "usa", "pause_intelligence", "ukraine")
    game.handle(cmd.Assess(seat=ADJUDICATOR, uid=uid, probability=0.0))
    game.handle(cmd.Roll(seat=ADJUDICATOR, uid=uid))
    desk = room(game, ADJUDICATOR, "ja").desk
    (case,) = desk.queue
    spec = game.scenario.action["pause_intelligence"]
    assert case["label"] == localize(spec.label, "ja")
    assert case["suggested_words"] == estimative(spec.base_probability, "ja")
    (chosen,) = [f for f in case["effects"] if f.from_catalogue]
    assert chosen.label == owned(game, "cohesion.usa", "ja")
    assert desk.scale[0] == (localize(game.scenario.scale[0][0], "ja"), game.scenario.scale[0][1])


def test_only_the_white_cell_and_the_adjudicators_have_a_desk() -> None:
    game = in_round(1)
    assert "desk" in PANELS["adjudicator"] and "desk" in PANELS["control"]
    for seat in (team("usa"), OBSERVER):
        assert "desk" not in PANELS[seat.kind] and "queue" not in PANELS[seat.kind]
        main, side = room(game, seat).layout
        assert "desk" not in main + side
