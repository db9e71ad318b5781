"""Benchmark: ensemble throughput on 1 and 2 local workers and on Ray, and memory.

Prints one JSON object. Targets (issue 4): at least 900 games/s for
ukraine-ceasefire-2025 with 2 local workers, at least 1.8x the one-worker rate,
and peak memory under 500 MB for 1,000,000 runs (streaming aggregation).

The machine's own ceiling is measured too: the same pure-Python loop in one
process and in two at once. On a shared VM the second core is rarely a whole one,
and no program can scale better than that.

Memory for a million runs is measured in a fresh process that folds 1,000,000 run
results (real games played once and cycled) through the same streaming statistics
and Parquet writer the ensemble command uses; the workers' memory is constant
(each plays one chunk at a time) and reported from a real two-worker run.

    python bench/ensemble.py [--full] [--runs N] [--repeats N] [--million N] [--no-ray]

By default it runs a quick pass (2,000 runs, one repeat, 100,000 folded runs), which
``make bench`` uses; ``--full`` is the measurement the targets are quoted for (20,000
runs, three repeats, a million folded runs), several minutes on two cores.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import resource
import statistics
import subprocess
import sys
import time

SCENARIO = "ukraine-ceasefire-2025"


def _burn(n: int) -> float:
    start = time.perf_counter()
    x = 0
    for i in range(n):
        x += i * i
    return time.perf_counter() - start


def machine_speedup(repeats: int) -> float:
    """How much faster two processes get through two loops than one process through one."""
    runs = []
    n = 8_000_000
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_burn, [1000, 1000])
        for _ in range(repeats):
            start = time.perf_counter()
            _burn(n)
            one = time.perf_counter() - start
            start = time.perf_counter()
            pool.map(_burn, [n, n])
            two = time.perf_counter() - start
            runs.append(2 * one / two)
    return statistics.median(runs)


def rate(executor_factory, runs: int, seed: int) -> float:  # type: ignore[no-untyped-def]
    from whitecell.ensemble.driver import run_ensemble
    from whitecell.scenario.library import load_bundled

    scenario = load_bundled(SCENARIO)
    executor = executor_factory()
    try:
        warm = run_ensemble(scenario, 4 * 64, seed + 1, _Keep(executor))  # workers up and warm
        assert warm.aggregate.n == 256
        start = time.perf_counter()
        result = run_ensemble(scenario, runs, seed, _Keep(executor))
        elapsed = time.perf_counter() - start
    finally:
        executor.close()
    return result.aggregate.n / elapsed


class _Keep:
    """An executor that the driver may close without closing it (reused across runs)."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.name, self.workers = inner, inner.name, inner.workers
        self.ships_document = inner.ships_document

    def prepare(self, document) -> None:  # type: ignore[no-untyped-def]
        self.inner.prepare(document)

    def run(self, tasks):  # type: ignore[no-untyped-def]
        return self.inner.run(tasks)

    def close(self, *, interrupted: bool = False) -> None:
        pass


def million_memory(total: int) -> dict[str, float]:
    """Run in a fresh interpreter: fold ``total`` runs and report its peak RSS."""
    code = f"""
import json, resource, tempfile, time
from pathlib import Path
from whitecell.scenario.library import load_bundled
from whitecell.ensemble.driver import tasks_for
from whitecell.ensemble.run import run_chunk, Chunk
from whitecell.ensemble.stats import Aggregate
from whitecell.ensemble.output import RunsWriter
sc = load_bundled({SCENARIO!r})
played = [run_chunk(t) for t in tasks_for(sc, 1024, 7)]
aggregate = Aggregate(sc)
with tempfile.TemporaryDirectory() as tmp:
    writer = RunsWriter(Path(tmp) / "runs.parquet", sc)
    start, i = 0, 0
    t0 = time.perf_counter()
    while start < {total}:
        c = played[i % len(played)]
        chunk = Chunk(start, c.seeds, c.outcomes, c.rounds, c.paths)
        aggregate.add(chunk)
        writer.add(chunk)
        start += c.count
        i += 1
    summary = aggregate.summary()
    writer.close()
    size = (Path(tmp) / "runs.parquet").stat().st_size
print(json.dumps({{"runs": aggregate.n, "seconds": time.perf_counter() - t0,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "parquet_mb": size / 2**20}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description="whitecell ensemble benchmark")
    ap.add_argument("--full", action="store_true", help="the long measurement (minutes)")
    ap.add_argument("--runs", type=int, help="runs on two workers (2,000; 20,000 with --full)")
    ap.add_argument("--repeats", type=int, help="repeats of each rate (1; 3 with --full)")
    ap.add_argument("--million", type=int, help="runs folded for memory (1e5; 1e6 with --full)")
    ap.add_argument("--no-ray", action="store_true")
    args = ap.parse_args()
    full = {"runs": 20_000, "repeats": 3, "million": 1_000_000}
    quick = {"runs": 2_000, "repeats": 1, "million": 100_000}
    for name, value in (full if args.full else quick).items():
        if getattr(args, name) is None:
            setattr(args, name, value)

    from whitecell.ensemble.executors import LocalProcesses, RayExecutor

    ceiling = machine_speedup(args.repeats)
    one, two = [], []
    for r in range(args.repeats):
        one.append(rate(lambda: LocalProcesses(1), args.runs // 2, 100 + r))
        two.append(rate(lambda: LocalProcesses(2), args.runs, 200 + r))
    worker_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    ray_rate = None
    if not args.no_ray:
        rays = [rate(lambda: RayExecutor(2), args.runs, 300 + r) for r in range(args.repeats)]
        ray_rate = round(statistics.median(rays), 1)
    memory = million_memory(args.million)
    gps, gps1 = statistics.median(two), statistics.median(one)
    print(
        json.dumps(
            {
                "benchmark": "ensemble",
                "mode": "full" if args.full else "quick",
                "scenario": SCENARIO,
                "runs": args.runs,
                "repeats": args.repeats,
                "games_per_s": round(gps, 1),
                "games_per_s_1_worker": round(gps1, 1),
                "speedup_2_vs_1": round(gps / gps1, 3),
                "machine_speedup_2_vs_1": round(ceiling, 3),
                "ray_games_per_s": ray_rate,
                "peak_rss_mb": round(memory["peak_rss_mb"], 1),
                "peak_rss_runs": memory["runs"],
                "million_fold_seconds": round(memory["seconds"], 1),
                "parquet_mb_for_million": round(memory["parquet_mb"], 1),
                "worker_peak_rss_mb": round(worker_rss, 1),
                "runs_per_s": {
                    "two_workers": [round(x, 1) for x in two],
                    "one_worker": [round(x, 1) for x in one],
                },
                "targets": {"games_per_s": 900, "speedup_2_vs_1": 1.8, "peak_rss_mb": 500},
                "python": platform.python_version(),
                "machine": platform.machine(),
                "cpus": multiprocessing.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
