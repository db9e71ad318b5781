"""Benchmark: an institution's load. 50 games × 10 seats (control, adjudicator, six team
leads, the observer and a second member of one team, every one on a live stream) played
over HTTP against PostgreSQL with 1, 2 and 4 server processes, next to the same load on
the SQLite default with one process. Prints one JSON object: for each, the sustained
commands per second, p50/p99 latency of state-changing requests and the event delivery
delay (medians over ``--runs``), and where the CPU went (the server's processes, its
background workers, this load generator, the rest: PostgreSQL).

The server does its usual background work meanwhile: a forecast of 1,000 plays each time
one of the games closes a round (every few seconds here; ``--forecast-runs 0`` for none).

    python bench/load.py [--games 50] [--seats 10] [--duration 30] [--runs 1]
                         [--workers 1,2,4] [--forecast-runs 1000]

Reuses the load generator of bench/live.py; starts a throwaway PostgreSQL cluster
(Debian's ``postgresql``) on loopback for the first configuration.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import live  # noqa: E402

from tests.pg import Postgres  # noqa: E402

KEYS = (
    "commands_per_s",
    "p50_ms",
    "p99_ms",
    "delivery_p50_ms",
    "delivery_p99_ms",
    "delivery_max_ms",
    "deliveries_missing",
    "deliveries_leaked",
    "duplicates",
    "server_cpu_pct",
    "background_cpu_pct",
    "client_cpu_pct",
    "other_cpu_pct",
    "client_loop_lag_p99_ms",
    "streams",
    "events_delivered",
)


def background(args: argparse.Namespace) -> list[str]:
    """The server's background work during the run: a forecast each time a round closes."""
    return ["--forecast-runs", str(args.forecast_runs)]


def configuration(args: argparse.Namespace, name: str, workers: int = 1) -> dict[str, object]:
    runs = []
    for i in range(args.runs):
        args.seed = args.first_seed + i
        if name == "postgresql":
            pg = Postgres()
            try:
                url = pg.database().replace("postgresql+psycopg", "postgresql")
                extra = ["--workers", str(workers), *background(args)]
                done = live.run_once(args, db=url, extra=extra)
            finally:
                pg.stop()
        else:
            done = live.run_once(args, extra=background(args))
        runs.append(done)
        print(
            f"{name} ({workers} processes) run {i + 1}/{args.runs}: "
            f"{done['commands_per_s']} commands/s, p99 {done['p99_ms']} ms, "
            f"delivery p99 {done['delivery_p99_ms']} ms",
            file=sys.stderr,
        )
    out: dict[str, object] = {k: statistics.median(r[k] for r in runs) for k in KEYS}  # type: ignore[misc]
    out["per_run"] = {k: [r[k] for r in runs] for k in ("commands_per_s", "p99_ms")}
    out["errors"] = [e for r in runs for e in r["errors"]][:5]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="whitecell load benchmark (PostgreSQL vs SQLite)")
    ap.add_argument("--games", type=int, default=50)
    ap.add_argument("--seats", type=int, default=10, help="Seats per game, each on a stream.")
    ap.add_argument(
        "--workers", default="1,2,4", help="Server processes on PostgreSQL: one run each."
    )
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--round-seconds", type=float, default=6.0)
    ap.add_argument("--think", type=float, default=2.0)
    ap.add_argument("--adjudicator-think", type=float, default=0.15)
    ap.add_argument("--news-every", type=float, default=3.0)
    ap.add_argument("--drain", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--forecast-runs",
        type=int,
        default=1000,
        help="Plays of the forecast the server makes in the background each time one of the "
        "games closes a round (the server's default; 0: no background work).",
    )
    ap.add_argument("--only", choices=["postgresql", "sqlite"], default=None)
    args = ap.parse_args()
    try:
        workers = [int(n) for n in args.workers.split(",")]
    except ValueError:
        ap.error(f"--workers: a comma-separated list of process counts, not {args.workers!r}")
    if any(n < 1 for n in workers):
        ap.error("--workers: every process count must be at least 1")
    args.first_seed = args.seed
    live.raise_fd_limit(args.games * args.seats * 4 + 256)
    result: dict[str, object] = {
        "benchmark": "load",
        "games": args.games,
        "seats_per_game": args.seats,
        "duration_s": args.duration,
        "runs": args.runs,
        "cpus": os.cpu_count(),
        "forecast_runs": args.forecast_runs,
    }
    try:
        if args.only in (None, "postgresql"):
            for n in workers:
                result[f"postgresql_{n}_workers"] = configuration(args, "postgresql", n)
        if args.only in (None, "sqlite"):
            result["sqlite_1"] = configuration(args, "sqlite")
    except live.BenchError as exc:
        print(f"bench/load.py: error: {exc}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
