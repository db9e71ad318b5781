"""The server's background work as a game's control sees it: what runs, what waits and in
what order, and Cancel for the game's own jobs (its forecasts, its debrief).

One queue serves every game and every designer, so control sees the other jobs too, but
only their kind and progress: never whose they are or which game they are about. While
live play is busy the pool gives way to it (``whitecell.live.pace``), and the panel says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from anyio import to_thread

from whitecell.live.hub import LiveGame
from whitecell.store.jobs import RUNNING, Job
from whitecell.web.context import Context
from whitecell.web.errors import ApiError

SHOWN = 100  # jobs of the queue read at most (the oldest first)


@dataclass(frozen=True)
class Work:
    """One job of the queue. ``id`` only for the game's own (they may be cancelled here)."""

    kind: str
    status: str
    done: int
    total: int
    here: bool  # about this game
    id: str | None
    place: int  # 1 for the first in line (waiting jobs), 0 while it runs

    @property
    def progress(self) -> float:
        return self.done / self.total if self.total else 0.0


@dataclass(frozen=True)
class Queue:
    running: list[Work]
    waiting: list[Work]
    paced: bool  # live play is busy: the pool works at a fraction of a worker

    @property
    def mine(self) -> list[Work]:
        return [w for w in self.running + self.waiting if w.here]


def _work(job: Job, game: str, place: int) -> Work:
    here = job.subject == game
    return Work(job.kind, job.status, job.done, job.total, here, job.id if here else None, place)


def queue_of(ctx: Context, game: str) -> Queue:
    """The queue now (a read of the jobs' rows: every server process's work)."""
    found = ctx.workshop.jobs.unfinished(SHOWN)
    running = [_work(j, game, 0) for j in found if j.status == RUNNING]
    waiting = [j for j in found if j.status != RUNNING]
    return Queue(
        running,
        [_work(j, game, i + 1) for i, j in enumerate(waiting)],
        ctx.workshop.pace.busy(),
    )


def api_view(queue: Queue) -> dict[str, Any]:
    def one(w: Work) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "kind": w.kind,
            "status": w.status,
            "done": w.done,
            "total": w.total,
            "progress": round(w.progress, 4),
            "this_game": w.here,
        }
        if w.id is not None:
            shown["id"] = w.id
        if w.place:
            shown["place"] = w.place
        return shown

    return {
        "running": [one(w) for w in queue.running],
        "waiting": [one(w) for w in queue.waiting],
        "paced": queue.paced,
    }


async def cancel(ctx: Context, live: LiveGame, job_id: str) -> Job:
    """Cancel one of the game's own jobs that has not finished (404 for any other job,
    so control cannot tell another game's job from a wrong id; 409 once it finished)."""
    jobs = ctx.workshop.jobs
    job = await to_thread.run_sync(jobs.get, job_id)
    if job is None or job.subject != live.id:
        raise ApiError(404, "no_background_job", f"this game has no background job {job_id!r}")
    if not await to_thread.run_sync(jobs.cancel, job_id):
        now = await to_thread.run_sync(jobs.get, job_id)
        state = now.status if now is not None else job.status
        raise ApiError(
            409, "background_job_finished", f"job {job_id!r} had already ended", state=state
        )
    got = await to_thread.run_sync(jobs.get, job_id)
    assert got is not None
    return got


__all__ = ["Queue", "Work", "api_view", "cancel", "queue_of"]
