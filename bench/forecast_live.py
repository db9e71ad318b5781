"""Benchmark: the control room's forecasts beside live play, and what they cost the games.

A real server (``whitecell serve``, SQLite) plays 30 live games with every seat on a
stream (bench/live.py's load generator, in this process; rounds close every few
seconds in every game, far more often than in a class). Three windows on fresh servers:

- **no forecasts**: ``serve --forecast-runs 0``;
- **forecasts**: the default, a 1,000-fork forecast in the server's workshop each time a
  round closes in any game (at most one waiting or running per game; a newer one
  supersedes it);
- **forecasts and trials**: the same, with 1,000-run studio trials back to back beside
  them in the same bounded pool (bench/studio.py's trial loop).

Measured: the live games' command p99 (target under 150 ms, as for bench/studio.py), and
from the jobs table, how many forecasts were asked for, finished or superseded, and the
time from a round's close to its forecast's figures (median and p90).

Prints one JSON object; medians over ``--runs`` rounds of the three windows.

    python bench/forecast_live.py [--runs 3] [--games 30] [--duration 25]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import live
import sqlalchemy as sa
import studio

from whitecell.store import tables as t
from whitecell.store.sql import Store

TARGET_P99_MS = 150.0
KINDS = ("none", "forecasts", "forecasts_and_trials")


def forecast_stats(db_url: str) -> dict[str, Any]:
    """What the jobs table says of the window's forecasts."""
    store = Store(db_url)
    try:
        with store.reader.connect() as conn:
            rows = conn.execute(
                sa.select(
                    t.jobs.c.status, t.jobs.c.created_at, t.jobs.c.updated_at, t.jobs.c.error
                ).where(t.jobs.c.kind == "forecast")
            ).all()
    finally:
        store.close()
    took = sorted(
        (
            dt.datetime.fromisoformat(r.updated_at) - dt.datetime.fromisoformat(r.created_at)
        ).total_seconds()
        for r in rows
        if r.status == "done"
    )
    out: dict[str, Any] = {
        "asked": len(rows),
        "finished": sum(r.status == "done" for r in rows),
        "superseded": sum(r.status == "cancelled" for r in rows),
        "failed": sum(r.status == "failed" for r in rows),
        "unfinished": sum(r.status in ("queued", "running") for r in rows),
    }
    errors = [r.error for r in rows if r.status == "failed"]
    if errors:
        out["first_error"] = errors[0][:300]
    if took:
        out["close_to_figures_median_s"] = round(statistics.median(took), 2)
        out["close_to_figures_p90_s"] = round(took[int(0.9 * (len(took) - 1))], 2)
    return out


def window(args: argparse.Namespace, kind: str) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="whitecell-bench-forecast-"))
    server = live.ServerProcess(workdir)
    if kind == "none":
        server.extra += ["--forecast-runs", "0"]
    try:
        server.start()
        out = asyncio.run(_window(args, server, kind))
        if kind != "none":
            out["forecasts"] = forecast_stats(server.db_url)
        return out
    except BaseException:
        print(f"server log:\n{server.log_tail()}", file=sys.stderr)
        raise
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


async def _window(
    args: argparse.Namespace, server: live.ServerProcess, kind: str
) -> dict[str, Any]:
    stop = asyncio.Event()
    trials: list[dict[str, float]] = []
    runner = None
    if kind == "forecasts_and_trials":
        runner = asyncio.create_task(studio.trials_until(server, args.trial_runs, stop, trials))
    try:
        played = await live.play(args, server)
    finally:
        stop.set()
        if runner is not None:
            await runner
    out = {
        "p99_ms": played["p99_ms"],
        "p50_ms": played["p50_ms"],
        "commands_per_s": played["commands_per_s"],
        "delivery_p99_ms": played["delivery_p99_ms"],
        "server_cpu_pct": played["server_cpu_pct"],
        "close_round_p99_ms": played.get("p99_ms_by_command", {}).get("close_round", 0.0),
    }
    if runner is not None:
        out["trials_finished"] = len(trials)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="whitecell forecasts beside live play")
    ap.add_argument("--runs", type=int, default=1, help="Rounds of the three windows; medians.")
    ap.add_argument("--games", type=int, default=30)
    ap.add_argument("--duration", type=float, default=25.0, help="Seconds of live load.")
    ap.add_argument("--trial-runs", type=int, default=1000)
    ap.add_argument("--round-seconds", type=float, default=6.0)
    ap.add_argument("--think", type=float, default=2.0)
    ap.add_argument("--adjudicator-think", type=float, default=0.15)
    ap.add_argument("--news-every", type=float, default=3.0)
    ap.add_argument("--drain", type=float, default=3.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", choices=KINDS, action="append", help="Only these windows.")
    args = ap.parse_args()
    kinds = tuple(args.only or KINDS)
    live.raise_fd_limit(args.games * 8 * 4 + 256)
    found: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    try:
        for i in range(args.runs):  # alternate, so drift on the machine falls on each
            args.seed = 1 + i
            for kind in kinds:
                found[kind].append(window(args, kind))
            print(
                f"run {i + 1}/{args.runs}: p99 "
                + ", ".join(f"{k} {found[k][-1]['p99_ms']} ms" for k in kinds),
                file=sys.stderr,
            )
    except live.BenchError as exc:
        print(f"bench/forecast_live.py: error: {exc}", file=sys.stderr)
        sys.exit(1)
    result = {
        "benchmark": "forecast_live",
        "scenario": live.SCENARIO,
        "cpus": os.cpu_count(),
        "runs": args.runs,
        "live_games": args.games,
        "round_s": args.round_seconds,
        "forecast_runs": 1000,
        **{f"live_{k}": studio.median_of(v) for k, v in found.items() if v},
        "target_p99_ms": TARGET_P99_MS,
        "targets_met": {
            k: all(r["p99_ms"] < TARGET_P99_MS for r in found[k]) for k in kinds if k != "none"
        },
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
