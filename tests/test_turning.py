"""Turning points: each roll and signature forced both ways in forks of the game just before
it; the swing is the outcome's share one way minus the other, with its interval.

Real forks of real games of the rule-case scenario (three teams, three rounds)."""

from __future__ import annotations

import dataclasses

import pytest

from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.engine.game import Game
from whitecell.engine.log import GameLog
from whitecell.forkpool import ForkPool
from whitecell.play import play_game
from whitecell.scenario.compiled import Scenario
from whitecell.turning import (
    TurningPointsError,
    candidates,
    describe,
    play_arm,
    swing,
    swing_text,
    turning_points,
)
from whitecell.verify import verify_log

SEED = 0  # red and blue sign twice, green refuses twice, then the third proposal is signed


@pytest.fixture(scope="module")
def game(base_scenario: Scenario) -> Game:
    return play_game(base_scenario, SEED)


@pytest.fixture(scope="module")
def found(base_scenario: Scenario, game: Game) -> dict[str, object]:
    return turning_points(base_scenario, game.events, seed=11, screen=20, most=80)


def _forked(game: Game) -> ev.GameForked:
    return next(e for e in game.events if isinstance(e, ev.GameForked))


def test_every_uncertain_roll_and_every_signature_or_refusal_is_a_candidate(
    base_scenario: Scenario, game: Game
) -> None:
    rolls = [
        e
        for e in game.events
        if isinstance(e, ev.DiceRolled)
        and e.purpose in ("action", "hazard", "inject")
        and 0 < e.threshold < 1
    ]
    answers = [e for e in game.events if isinstance(e, ev.ProposalSigned | ev.ProposalRejected)]
    got = candidates(base_scenario, game.events)
    assert sorted(c.seq for c in got) == sorted(e.seq for e in rolls + answers)
    assert {c.kind for c in got} >= {"action", "signature", "refusal"}


@pytest.mark.parametrize("side", [True, False])
def test_a_forced_roll_comes_up_on_its_side_and_verify_recomputes_it(
    base_scenario: Scenario, game: Game, side: bool
) -> None:
    roll = next(c for c in candidates(base_scenario, game.events) if c.kind == "action")
    arm = roll.yes if side else roll.no
    ended = next(e for e in game.events if isinstance(e, ev.GameEnded))
    for index in range(4):
        fork = play_arm(base_scenario, arm, ended.seed, seed=5, index=index)
        forced = _forked(fork)
        assert forced.forced == (("action", roll.subject, roll.round, side),)
        rolled = [
            e
            for e in fork.events
            if isinstance(e, ev.DiceRolled)
            and e.seq > forced.seq
            and (e.purpose, e.subject) == ("action", roll.subject)
        ]
        assert [r.success for r in rolled] == [side]
        verdict = verify_log(GameLog(base_scenario, fork.events, {}))
        assert verdict.ok, verdict.message
        assert "1 roll(s) forced to one side" in verdict.message


def test_verify_refuses_a_fork_whose_forcing_was_altered_after_the_fact(
    base_scenario: Scenario, game: Game
) -> None:
    roll = next(c for c in candidates(base_scenario, game.events) if c.kind == "action")
    ended = next(e for e in game.events if isinstance(e, ev.GameEnded))
    fork = play_arm(base_scenario, roll.yes, ended.seed, seed=5, index=0)
    mark = _forked(fork)
    flipped = dataclasses.replace(mark, forced=(("action", roll.subject, roll.round, False),))
    events = [flipped if e is mark else e for e in fork.events]
    verdict = verify_log(GameLog(base_scenario, events, {}))
    assert not verdict.ok and "the seed gives" in verdict.message


def test_a_fork_of_a_game_whose_seed_is_still_secret_cannot_be_fully_verified(
    base_scenario: Scenario, game: Game
) -> None:
    roll = next(c for c in candidates(base_scenario, game.events) if c.kind == "action")
    fork = play_arm(base_scenario, roll.yes, None, seed=5, index=0)  # type: ignore[arg-type]
    verdict = verify_log(GameLog(base_scenario, fork.events, {}))
    assert not verdict.ok and "seed was still secret" in verdict.message


def test_a_signatures_other_way_is_that_party_refusing_at_that_moment(
    base_scenario: Scenario, game: Game
) -> None:
    signed = next(c for c in candidates(base_scenario, game.events) if c.kind == "signature")
    assert isinstance(signed.no.then, cmd.RejectProposal)
    ended = next(e for e in game.events if isinstance(e, ev.GameEnded))
    fork = play_arm(base_scenario, signed.no, ended.seed, seed=5, index=0)
    mark = _forked(fork)
    first = fork.events[fork.events.index(mark) + 1]
    assert isinstance(first, ev.ProposalRejected)
    assert (first.pid, first.team) == (signed.subject, signed.team)
    assert mark.replaced == "reject_proposal"
    assert verify_log(GameLog(base_scenario, fork.events, {})).ok


def test_the_last_partys_signature_puts_the_truce_in_force_in_every_fork(
    base_scenario: Scenario, game: Game, found: dict[str, object]
) -> None:
    last = next(
        e
        for e, after in zip(game.events, game.events[1:], strict=False)
        if isinstance(e, ev.ProposalSigned) and isinstance(after, ev.AgreementSigned)
    )
    entries = found["turning_points"]
    assert isinstance(entries, list)
    mine = next(x for x in entries if x["seq"] == last.seq and x["outcome"] == "truce_reached")
    assert mine["p_yes"] == 1.0  # signed: the truce was reached, whatever followed
    assert mine["swing"] == pytest.approx(1.0 - mine["p_no"])


def test_swings_come_largest_first_each_inside_its_interval(found: dict[str, object]) -> None:
    entries = found["turning_points"]
    assert isinstance(entries, list) and entries
    assert found["headline"] == ["truce_reached", "truce_holds"]  # none marked: every yes/no
    sizes = [abs(x["swing"]) for x in entries]
    assert sizes == sorted(sizes, reverse=True)
    for x in entries:
        assert x["ci_low"] <= x["swing"] <= x["ci_high"]
        assert x["swing"] == pytest.approx(x["p_yes"] - x["p_no"], abs=1e-5)
        assert {"seq", "round", "event", "outcome", "swing", "ci_low", "ci_high"} <= set(x)


def test_the_top_swings_get_runs_until_their_intervals_are_narrow(
    base_scenario: Scenario, game: Game
) -> None:
    got = turning_points(base_scenario, game.events, seed=3, screen=20, most=400, target=0.1)
    seen: list[dict[str, float]] = []
    for x in got["turning_points"]:
        if x["seq"] not in {s["seq"] for s in seen}:
            seen.append(x)
    for x in seen[:3]:
        assert (x["ci_high"] - x["ci_low"]) / 2 <= 0.1 or x["runs"] >= 400


def test_a_paired_swings_interval_is_never_zero_width() -> None:
    import numpy as np

    mean, low, high = swing(np.zeros(40))
    assert mean == 0 and low < 0 < high
    mean, low, high = swing(np.ones(400))
    assert mean == 1 and low < 1 and high == 1


def test_the_same_seed_gives_the_same_turning_points_here_and_on_two_workers(
    base_scenario: Scenario, game: Game
) -> None:
    here = turning_points(base_scenario, game.events, seed=9, screen=10, most=20)
    with ForkPool(2) as pool:
        there = turning_points(base_scenario, game.events, seed=9, pool=pool, screen=10, most=20)
    assert here == there


def test_a_game_not_yet_ended_has_no_turning_points(base_scenario: Scenario, game: Game) -> None:
    running = [e for e in game.events if not isinstance(e, ev.GameEnded)]
    with pytest.raises(TurningPointsError, match="has not ended"):
        turning_points(base_scenario, running, seed=1)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_turning_point_reads_as_who_did_what_and_what_it_changed(
    base_scenario: Scenario, game: Game, found: dict[str, object], lang: str
) -> None:
    entries = found["turning_points"]
    assert isinstance(entries, list)
    refusal = next(x for x in entries if x["kind"] == "refusal")
    said = describe(base_scenario, game.events, refusal, lang)
    assert ("Green" in said and "refused" in said) if lang == "en" else "拒否" in said
    words = swing_text(base_scenario, refusal, lang)
    assert "Truce" in words or "休戦" in words
    assert f"{round(refusal['p_no'] * 100)}%" in words  # the chance after what happened
