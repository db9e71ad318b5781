"""Benchmark: a forecast of 2,000 forks from round 3 of a game of the bundled scenario (the
issue's target: under 3 s on 2 cores), on 1 and 2 local worker processes; and the turning
points of the whole five-round game on 2 workers (target: under 30 s, the top three swings'
intervals no wider than ±10 points). Medians over ``--repeats`` runs; one JSON object.

    python bench/forecast.py [--runs 2000] [--repeats 3] [--no-turning]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from whitecell.engine.events import Event
from whitecell.forecast import cut_at_round, forecast
from whitecell.forkpool import ForkPool
from whitecell.play import play_game
from whitecell.scenario.compiled import Scenario
from whitecell.scenario.library import load_bundled
from whitecell.turning import turning_points

SCENARIO = "ukraine-ceasefire-2025"
TARGET_S = 3.0
TURNING_TARGET_S = 30.0


def main() -> None:
    ap = argparse.ArgumentParser(description="whitecell forecast benchmark")
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--round", type=int, default=3)
    ap.add_argument("--no-turning", action="store_true", help="skip the turning points")
    args = ap.parse_args()
    sc = load_bundled(SCENARIO)
    game = play_game(sc, 7)
    cut = cut_at_round(game.events, args.round)
    out: dict[str, object] = {
        "benchmark": "forecast",
        "scenario": SCENARIO,
        "forks": args.runs,
        "after_round": args.round,
        "events_before_fork": len(cut),
        "repeats": args.repeats,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    for workers in (1, 2):
        times = []
        for i in range(args.repeats):
            t0 = time.perf_counter()
            done = forecast(sc, cut, args.runs, seed=100 + i, workers=workers)
            times.append(time.perf_counter() - t0)
            assert done["runs"] == args.runs
        median = statistics.median(times)
        out[f"workers_{workers}"] = {
            "median_s": round(median, 3),
            "per_run_s": [round(t, 3) for t in times],
            "forks_per_s": round(args.runs / median, 1),
        }
    two = out["workers_2"]
    assert isinstance(two, dict)
    out["target_s"] = TARGET_S
    out["target_met"] = two["median_s"] < TARGET_S
    out["note"] = "2 workers include starting the processes (spawn) each time"
    if not args.no_turning:
        out["turning_points"] = turning(sc, game.events, args.repeats)
    print(json.dumps(out))


def turning(sc: Scenario, events: list[Event], repeats: int) -> dict[str, object]:
    """The whole game's turning points on 2 workers: time, forks, the top three's widths."""
    times, forks, widest = [], [], []
    for i in range(repeats):
        t0 = time.perf_counter()
        with ForkPool(2) as pool:
            found = turning_points(sc, events, seed=200 + i, pool=pool)
        times.append(time.perf_counter() - t0)
        forks.append(found["forks"])
        top: dict[int, float] = {}
        for x in found["turning_points"]:
            if x["seq"] not in top:
                top[x["seq"]] = (x["ci_high"] - x["ci_low"]) / 2
        widest.append(max(list(top.values())[:3]))
    median = statistics.median(times)
    return {
        "workers": 2,
        "candidates": found["candidates"],
        "median_s": round(median, 3),
        "per_run_s": [round(t, 3) for t in times],
        "forks": forks,
        "top3_widest_half_width": [round(w, 4) for w in widest],
        "target_s": TURNING_TARGET_S,
        "target_met": median < TURNING_TARGET_S and max(widest) <= 0.10,
    }


if __name__ == "__main__":
    main()
