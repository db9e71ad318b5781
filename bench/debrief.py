"""Benchmark: the web server's debrief of a finished five-round game of the bundled
scenario, as a job of the workshop with the server's default plan (``DebriefPlan()``) on
its default worker processes. "cold": the scenario's ensemble is played first (a fresh
store); "warm": it is kept from before (every later game of the scenario). Medians over
``--repeats`` runs; one JSON object.

    python bench/debrief.py [--repeats 3] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from whitecell.live.workshop import DebriefPlan, Workshop, default_workers
from whitecell.play import play_game
from whitecell.scenario.library import load_bundled
from whitecell.store.jobs import Job, Jobs
from whitecell.store.sql import Store

SCENARIO = "ukraine-ceasefire-2025"


async def one(jobs: Jobs, workers: int, seed: int) -> tuple[float, Job]:
    sc = load_bundled(SCENARIO)
    game = play_game(sc, 7)
    workshop = Workshop(jobs, workers=workers)
    await workshop.warm()  # the processes' start is no part of a debrief on a live server
    assert workshop._warming is not None
    workshop._warming.result()
    job = jobs.create(None, "debrief", f"bench-{seed}", {"seed": seed})
    started = time.perf_counter()
    workshop.submit_debrief(job, sc, game.events, seed, DebriefPlan())
    try:
        while True:
            got = jobs.get(job.id)
            assert got is not None
            if got.finished:
                return time.perf_counter() - started, got
            await asyncio.sleep(0.05)
    finally:
        await workshop.close()


def main() -> None:
    ap = argparse.ArgumentParser(description="whitecell web debrief benchmark")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--workers", type=int, default=default_workers())
    args = ap.parse_args()
    plan = DebriefPlan()
    out: dict[str, object] = {
        "benchmark": "debrief",
        "scenario": SCENARIO,
        "rounds": 5,
        "plan": plan.__dict__,
        "workers": args.workers,
        "repeats": args.repeats,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    cold, warm, forks = [], [], 0
    for i in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(f"sqlite:///{tmp}/bench.db")
            store.migrate()
            jobs = Jobs(store)
            took, job = asyncio.run(one(jobs, args.workers, 1000 + i))
            assert job.status == "done", job.error
            cold.append(took)
            took, job = asyncio.run(one(jobs, args.workers, 2000 + i))
            assert job.status == "done", job.error
            warm.append(took)
            forks = job.done
            store.close()
    for name, times in (("cold", cold), ("warm", warm)):
        out[name] = {
            "median_s": round(statistics.median(times), 2),
            "runs_s": [round(t, 2) for t in times],
        }
    out["turning_point_forks"] = forks
    out["note"] = "cold: the scenario's ensemble played first; warm: kept from before"
    print(json.dumps(out))


if __name__ == "__main__":
    main()
