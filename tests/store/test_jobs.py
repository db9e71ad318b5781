"""Background jobs as rows, on SQLite and PostgreSQL: a job moves from waiting to running to
an end, only forwards; a cancelled job stops and keeps what it found; a job whose server
stopped answering reads as failed, in words."""

from __future__ import annotations

import datetime as dt

import pytest
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


# -- a game's own jobs (migration 0006) ------------------------------------------------


def test_a_games_own_job_has_no_account_and_no_accounts_list_shows_it(store: Store) -> None:
    jobs = Jobs(store)
    account = store.create_account("control-0006", "x")
    mine = jobs.create(account, "trial", "game9", {"runs": 5})
    games = jobs.create(None, "forecast", "game9", {"runs": 10, "seed": 1})
    assert games.account_id is None and jobs.get(games.id) == games
    assert [j.id for j in jobs.of(account)] == [mine.id]
    assert [j.id for j in jobs.about("game9", "forecast")] == [games.id]
    assert jobs.about("game9", "trial")[0].id == mine.id and jobs.about("other", "forecast") == []


def test_migration_0006_keeps_the_jobs_before_it_and_lets_a_job_have_no_account(
    backend: str,
) -> None:
    old = Store(backend)
    old.migrate("0005")
    account = old.create_account("designer-0005", "x")
    with old.engine.begin() as conn:  # a trial as the 0005 code wrote it
        conn.execute(
            sa.text(
                "INSERT INTO jobs (id, account_id, kind, subject, params, status, done, total,"
                " result, error, created_at, updated_at) VALUES ('t1', :a, 'trial', 's@1',"
                " '{\"runs\": 3}', 'done', 3, 3, '{\"runs\": 3}', '', :at, :at)"
            ),
            {"a": account, "at": "2025-01-01T00:00:00.000+00:00"},
        )
        # before 0006 a job needs an account
        with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
            conn.execute(
                sa.text(
                    "INSERT INTO jobs (id, account_id, kind, subject, params, status, done,"
                    " total, error, created_at, updated_at) VALUES ('f0', NULL, 'forecast',"
                    " 'g', '{}', 'queued', 0, 1, '', 'x', 'x')"
                )
            )
    old.close()
    store = Store(backend)
    store.migrate()
    jobs = Jobs(store)
    kept = jobs.get("t1")
    assert kept is not None and (kept.account_id, kept.status, kept.result) == (
        account,
        DONE,
        {"runs": 3},
    )
    made = jobs.create(None, "forecast", "g", {"runs": 1})
    assert jobs.get(made.id) is not None and [j.id for j in jobs.of(account)] == ["t1"]
    store.close()
