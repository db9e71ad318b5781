"""Background jobs as rows, on SQLite and PostgreSQL: a job moves from waiting to running to
an end, only forwards; a cancelled job stops and keeps what it found; a job whose server
stopped answering reads as failed, in words."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from whitecell.store import tables as t
from whitecell.store.jobs import CANCELLED, DONE, FAILED, QUEUED, RUNNING, STOPPED, Jobs
from whitecell.store.sql import Store


def new_job(store: Store, runs: int = 100) -> tuple[Jobs, str]:
    jobs = Jobs(store)
    account = store.create_account(f"designer-{runs}", "x")
    job = jobs.create(account, "trial", "scn@1", {"runs": runs, "seed": 7})
    return jobs, job.id


def test_a_job_waits_then_runs_then_ends_with_its_result(store: Store) -> None:
    jobs, job_id = new_job(store)
    first = jobs.get(job_id)
    assert first is not None
    assert (first.status, first.done, first.total, first.progress) == (QUEUED, 0, 100, 0.0)
    assert first.params == {"runs": 100, "seed": 7} and not first.finished
    assert jobs.start(job_id)
    assert jobs.advance(job_id, 40, {"runs": 40})
    half = jobs.get(job_id)
    assert half is not None and (half.status, half.progress, half.result) == (
        RUNNING,
        0.4,
        {"runs": 40},
    )
    assert jobs.finish(job_id, 100, {"runs": 100, "outcomes": {}})
    done = jobs.get(job_id)
    assert done is not None and done.finished
    assert (done.status, done.done, done.result) == (DONE, 100, {"runs": 100, "outcomes": {}})


def test_an_ended_job_never_changes_again(store: Store) -> None:
    jobs, job_id = new_job(store)
    jobs.start(job_id)
    jobs.finish(job_id, 100, {"runs": 100})
    assert not jobs.cancel(job_id)
    assert not jobs.fail(job_id, "late")
    assert not jobs.advance(job_id, 5)
    assert not jobs.start(job_id)
    got = jobs.get(job_id)
    assert got is not None and (got.status, got.error) == (DONE, "")


def test_a_cancelled_job_tells_its_worker_to_stop_and_keeps_what_it_found(store: Store) -> None:
    jobs, job_id = new_job(store)
    jobs.start(job_id)
    assert jobs.cancel(job_id)
    assert not jobs.advance(job_id, 64, {"runs": 64})  # the worker hears it and stops
    jobs.keep_partial(job_id, 64, {"runs": 64})
    got = jobs.get(job_id)
    assert got is not None
    assert (got.status, got.done, got.result) == (CANCELLED, 64, {"runs": 64})


def test_a_job_cancelled_while_waiting_never_starts(store: Store) -> None:
    jobs, job_id = new_job(store)
    assert jobs.cancel(job_id)
    assert not jobs.start(job_id)


def test_a_job_whose_heartbeat_stopped_reads_as_failed(store: Store) -> None:
    jobs, job_id = new_job(store)
    jobs.start(job_id)
    long_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat()
    with store.writing() as conn:
        conn.execute(sa.update(t.jobs).where(t.jobs.c.id == job_id).values(updated_at=long_ago))
    got = jobs.get(job_id)
    assert got is not None and (got.status, got.error) == (FAILED, STOPPED)
    assert jobs.beat(job_id)  # a process that still holds it says so again
    again = jobs.get(job_id)
    assert again is not None and again.status == RUNNING


def test_an_account_lists_only_its_own_jobs_newest_first(store: Store) -> None:
    jobs, first = new_job(store, 10)
    owner = jobs.get(first)
    assert owner is not None
    second = jobs.create(owner.account_id, "trial", "scn@2", {"runs": 20}).id
    _, theirs = new_job(store, 30)
    assert [j.id for j in jobs.of(owner.account_id)] == [second, first]
    assert [j.id for j in jobs.of(owner.account_id, "scn@1")] == [first]
    assert theirs not in {j.id for j in jobs.of(owner.account_id)}
