"""Benchmark: how fast each room renders, and how big the control room's page gets.

A game of ukraine-ceasefire-2025 is played in memory by the heuristic players through
round 4, round 5 (negotiation) is opened and its talks played, and teams and the white
cell then chat (messages, statements, news) until the log holds ``--events`` events.

* In process, no server: the room's view-model and the page template, for the control
  room, the adjudicator desk, a team lead's room and the observer's view, in English and
  Japanese: median and p95 over ``--runs`` renders.
* Through a real server (``whitecell serve`` in a subprocess, the games imported into its
  SQLite file, join links for each seat): GET of each room page and of each of its panel
  fragments, median and p95 over ``--runs`` requests on a keep-alive connection.
* The size of the control room's HTML at ``--events`` and, after more chatter, at each of
  ``--sizes`` events: does it grow with the game?

Prints one JSON object. Targets (from the rooms issue): every room renders in under
150 ms on the server at round 5 of a game with 500 events (read as the p95 of the
in-process render; the HTTP figures are given too), and the control room's HTML stays
under 300 kB however long the game.

    python bench/rooms.py [--runs 30] [--events 500] [--sizes 2000,5000] [--no-server]
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import live  # noqa: E402

from whitecell.agents.heuristic import HeuristicAgent  # noqa: E402
from whitecell.agents.mediator import Mediator  # noqa: E402
from whitecell.engine import commands as cmd  # noqa: E402
from whitecell.engine.events import Event  # noqa: E402
from whitecell.engine.game import Game  # noqa: E402
from whitecell.engine.seats import ADJUDICATOR, CONTROL, OBSERVER, Seat, team_seat  # noqa: E402
from whitecell.play import agent_rng, negotiation_round, play_game  # noqa: E402
from whitecell.scenario.compiled import Scenario  # noqa: E402
from whitecell.scenario.library import load_bundled  # noqa: E402
from whitecell.store.sql import GameRow, SeatRow, Store  # noqa: E402

SCENARIO = "ukraine-ceasefire-2025"
SEED = 7
ROUND = 5
TITLE = "Ankara seminar"
LANGS = ("en", "ja")
TEAM = "usa"  # the team whose lead's room is measured
SEATS: dict[str, tuple[Seat, bool]] = {  # what is measured: the seat and whether a lead
    "control": (CONTROL, True),
    "adjudicator": (ADJUDICATOR, True),
    "team_lead": (team_seat(TEAM), True),
    "observer": (OBSERVER, True),
}
PEOPLE_PER_TEAM = 2
TARGET_RENDER_MS = 150.0
TARGET_CONTROL_KB = 300.0

PHRASES = (  # what the chatter says, a few phrases at a time
    "the envoys meet again in Riyadh",
    "a ceasefire along the current line",
    "the grain corridor through the Black Sea",
    "sanctions relief in stages",
    "monitors on both sides of the front",
    "a prisoner exchange before winter",
    "security guarantees without troops",
    "inspectors at the Zaporizhzhia plant",
    "a timetable for elections and amnesty",
    "drone strikes on energy sites must stop",
)


# -- the game ---------------------------------------------------------------------------


class _Stop(Exception):
    def __init__(self, game: Game) -> None:
        self.game = game


def game_at_round(sc: Scenario, number: int, seed: int) -> Game:
    """The heuristic players' game, stopped once round ``number - 1`` has closed; then
    round ``number`` is opened and, for a negotiation round, its talks played."""

    def after_round(game: Game) -> None:
        if game.state.round >= number - 1:
            raise _Stop(game)

    try:
        play_game(sc, seed, after_round=after_round)
    except _Stop as stop:
        game = stop.game
    else:
        raise RuntimeError(f"{sc.id} has fewer than {number} rounds")
    game.handle(cmd.OpenRound(seat=CONTROL, number=number))
    if sc.rounds[number - 1].kind == "negotiation":
        agents = {t: HeuristicAgent(sc, t, agent_rng(seed, t)) for t in sc.team_ids}
        negotiation_round(game, agents, Mediator(sc))
    return game


def chatter(game: Game, until: int, rng: random.Random) -> None:
    """Messages between teams, statements, the white cell's news and messages, until the
    log holds ``until`` events."""
    teams = game.scenario.team_ids
    while len(game.events) < until:
        text = "; ".join(rng.choice(PHRASES) for _ in range(rng.randint(2, 7))).capitalize()
        roll = rng.random()
        sender = rng.choice(teams)
        if roll < 0.5:
            to = (rng.choice([t for t in teams if t != sender]),)
            game.handle(cmd.SendMessage(seat=team_seat(sender), to=to, text=text))
        elif roll < 0.7:
            game.handle(cmd.PublishStatement(seat=team_seat(sender), text=text))
        elif roll < 0.85:
            game.handle(cmd.PublishNews(seat=CONTROL, text=text))
        else:
            game.handle(cmd.SendMessage(seat=CONTROL, to=(sender,), text=text))


def seat_list(sc: Scenario) -> list[tuple[str, str, bool]]:
    """Every join link of the game, as the server would hold them: (seat, person, lead)."""
    out = [("control", "White cell", True), ("adjudicator", "Judge", True)]
    for team in sc.team_ids:
        for i in range(PEOPLE_PER_TEAM):
            out.append((f"team:{team}", f"{team.title()} {i + 1}", i == 0))
    out.append(("observer", "Observer", True))
    return out


# -- rendering: the one place that knows the rooms' API ---------------------------------


def make_renderer(sc: Scenario) -> Callable[[Game, str, str], str]:
    """``render(game, seat name, lang) -> the room page's HTML``, made the way the room
    route makes it: a ``Room`` the templates read, rendered into ``room.html``."""
    from whitecell.web.render import render
    from whitecell.web.rooms import Room, Seating

    links = tuple(
        SeatRow(f"s{i}", "g", seat, person, lead, False, "2025-01-01T00:00:00+00:00", f"h{i}")
        for i, (seat, person, lead) in enumerate(seat_list(sc))
    )

    def render_room(game: Game, name: str, lang: str) -> str:
        seat, lead = SEATS[name]
        control = seat.kind == "control"
        seating = Seating(
            game="g",
            title=TITLE,
            person="Ana",
            lead=lead,
            agent_kinds={},
            links=links if control else (),
        )
        return render(
            lang,
            "room.html",
            r=Room(game.view(seat), seating, lang),
            csrf="x",
            key="k",
            path="/games/g",
        )

    return render_room


def panels_of(kind: str) -> tuple[str, ...]:
    from whitecell.web.rooms import PANELS

    return tuple(PANELS[kind])


# -- numbers ------------------------------------------------------------------------------


def summary(seconds: Sequence[float]) -> dict[str, float]:
    """Median and p95 (nearest rank) in ms."""
    ordered = sorted(seconds)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
    }


def timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    fn()  # warm: templates compiled, caches filled
    out, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        out.append(time.perf_counter() - start)
    return out, result


def kb(n: int) -> float:
    return round(n / 1000, 1)


def worst(figures: dict[str, dict[str, dict[str, float]]]) -> float:
    return max(f["p95_ms"] for per_lang in figures.values() for f in per_lang.values())


# -- through a server ------------------------------------------------------------------


def serve(
    workdir: Path, sc: Scenario, seed: int, logs: dict[int, list[Event]]
) -> tuple[live.ServerProcess, dict[int, tuple[str, dict[str, str]]]]:
    """A server whose database holds one game per log (imported whole, as ``whitecell
    import`` does) with join links; per log: the game's id and each measured seat's token."""
    server = live.ServerProcess(workdir)
    store = Store(server.db_url)
    store.migrate()
    games: dict[int, tuple[str, dict[str, str]]] = {}
    wanted = {(str(seat), lead): name for name, (seat, lead) in SEATS.items()}
    try:
        for size, events in logs.items():
            gid = f"g{size}"
            row = GameRow(gid, sc.id, dict(sc.document), seed, TITLE, "2025-01-01T00:00:00")
            store.import_game(row, sc.digest, events)
            tokens: dict[str, str] = {}
            for seat, person, lead in seat_list(sc):
                _, token = store.add_seat(gid, seat, person, lead)
                name = wanted.get((seat, lead))
                if name is not None and name not in tokens:
                    tokens[name] = token
            games[size] = (gid, tokens)
    finally:
        store.close()
    server.start()
    return server, games


def over_http(
    server: live.ServerProcess, gid: str, tokens: dict[str, str], runs: int
) -> tuple[dict[str, Any], dict[str, Any], dict[str, int]]:
    """GET each seat's room page (both languages) and each of its panels (English):
    timings, and the bytes of each room page in English."""
    pages: dict[str, Any] = {}
    panels: dict[str, Any] = {}
    sizes: dict[str, int] = {}
    for name, token in tokens.items():
        kind = SEATS[name][0].kind
        with httpx.Client(base_url=server.url, timeout=60) as c:
            r = c.get(f"/join/{token}")
            if r.status_code != 303:
                raise live.BenchError(f"join {name}: {r.status_code} {r.text[:200]}")

            def get(path: str, client: httpx.Client = c) -> bytes:
                r = client.get(path)
                if r.status_code != 200:
                    raise live.BenchError(f"GET {path}: {r.status_code} {r.text[:200]}")
                return r.content

            pages[name] = {}
            for lang in LANGS:
                times, body = timed(lambda lang=lang: get(f"/games/{gid}?lang={lang}"), runs)
                pages[name][lang] = summary(times)
                if lang == "en":
                    sizes[name] = len(body)
            panels[name] = {
                panel: summary(timed(lambda p=panel: get(f"/games/{gid}/panel/{p}"), runs)[0])
                for panel in panels_of(kind)
            }
    return pages, panels, sizes


def control_bytes_by_panel(server: live.ServerProcess, gid: str, token: str) -> dict[str, int]:
    """The control room page's bytes ("page") and each of its panel fragments' bytes."""
    with httpx.Client(base_url=server.url, timeout=60) as c:
        c.get(f"/join/{token}")
        out = {}
        for name, path in [("page", ""), *((p, f"/panel/{p}") for p in panels_of("control"))]:
            r = c.get(f"/games/{gid}{path}?lang=en")
            if r.status_code != 200:
                raise live.BenchError(f"GET control {name} of {gid}: {r.status_code}")
            out[name] = len(r.content)
        return out


# -- main --------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description="whitecell room rendering benchmark")
    ap.add_argument("--runs", type=int, default=30, help="Renders (and GETs) per figure.")
    ap.add_argument("--events", type=int, default=500, help="Events in the game at round 5.")
    ap.add_argument(
        "--sizes",
        default="2000,5000",
        help="Longer games (events, comma-separated) to measure the control room's size at.",
    )
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--no-server", action="store_true", help="Only the in-process renders.")
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip() and int(s) > args.events)

    sc = load_bundled(SCENARIO)
    rng = random.Random(args.seed)
    game = game_at_round(sc, ROUND, args.seed)
    played = len(game.events)
    chatter(game, args.events, rng)
    render_room = make_renderer(sc)

    render_ms: dict[str, dict[str, dict[str, float]]] = {}
    control_bytes: dict[int, int] = {}
    room_bytes: dict[str, int] = {}
    for name in SEATS:
        render_ms[name] = {}
        for lang in LANGS:
            times, html = timed(lambda n=name, lang=lang: render_room(game, n, lang), args.runs)
            render_ms[name][lang] = summary(times)
            if lang == "en":
                room_bytes[name] = len(html.encode())
    events_at = len(game.events)
    logs: dict[int, list[Event]] = {events_at: list(game.events)}
    control_bytes[events_at] = room_bytes["control"]

    control_render_ms: dict[int, dict[str, float]] = {events_at: render_ms["control"]["en"]}
    for size in sizes:
        chatter(game, size, rng)
        n = len(game.events)
        logs[n] = list(game.events)
        times, html = timed(lambda: render_room(game, "control", "en"), max(5, args.runs // 3))
        control_render_ms[n] = summary(times)
        control_bytes[n] = len(html.encode())

    out: dict[str, Any] = {
        "benchmark": "rooms",
        "scenario": SCENARIO,
        "seed": args.seed,
        "runs": args.runs,
        "round": game.state.round,
        "round_open": game.state.round_open,
        "events": events_at,
        "events_played_by_heuristic_players": played,
        "render_ms": render_ms,
        "render_worst_p95_ms": worst(render_ms),
        "room_html_kb": {k: kb(v) for k, v in room_bytes.items()},
        "control_render_ms_by_events": {str(k): v for k, v in control_render_ms.items()},
        "control_html_kb_by_events": {str(k): kb(v) for k, v in control_bytes.items()},
    }
    if not args.no_server:
        with tempfile.TemporaryDirectory(prefix="whitecell-bench-rooms-") as tmp:
            server, games = serve(Path(tmp), sc, args.seed, logs)
            try:
                gid, tokens = games[events_at]
                pages, panels, page_bytes = over_http(server, gid, tokens, args.runs)
                by_panel = {
                    n: control_bytes_by_panel(server, g, t["control"])
                    for n, (g, t) in games.items()
                }
            finally:
                server.stop()
        out |= {
            "http_page_ms": pages,
            "http_page_worst_p95_ms": worst(pages),
            "http_panel_ms": panels,
            "http_room_html_kb": {k: kb(v) for k, v in page_bytes.items()},
            "http_control_html_kb_by_events": {str(n): kb(b["page"]) for n, b in by_panel.items()},
            "http_control_panel_kb_by_events": {
                str(n): {k: kb(v) for k, v in b.items() if k != "page"} for n, b in by_panel.items()
            },
        }
    largest = max(
        out.get("http_control_html_kb_by_events", out["control_html_kb_by_events"]).values()
    )
    out["targets"] = {
        "render_p95_ms": TARGET_RENDER_MS,
        "control_html_kb": TARGET_CONTROL_KB,
    }
    out["met"] = {
        "render_p95_under_150_ms": out["render_worst_p95_ms"] < TARGET_RENDER_MS,
        "control_html_under_300_kb": largest < TARGET_CONTROL_KB,
    }
    if "http_page_worst_p95_ms" in out:
        out["met"]["http_page_p95_under_150_ms"] = out["http_page_worst_p95_ms"] < TARGET_RENDER_MS
    out["python"] = platform.python_version()
    out["machine"] = platform.machine()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
