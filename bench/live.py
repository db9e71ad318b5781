"""Benchmark: live play over HTTP, many games at once, every seat on a live stream.

Starts ``whitecell serve`` in a separate process on loopback (a fresh SQLite file),
creates the games through the API with a control account, opens one Server-Sent
Events stream per seat and plays: control opens and closes rounds and publishes
news, team leads submit catalogue actions and send messages, the adjudicator
assesses, rolls and publishes every action it sees on its own stream. The load
generator is this process: asyncio + httpx, one keep-alive client per seat.
Each seat waits for its answer, then thinks (``--think``) before its next command,
so a faster server is offered more commands per second.

Measured, over the steady-state window only (setup excluded):

* latency of every state-changing request (``POST .../commands``), from just
  before the request is sent to the parsed response;
* delivery delay of every (event, entitled stream) pair: the time the event
  is parsed off the stream minus the time the command that caused it was SENT
  (conservative: it includes that command's own latency). Entitlement follows
  the audience: ``*`` every seat, a team id that team plus control and
  adjudicator, ``white`` control and adjudicator, ``control`` control only.
  Deliveries that never arrive are counted as missing, events a stream should
  not see as leaked.

Prints one JSON object (medians over runs when ``--runs`` > 1). Targets: p99 of
state-changing requests under 100 ms; every event on every entitled stream
within 1 s.

    python bench/live.py [--games 30] [--duration 25] [--runs 1]

WHITECELL_BENCH_SERVER="py-spy record -o prof.svg -- python -m whitecell" runs the
server CLI through another command (a profiler); the default is python -m whitecell.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import resource
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

from whitecell.scenario.library import load_bundled
from whitecell.store.sql import Store
from whitecell.web.auth import ACCOUNT_COOKIE, Signer

SCENARIO = "ukraine-ceasefire-2025"
API = "/api/v1"
PASSWORD_ENV = "WHITECELL_BENCH_PASSWORD"
TARGET_P99_MS = 100.0
TARGET_DELIVERY_MS = 1000.0

now = time.perf_counter


class BenchError(Exception):
    """The benchmark could not run (not a slow result: a broken setup)."""


# -- the server process --------------------------------------------------------------


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, all cores (Linux /proc)."""
    try:
        values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    total = sum(values[:8])  # guest time is already in user
    return (total - idle) / tick, total / tick


def _proc_stat(pid: int) -> tuple[int, float, int] | None:
    """(parent pid, user + system CPU seconds, niceness) of a process, None once gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return int(fields[1]), cpu, int(fields[16])


def tree_cpu_seconds(root: int) -> tuple[float, float]:
    """CPU seconds of ``root`` and its living descendants: (those at the root's own
    priority, the niced ones: the server's background workers)."""
    stats = {
        int(p.name): st
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and (st := _proc_stat(int(p.name)))
    }
    children: dict[int, list[int]] = defaultdict(list)
    for pid, (ppid, _cpu, _nice) in stats.items():
        children[ppid].append(pid)
    base = stats[root][2] if root in stats else 0
    served = background = 0.0
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            if stats[pid][2] > base:
                background += stats[pid][1]
            else:
                served += stats[pid][1]
        todo += children.get(pid, [])
    return served, background


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServerProcess:
    workdir: Path
    port: int = field(default_factory=free_port)
    password: str = field(default_factory=lambda: uuid.uuid4().hex)
    # how to run the whitecell CLI (a profiler or a wrapper may stand in front)
    command: list[str] = field(default_factory=lambda: [sys.executable, "-m", "whitecell"])
    proc: subprocess.Popen[bytes] | None = None
    db: str | None = None  # a database URL (default: a fresh SQLite file in workdir)
    extra: list[str] = field(default_factory=list)  # more ``serve`` options (--workers 4)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_url(self) -> str:
        return self.db or f"sqlite:///{self.workdir / 'whitecell.db'}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "server.log"

    def start(self, timeout: float = 30.0) -> None:
        env = dict(os.environ, **{PASSWORD_ENV: self.password})
        cmd = [
            *self.command,
            "serve",
            "--db",
            self.db_url,
            "--port",
            str(self.port),
            "--control-password-env",
            PASSWORD_ENV,
            *self.extra,
        ]
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
            )
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self.url, timeout=2) as c:
            while True:
                if self.proc.poll() is not None:
                    raise BenchError(
                        f"the server exited with code {self.proc.returncode}:\n{self.log_tail()}"
                    )
                try:
                    if c.get("/login").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise BenchError(f"the server did not answer in {timeout:.0f} s")
                time.sleep(0.1)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    def cpu_seconds(self) -> tuple[float, float]:
        """User + system CPU time so far of the server's processes (``--workers``) and of
        its niced background workers, from Linux /proc."""
        if self.proc is None:
            return 0.0, 0.0
        return tree_cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


# -- bookkeeping ------------------------------------------------------------------------


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)  # seconds, state-changing requests
    by_type: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    status: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    retries: int = 0
    stream_drops: int = 0
    loop_lag: list[float] = field(default_factory=list)

    def error(self, text: str) -> None:
        if len(self.errors) < 10:
            self.errors.append(text[:300])


@dataclass
class Stream:
    """One seat's live stream as the client saw it."""

    seat: str
    received: dict[int, float] = field(default_factory=dict)  # seq -> time parsed
    last: int = 0
    duplicates: int = 0
    out_of_order: int = 0
    connected: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Game:
    id: str
    tokens: dict[str, str]  # seat -> token
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    streams: dict[str, Stream] = field(default_factory=dict)
    # seq -> (sent, returned, audience) of every event a command caused
    expected: dict[int, tuple[float, float, tuple[str, ...]]] = field(default_factory=dict)
    # play state, as the seats coordinate it (a facilitator's instructions)
    round: int = 0
    round_open: bool = False
    round_kind: str = ""
    closing: bool = False
    pending_submits: int = 0
    submitted: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    team_submits: Counter[tuple[str, int]] = field(default_factory=Counter)
    published: set[str] = field(default_factory=set)
    to_adjudicate: asyncio.Queue[str] = field(default_factory=asyncio.Queue)


def entitled(seat: str, audience: tuple[str, ...]) -> bool:
    seat = seat.split("#", 1)[0]  # "team:usa#2": a second member of the same seat
    if seat == "control":
        return True
    if "control" in audience:
        return False
    if seat == "adjudicator":
        return True
    if seat == "observer":
        return "*" in audience
    return "*" in audience or seat.removeprefix("team:") in audience


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def ms(x: float) -> float:
    return round(x * 1000, 2)


# -- the load generator --------------------------------------------------------------------


@dataclass
class Bench:
    url: str
    games: list[Game]
    duration: float
    round_s: float
    think: float
    adjudicator_think: float
    news_every: float
    seed: int
    stats: Stats = field(default_factory=Stats)
    stop_at: float = 0.0
    running: bool = True

    def __post_init__(self) -> None:
        self.sc = load_bundled(SCENARIO)
        self.team_actions = {
            team: [a for a in self.sc.action.values() if team in a.teams and a.requires is None]
            for team in self.sc.team_ids
        }

    def stopped(self) -> bool:
        return now() >= self.stop_at

    async def pause(self, seconds: float) -> None:
        """Think for a while, but no longer than the load lasts."""
        await asyncio.sleep(max(0.0, min(seconds, self.stop_at - now())))

    async def command(self, g: Game, seat: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """POST one command; record its latency and the events it caused."""
        client = g.clients[seat]
        content = orjson.dumps(body)
        headers = {"Idempotency-Key": uuid.uuid4().hex, "Content-Type": "application/json"}
        sent = now()
        response = None
        for attempt in range(3):
            try:
                response = await client.post(
                    f"{API}/games/{g.id}/commands", content=content, headers=headers
                )
                break
            except httpx.TransportError as exc:  # retried with the same key: applied once
                self.stats.retries += 1
                if attempt == 2:
                    self.stats.status["transport_error"] += 1
                    self.stats.error(f"{body['type']}: {type(exc).__name__}: {exc}")
                    return None
        assert response is not None
        done = now()
        self.stats.latencies.append(done - sent)
        self.stats.by_type[body["type"]].append(done - sent)
        self.stats.status[str(response.status_code)] += 1
        if response.status_code != 200:
            self.stats.error(f"{body['type']} by {seat}: {response.status_code} {response.text}")
            return None
        data: dict[str, Any] = orjson.loads(response.content)
        for e in data["events"]:
            g.expected[e["seq"]] = (sent, done, tuple(e["audience"]))
        return data

    # -- streams ------------------------------------------------------------------
    async def stream(self, g: Game, seat: str) -> None:
        s = g.streams[seat]
        client = g.clients[seat]
        while self.running:
            headers = {"Accept": "text/event-stream"}
            if s.last:
                headers["Last-Event-ID"] = str(s.last)
            try:
                async with client.stream(
                    "GET",
                    f"{API}/games/{g.id}/stream",
                    headers=headers,
                    timeout=httpx.Timeout(30, read=None),
                ) as r:
                    if r.status_code != 200:
                        raise BenchError(f"stream {g.id}/{seat}: HTTP {r.status_code}")
                    buf = b""
                    async for chunk in r.aiter_raw():
                        t = now()
                        buf += chunk
                        while b"\n\n" in buf:
                            block, buf = buf.split(b"\n\n", 1)
                            self.on_block(g, s, block, t)
            except httpx.TransportError:
                pass
            if self.running:
                self.stats.stream_drops += 1
                await asyncio.sleep(0.2)

    def on_block(self, g: Game, s: Stream, block: bytes, t: float) -> None:
        data = etype = None
        for line in block.split(b"\n"):
            if line.startswith(b"data:"):
                data = line[5:].strip()
            elif line.startswith(b"event:"):
                etype = line[6:].strip().decode()
            elif line.startswith(b"retry:"):
                s.connected.set()
        if data is None:
            return
        event = orjson.loads(data)
        seq = event["seq"]
        if seq in s.received:
            s.duplicates += 1
            return
        if seq <= s.last:
            s.out_of_order += 1
        s.last = max(s.last, seq)
        s.received[seq] = t
        if s.seat == "adjudicator" and etype == "action_submitted":
            g.to_adjudicate.put_nowait(event["uid"])

    # -- seats ---------------------------------------------------------------------
    async def control(self, g: Game, rng: random.Random) -> None:
        await asyncio.sleep(rng.uniform(0, 2.0))  # games start staggered
        if await self.command(g, "control", {"type": "start_game"}) is None:
            return
        rounds = self.sc.rounds
        number = 1
        while not self.stopped():
            if await self.command(g, "control", {"type": "open_round", "number": number}) is None:
                return
            g.round, g.round_open, g.closing = number, True, False
            g.round_kind = rounds[number - 1].kind
            opened = now()
            next_news = opened + rng.uniform(0.5, 1.5) * self.news_every
            last_round = number == len(rounds)
            while not self.stopped() and (last_round or now() - opened < self.round_s):
                await asyncio.sleep(max(0.0, min(next_news, self.stop_at) - now()))
                if now() >= next_news and not self.stopped():
                    body = {"type": "publish_news", "text": f"News of round {number}."}
                    await self.command(g, "control", body)
                    next_news = now() + rng.uniform(0.5, 1.5) * self.news_every
            if last_round:
                return
            g.closing = True  # no more submissions: wait for the adjudicator to finish
            while not self.stopped() and (
                g.pending_submits or not g.submitted[number] <= g.published
            ):
                await asyncio.sleep(0.05)
            if self.stopped():
                return
            if await self.command(g, "control", {"type": "close_round", "number": number}) is None:
                return
            g.round_open = False
            await asyncio.sleep(rng.uniform(0.2, 0.6))
            number += 1

    async def team(self, g: Game, team: str, rng: random.Random) -> None:
        seat = f"team:{team}"
        others = [t for t in self.sc.team_ids if t != team]
        actions = self.team_actions[team]
        while True:
            await self.pause(rng.uniform(0.5, 1.5) * self.think)
            if self.stopped():
                return
            number = g.round
            if (
                g.round_open
                and g.round_kind == "action"
                and not g.closing
                and g.team_submits[team, number] < 2
            ):
                spec = rng.choice(actions)
                body: dict[str, Any] = {"type": "submit_action", "action": spec.id}
                if spec.targets is not None:
                    body["target"] = rng.choice([t for t in spec.targets if t != team])
                g.pending_submits += 1
                try:
                    data = await self.command(g, seat, body)
                finally:
                    g.pending_submits -= 1
                g.team_submits[team, number] += 1
                if data is not None:
                    g.submitted[number].add(data["events"][0]["uid"])
            elif g.round:
                text = f"{team} says {rng.random():.6f}"
                if rng.random() < 0.6:
                    body = {"type": "send_message", "channel": seat, "text": text}
                else:
                    body = {"type": "send_message", "to": [rng.choice(others)], "text": text}
                await self.command(g, seat, body)

    async def adjudicator(self, g: Game, rng: random.Random) -> None:
        while not self.stopped():
            try:
                uid = await asyncio.wait_for(g.to_adjudicate.get(), 0.1)
            except TimeoutError:
                continue
            steps: list[dict[str, Any]] = [
                {"type": "assess", "uid": uid, "probability": round(rng.uniform(0.2, 0.8), 2)},
                {"type": "roll", "uid": uid},
                {"type": "publish_outcome", "uid": uid},
            ]
            for body in steps:
                await self.pause(rng.uniform(0.5, 1.5) * self.adjudicator_think)
                if self.stopped() or await self.command(g, "adjudicator", body) is None:
                    break
            else:
                g.published.add(uid)

    async def lag_monitor(self) -> None:
        while self.running:
            t = now()
            await asyncio.sleep(0.05)
            self.stats.loop_lag.append(now() - t - 0.05)

    # -- one run -------------------------------------------------------------------
    def missing(self) -> int:
        count = 0
        for g in self.games:
            for seq, (_sent, _done, audience) in g.expected.items():
                for seat, s in g.streams.items():
                    if seq not in s.received and entitled(seat, audience):
                        count += 1
        return count

    async def run(self, drain: float) -> dict[str, float]:
        stream_tasks = [
            asyncio.create_task(self.stream(g, seat)) for g in self.games for seat in g.streams
        ]
        try:
            waiting = [s.connected.wait() for g in self.games for s in g.streams.values()]
            await asyncio.wait_for(asyncio.gather(*waiting), 30)
        except TimeoutError:
            for task in stream_tasks:
                if task.done() and task.exception() is not None:
                    raise BenchError(f"a stream failed: {task.exception()}") from None
            raise BenchError("not every stream connected within 30 s") from None
        monitor = asyncio.create_task(self.lag_monitor())
        master = random.Random(self.seed)
        started = now()
        self.stop_at = started + self.duration
        seats = []
        for g in self.games:
            seats.append(self.control(g, random.Random(master.random())))
            seats.append(self.adjudicator(g, random.Random(master.random())))
            seats += [self.team(g, t, random.Random(master.random())) for t in self.sc.team_ids]
        results = await asyncio.gather(*seats, return_exceptions=True)
        for r in results:
            if isinstance(r, BaseException):
                raise r
        load_end = now()
        deadline = now() + drain
        while now() < deadline and self.missing():
            await asyncio.sleep(0.25)
        self.running = False
        monitor.cancel()
        for task in stream_tasks:
            task.cancel()
        await asyncio.gather(*stream_tasks, monitor, return_exceptions=True)
        return {"started": started, "load_end": load_end, "drained": now()}


def analyse(bench: Bench) -> dict[str, Any]:
    delays: list[float] = []
    after_response: list[float] = []
    missing = leaked = unattributed = duplicates = out_of_order = 0
    events = 0
    missing_examples: list[str] = []
    for g in bench.games:
        events += len(g.expected)
        for seq, (sent, done, audience) in g.expected.items():
            for seat, s in g.streams.items():
                got = s.received.get(seq)
                if entitled(seat, audience):
                    if got is None:
                        missing += 1
                        if len(missing_examples) < 5:
                            missing_examples.append(f"{g.id} seq {seq} -> {seat}")
                    else:
                        delays.append(got - sent)
                        after_response.append(got - done)
                elif got is not None:
                    leaked += 1
        for s in g.streams.values():
            unattributed += sum(1 for seq in s.received if seq not in g.expected)
            duplicates += s.duplicates
            out_of_order += s.out_of_order
    return {
        "events": events,
        "deliveries": len(delays),
        "delays": delays,
        "after_response": after_response,
        "missing": missing,
        "missing_examples": missing_examples,
        "leaked": leaked,
        "unattributed": unattributed,
        "duplicates": duplicates,
        "out_of_order": out_of_order,
    }


async def setup_games(
    url: str, db_url: str, password: str, games: int, listeners: int = 0
) -> list[Game]:
    """``listeners`` more seats per game only follow the game: the observer, then second
    members of the teams (their streams count; they send nothing)."""
    store = Store(db_url)
    try:
        signer = Signer(store.secret())
    finally:
        store.close()
    async with httpx.AsyncClient(base_url=url, timeout=30) as c:
        r = await c.post("/login", data={"name": "control", "password": password})
        cookie = c.cookies.get(ACCOUNT_COOKIE)
        if r.status_code not in (200, 303) or not cookie:
            raise BenchError(f"cannot sign in as control: HTTP {r.status_code}")
        c.headers["X-CSRF-Token"] = signer.csrf(cookie)
        out = []
        for _ in range(games):
            r = await c.post(
                f"{API}/games",
                json={
                    "scenario": SCENARIO,
                    "people_per_team": 2 if listeners > 1 else 1,
                    "adjudicators": 1,
                },
            )
            if r.status_code != 201:
                raise BenchError(f"cannot create a game: HTTP {r.status_code} {r.text[:300]}")
            created = r.json()
            tokens: dict[str, str] = {}
            extra: list[tuple[str, str]] = []
            for link in created["links"]:
                seat = link["seat"]
                if seat == "observer" or (seat in tokens and seat.startswith("team:")):
                    extra.append((seat if seat == "observer" else f"{seat}#2", link["token"]))
                elif seat != "observer":
                    tokens.setdefault(seat, link["token"])
            extra.sort(key=lambda item: item[0] != "observer")
            tokens.update(dict(extra[:listeners]))
            out.append(Game(created["game"], tokens))
    return out


async def play(args: argparse.Namespace, server: ServerProcess) -> dict[str, Any]:
    listeners = max(0, getattr(args, "seats", 8) - 8)
    games = await setup_games(server.url, server.db_url, server.password, args.games, listeners)
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    for g in games:
        for seat, token in g.tokens.items():
            g.clients[seat] = httpx.AsyncClient(
                base_url=server.url,
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
                limits=limits,
            )
            g.streams[seat] = Stream(seat)
    bench = Bench(
        server.url,
        games,
        duration=args.duration,
        round_s=args.round_seconds,
        think=args.think,
        adjudicator_think=args.adjudicator_think,
        news_every=args.news_every,
        seed=args.seed,
    )
    cpu_client0 = resource.getrusage(resource.RUSAGE_SELF)
    cpu_server0 = server.cpu_seconds()
    machine0 = machine_cpu()
    try:
        times = await bench.run(args.drain)
    finally:
        await asyncio.gather(
            *(c.aclose() for g in games for c in g.clients.values()), return_exceptions=True
        )
    if server.proc is not None and server.proc.poll() is not None:
        raise BenchError(f"the server died during the run:\n{server.log_tail()}")
    cpu_client1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu_server1 = server.cpu_seconds()
    cpu_server = cpu_server1[0] - cpu_server0[0]
    cpu_background = cpu_server1[1] - cpu_server0[1]
    machine1 = machine_cpu()
    machine_busy = machine1[0] - machine0[0]
    cpu_client = (cpu_client1.ru_utime + cpu_client1.ru_stime) - (
        cpu_client0.ru_utime + cpu_client0.ru_stime
    )
    found = analyse(bench)
    st = bench.stats
    load_s = times["load_end"] - times["started"]
    wall = times["drained"] - times["started"]
    lat, delays = st.latencies, found["delays"]
    return {
        "games": len(games),
        "seats_per_game": len(games[0].streams) if games else 0,
        "streams": sum(len(g.streams) for g in games),
        "duration_s": round(load_s, 2),
        "commands_sent": len(lat) + st.status["transport_error"],
        "commands_per_s": round(len(lat) / load_s, 1),
        "commands_ok": st.status["200"],
        "commands_status": dict(st.status),
        "retries": st.retries,
        "p50_ms": ms(pct(lat, 50)),
        "p90_ms": ms(pct(lat, 90)),
        "p99_ms": ms(pct(lat, 99)),
        "max_ms": ms(max(lat, default=float("nan"))),
        "p99_ms_by_command": {k: ms(pct(v, 99)) for k, v in sorted(st.by_type.items())},
        "commands_by_type": {k: len(v) for k, v in sorted(st.by_type.items())},
        "events": found["events"],
        "events_delivered": found["deliveries"],
        "deliveries_per_s": round(found["deliveries"] / load_s, 1),
        "delivery_measured_from": "command sent",
        "delivery_p50_ms": ms(pct(delays, 50)),
        "delivery_p99_ms": ms(pct(delays, 99)),
        "delivery_max_ms": ms(max(delays, default=float("nan"))),
        "delivery_after_response_max_ms": ms(max(found["after_response"], default=float("nan"))),
        "deliveries_missing": found["missing"],
        "missing_examples": found["missing_examples"],
        "deliveries_leaked": found["leaked"],
        "deliveries_unattributed": found["unattributed"],
        "duplicates": found["duplicates"],
        "out_of_order": found["out_of_order"],
        "stream_reconnects": st.stream_drops,
        "client_loop_lag_p99_ms": ms(pct(st.loop_lag, 99)),
        "client_loop_lag_max_ms": ms(max(st.loop_lag, default=float("nan"))),
        "server_cpu_pct": round(100 * cpu_server / wall, 1),
        "background_cpu_pct": round(100 * cpu_background / wall, 1),
        "client_cpu_pct": round(100 * cpu_client / wall, 1),
        # CPU that neither the server nor this process used: other load on the machine
        "other_cpu_pct": round(
            100 * max(0.0, machine_busy - cpu_server - cpu_background - cpu_client) / wall, 1
        ),
        "errors": st.errors,
    }


def run_once(
    args: argparse.Namespace, db: str | None = None, extra: list[str] | None = None
) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="whitecell-bench-live-"))
    server = ServerProcess(workdir, db=db, extra=extra or [])
    if os.environ.get("WHITECELL_BENCH_SERVER"):  # e.g. a profiler in front of the CLI
        server.command = shlex.split(os.environ["WHITECELL_BENCH_SERVER"])
    try:
        server.start()
        return asyncio.run(play(args, server))
    except BaseException:
        print(f"server log:\n{server.log_tail()}", file=sys.stderr)
        raise
    finally:
        server.stop()
        if os.environ.get("WHITECELL_BENCH_KEEP_LOG"):  # where to copy the server's log
            shutil.copy(server.log_path, os.environ["WHITECELL_BENCH_KEEP_LOG"])
        shutil.rmtree(workdir, ignore_errors=True)


def summarize(runs: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    """Every number the median over the runs; the rest from the run with the median p99."""
    out: dict[str, Any] = {"benchmark": "live", "scenario": SCENARIO}
    middle = sorted(runs, key=lambda r: r["p99_ms"])[len(runs) // 2]
    for key, value in middle.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            median = statistics.median(r[key] for r in runs)
            out[key] = round(median, 2) if isinstance(median, float) else median
        else:
            out[key] = value
    out["runs"] = len(runs)
    if len(runs) > 1:
        keys = (
            "p50_ms",
            "p99_ms",
            "delivery_p99_ms",
            "delivery_max_ms",
            "deliveries_missing",
            "commands_sent",
            "commands_per_s",
            "events_delivered",
            "server_cpu_pct",
            "client_cpu_pct",
            "other_cpu_pct",
        )
        out["per_run"] = {k: [r[k] for r in runs] for k in keys}
        out["errors"] = [e for r in runs for e in r["errors"]][:10]
    out["targets"] = {"p99_ms": TARGET_P99_MS, "delivery_max_ms": TARGET_DELIVERY_MS}
    out["targets_met"] = {
        "p99_ms": all(r["p99_ms"] < TARGET_P99_MS for r in runs),
        "delivery": all(
            r["delivery_max_ms"] < TARGET_DELIVERY_MS and r["deliveries_missing"] == 0 for r in runs
        ),
    }
    out["notes"] = (
        "latency: POST .../commands, request sent to response parsed; delivery: event parsed "
        "off a stream minus its command's send time, every entitled stream; *_cpu_pct: "
        "percent of one core over the run; other_cpu_pct: CPU used by other processes"
    )
    out["load"] = {
        "think_s": args.think,
        "adjudicator_think_s": args.adjudicator_think,
        "news_every_s": args.news_every,
        "round_s": args.round_seconds,
    }
    out["python"] = platform.python_version()
    out["machine"] = platform.machine()
    out["cpus"] = os.cpu_count()
    return out


def raise_fd_limit(need: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        new = need if hard == resource.RLIM_INFINITY else min(need, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))


def main() -> None:
    ap = argparse.ArgumentParser(description="whitecell live-play benchmark (HTTP + SSE)")
    ap.add_argument("--games", type=int, default=30)
    ap.add_argument("--duration", type=float, default=25.0, help="Seconds of load.")
    ap.add_argument("--runs", type=int, default=1, help="Fresh server per run; medians.")
    ap.add_argument("--round-seconds", type=float, default=6.0, help="Least length of a round.")
    ap.add_argument(
        "--think", type=float, default=2.0, help="Mean seconds between a team's commands."
    )
    ap.add_argument("--adjudicator-think", type=float, default=0.15)
    ap.add_argument("--news-every", type=float, default=3.0, help="Mean seconds between news.")
    ap.add_argument("--drain", type=float, default=3.0, help="Seconds to wait for late events.")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    raise_fd_limit(args.games * 8 * 4 + 256)
    runs = []
    try:
        first_seed = args.seed
        for i in range(args.runs):
            args.seed = first_seed + i
            runs.append(run_once(args))
            print(
                f"run {i + 1}/{args.runs}: p50 {runs[-1]['p50_ms']} ms, p99 "
                f"{runs[-1]['p99_ms']} ms, delivery max {runs[-1]['delivery_max_ms']} ms",
                file=sys.stderr,
            )
        args.seed = first_seed
    except BenchError as exc:
        print(f"bench/live.py: error: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("bench/live.py: interrupted", file=sys.stderr)
        sys.exit(130)
    print(json.dumps(summarize(runs, args)))


if __name__ == "__main__":
    main()
