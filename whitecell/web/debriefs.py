"""A finished game's debrief on the server: worked out in the background when the game
ends, and what the web report says of it meanwhile.

The debrief (``whitecell.debrief``: the turning points played both ways in forks, the
forecast over the rounds, how typical the game was) is a job (``store.jobs``, kind
``debrief``) about the game, with no account: only the game's report reaches it, and the
report filters it for its audience as the command line's does. Its forks take their seeds
from a seed drawn for it and stored with it, never from the game's. A game whose debrief
never began here (it ended in another process with debriefs off, or before the server
had them) or whose server stopped in the middle gets one when its report is next asked
for.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from anyio import to_thread

from whitecell.engine.events import Event, GameEnded
from whitecell.i18n import t
from whitecell.live.hub import LiveGame
from whitecell.live.workshop import PLAYS, DebriefPlan
from whitecell.scenario.compiled import Scenario
from whitecell.store.jobs import DONE, FAILED, QUEUED, STOPPED, Job
from whitecell.web import forecasts
from whitecell.web.context import Context
from whitecell.web.drain import Drain
from whitecell.web.errors import N_
from whitecell.web.i18n import translations

DEBRIEF = "debrief"
RELOAD = 5  # seconds between two loads of a report whose debrief is being worked out
STAGES = {
    PLAYS: N_(
        "The debrief is being worked out: the scenario's automated plays, %(done)s of %(planned)s."
    ),
    "forecasts": N_(
        "The debrief is being worked out: the forecast over the rounds, "
        "%(done)s of %(planned)s points."
    ),
    "turning points": N_(
        "The debrief is being worked out: turning points, %(done)s of %(planned)s forks."
    ),
}
WAITING = N_("The debrief is waiting for its turn on the server.")
MEANWHILE = N_("Until it is in, what decided this game is ranked by effect size below.")
RELOADS = N_("This page reloads itself every few seconds.")
FAILED_NOTE = N_(
    "The debrief could not be worked out (%(reason)s), so what decided this game is "
    "ranked by effect size below rather than by counterfactual forks."
)
SERVER_STOPPED = N_("the server stopped before it was done")
AN_ERROR = N_("an error on the server")


@dataclass(frozen=True)
class Debrief:
    """A game's newest debrief as a report needs it: finished (``result``), on its way
    (the stage and how far), or failed (why)."""

    job: Job

    @property
    def done(self) -> bool:
        return self.job.status == DONE and bool(self.job.result)

    @property
    def failed(self) -> bool:
        return self.job.finished and not self.done

    @property
    def result(self) -> dict[str, Any] | None:
        return self.job.result if self.done else None

    @property
    def key(self) -> str | None:
        """What a made report depends on: the finished debrief's job, else none."""
        return self.job.id if self.done else None


# -- beginning one -----------------------------------------------------------------------


@dataclass(frozen=True)
class Ended:
    """What a debrief needs of a game that ended, and no more: many games ending at once
    wait for their debriefs to begin without holding the games in memory."""

    game: str
    scenario: Scenario
    last: int  # the seq of its end: a debrief reads the events up to it

    @classmethod
    def of(cls, live: LiveGame) -> Ended:
        # what came after the end (a reveal) changes who may read what, not what decided
        events = live.state.events
        last = next(
            (e.seq for e in reversed(events) if isinstance(e, GameEnded)),
            events[-1].seq if events else 0,
        )
        return cls(live.id, live.scenario, last)


def _params(ended: Ended, plan: DebriefPlan, seed: int) -> dict[str, Any]:
    return {
        "game": ended.game,
        "after_seq": ended.last,
        "seed": seed,
        "typical_runs": plan.typical_runs,
        "forecast_runs": plan.forecast_runs,
        "screen": plan.screen,
        "most": plan.most,
    }


def _submit(ctx: Context, job: Job, ended: Ended, plan: DebriefPlan, seed: int) -> None:
    store, game, last = ctx.store, ended.game, ended.last

    def up_to_the_end() -> list[Event]:  # read when its turn comes, not held meanwhile
        return [e for e in store.events(game) if e.seq <= last]

    ctx.workshop.submit_debrief(job, ended.scenario, up_to_the_end, seed, plan)


async def begin(ctx: Context, live: LiveGame, plan: DebriefPlan, seed: int | None = None) -> Job:
    """Start the debrief of ``live`` (ended) from its events up to its end, its forks
    seeded from ``seed`` (drawn if not given; stored with the job)."""
    ended = Ended.of(live)
    seed = secrets.randbits(63) if seed is None else seed
    params = _params(ended, plan, seed)
    job = await to_thread.run_sync(ctx.workshop.jobs.create, None, DEBRIEF, ended.game, params)
    _submit(ctx, job, ended, plan, seed)
    return job


def _newest(ctx: Context, game: str) -> Job | None:
    found = ctx.workshop.jobs.about(game, DEBRIEF, 1)
    return found[0] if found else None


def _wanted(job: Job | None) -> bool:
    """Whether a game needs a (new) debrief: it has none, or its server stopped in the
    middle of it (a debrief that failed for a reason of its own is not tried again)."""
    return job is None or (job.status == FAILED and job.error == STOPPED)


async def begin_once(ctx: Context, live: LiveGame, plan: DebriefPlan | None) -> Job | None:
    """The game's newest debrief, begun now with ``plan`` if it needs one (``plan`` None:
    debriefs are off): looked for and begun under one lock, so the hook and a report
    asked for at the same moment begin one debrief, not two."""
    async with ctx.debriefing:
        newest = await to_thread.run_sync(_newest, ctx, live.id)
        if _wanted(newest) and plan is not None and live.state.ended:
            return await begin(ctx, live, plan)
        return newest


def _create_needed(
    ctx: Context, batch: list[tuple[Ended, DebriefPlan]]
) -> list[tuple[Job, Ended, DebriefPlan, int]]:
    """In a thread: a debrief job for each game of ``batch`` that needs one."""
    jobs = ctx.workshop.jobs
    newest = jobs.newest_about(DEBRIEF, [e.game for e, _ in batch])
    needed = [(e, p, secrets.randbits(63)) for e, p in batch if _wanted(newest.get(e.game))]
    made = jobs.create_many(
        DEBRIEF, [(e.game, _params(e, p, s)) for e, p, s in needed], supersede=False
    )
    return [(job, *plan) for job, plan in zip(made, needed, strict=True)]


def after_end(ctx: Context) -> Callable[[LiveGame], None]:
    """The hub's hook: when games end here, their forecasts stop (their outcomes are
    known) and their debriefs begin in the background, many games' in one batch."""

    async def ends(batch: list[tuple[Ended, DebriefPlan | None]]) -> None:
        await forecasts.stop(ctx, [e.game for e, _ in batch])
        planned = [(e, plan) for e, plan in batch if plan is not None]
        if not planned:
            return
        async with ctx.debriefing:
            for job, ended, plan, seed in await to_thread.run_sync(_create_needed, ctx, planned):
                _submit(ctx, job, ended, plan, seed)

    ctx.ends = Drain(ctx.hub.spawn, ends)

    def ended(live: LiveGame) -> None:
        assert ctx.ends is not None
        # the plan as it stands when the game ends
        ctx.ends.want(live.id, (Ended.of(live), ctx.debrief))

    return ended


async def current(ctx: Context, live: LiveGame) -> Debrief | None:
    """The game's newest debrief (None: the game has not ended, or debriefs are off and it
    has none); one begins now if the game has ended and needs one."""
    if not live.state.ended:
        return None
    newest = await to_thread.run_sync(_newest, ctx, live.id)
    if _wanted(newest) and ctx.debrief is not None:
        newest = await begin_once(ctx, live, ctx.debrief)
    return Debrief(newest) if newest is not None else None


# -- what the report says meanwhile -------------------------------------------------------


def note(found: Debrief, lang: str, audience: str, page: bool = True) -> str:
    """The words a report carries while its debrief is on its way, or since it failed
    (``page``: the report is a web page that reloads itself meanwhile, not a download).
    Why it failed is control's to read: other readers learn only that it did."""
    gettext = translations(lang).gettext
    job = found.job
    if found.failed:
        if job.error == STOPPED:
            reason = gettext(SERVER_STOPPED)
        elif audience == "control" and job.error:
            reason = job.error[:300]
        else:
            reason = gettext(AN_ERROR)
        return gettext(FAILED_NOTE) % {"reason": reason}
    progress = job.result or {}
    stage = STAGES.get(str(progress.get("stage", "")))
    space = "" if lang == "ja" else " "  # Japanese sentences follow on without one
    meanwhile = gettext(MEANWHILE) + (f"{space}{gettext(RELOADS)}" if page else "")
    if job.status == QUEUED or stage is None:
        return f"{gettext(WAITING)}{space}{meanwhile}"
    numbers = {"done": f"{int(progress['done']):,}", "planned": f"{int(progress['planned']):,}"}
    return f"{gettext(stage) % numbers}{space}{meanwhile}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_BODY = re.compile(r"<body[^>]*>")
_DECISIVE = re.compile(r'<section id="decisive">.*?</h2>', re.S)
STYLE = (
    "border-left: 4px solid #1d4ed8; background: #f5f7fa; padding: 0.5rem 0.8rem; margin: 0.8rem 0"
)


def noted_html(html: str, text: str, reload: bool) -> str:
    """The report's HTML with ``text`` at its top and under "What decided this game"
    (and, while the debrief is on its way, a reload every few seconds: the report may
    carry no script)."""
    box = f'<p class="debrief-note" role="status" style="{STYLE}">{_escape(text)}</p>'
    if reload:
        refresh = f'<meta http-equiv="refresh" content="{RELOAD}">'
        html = html.replace("</head>", f"{refresh}\n</head>", 1)
    top = _BODY.search(html)
    if top is not None:
        html = f"{html[: top.end()]}\n{box}{html[top.end() :]}"
    section = _DECISIVE.search(html)
    if section is not None:
        html = f"{html[: section.end()]}\n{box}{html[section.end() :]}"
    return html


def noted_markdown(md: str, text: str, lang: str) -> str:
    """The report's Markdown with ``text`` under "What decided this game" (or at its top)."""
    heading = f"## {t('report.decisive', lang)}\n"
    quoted = f"> {text}\n"
    at = md.find(heading)
    if at < 0:
        return f"{quoted}\n{md}"
    end = at + len(heading)
    return f"{md[:end]}\n{quoted}{md[end:]}"


__all__ = [
    "DEBRIEF",
    "Debrief",
    "after_end",
    "begin",
    "begin_once",
    "current",
    "note",
    "noted_html",
    "noted_markdown",
]
