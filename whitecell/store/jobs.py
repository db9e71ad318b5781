"""Background jobs as rows: any server process can say how far a job has got, cancel it,
or show what it found, whichever process runs it.

A job that is queued or running keeps its ``updated_at`` fresh. One whose heartbeat stops
(its server process stopped) reads as failed, in words, rather than running for ever.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from whitecell.store import tables as t
from whitecell.store.sql import Store, now

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
UNFINISHED = (QUEUED, RUNNING)
STALE = dt.timedelta(seconds=90)  # a heartbeat older than this: the job's process is gone
STOPPED = "stopped"  # the error of a job whose server process stopped before it finished


@dataclass(frozen=True)
class Job:
    id: str
    account_id: str | None  # None: a game's own job (a forecast), reached through the game
    kind: str
    subject: str
    params: dict[str, Any]
    status: str
    done: int
    total: int
    result: dict[str, Any] | None
    error: str
    created_at: str
    updated_at: str

    @property
    def progress(self) -> float:
        return self.done / self.total if self.total else 0.0

    @property
    def finished(self) -> bool:
        return self.status not in UNFINISHED


class Jobs:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(
        self, account_id: str | None, kind: str, subject: str, params: dict[str, Any]
    ) -> Job:
        row = _row(account_id, kind, subject, params, now())
        with self.store.writing() as conn:
            conn.execute(sa.insert(t.jobs).values(**row))
        return _job(row)

    def create_many(
        self, kind: str, wanted: Sequence[tuple[str, dict[str, Any]]], *, supersede: bool
    ) -> list[Job]:
        """A game's own job of ``kind`` for each (subject, params) in ``wanted``, in one
        transaction; with ``supersede``, each subject's unfinished jobs of that kind are
        cancelled first (a newer forecast replaces an older). Many games' at once: a class
        closing rounds together costs one write, not one a game."""
        stamp = now()
        rows = [_row(None, kind, subject, params, stamp) for subject, params in wanted]
        with self.store.writing() as conn:
            if supersede:
                self._cancel_about(conn, kind, [subject for subject, _ in wanted], stamp)
            if rows:
                conn.execute(sa.insert(t.jobs), rows)
        return [_job(row) for row in rows]

    def cancel_about(self, kind: str, subjects: Sequence[str]) -> None:
        """Cancel the unfinished jobs of ``kind`` about any of ``subjects`` (games that
        ended: their forecasts are moot)."""
        with self.store.writing() as conn:
            self._cancel_about(conn, kind, subjects, now())

    @staticmethod
    def _cancel_about(conn: sa.Connection, kind: str, subjects: Sequence[str], stamp: str) -> None:
        # a job whose heartbeat stopped reads as failed ("stopped") and stays so
        alive = (dt.datetime.fromisoformat(stamp) - STALE).isoformat(timespec="milliseconds")
        for part in _chunks(list(dict.fromkeys(subjects))):
            conn.execute(
                sa.update(t.jobs)
                .where(
                    t.jobs.c.subject.in_(part)
                    & (t.jobs.c.kind == kind)
                    & t.jobs.c.status.in_(UNFINISHED)
                    & (t.jobs.c.updated_at >= alive)
                )
                .values(status=CANCELLED, updated_at=stamp)
            )

    def newest_about(self, kind: str, subjects: Sequence[str]) -> dict[str, Job]:
        """Each subject's newest job of ``kind``, for those that have one."""
        newest: dict[str, Job] = {}
        with self.store.reader.connect() as conn:
            for part in _chunks(list(dict.fromkeys(subjects))):
                query = (
                    sa.select(t.jobs)
                    .where(t.jobs.c.subject.in_(part) & (t.jobs.c.kind == kind))
                    .order_by(t.jobs.c.created_at.desc(), t.jobs.c.id)
                )
                for r in conn.execute(query):
                    newest.setdefault(str(r._mapping["subject"]), _job(r._mapping))
        return newest

    def get(self, job_id: str) -> Job | None:
        with self.store.reader.connect() as conn:
            row = conn.execute(sa.select(t.jobs).where(t.jobs.c.id == job_id)).first()
        return _job(row._mapping) if row else None

    def of(self, account_id: str, subject: str | None = None, limit: int = 50) -> list[Job]:
        """The account's jobs, the newest first (only those about ``subject`` if given)."""
        query = sa.select(t.jobs).where(t.jobs.c.account_id == account_id)
        if subject is not None:
            query = query.where(t.jobs.c.subject == subject)
        query = query.order_by(t.jobs.c.created_at.desc(), t.jobs.c.id).limit(limit)
        with self.store.reader.connect() as conn:
            return [_job(r._mapping) for r in conn.execute(query)]

    def about(self, subject: str, kind: str, limit: int = 200) -> list[Job]:
        """The jobs of one kind about ``subject`` (a game's forecasts), the newest first,
        whoever asked for them."""
        query = (
            sa.select(t.jobs)
            .where((t.jobs.c.subject == subject) & (t.jobs.c.kind == kind))
            .order_by(t.jobs.c.created_at.desc(), t.jobs.c.id)
            .limit(limit)
        )
        with self.store.reader.connect() as conn:
            return [_job(r._mapping) for r in conn.execute(query)]

    def unfinished(self, limit: int = 100) -> list[Job]:
        """The server's queue: every job still waiting or working, whoever asked, the
        oldest first (a job whose process stopped reads as failed and is left out)."""
        query = (
            sa.select(t.jobs)
            .where(t.jobs.c.status.in_(UNFINISHED))
            .order_by(t.jobs.c.created_at, t.jobs.c.id)
            .limit(limit)
        )
        with self.store.reader.connect() as conn:
            found = [_job(r._mapping) for r in conn.execute(query)]
        return [j for j in found if not j.finished]

    def _update(self, job_id: str, only_if: tuple[str, ...], **values: Any) -> bool:
        """Change a job that is still in one of ``only_if``; whether it was."""
        query = (
            sa.update(t.jobs)
            .where((t.jobs.c.id == job_id) & t.jobs.c.status.in_(only_if))
            .values(updated_at=now(), **values)
        )
        with self.store.writing() as conn:
            return bool(conn.execute(query).rowcount)

    def beat(self, job_id: str) -> bool:
        """Still waiting or working; False once the job was cancelled."""
        return self._update(job_id, UNFINISHED)

    def beat_all(self, job_ids: Sequence[str]) -> None:
        """The heartbeat of every job a process holds, in one transaction (a server may
        hold thousands of debriefs waiting their turn)."""
        stamp = now()
        with self.store.writing() as conn:
            for part in _chunks(list(job_ids)):
                conn.execute(
                    sa.update(t.jobs)
                    .where(t.jobs.c.id.in_(part) & t.jobs.c.status.in_(UNFINISHED))
                    .values(updated_at=stamp)
                )

    def start(self, job_id: str) -> bool:
        return self._update(job_id, (QUEUED,), status=RUNNING)

    def advance(self, job_id: str, done: int, partial: dict[str, Any] | None = None) -> bool:
        """How far a running job has got (and what it has found so far); False once the job
        was cancelled, so the worker stops."""
        values: dict[str, Any] = {"done": done}
        if partial is not None:
            values["result"] = json.dumps(partial, ensure_ascii=False)
        return self._update(job_id, (RUNNING,), **values)

    def finish(self, job_id: str, done: int, result: dict[str, Any]) -> bool:
        text = json.dumps(result, ensure_ascii=False)
        return self._update(job_id, (RUNNING,), status=DONE, done=done, result=text)

    def fail(self, job_id: str, error: str) -> bool:
        return self._update(job_id, UNFINISHED, status=FAILED, error=error)

    def cancel(self, job_id: str, result: dict[str, Any] | None = None) -> bool:
        """Stop a job that has not finished, keeping what it found so far; False if it had
        already finished."""
        values: dict[str, Any] = {"status": CANCELLED}
        if result is not None:
            values["result"] = json.dumps(result, ensure_ascii=False)
        return self._update(job_id, UNFINISHED, **values)

    def keep_partial(self, job_id: str, done: int, result: dict[str, Any]) -> None:
        """What a cancelled job had found when it stopped."""
        query = (
            sa.update(t.jobs)
            .where((t.jobs.c.id == job_id) & (t.jobs.c.status == CANCELLED))
            .values(done=done, result=json.dumps(result, ensure_ascii=False))
        )
        with self.store.writing() as conn:
            conn.execute(query)


def _row(
    account_id: str | None, kind: str, subject: str, params: dict[str, Any], stamp: str
) -> dict[str, Any]:
    return {
        "id": secrets.token_hex(8),
        "account_id": account_id,
        "kind": kind,
        "subject": subject,
        "params": json.dumps(params, ensure_ascii=False),
        "status": QUEUED,
        "done": 0,
        "total": int(params.get("runs", 0)),
        "result": None,
        "error": "",
        "created_at": stamp,
        "updated_at": stamp,
    }


def _chunks(items: list[str], size: int = 500) -> list[list[str]]:
    """Lists short enough for one ``IN (...)`` (SQLite limits a statement's parameters)."""
    return [items[k : k + size] for k in range(0, len(items), size)]


def _job(m: Mapping[Any, Any]) -> Job:
    """A job as read from its row (or as a row just stored would read)."""
    status, error = str(m["status"]), str(m["error"])
    updated = str(m["updated_at"])
    silent = dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(updated)
    if status in UNFINISHED and silent > STALE:
        status, error = FAILED, STOPPED
    return Job(
        id=str(m["id"]),
        account_id=str(m["account_id"]) if m["account_id"] is not None else None,
        kind=str(m["kind"]),
        subject=str(m["subject"]),
        params=json.loads(str(m["params"])),
        status=status,
        done=int(m["done"]),
        total=int(m["total"]),
        result=json.loads(str(m["result"])) if m["result"] is not None else None,
        error=error,
        created_at=str(m["created_at"]),
        updated_at=updated,
    )


__all__ = ["CANCELLED", "DONE", "FAILED", "QUEUED", "RUNNING", "STOPPED", "Job", "Jobs"]
