"""Benchmark: the scenario studio's two costs a designer waits for, and what they cost
the classes playing on the same server.

1. **Checking while typing**: the bundled scenario with one field changed (a base
   probability, different each time, so nothing can be cached), checked in this process
   (``studio.check``) and through a real server (``POST /api/v1/scenarios/validate``).
   Target: under 100 ms on the server.
2. **Try it beside live games**: a real server (``whitecell serve``, SQLite) plays 30
   live games with every seat on a stream (bench/live.py's load generator, in this
   process) while 1,000-run trials of the bundled scenario run one after another in the
   server's workshop for the whole window. Measured: each trial's time to its first
   figures and to completion, and the live games' command p99, beside the same live
   load without trials in the same go. Target: command p99 under 150 ms.

Prints one JSON object; medians over ``--runs`` fresh servers.

    python bench/studio.py [--runs 3] [--games 30] [--duration 25] [--trial-runs 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import live

from whitecell.scenario.library import bundled_path
from whitecell.store.sql import Store
from whitecell.web.auth import ACCOUNT_COOKIE, Signer
from whitecell.web.studio import check

TARGET_VALIDATE_MS = 100.0
TARGET_P99_MS = 150.0


def changed_texts(n: int) -> list[str]:
    """The bundled scenario, each copy with one base probability changed."""
    text = bundled_path(live.SCENARIO).read_text(encoding="utf-8")
    marker = "base_probability: "
    at = text.index(marker) + len(marker)
    end = text.index("\n", at)
    return [f"{text[:at]}0.{(i % 89) + 10}{text[end:]}" for i in range(n)]


def ms(x: float) -> float:
    return round(1000 * x, 1)


def validate_in_process(repeats: int) -> dict[str, float]:
    texts = changed_texts(repeats + 1)
    check(texts[-1])  # imports and schema compiled once, as in a server that has run
    times = []
    for text in texts[:repeats]:
        t0 = time.perf_counter()
        found = check(text)
        times.append(time.perf_counter() - t0)
        assert found.valid, found.problems[:3]
    return {"median_ms": ms(statistics.median(times)), "max_ms": ms(max(times))}


async def signed_in(server: live.ServerProcess) -> httpx.AsyncClient:
    store = Store(server.db_url)
    try:
        signer = Signer(store.secret())
    finally:
        store.close()
    c = httpx.AsyncClient(base_url=server.url, timeout=60)
    r = await c.post("/login", data={"name": "control", "password": server.password})
    cookie = c.cookies.get(ACCOUNT_COOKIE)
    if r.status_code not in (200, 303) or not cookie:
        raise live.BenchError(f"cannot sign in as control: HTTP {r.status_code}")
    c.headers["X-CSRF-Token"] = signer.csrf(cookie)
    return c


async def validate_on_server(server: live.ServerProcess, repeats: int) -> dict[str, float]:
    texts = changed_texts(repeats + 1)
    c = await signed_in(server)
    try:
        await c.post(f"{live.API}/scenarios/validate", json={"yaml": texts[-1]})
        times = []
        for text in texts[:repeats]:
            t0 = time.perf_counter()
            r = await c.post(f"{live.API}/scenarios/validate", json={"yaml": text})
            times.append(time.perf_counter() - t0)
            if r.status_code != 200 or not r.json()["ok"]:
                raise live.BenchError(f"validate answered {r.status_code}: {r.text[:300]}")
    finally:
        await c.aclose()
    return {"median_ms": ms(statistics.median(times)), "max_ms": ms(max(times))}


async def trials_until(
    server: live.ServerProcess, runs: int, stop: asyncio.Event, found: list[dict[str, float]]
) -> None:
    """One trial after another until ``stop``: when each showed its first figures and when
    it was done, measured from the request that started it."""
    c = await signed_in(server)
    try:
        text = bundled_path(live.SCENARIO).read_text(encoding="utf-8")
        r = await c.post(f"{live.API}/scenarios", json={"yaml": text})
        if r.status_code != 201:
            raise live.BenchError(f"cannot shelve the scenario: {r.text[:300]}")
        scenario = r.json()["id"]
        while not stop.is_set():
            t0 = time.perf_counter()
            r = await c.post(f"{live.API}/scenarios/{scenario}/trials", json={"runs": runs})
            if r.status_code != 202:
                raise live.BenchError(f"cannot start a trial: {r.text[:300]}")
            job = r.json()["id"]
            first = None
            while True:
                await asyncio.sleep(0.05)
                state = (await c.get(f"{live.API}/jobs/{job}")).json()
                if first is None and state["done"] > 0:
                    first = time.perf_counter() - t0
                if state["status"] == "done":
                    found.append({"first_s": first or 0.0, "done_s": time.perf_counter() - t0})
                    break
                if state["status"] in ("failed", "cancelled"):
                    raise live.BenchError(f"trial {job} {state['status']}: {state['error']}")
                if stop.is_set():
                    await c.delete(f"{live.API}/jobs/{job}")
                    return
    finally:
        await c.aclose()


def live_run(args: argparse.Namespace, with_trials: bool) -> dict[str, Any]:
    """bench/live.py's play on a fresh server, with trials running throughout or not."""
    import shutil
    import tempfile

    workdir = Path(tempfile.mkdtemp(prefix="whitecell-bench-studio-"))
    server = live.ServerProcess(workdir)
    try:
        server.start()
        return asyncio.run(_live(args, server, with_trials))
    except BaseException:
        print(f"server log:\n{server.log_tail()}", file=sys.stderr)
        raise
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


async def _live(
    args: argparse.Namespace, server: live.ServerProcess, with_trials: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not with_trials:
        out["validate_server"] = await validate_on_server(server, args.validate_repeats)
    stop = asyncio.Event()
    trials: list[dict[str, float]] = []
    runner = None
    if with_trials:
        runner = asyncio.create_task(trials_until(server, args.trial_runs, stop, trials))
    try:
        played = await live.play(args, server)
    finally:
        stop.set()
        if runner is not None:
            await runner
    out |= {
        "p99_ms": played["p99_ms"],
        "p50_ms": played["p50_ms"],
        "commands_per_s": played["commands_per_s"],
        "delivery_p99_ms": played["delivery_p99_ms"],
        "deliveries_missing": played["deliveries_missing"],
        "server_cpu_pct": played["server_cpu_pct"],
    }
    if with_trials:
        done = [t for t in trials if t["done_s"] > 0]
        if not done:
            raise live.BenchError("no trial finished during the live window: lengthen it")
        out["trials_finished"] = len(done)
        out["trial_first_result_s"] = round(statistics.median(t["first_s"] for t in done), 2)
        out["trial_done_s"] = round(statistics.median(t["done_s"] for t in done), 2)
        out["first_trial_first_result_s"] = round(done[0]["first_s"], 2)
        out["first_trial_done_s"] = round(done[0]["done_s"], 2)
    return out


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in runs[0].items():
        if isinstance(value, dict):
            out[key] = median_of([r[key] for r in runs])
        elif isinstance(value, int | float):
            out[key] = round(statistics.median(r[key] for r in runs), 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="whitecell studio benchmark")
    ap.add_argument("--runs", type=int, default=1, help="Fresh servers per measure; medians.")
    ap.add_argument("--games", type=int, default=30)
    ap.add_argument("--duration", type=float, default=25.0, help="Seconds of live load.")
    ap.add_argument("--trial-runs", type=int, default=1000)
    ap.add_argument("--validate-repeats", type=int, default=30)
    ap.add_argument("--round-seconds", type=float, default=6.0)
    ap.add_argument("--think", type=float, default=2.0)
    ap.add_argument("--adjudicator-think", type=float, default=0.15)
    ap.add_argument("--news-every", type=float, default=3.0)
    ap.add_argument("--drain", type=float, default=3.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    live.raise_fd_limit(args.games * 8 * 4 + 256)
    try:
        local = [validate_in_process(args.validate_repeats) for _ in range(args.runs)]
        alone, beside = [], []
        for i in range(args.runs):  # alternate, so drift on the machine falls on both
            args.seed = 1 + i
            alone.append(live_run(args, with_trials=False))
            beside.append(live_run(args, with_trials=True))
            print(
                f"run {i + 1}/{args.runs}: p99 {alone[-1]['p99_ms']} ms alone, "
                f"{beside[-1]['p99_ms']} ms beside trials; trial first figures "
                f"{beside[-1]['trial_first_result_s']} s, done {beside[-1]['trial_done_s']} s",
                file=sys.stderr,
            )
    except live.BenchError as exc:
        print(f"bench/studio.py: error: {exc}", file=sys.stderr)
        sys.exit(1)
    validate = {"in_process": median_of(local), "server": median_of(alone)["validate_server"]}
    result = {
        "benchmark": "studio",
        "scenario": live.SCENARIO,
        "cpus": os.cpu_count(),
        "runs": args.runs,
        "validate_one_field_change": validate,
        "live_games": args.games,
        "trial_runs": args.trial_runs,
        "live_without_trials": {
            k: v for k, v in median_of(alone).items() if k != "validate_server"
        },
        "live_with_trials": median_of(beside),
        "targets": {
            "validate_server_ms": TARGET_VALIDATE_MS,
            "p99_ms_beside_trials": TARGET_P99_MS,
        },
        "targets_met": {
            "validate_server": all(
                r["validate_server"]["median_ms"] < TARGET_VALIDATE_MS for r in alone
            ),
            "p99_beside_trials": all(r["p99_ms"] < TARGET_P99_MS for r in beside),
        },
        "notes": (
            "trials run back to back in the server's workshop for the whole live window; "
            "first/done: from the request that started a trial to the first figures read and "
            "to 'done' (polled every 50 ms)"
        ),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
