"""Verification: anyone holding a finished game's log can re-check every roll against the
revealed seed; any altered roll, result, seed or odds fails, naming the first bad event."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest

from whitecell.engine import CONTROL, Game
from whitecell.engine import commands as cmd
from whitecell.engine.log import dump_log, parse_log
from whitecell.play import play_game
from whitecell.scenario.build import document_digest
from whitecell.verify import verify_log

SEED = 4242

Event = dict[str, Any]


@pytest.fixture(scope="module")
def played(ukraine) -> Game:
    return play_game(ukraine, SEED)


@pytest.fixture(scope="module")
def events(ukraine, played) -> list[Event]:
    text = dump_log(ukraine, played.events)
    return [json.loads(line) for line in text.splitlines()[1:]]


@pytest.fixture(scope="module")
def header(ukraine, played) -> str:
    return dump_log(ukraine, played.events).splitlines()[0]


def relog(header: str, events: list[Event]) -> Any:
    lines = [header] + [json.dumps(e, ensure_ascii=False) for e in events]
    return parse_log("\n".join(lines) + "\n")


def tampered(header: str, events: list[Event], pick: Callable[[Event], bool], edit) -> tuple:
    """The log with the first event ``pick`` accepts edited; returns (log, that event's seq)."""
    events = json.loads(json.dumps(events))
    target = next(e for e in events if pick(e))
    edit(target)
    return relog(header, events), target["seq"]


def is_roll(purpose: str) -> Callable[[Event], bool]:
    return lambda e: e["type"] == "dice_rolled" and e["purpose"] == purpose


def test_a_finished_game_verifies(header, events) -> None:
    verdict = verify_log(relog(header, events))
    assert verdict.ok, verdict.message
    assert verdict.seq is None
    assert verdict.rolls == sum(1 for e in events if e["type"] == "dice_rolled")
    assert verdict.rolls > 10
    assert str(SEED) in verdict.message


def test_the_played_game_has_every_kind_of_roll_this_module_tampers_with(events) -> None:
    purposes = {e["purpose"] for e in events if e["type"] == "dice_rolled"}
    assert {"action", "hazard", "inject"} <= purposes


def test_an_altered_roll_value_fails_at_that_roll(header, events) -> None:
    def nudge(e: Event) -> None:
        e["value"] = e["value"] / 2  # still a fraction in [0, 1), but not the seed's roll

    def pick(e: Event) -> bool:
        return e["type"] == "dice_rolled" and e["index"] == 3

    log, seq = tampered(header, events, pick, nudge)
    verdict = verify_log(log)
    assert not verdict.ok
    assert verdict.seq == seq
    assert f"event {seq}" in verdict.message


def test_an_altered_roll_that_keeps_its_result_still_fails(header, events) -> None:
    """Changing a roll within the same side of its threshold changes no outcome, but the
    value is not the seed's roll any more."""

    def pick(e: Event) -> bool:
        return e["type"] == "dice_rolled" and 0.0 < e["threshold"] < 1.0

    def within(e: Event) -> None:
        if e["success"]:
            e["value"] = e["value"] * 0.999
        else:
            e["value"] = e["value"] + (1 - e["value"]) * 0.001

    log, seq = tampered(header, events, pick, within)
    verdict = verify_log(log)
    assert not verdict.ok
    assert verdict.seq == seq


def test_a_flipped_success_flag_on_a_roll_fails_at_that_roll(header, events) -> None:
    def flip(e: Event) -> None:
        e["success"] = not e["success"]

    log, seq = tampered(header, events, is_roll("action"), flip)
    verdict = verify_log(log)
    assert not verdict.ok
    assert verdict.seq == seq


def test_a_flipped_success_flag_on_an_outcome_fails_at_that_outcome(header, events) -> None:
    def flip(e: Event) -> None:
        e["success"] = not e["success"]

    log, seq = tampered(header, events, lambda e: e["type"] == "outcome_applied", flip)
    verdict = verify_log(log)
    assert not verdict.ok
    assert verdict.seq == seq


def test_a_different_revealed_seed_fails_at_the_end_of_the_game(header, events) -> None:
    def other(e: Event) -> None:
        e["seed"] = SEED + 1

    log, seq = tampered(header, events, lambda e: e["type"] == "game_ended", other)
    verdict = verify_log(log)
    assert not verdict.ok
    assert verdict.seq == seq == events[-1]["seq"]
    assert "commitment" in verdict.message


def shift(e: Event) -> None:
    """Move a roll's threshold without changing which side of it the roll lies on."""
    old = e["threshold"]
    if e["success"]:
        e["threshold"] = (e["value"] + old) / 2 + 1e-9
    else:
        e["threshold"] = (e["value"] + old) / 2 - 1e-9
    assert e["threshold"] != old
    assert (e["value"] < e["threshold"]) == e["success"]


def test_an_action_rolled_against_other_odds_than_assessed_fails_at_the_roll(
    header, events
) -> None:
    def pick(e: Event) -> bool:
        return is_roll("action")(e) and 0.1 < e["threshold"] < 0.9

    log, seq = tampered(header, events, pick, shift)
    verdict = verify_log(log)
    assert not verdict.ok
    assert verdict.seq == seq
    assert "assessed" in verdict.message


def test_an_inject_rolled_against_other_odds_than_the_scenarios_chance_fails_at_the_roll(
    header, events, ukraine
) -> None:
    """The chance of a random inject (the spoiler's bomb: 55 %) is in the embedded
    scenario: a log claiming the die was rolled against other odds must not verify."""
    roll = next(e for e in events if is_roll("inject")(e))
    assert roll["threshold"] == ukraine.inject[roll["subject"]].chance
    log, seq = tampered(header, events, is_roll("inject"), shift)
    verdict = verify_log(log)
    assert not verdict.ok
    assert verdict.seq == seq


def test_a_hazard_rolled_against_other_odds_than_the_game_gave_fails_at_the_roll(
    header, events
) -> None:
    """An agreement's hazard follows from the scenario and the game so far; a log whose
    white cell claims other odds for the breakdown roll must not verify."""
    log, seq = tampered(header, events, is_roll("hazard"), shift)
    verdict = verify_log(log)
    assert not verdict.ok
    assert verdict.seq == seq


def renumbered_without(events: list[Event], seq: int) -> list[Event]:
    kept = [json.loads(json.dumps(e)) for e in events if e["seq"] != seq]
    for number, e in enumerate(kept, start=1):
        e["seq"] = number
    return kept


def test_a_removed_action_roll_fails_at_the_outcome_that_depended_on_it(header, events) -> None:
    roll = next(e for e in events if is_roll("action")(e))
    outcome = next(
        e for e in events if e["type"] == "outcome_applied" and e["uid"] == roll["subject"]
    )
    verdict = verify_log(relog(header, renumbered_without(events, roll["seq"])))
    assert not verdict.ok
    assert verdict.seq == outcome["seq"] - 1  # it moved up one place


def test_a_removed_roll_of_the_engine_fails_at_the_next_roll(header, events) -> None:
    rolls = [e for e in events if e["type"] == "dice_rolled"]
    removed, following = next(
        (a, b) for a, b in itertools.pairwise(rolls) if a["purpose"] != "action"
    )
    verdict = verify_log(relog(header, renumbered_without(events, removed["seq"])))
    assert not verdict.ok
    assert verdict.seq == following["seq"] - 1
    assert "removed or reordered" in verdict.message


def test_a_log_whose_game_ran_another_scenario_fails_at_the_start(header, events) -> None:
    """Swapping the embedded scenario (and fixing its digest so the log still parses) is
    caught: the game_started event committed to the original scenario."""
    data = json.loads(header)
    data["scenario"]["actions"][0]["base_probability"] = 0.99
    data["scenario_digest"] = document_digest(data["scenario"])
    verdict = verify_log(relog(json.dumps(data, ensure_ascii=False), events))
    assert not verdict.ok
    assert verdict.seq == 1


def test_an_unfinished_game_cannot_be_verified_because_its_seed_is_not_revealed(
    ukraine,
) -> None:
    game = Game(ukraine, SEED)
    game.handle(cmd.StartGame(seat=CONTROL))
    game.handle(cmd.OpenRound(seat=CONTROL, number=1))
    verdict = verify_log(parse_log(dump_log(ukraine, game.events)))
    assert not verdict.ok
    assert "seed is not revealed" in verdict.message


def test_a_log_without_a_start_cannot_be_verified(header, events) -> None:
    verdict = verify_log(relog(header, renumbered_without(events, 1)))
    assert not verdict.ok
    assert "game_started" in verdict.message
