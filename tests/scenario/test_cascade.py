"""The bundled nuclear-cascade-2025 scenario: its shape follows the source, its cascade
lives in the file (dynamics and per-team thresholds), and automated play sometimes
cascades and sometimes does not."""

from __future__ import annotations

import datetime as dt

import pytest

from whitecell.engine import ADJUDICATOR, CONTROL, Game, team_seat
from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.ensemble.driver import run_ensemble, summary
from whitecell.ensemble.executors import InProcess
from whitecell.scenario import Scenario
from whitecell.scenario.library import load_bundled

SCENARIO_ID = "nuclear-cascade-2025"
STATES = (
    "usa",
    "south_korea",
    "japan",
    "poland",
    "germany",
    "france",
    "uk",
    "russia",
    "china",
    "saudi_arabia",
)
CANDIDATES = ("south_korea", "japan", "poland", "germany", "saudi_arabia")
PREPCOM_OPENS = dt.date(2025, 4, 28)  # the 2025 NPT Preparatory Committee, New York


@pytest.fixture(scope="module")
def cascade() -> Scenario:
    return load_bundled(SCENARIO_ID)


def test_ten_governments_play_it(cascade: Scenario) -> None:
    assert set(cascade.team_ids) == set(STATES)
    assert cascade.actor_name("south_korea", "ja") == "韓国"


def test_two_years_in_rounds_of_three_months_from_before_the_prepcom(cascade: Scenario) -> None:
    assert len(cascade.rounds) >= 8
    assert all(r.duration == dt.timedelta(weeks=13) for r in cascade.rounds)
    assert sum((r.duration for r in cascade.rounds), dt.timedelta()) >= dt.timedelta(days=730)
    assert cascade.start_date < PREPCOM_OPENS
    first = cascade.rounds[0]
    assert first.kind == "negotiation" and first.venue == {"en": "New York", "ja": "ニューヨーク"}
    assert sum(r.kind == "action" for r in cascade.rounds) >= 6


def test_each_candidate_has_its_own_hidden_threshold(cascade: Scenario) -> None:
    thresholds = {t: cascade.var[f"restraint.{t}"] for t in CANDIDATES}
    assert len({v.initial for v in thresholds.values()}) > 1, "thresholds differ by state"
    assert all(v.visibility == "owner" and v.owner == t for t, v in thresholds.items())
    start = cascade.action["start_programme"]
    assert start.teams == frozenset(CANDIDATES) and start.secret
    assert {"pressure.south_korea", "restraint.south_korea"} <= start.requires.reads


def test_the_cascade_is_written_as_dynamics(cascade: Scenario) -> None:
    rules = {r.id: r for r in cascade.dynamics}
    assert {"pressure_drift", "programme_advances", "weapon_completed", "exposure"} <= set(rules)
    drift = rules["pressure_drift"]
    assert drift.teams == CANDIDATES
    amount = drift.terms[0][1]
    for other in CANDIDATES:  # every exposed programme presses on every other state
        assert f"exposed.{other}" in amount.reads
    assert "us_credibility" in amount.reads
    assert rules["programme_advances"].visibility == "team"


def _hand_played(cascade: Scenario, seed: int) -> tuple[Game, int]:
    """South Korea past its threshold starts a programme in round 2 at certain odds; then
    every round is closed with no one acting. Returns the game and the start round."""
    game = Game(cascade, seed)
    game.handle(cmd.StartGame(seat=CONTROL))
    game.state.v[cascade.var["pressure.south_korea"].index] = 90.0
    start = 2
    for rnd in cascade.rounds:
        game.handle(cmd.OpenRound(seat=CONTROL, number=rnd.number))
        if rnd.number == start:
            uid = game.handle(
                cmd.SubmitAction(seat=team_seat("south_korea"), action="start_programme")
            )[0].uid
            game.handle(cmd.Assess(seat=ADJUDICATOR, uid=uid, probability=1.0, method="human"))
            game.handle(cmd.Roll(seat=ADJUDICATOR, uid=uid))
            game.handle(cmd.PublishOutcome(seat=CONTROL, uid=uid))
        game.handle(cmd.CloseRound(seat=CONTROL, number=rnd.number))
    game.handle(cmd.EndGame(seat=CONTROL))
    return game, start


@pytest.mark.parametrize("seed", range(12))
def test_a_programme_takes_at_least_four_rounds_to_a_weapon(cascade: Scenario, seed: int) -> None:
    game, start = _hand_played(cascade, seed)
    armed = [
        e.round
        for e in game.events
        if isinstance(e, ev.DynamicApplied) and e.rule == "weapon_completed"
    ]
    stages = [
        e.round
        for e in game.events
        if isinstance(e, ev.DynamicApplied) and e.rule == "programme_advances"
    ]
    assert stages and stages[0] >= start, "the programme advances once started"
    assert len(stages) == len(set(stages)), "one stage a round at most"
    if armed:
        assert armed[0] - start >= 3, "a weapon at the fourth round close at the earliest"
        assert game.state.value("armed.south_korea") == 1.0
        assert game.state.value("npt_withdrawals") >= 1.0


def test_a_programme_that_runs_its_course_makes_a_new_nuclear_state(cascade: Scenario) -> None:
    outcomes = [_hand_played(cascade, seed)[0].state.outcomes for seed in range(12)]
    assert any(o and o["new_nuclear_states"] >= 1 for o in outcomes)


def test_the_outcomes_the_issue_asks_for(cascade: Scenario) -> None:
    kinds = {o.id: o.is_bool for o in cascade.outcomes}
    assert kinds["new_nuclear_states"] is False
    assert kinds["npt_survives"] is True
    assert kinds["force_used"] is True
    npt = next(o for o in cascade.outcomes if o.id == "npt_survives")
    state = Game(cascade, 1).state
    index = cascade.var["npt_withdrawals"].index
    state.v[index] = 1.0
    assert npt.value(state)
    state.v[index] = 2.0
    assert not npt.value(state), "the treaty fails once two members have left"


def test_france_offers_its_umbrella_without_sharing_warheads(cascade: Scenario) -> None:
    offer = cascade.action["offer_umbrella"]
    assert offer.teams == {"france"} and set(offer.targets or ()) == {"germany", "poland"}
    assert "no shared warheads" in offer.label["en"]
    assert any("cards.arsenals." in m.when.source for m in offer.modifiers), "cites a card"


def test_the_reference_cards_of_the_source(cascade: Scenario) -> None:
    cards = {c.id: c for c in cascade.cards}
    assert {"arsenals", "us_defense_department", "cca_production", "f35i_loadout"} <= set(cards)
    arsenals = dict(cards["arsenals"].facts)
    assert arsenals == {"france_warheads": 290, "uk_warheads": 225, "russia_warheads": 6000}
    assert cards["arsenals"].public
    assert not cards["us_defense_department"].public and not cards["us_defense_department"].teams
    assert dict(cards["us_defense_department"].facts)["budget_billion_usd"] == 857
    assert dict(cards["f35i_loadout"].facts)["external_jdams"] == 4
    for card in cards.values():
        assert card.source is not None and card.source.url.startswith("https://")


def test_russia_and_china_can_answer_by_force_or_otherwise(cascade: Scenario) -> None:
    for team in ("russia", "china"):
        mine = [a for a in cascade.actions if team in a.teams]
        assert {"military", "information", "diplomatic"} <= {a.instrument for a in mine}
        strikes = [a for a in mine if a.id.startswith("strike_")]
        assert strikes, team
        for strike in strikes:
            for effects in (strike.on_success, strike.on_failure):
                assert ("force_used", 1.0) in [(ref.text, v) for ref, v in effects.set]


def test_an_ensemble_sometimes_cascades_and_sometimes_not(cascade: Scenario) -> None:
    """300 automated plays in this process: at least one with two or more new programmes,
    at least one with none, and every outcome and move of the scenario in use."""
    result = run_ensemble(cascade, 300, 7, InProcess())
    report = summary(cascade, 7, InProcess(), [([], cascade, result)])
    cascades = report["outcomes"]["cascade"]["count"]
    assert 0 < cascades < 300
    started = report["outcomes"]["programmes_started"]
    assert started["p5"] == 0 and started["p95"] >= 2
    assert 0 < report["outcomes"]["npt_survives"]["count"] <= 300
    assert report["outcomes"]["force_used"]["count"] > 0
    assert report["balance"]["runs"] == 300
    never = [w for w in report["balance"]["warnings"] if w["kind"] in ("action", "clause")]
    assert len(never) <= 2, never  # a rare strike may be missing from a few hundred runs


def test_in_automated_play_no_weapon_comes_sooner_than_four_rounds_after_its_start(
    cascade: Scenario,
) -> None:
    """Whatever the teams do (leaving the NPT included), a weapon comes at the close of the
    fourth round counting the one in which its programme started, or later."""
    from whitecell.play import play_game

    weapons = 0
    for seed in range(150):
        game = play_game(cascade, seed)
        starts = [
            (rec.team, rec.round)
            for rec in game.state.actions.values()
            if rec.action == "start_programme" and rec.success
        ]
        for e in game.events:
            if isinstance(e, ev.DynamicApplied) and e.rule == "weapon_completed":
                weapons += 1
                began = max(r for team, r in starts if team == e.team and r <= e.round)
                assert e.round - began >= 3, (seed, e.team)
    assert weapons > 0
