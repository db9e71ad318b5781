"""Benchmark: an institution's server after years of use stays fast and small.

A SQLite file is filled through the store with ``--games`` finished games (10,000 by
default: copies of a few games of the bundled scenario played by automated players, each
with its own id), then ``whitecell serve`` starts on it. Measured:

* the time from starting the server to its first answer (target: under 5 s);
* the list of games, paged: the home page's last page and the API's page at an offset
  deep in the history (each timed);
* an old game's report, opened for the first time since the server started (timed);
* the server's resident memory (VmRSS of its process; workers of background jobs are
  not started here) after starting, and at its peak while 50 live games are played
  beside the stored ones with every seat on a stream (bench/live.py's load generator;
  target: under 400 MB);
* then ``--more`` games (2,000) created, played and ended through the API, eight at a
  time (control starts the game, seats automated players in every team, opens each round,
  has the rest resolved by the rules and closes it, then ends the game), and the resident
  memory after them: it should have grown by less than 10%.

Prints one JSON object.

    python bench/soak.py [--full] [--games N] [--more N] [--live-games N] [--duration S]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import live
import orjson
import sqlalchemy as sa

from whitecell.engine.events import event_to_dict
from whitecell.play import play_game
from whitecell.scenario.library import load_bundled
from whitecell.store import tables as t
from whitecell.store.sql import Store

TARGET_START_S = 5.0
TARGET_RSS_MB = 400.0
TARGET_GROWTH = 0.10
TEMPLATES = 5  # distinct played games the stored ones are copies of
BATCH = 250  # games a transaction


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def fill(db_url: str, games: int) -> dict[str, Any]:
    """``games`` finished games written straight into the store (the fast way in)."""
    began = time.perf_counter()
    sc = load_bundled(live.SCENARIO)
    document = orjson.dumps(dict(sc.document)).decode()
    templates = []
    for seed in range(TEMPLATES):
        events = play_game(sc, seed).state.events
        rows = [(e.seq, e.type, orjson.dumps(event_to_dict(e)).decode()) for e in events]
        templates.append((seed, max(e.round for e in events), rows))
    store = Store(db_url)
    store.migrate()
    stamp = "2024-01-01T00:00:00.000+00:00"
    with store.engine.begin() as conn:
        for start in range(0, games, BATCH):
            game_rows, event_rows = [], []
            for i in range(start, min(games, start + BATCH)):
                seed, rounds, rows = templates[i % TEMPLATES]
                gid = f"old{i:06d}"
                game_rows.append(
                    {"id": gid, "scenario_id": sc.id, "scenario_digest": sc.digest,
                     "scenario": document, "seed": seed, "title": f"Seminar {i}",
                     "created_at": f"2024-01-01T00:00:00.{i:06d}", "created_by": None,
                     "round": rounds, "ended": True}
                )  # fmt: skip
                event_rows += [
                    {"game_id": gid, "seq": seq, "type": kind, "data": data, "created_at": stamp}
                    for seq, kind, data in rows
                ]
            conn.execute(sa.insert(t.games), game_rows)
            conn.execute(sa.insert(t.events), event_rows)
    store.close()
    return {"stored_games": games, "fill_s": round(time.perf_counter() - began, 1)}


class Sampler(threading.Thread):
    """The server's resident memory, every quarter second, while a window runs."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.25):
            self.peak = max(self.peak, rss_mb(self.pid))


def timed_get(c: httpx.Client, path: str) -> tuple[float, int]:
    began = time.perf_counter()
    r = c.get(path)
    return round((time.perf_counter() - began) * 1000, 1), r.status_code


def browse(server: live.ServerProcess, games: int) -> dict[str, Any]:
    """The list of games, paged, and an old game's report, as control."""
    with httpx.Client(base_url=server.url, timeout=60) as c:
        r = c.post("/login", data={"name": "control", "password": server.password})
        if r.status_code not in (200, 303):
            raise live.BenchError(f"cannot sign in as control: HTTP {r.status_code}")
        last_page = max(0, (games - 1) // 50)
        home_ms, home = timed_get(c, f"/?page={last_page}")
        api_ms, api = timed_get(c, f"{live.API}/games?offset={games // 2}&limit=50")
        old = f"old{games // 3:06d}"
        report_ms, report = timed_get(c, f"/games/{old}/report")
        again_ms, _ = timed_get(c, f"/games/{old}/report")
    statuses = {"home": home, "api": api, "report": report}
    if any(s != 200 for s in statuses.values()):
        raise live.BenchError(f"a page failed: {statuses}")
    return {
        "list_last_page_ms": home_ms,
        "list_api_page_ms": api_ms,
        "old_report_first_ms": report_ms,
        "old_report_again_ms": again_ms,
    }


async def one_game(c: httpx.AsyncClient, teams: list[str], rounds: int) -> None:
    r = await c.post(
        f"{live.API}/games",
        json={"scenario": live.SCENARIO, "people_per_team": 1, "adjudicators": 1},
    )
    if r.status_code != 201:
        raise live.BenchError(f"cannot create a game: HTTP {r.status_code} {r.text[:200]}")
    game = r.json()["game"]

    async def send(body: dict[str, Any]) -> httpx.Response:
        key = {"Idempotency-Key": live.uuid.uuid4().hex}
        return await c.post(f"{live.API}/games/{game}/commands", json=body, headers=key)

    await send({"type": "start_game"})
    for team in teams:
        await send({"type": "seat_agent", "team": team})
    for n in range(1, rounds + 1):
        await send({"type": "open_round", "number": n})
        await send({"type": "resolve_by_rules"})
        if (await send({"type": "close_round", "number": n})).status_code != 200:
            break  # a free-form action left open: the end resolves or voids it
    ended = await send({"type": "end_game", "open_actions": "resolve"})
    if ended.status_code != 200:
        raise live.BenchError(f"game {game} did not end: {ended.text[:300]}")


async def create_and_play(server: live.ServerProcess, more: int) -> float:
    sc = load_bundled(live.SCENARIO)
    teams, rounds = list(sc.team_ids), len(sc.rounds)
    began = time.perf_counter()
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as c:
        await c.post("/login", data={"name": "control", "password": server.password})
        store = Store(server.db_url)
        try:
            signer = live.Signer(store.secret())
        finally:
            store.close()
        c.headers["X-CSRF-Token"] = signer.csrf(c.cookies.get(live.ACCOUNT_COOKIE) or "")
        queue = iter(range(more))

        async def worker() -> None:
            for _ in queue:
                await one_game(c, teams, rounds)

        await asyncio.gather(*(worker() for _ in range(8)))
    return time.perf_counter() - began


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--games", type=int, help="Finished games stored first.")
    ap.add_argument("--more", type=int, help="Games played through the API.")
    ap.add_argument("--live-games", type=int)
    ap.add_argument("--duration", type=float, help="Seconds of live play.")
    ap.add_argument("--serve", default="", help="More `whitecell serve` options, quoted.")
    ap.add_argument(
        "--full",
        action="store_true",
        help="The issue's targets: 10,000 stored, 50 live, 2,000 more (some 8 minutes); "
        "the default is a quick pass (2,000 stored, 20 live, 300 more) for make bench.",
    )
    args = ap.parse_args()
    sizes = (10_000, 2_000, 50, 20.0) if args.full else (2_000, 300, 20, 10.0)
    for name, size in zip(("games", "more", "live_games", "duration"), sizes, strict=True):
        if getattr(args, name) is None:
            setattr(args, name, size)
    workdir = Path(tempfile.mkdtemp(prefix="whitecell-bench-soak-"))
    server = live.ServerProcess(workdir, extra=args.serve.split())
    out: dict[str, Any] = {
        "bench": "soak",
        "full": args.full,
        "serve_options": args.serve,
        "machine_cores": live.os.cpu_count(),
    }
    try:
        out |= fill(server.db_url, args.games)
        out["db_mb"] = round((workdir / "whitecell.db").stat().st_size / 2**20)
        began = time.perf_counter()
        server.start(timeout=120)
        out["start_s"] = round(time.perf_counter() - began, 2)
        assert server.proc is not None
        pid = server.proc.pid
        out["rss_after_start_mb"] = round(rss_mb(pid), 1)
        out |= browse(server, args.games)
        sampler = Sampler(pid)
        sampler.start()
        load = argparse.Namespace(
            games=args.live_games, seats=10, duration=args.duration, round_seconds=6.0,
            think=0.5, adjudicator_think=0.15, news_every=3.0, drain=3.0, seed=1,
        )  # fmt: skip
        played = asyncio.run(live.play(load, server))
        sampler.done.set()
        sampler.join()
        out["live"] = {k: played[k] for k in ("games", "streams", "commands_per_s", "p99_ms")}
        out["rss_peak_with_live_mb"] = round(max(sampler.peak, rss_mb(pid)), 1)
        before = rss_mb(pid)
        took = asyncio.run(create_and_play(server, args.more))
        time.sleep(1.0)
        after = rss_mb(pid)
        out["more_games"] = args.more
        out["more_games_s"] = round(took, 1)
        out["rss_before_more_mb"] = round(before, 1)
        out["rss_after_more_mb"] = round(after, 1)
        out["rss_growth"] = round(after / before - 1, 3)
        with httpx.Client(base_url=server.url) as c:
            c.post("/login", data={"name": "control", "password": server.password})
            listed = c.get(f"{live.API}/games?limit=1")
        out["games_in_store"] = int(listed.headers.get("X-Total-Count", 0))
        out["targets"] = {
            "start_s": TARGET_START_S,
            "rss_mb": TARGET_RSS_MB,
            "growth": TARGET_GROWTH,
        }
        out["met"] = {
            "start": out["start_s"] < TARGET_START_S,
            "rss": out["rss_peak_with_live_mb"] < TARGET_RSS_MB,
            "growth": out["rss_growth"] < TARGET_GROWTH,
        }
    except BaseException:
        print(f"server log:\n{server.log_tail()}", file=sys.stderr)
        raise
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
