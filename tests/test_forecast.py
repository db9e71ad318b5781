"""Forecasts: from where a game stood, each outcome's probability over forks played to the
end. From the last event they are certain and match the game; from before round 1 they
agree with the scenario's ensemble; they never depend on the game's seed, and the same
forecast seed gives the same forecast however the forks are shared out."""

from __future__ import annotations

import math

from whitecell.engine.log import GameLog, log_header, replay_log
from whitecell.ensemble.driver import run_ensemble
from whitecell.ensemble.executors import InProcess
from whitecell.forecast import closed_rounds, cut_at_round, forecast, forecast_state
from whitecell.play import play_game
from whitecell.scenario.library import load_bundled

SC = load_bundled("ukraine-ceasefire-2025")
GAME = play_game(SC, 7)


def test_a_forecast_from_the_last_event_is_certain_and_matches_the_game() -> None:
    found = forecast(SC, GAME.events, runs=30, seed=1)
    assert found["fork"]["after_seq"] == GAME.events[-1].seq
    for outcome in SC.outcomes:
        got = found["outcomes"][outcome.id]
        ended = GAME.state.outcomes[outcome.id]  # type: ignore[index]
        if outcome.is_bool:
            assert got["p"] == (1.0 if ended else 0.0)
        else:
            assert got["mean"] == ended and got["std"] == 0.0


def test_a_forecast_from_before_round_1_agrees_with_the_scenarios_ensemble() -> None:
    runs = 400
    before = forecast(SC, cut_at_round(GAME.events, 0), runs=runs, seed=21)
    ensemble = run_ensemble(SC, runs, 22, InProcess()).aggregate.summary()
    for outcome in SC.outcomes:
        if not outcome.is_bool:
            continue
        a, b = before["outcomes"][outcome.id]["p"], ensemble["outcomes"][outcome.id]["p"]
        se = math.sqrt(a * (1 - a) / runs + b * (1 - b) / runs) or 1 / runs
        assert abs(a - b) < 4 * se, (outcome.id, a, b, se)  # within sampling error


def test_a_forecast_is_the_same_whatever_the_games_seed_is() -> None:
    """A live game's state holds its secret seed: the forecast must not read it."""
    cut = cut_at_round(GAME.events, 2)
    log = GameLog(SC, cut, log_header(SC))
    real, other = replay_log(log, seed=7), replay_log(log, seed=123_456_789)
    assert real.seed != other.seed and real.dice is not None
    assert forecast_state(real, 60, 9)["outcomes"] == forecast_state(other, 60, 9)["outcomes"]


def test_the_same_forecast_seed_gives_the_same_forecast_on_one_or_two_workers() -> None:
    cut = cut_at_round(GAME.events, 3)
    one = forecast(SC, cut, runs=120, seed=77, workers=1)
    two = forecast(SC, cut, runs=120, seed=77, workers=2)
    assert one["outcomes"] == two["outcomes"] and one["runs"] == two["runs"] == 120
    assert forecast(SC, cut, runs=120, seed=78)["outcomes"] != one["outcomes"]


def test_a_forecast_on_ray_is_the_forecast_played_here(ray_instance) -> None:
    cut = cut_at_round(GAME.events, 3)
    here = forecast(SC, cut, runs=120, seed=77, workers=1)
    on_ray = forecast(SC, cut, runs=120, seed=77, workers=2, executor="ray")
    assert on_ray["outcomes"] == here["outcomes"] and on_ray["executor"] == "ray"
    assert ray_instance.is_initialized(), "a forecast must not stop a Ray it did not start"


def test_the_rounds_a_log_has_closed() -> None:
    assert closed_rounds(GAME.events) == [1, 2, 3, 4, 5]
    assert closed_rounds(cut_at_round(GAME.events, 2)) == [1, 2]
