"""What a debrief asks of a finished game, answered with forks and ensembles.

Three figures go into the game's report beside the story: the **forecast line** (each
headline outcome's chance after every round, from forks of the game as it stood then),
the **turning points** (``whitecell.turning``), and **how typical the game was** (for each
headline outcome, the share of the scenario's automated plays that ended the same way).
The scenario's ensemble is given, not run here: the edges cache it by scenario digest, so
every game of one scenario shares it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from whitecell.engine import events as ev
from whitecell.ensemble.stats import wilson
from whitecell.forecast import closed_rounds, cut_at_round, play_forks, summarise
from whitecell.forkpool import Forks
from whitecell.scenario.compiled import Scenario
from whitecell.turning import turning_points

FORMAT = "whitecell-debrief"
VERSION = 1
FORECAST_RUNS = 500
TYPICAL_RUNS = 10_000


def forecast_line(
    scenario: Scenario,
    events: Sequence[ev.Event],
    runs: int,
    seed: int,
    pool: Forks | None = None,
    on_round: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """The forecast at the start and after each closed round: headline outcomes only."""
    heads = scenario.headlines()
    line = []
    for number in (0, *closed_rounds(events)):
        rows = play_forks(scenario, cut_at_round(events, number), runs, seed, pool=pool)
        got = summarise(scenario, rows)
        line.append({"round": number, "outcomes": {o.id: got[o.id] for o in heads}})
        if on_round is not None:
            on_round(number)
    return line


def typicality(
    scenario: Scenario, outcomes: dict[str, Any], ensemble: dict[str, Any]
) -> list[dict[str, Any]]:
    """For each headline outcome: how this game ended, and the share (with its Wilson
    interval) of the ensemble's plays that ended the same way."""
    runs = int(ensemble.get("runs") or 0)
    found = ensemble.get("outcomes") or {}
    out = []
    for o in scenario.headlines():
        got = found.get(o.id)
        if o.id not in outcomes or not runs or not isinstance(got, dict) or "count" not in got:
            continue
        value = bool(outcomes[o.id])
        same = int(got["count"]) if value else runs - int(got["count"])
        p, low, high = wilson(same, runs)
        out.append(
            {"outcome": o.id, "value": value, "same": same, "runs": runs, "p": p,
             "ci_low": low, "ci_high": high}
        )  # fmt: skip
    return out


def debrief(
    scenario: Scenario,
    events: Sequence[ev.Event],
    seed: int,
    ensemble: dict[str, Any] | None,
    pool: Forks | None = None,
    *,
    forecast_runs: int = FORECAST_RUNS,
    screen: int = 40,
    most: int = 400,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """The forecast line, the turning points and the typicality of a finished game."""
    ended = next((e for e in events if isinstance(e, ev.GameEnded)), None)
    rounds = len(closed_rounds(events)) + 1

    def rounds_done(number: int) -> None:
        if on_progress is not None:
            on_progress("forecasts", number + 1, rounds)

    def forks_done(done: int, planned: int) -> None:
        if on_progress is not None:
            on_progress("turning points", done, planned)

    line = forecast_line(scenario, events, forecast_runs, seed, pool, rounds_done)
    turning = turning_points(
        scenario, events, seed, pool, screen=screen, most=most, on_progress=forks_done
    )
    typical = (
        typicality(scenario, dict(ended.outcomes), ensemble)
        if ensemble is not None and ended is not None
        else []
    )
    return {
        "format": FORMAT,
        "version": VERSION,
        "scenario": scenario.id,
        "scenario_digest": scenario.digest,
        "seed": seed,
        "forecast_runs": forecast_runs,
        "forecast_line": line,
        "turning_points": turning,
        "typical": typical,
        "ensemble_runs": int(ensemble.get("runs") or 0) if ensemble else 0,
    }


__all__ = ["debrief", "forecast_line", "typicality"]
