"""The control room's forecasts: after each round closes (and when control asks), the
game's forks played to the end on the workshop's pool, and what the panel shows of them.

A forecast is a job (``store.jobs``, kind ``forecast``) about the game, with no account:
only the game's control seat reaches it, through the game. A game has at most one
forecast waiting or running; a newer one supersedes it (the older is cancelled). Each
forecast draws its own seed, stored with it so the figure can be made again; the game's
own seed is never read. Teams learn a figure only when control publishes it, in words,
as an ad-hoc inject (in the log and in the story of the teams it was sent to).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from anyio import to_thread

from whitecell.engine.events import Event
from whitecell.forecast import cut_at_round
from whitecell.i18n import estimative
from whitecell.live.hub import LiveGame, Outcome
from whitecell.scenario.compiled import Outcome as ScenarioOutcome
from whitecell.scenario.compiled import Scenario, localize
from whitecell.store.jobs import DONE, Job
from whitecell.web.auth import Caller
from whitecell.web.context import Context
from whitecell.web.drain import Drain
from whitecell.web.errors import N_, Refusal
from whitecell.web.i18n import translations
from whitecell.web.service import run_command

FORECAST = "forecast"
# 1,000 forks: a Wilson interval of at most ±3.1 points, enough to tell 35% from 45%, in
# about a second of one worker from round 3; more buys a narrower band nobody reads
RUNS = 1000
ROUND, DEMAND = "round", "demand"  # why a forecast was made: a round closed, control asked
HISTORY = 200  # the newest forecasts of a game read for the panel

NO_FORECAST = N_("There is no finished forecast to publish yet.")
NOT_AN_OUTCOME = N_("Choose one of the yes/no outcomes of the forecast.")
NO_TEAMS = N_("Choose at least one team, or publish to everyone.")
SENTENCE = N_("Analysts give “%(outcome)s” a %(percent)s chance.")


# -- making forecasts --------------------------------------------------------------------


@dataclass(frozen=True)
class Wanted:
    """A forecast to begin: of ``live`` from the close of round ``closed`` (None: from its
    events as they stand), for ``reason``."""

    live: LiveGame
    reason: str
    closed: int | None = None
    seed: int | None = None


def _create_superseding(ctx: Context, wanted: list[tuple[str, dict[str, Any]]]) -> list[Job]:
    return ctx.workshop.jobs.create_many(FORECAST, wanted, supersede=True)


async def begin(
    ctx: Context, live: LiveGame, reason: str, closed: int | None = None, seed: int | None = None
) -> Job:
    """Start a forecast of ``live`` from its events as they stand (``closed``: from the
    close of that round and what followed from it by itself), superseding any forecast of
    the game not yet finished."""
    made = await _begin_all(ctx, [Wanted(live, reason, closed, seed)], even_ended=True)
    return made[0]


async def _begin_all(ctx: Context, wanted: list[Wanted], even_ended: bool = False) -> list[Job]:
    """Each wanted forecast superseded and created in one write, then queued; a game that
    ended meanwhile is left out (unless ``even_ended``: control asked for it)."""
    async with ctx.workshop.forecasting:  # create-and-supersede, one batch at a time
        wanted = [w for w in wanted if even_ended or not w.live.state.ended]
        plans = []
        for w in wanted:
            events: list[Event] = list(w.live.state.events)
            if w.closed is not None:
                events = cut_at_round(events, w.closed)
            seed = secrets.randbits(63) if w.seed is None else w.seed
            last = events[-1] if events else None
            params = {
                "game": w.live.id,
                "round": w.closed if w.closed is not None else w.live.state.round,
                "after_seq": last.seq if last is not None else 0,
                "reason": w.reason,
                "runs": ctx.forecast_runs,
                "seed": seed,
            }
            plans.append((w.live, events, seed, params))
        made = await to_thread.run_sync(
            _create_superseding, ctx, [(live.id, p) for live, _, _, p in plans]
        )
        for job, (live, events, seed, _) in zip(made, plans, strict=True):
            ctx.workshop.submit_forecast(job, live.scenario, events, ctx.forecast_runs, seed)
    return made


async def stop(ctx: Context, games: list[str]) -> None:
    """The games ended: their forecasts not yet made are cancelled (their outcomes are
    known now), and one still waiting for a slot lets go of its game's events."""
    async with ctx.workshop.forecasting:
        for game in games:
            if ctx.closes is not None:
                ctx.closes.drop(game)
            ctx.workshop.drop_waiting(game)
        await to_thread.run_sync(ctx.workshop.jobs.cancel_about, FORECAST, games)


def after_close(ctx: Context) -> Callable[[LiveGame, int], None]:
    """The hub's hook: a forecast in the background each time a round closes here. Rounds
    closing faster than forecasts begin are drained in batches, the newest close of each
    game standing for the ones before it."""

    async def begin_batch(batch: list[Wanted]) -> None:
        await _begin_all(ctx, batch)

    ctx.closes = Drain(ctx.hub.spawn, begin_batch)

    def closed(live: LiveGame, number: int) -> None:
        assert ctx.closes is not None
        ctx.closes.want(live.id, Wanted(live, ROUND, number))

    return closed


# -- reading them ------------------------------------------------------------------------


def pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def headline(sc: Scenario) -> list[ScenarioOutcome]:
    """The outcomes a chart is drawn for: those the scenario marks as headline, else every
    yes/no outcome."""
    bools = [o for o in sc.outcomes if o.is_bool]
    marked = [o for o in bools if getattr(o, "headline", False)]
    return marked or bools


@dataclass
class Point:
    round: int
    p: float
    low: float
    high: float
    x: float = 0.0
    y: float = 0.0
    y_low: float = 0.0
    y_high: float = 0.0

    @property
    def text(self) -> str:
        return f"{pct(self.p)} [{pct(self.low)}–{pct(self.high)}]"


@dataclass
class Chart:
    id: str
    label: str
    points: list[Point]
    rounds: int
    line: str = ""  # the polyline's points
    band: str = ""  # the 95% band's polygon
    ticks: list[tuple[int, float]] = field(default_factory=list)  # round, x


# the chart's drawing area in the SVG's own units
LEFT, RIGHT, TOP, BOTTOM = 26.0, 196.0, 6.0, 86.0


def _x(r: int, rounds: int) -> float:
    return round(LEFT + (RIGHT - LEFT) * r / max(rounds, 1), 2)


def _y(p: float) -> float:
    return round(BOTTOM - (BOTTOM - TOP) * p, 2)


def chart(o: ScenarioOutcome, points: list[Point], rounds: int, lang: str) -> Chart:
    for pt in points:
        pt.x, pt.y = _x(pt.round, rounds), _y(pt.p)
        pt.y_low, pt.y_high = _y(pt.low), _y(pt.high)
    upper = [f"{pt.x},{pt.y_high}" for pt in points]
    lower = [f"{pt.x},{pt.y_low}" for pt in reversed(points)]
    return Chart(
        id=o.id,
        label=localize(o.label, lang) or o.id,
        points=points,
        rounds=rounds,
        line=" ".join(f"{pt.x},{pt.y}" for pt in points),
        band=" ".join(upper + lower) if len(points) > 1 else "",
        ticks=[(r, _x(r, rounds)) for r in range(rounds + 1)],
    )


@dataclass
class Board:
    """What the Forecast panel shows: the newest finished forecast in words and numbers,
    the one in progress, a chart per headline outcome over the rounds, and the sentences
    control may publish."""

    latest: Job | None
    running: Job | None
    failed: Job | None
    shares: list[dict[str, Any]]
    numbers: list[dict[str, Any]]
    charts: list[Chart]
    rounds: int


def sentence(label: str, p: float, lang: str) -> str:
    """The words a team reads when control publishes a figure."""
    return translations(lang).gettext(SENTENCE) % {"outcome": label, "percent": pct(p)}


def forecasts_of(ctx: Context, game: str) -> list[Job]:
    return ctx.workshop.jobs.about(game, FORECAST, limit=HISTORY)


def board(sc: Scenario, found: list[Job], lang: str) -> Board:
    """The panel's figures from a game's forecasts (the newest first)."""
    finished = [j for j in found if j.status == DONE and j.result]
    latest = finished[0] if finished else None
    running = next((j for j in found if not j.finished), None)
    newest = found[0] if found else None
    failed = newest if newest is not None and newest.status == "failed" else None
    shares, numbers = [], []
    outcomes = (latest.result or {}).get("outcomes", {}) if latest else {}
    for o in sc.outcomes:
        got = outcomes.get(o.id)
        if not got:
            continue
        label = localize(o.label, lang) or o.id
        if o.is_bool and "p" in got:
            shares.append(
                {
                    "id": o.id,
                    "label": label,
                    "p": got["p"],
                    "low": got["ci_low"],
                    "high": got["ci_high"],
                    "percent": pct(got["p"]),
                    "interval": f"{pct(got['ci_low'])}–{pct(got['ci_high'])}",
                    "words": estimative(got["p"], lang),
                    "sentence": sentence(label, got["p"], lang),
                }
            )
        elif got.get("mean") is not None:
            numbers.append(
                {
                    "id": o.id,
                    "label": label,
                    "mean": f"{got['mean']:.3g}",
                    "range": f"{got['p5']:.3g}–{got['p95']:.3g}",
                }
            )
    # each round's newest finished forecast, oldest round first
    by_round: dict[int, Job] = {}
    for job in finished:
        by_round.setdefault(int(job.params.get("round", 0)), job)
    rounds = len(sc.rounds)
    charts = []
    for o in headline(sc):
        points = []
        for r in sorted(by_round):
            got = (by_round[r].result or {}).get("outcomes", {}).get(o.id)
            if got and "p" in got:
                points.append(Point(r, got["p"], got["ci_low"], got["ci_high"]))
        if points:
            charts.append(chart(o, points, rounds, lang))
    return Board(latest, running, failed, shares, numbers, charts, rounds)


def forecast_view(job: Job) -> dict[str, Any]:
    """A forecast as the API gives it."""
    return {
        "id": job.id,
        "status": job.status,
        "progress": round(job.progress, 4),
        "done": job.done,
        "total": job.total,
        "round": job.params.get("round"),
        "reason": job.params.get("reason"),
        "after_seq": job.params.get("after_seq"),
        "seed": job.params.get("seed"),
        "result": job.result if job.status == DONE else None,
        "error": job.error,
        "created_at": job.created_at,
        "updated_at": job.updated_at,
    }


def api_view(found: list[Job]) -> dict[str, Any]:
    finished = [j for j in found if j.status == DONE and j.result]
    running = next((j for j in found if not j.finished), None)
    by_round: dict[int, Job] = {}
    for job in finished:
        by_round.setdefault(int(job.params.get("round", 0)), job)
    return {
        "latest": forecast_view(finished[0]) if finished else None,
        "running": forecast_view(running) if running else None,
        "rounds": [forecast_view(by_round[r]) for r in sorted(by_round)],
    }


# -- publishing --------------------------------------------------------------------------


async def publish(
    ctx: Context,
    live: LiveGame,
    who: Caller,
    outcome: str,
    teams: list[str] | None,
    key: str,
    lang: str,
    forecast: str | None = None,
) -> tuple[Outcome, str]:
    """Tell everyone (``teams`` None) or the chosen teams a forecast of ``outcome`` (the
    one control read, ``forecast``, else the newest), in words in ``lang``: an ad-hoc
    inject with no effects, so it is in the log and in the story of those it reached. The
    command's outcome and the sentence."""
    found = await to_thread.run_sync(forecasts_of, ctx, live.id)
    finished = [j for j in found if j.status == DONE and j.result]
    latest = next((j for j in finished if j.id == forecast), finished[0] if finished else None)
    if latest is None:
        raise Refusal(409, "no_forecast", NO_FORECAST)
    got = (latest.result or {}).get("outcomes", {}).get(outcome)
    spec = next((o for o in live.scenario.outcomes if o.id == outcome and o.is_bool), None)
    if spec is None or not got or "p" not in got:
        raise Refusal(422, "not_an_outcome", NOT_AN_OUTCOME)
    if teams is not None and not teams:
        raise Refusal(422, "no_teams", NO_TEAMS)
    text = sentence(localize(spec.label, lang) or spec.id, got["p"], lang)
    command = {"type": "fire_inject", "news": text, "teams": teams}
    return await run_command(ctx, live, who, command, key), text


__all__ = [
    "DEMAND",
    "FORECAST",
    "ROUND",
    "RUNS",
    "Board",
    "after_close",
    "api_view",
    "begin",
    "board",
    "forecasts_of",
    "headline",
    "publish",
    "sentence",
]
