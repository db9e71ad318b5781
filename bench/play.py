"""Benchmark: automated games per second and replay speed, one process, no store.

Prints one JSON object. Targets (issue 2): at least 500 games/s on one core
(<= 2 ms a game) for ukraine-ceasefire-2025 with heuristic agents, and a
100,000-event log replayed in under a second.

    python bench/play.py [--games 400] [--repeats 5] [--events 100000]
"""

from __future__ import annotations

import argparse
import copy
import json
import platform
import statistics
import time

from whitecell.engine.log import dump_log, parse_log, replay_log
from whitecell.play import play_game
from whitecell.scenario.library import load_bundled
from whitecell.scenario.load import scenario_from_document

SCENARIO = "ukraine-ceasefire-2025"


def time_games(games: int, first_seed: int) -> tuple[float, int]:
    sc = load_bundled(SCENARIO)
    events = 0
    start = time.perf_counter()
    for seed in range(first_seed, first_seed + games):
        events += len(play_game(sc, seed).events)
    return time.perf_counter() - start, events


def long_log(min_events: int) -> str:
    """One game long enough to log ``min_events`` events: the scenario's rounds repeated."""
    base = load_bundled(SCENARIO)
    doc = copy.deepcopy(dict(base.document))
    rounds = list(doc["rounds"])
    per_game = len(play_game(base, 0).events)
    repeat = int(min_events / per_game * 1.2) + 1
    while True:
        doc["rounds"] = rounds * repeat
        long_sc = scenario_from_document(doc)
        game = play_game(long_sc, 1)
        if len(game.events) >= min_events:
            return dump_log(long_sc, game.events)
        repeat *= 2


def time_replay(text: str) -> tuple[float, float, int]:
    """(seconds to fold the parsed events, seconds to parse the text and fold, events)."""
    log = parse_log(text)
    start = time.perf_counter()
    replay_log(log)
    fold_s = time.perf_counter() - start
    start = time.perf_counter()
    replay_log(parse_log(text))
    parse_fold_s = time.perf_counter() - start
    return fold_s, parse_fold_s, len(log.events)


def main() -> None:
    ap = argparse.ArgumentParser(description="whitecell play and replay benchmark")
    ap.add_argument("--games", type=int, default=400)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--events", type=int, default=100_000)
    args = ap.parse_args()

    time_games(20, 10_000)  # warm caches and imports
    game_runs = []
    events_per_game = 0.0
    for r in range(args.repeats):
        seconds, events = time_games(args.games, r * args.games)
        game_runs.append(args.games / seconds)
        events_per_game = events / args.games
    text = long_log(args.events)
    replay_runs, parse_runs = [], []
    n_events = 0
    for _ in range(args.repeats):
        fold_s, parse_s, n_events = time_replay(text)
        replay_runs.append(n_events / fold_s)
        parse_runs.append(n_events / parse_s)
    gps = statistics.median(game_runs)
    rps = statistics.median(replay_runs)
    pps = statistics.median(parse_runs)
    print(
        json.dumps(
            {
                "benchmark": "play",
                "scenario": SCENARIO,
                "games_per_run": args.games,
                "repeats": args.repeats,
                "games_per_s": round(gps, 1),
                "ms_per_game": round(1000 / gps, 3),
                "events_per_game": round(events_per_game, 1),
                "replay_log_events": n_events,
                "replay_events_per_s": round(rps),
                "replay_seconds": round(n_events / rps, 3),
                "replay_seconds_per_100k_events": round(100_000 / rps, 3),
                "parse_and_replay_events_per_s": round(pps),
                "parse_and_replay_seconds": round(n_events / pps, 3),
                "parse_and_replay_seconds_per_100k_events": round(100_000 / pps, 3),
                "runs": {
                    "games_per_s": [round(x, 1) for x in game_runs],
                    "replay_events_per_s": [round(x) for x in replay_runs],
                    "parse_and_replay_events_per_s": [round(x) for x in parse_runs],
                },
                "targets": {"games_per_s": 500, "replay_seconds_per_100k_events": 1.0},
                "python": platform.python_version(),
                "machine": platform.machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
