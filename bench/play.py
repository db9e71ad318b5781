"""Benchmark: automated games per second beside a bare Python loop, and replay speed.

Prints one JSON object. The target (issue 16) is a ratio, because this machine's speed
drifts from run to run: ``bench/play.py`` games/s divided by the games/s of a bare Python
loop doing the same work as one game (``../shared/bench/bare_loop_game.py``) must reach
0.45 on one core. Each repeat runs the bare loop (in a child process, on its own) and then
this engine's games, so both see the same machine; the ratio is taken of the medians.
Replay: a 100,000-event log parsed and folded in under 0.5 s.

The compiled core (``whitecell compile``; ``make bench`` builds it) is timed too, in a
child process in each repeat beside the other two, with its figures under ``"native"``:
the build in ``build/native`` if it is a current one (else ``"native"`` says why not), or
the one ``--native DIR`` names (which must be usable); ``--no-native`` leaves it out.
``"core"`` says what the main figures ran on; ``"met"``, which targets each core meets.

    python bench/play.py [--games 400] [--repeats 3] [--events 100000] [--bare PATH]
                         [--native DIR | --no-native]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from whitecell import native
from whitecell.engine.log import dump_log, parse_log, replay_log
from whitecell.play import play_game
from whitecell.scenario.library import load_bundled
from whitecell.scenario.load import scenario_from_document

SCENARIO = "ukraine-ceasefire-2025"
BARE_LOOP = Path(__file__).resolve().parents[2] / "shared" / "bench" / "bare_loop_game.py"
RATIO_TARGET = 0.45
DEFAULT_NATIVE = Path(__file__).resolve().parents[1] / "build" / "native"
REPLAY_TARGET_S = 0.5


def time_games(games: int, first_seed: int) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, events) for ``games`` games."""
    sc = load_bundled(SCENARIO)
    events = 0
    start, cpu = time.perf_counter(), time.process_time()
    for seed in range(first_seed, first_seed + games):
        events += len(play_game(sc, seed).events)
    return time.perf_counter() - start, time.process_time() - cpu, events


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bare_loop_games_per_s(script: Path) -> tuple[float, float]:
    """Run the bare loop once in a child process: the games/s it prints (wall clock), and
    its games per CPU second (the child's CPU time includes starting Python, so this
    figure is slightly low: a ratio to it slightly flatters whitecell)."""
    before = _children_cpu()
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True
    ).stdout
    cpu = _children_cpu() - before
    found = re.search(r"([0-9.]+)\s*games/s", out)
    if found is None:
        raise SystemExit(f"the bare loop printed no 'games/s' figure: {out.strip()[:200]!r}")
    wall = float(found.group(1))
    games = re.search(r"N\s*=\s*([0-9]+)", script.read_text(encoding="utf-8"))
    return wall, (int(games.group(1)) / cpu if games and cpu > 0 else float("nan"))


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


def native_run(directory: Path, games: int, first_seed: int, log_text: str | None) -> dict:
    """Games (and a replay) timed in a child process that runs the compiled core."""
    code = (
        "import json, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "import play\n"
        "print(json.dumps(play.child(int(sys.argv[2]), int(sys.argv[3]), sys.stdin.read())))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent), str(games), str(first_seed)],
        input=log_text or "",
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, native.ENV: str(directory)},
    )
    if done.returncode != 0 or done.stderr.strip():
        raise SystemExit(f"the compiled core's run failed: {done.stderr.strip()[-800:]}")
    return json.loads(done.stdout)


def child(games: int, first_seed: int, log_text: str) -> dict:
    """In the child: warm up, then time ``games`` games and, if given, a replay."""
    if native.core_name() != "compiled":
        raise SystemExit("the child process is not running the compiled core")
    time_games(20, 10_000)
    wall, cpu, events = time_games(games, first_seed)
    out = {"wall": wall, "cpu": cpu, "events": events}
    if log_text:
        out["fold_s"], out["parse_fold_s"], out["replay_events"] = time_replay(log_text)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="whitecell play and replay benchmark")
    ap.add_argument("--games", type=int, default=400)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument(
        "--bare", type=Path, default=BARE_LOOP, help="the bare loop script (default: %(default)s)"
    )
    which = ap.add_mutually_exclusive_group()
    which.add_argument(
        "--native",
        type=Path,
        help=f"time the compiled core built in this directory (default: {DEFAULT_NATIVE}, "
        "if it is a current build)",
    )
    which.add_argument("--no-native", action="store_true", help="time the Python core alone")
    args = ap.parse_args()
    compiled: Path | None = None
    skipped = "--no-native"
    if args.native is not None:
        try:
            native.check(args.native)
        except native.Unusable as exc:
            ap.error(f"--native: {exc}")
        compiled = args.native
    elif not args.no_native:
        try:
            native.check(DEFAULT_NATIVE)
            compiled = DEFAULT_NATIVE
        except native.Unusable as exc:
            skipped = f"{exc} ('make native' builds it)"
    if args.games < 1 or args.repeats < 1 or args.events < 1:
        ap.error("--games, --repeats and --events must be at least 1")
    if not args.bare.is_file():
        ap.error(f"no bare loop script at {args.bare} (give its path with --bare)")

    time_games(20, 10_000)  # warm caches and imports
    text = long_log(args.events)
    game_runs, bare_runs, game_cpu_runs, bare_cpu_runs = [], [], [], []
    native_runs: list[dict] = []
    events_per_game = 0.0
    for r in range(args.repeats):
        bare_wall, bare_cpu = bare_loop_games_per_s(args.bare)
        bare_runs.append(bare_wall)
        bare_cpu_runs.append(bare_cpu)
        seconds, cpu_seconds, events = time_games(args.games, r * args.games)
        game_runs.append(args.games / seconds)
        game_cpu_runs.append(args.games / cpu_seconds)
        events_per_game = events / args.games
        if compiled is not None:
            native_runs.append(native_run(compiled, args.games, r * args.games, text))
    replay_runs, parse_runs = [], []
    n_events = 0
    for _ in range(args.repeats):
        fold_s, parse_s, n_events = time_replay(text)
        replay_runs.append(n_events / fold_s)
        parse_runs.append(n_events / parse_s)
    gps = statistics.median(game_runs)
    bare = statistics.median(bare_runs)
    rps = statistics.median(replay_runs)
    pps = statistics.median(parse_runs)
    report = {
        "benchmark": "play",
        "core": native.core_name().lower(),
        "scenario": SCENARIO,
        "games_per_run": args.games,
        "repeats": args.repeats,
        "games_per_s": round(gps, 1),
        "bare_loop_games_per_s": round(bare, 1),
        "ratio": round(gps / bare, 3),
        # the same on CPU time: steadier when other processes share the cores
        "ratio_cpu": round(statistics.median(game_cpu_runs) / statistics.median(bare_cpu_runs), 3),
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
            "bare_loop_games_per_s": [round(x, 1) for x in bare_runs],
            "ratio": [round(g / b, 3) for g, b in zip(game_runs, bare_runs, strict=True)],
            "games_per_cpu_s": [round(x, 1) for x in game_cpu_runs],
            "bare_loop_games_per_cpu_s": [round(x, 1) for x in bare_cpu_runs],
            "replay_events_per_s": [round(x) for x in replay_runs],
            "parse_and_replay_events_per_s": [round(x) for x in parse_runs],
        },
        "targets": {
            "ratio": RATIO_TARGET,
            "parse_and_replay_seconds_per_100k_events": REPLAY_TARGET_S,
        },
        "bare_loop": str(args.bare),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    report["met"] = met(report)
    if native_runs:
        report["native"] = native_figures(native_runs, args.games, bare_runs, bare_cpu_runs)
        report["native"]["met"] = met(report["native"])
    else:
        report["native"] = {"skipped": skipped}
    print(json.dumps(report))


def met(figures: dict) -> dict[str, bool]:
    """Which targets these figures meet."""
    return {
        "ratio": figures["ratio"] >= RATIO_TARGET,
        "replay": figures["parse_and_replay_seconds_per_100k_events"] < REPLAY_TARGET_S,
    }


def native_figures(runs: list[dict], games: int, bare: list[float], bare_cpu: list[float]) -> dict:
    """The compiled core's figures, each repeat beside the same repeat's bare loop."""
    gps = [games / r["wall"] for r in runs]
    cpu = [games / r["cpu"] for r in runs]
    pps = statistics.median(r["replay_events"] / r["parse_fold_s"] for r in runs)
    return {
        "games_per_s": round(statistics.median(gps), 1),
        "ratio": round(statistics.median(gps) / statistics.median(bare), 3),
        "ratio_cpu": round(statistics.median(cpu) / statistics.median(bare_cpu), 3),
        "ms_per_game": round(1000 / statistics.median(gps), 3),
        "parse_and_replay_seconds_per_100k_events": round(100_000 / pps, 3),
        "runs": {
            "games_per_s": [round(x, 1) for x in gps],
            "ratio": [round(g / b, 3) for g, b in zip(gps, bare, strict=True)],
        },
    }


if __name__ == "__main__":
    main()
