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


# -- many games' jobs at once (a class closing rounds together) -------------------------


def age(store: Store, job_id: str, minutes: float) -> None:
    """The job's heartbeat as if it last beat ``minutes`` ago."""
    then = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)).isoformat()
    with store.writing() as conn:
        conn.execute(sa.update(t.jobs).where(t.jobs.c.id == job_id).values(updated_at=then))


def test_many_games_forecasts_supersede_their_own_unfinished_ones_in_one_go(store: Store) -> None:
    jobs = Jobs(store)
    waiting = jobs.create(None, "forecast", "g1", {"runs": 10})
    running = jobs.create(None, "forecast", "g2", {"runs": 10})
    jobs.start(running.id)
    finished = jobs.create(None, "forecast", "g1", {"runs": 10})
    jobs.start(finished.id)
    jobs.finish(finished.id, 10, {"runs": 10})
    stale = jobs.create(None, "forecast", "g2", {"runs": 10})
    age(store, stale.id, 5)
    debrief = jobs.create(None, "debrief", "g1", {})
    elsewhere = jobs.create(None, "forecast", "g3", {"runs": 10})

    wanted = [("g1", {"runs": 20, "seed": 1}), ("g2", {"runs": 30})]
    made = jobs.create_many("forecast", wanted, supersede=True)

    assert [(j.subject, j.total, j.status, j.account_id) for j in made] == [
        ("g1", 20, QUEUED, None),
        ("g2", 30, QUEUED, None),
    ]
    assert [jobs.get(j.id) for j in made] == made  # as a reader would read them
    status = {j.id: j.status for j in jobs.about("g1", "forecast") + jobs.about("g2", "forecast")}
    assert status[waiting.id] == status[running.id] == CANCELLED
    assert status[finished.id] == DONE  # a finished forecast stays, for the chart
    assert status[stale.id] == FAILED  # its process stopped: it still reads so
    assert jobs.get(debrief.id).status == QUEUED  # type: ignore[union-attr]
    assert jobs.get(elsewhere.id).status == QUEUED  # type: ignore[union-attr]


def test_a_debrief_made_without_superseding_leaves_the_games_others(store: Store) -> None:
    jobs = Jobs(store)
    older = jobs.create(None, "debrief", "g1", {})
    made = jobs.create_many("debrief", [("g1", {"seed": 4})], supersede=False)
    assert jobs.get(older.id).status == QUEUED  # type: ignore[union-attr]
    assert made[0].params == {"seed": 4} and jobs.create_many("debrief", [], supersede=False) == []


def test_ended_games_forecasts_are_cancelled_together(store: Store) -> None:
    jobs = Jobs(store)
    ids = [jobs.create(None, "forecast", f"g{k}", {"runs": 1}).id for k in range(3)]
    jobs.cancel_about("forecast", ["g0", "g1", "g1"])
    assert [jobs.get(i).status for i in ids] == [CANCELLED, CANCELLED, QUEUED]  # type: ignore[union-attr]


def test_each_games_newest_job_of_a_kind_is_found_in_one_read(store: Store) -> None:
    jobs = Jobs(store)
    jobs.create(None, "debrief", "g1", {"n": 1})
    newer = jobs.create(None, "debrief", "g1", {"n": 2})
    other = jobs.create(None, "debrief", "g2", {"n": 3})
    jobs.create(None, "forecast", "g3", {"runs": 1})
    with store.writing() as conn:  # created at the same millisecond: make the order plain
        conn.execute(
            sa.update(t.jobs).where(t.jobs.c.id == newer.id).values(created_at="2999-01-01")
        )
    found = jobs.newest_about("debrief", ["g1", "g2", "g3", "g4"])
    assert {k: j.id for k, j in found.items()} == {"g1": newer.id, "g2": other.id}


def test_one_heartbeat_keeps_every_held_job_alive_but_no_finished_one(store: Store) -> None:
    jobs = Jobs(store)
    held = [jobs.create(None, "debrief", f"g{k}", {}).id for k in range(600)]  # > one IN list
    done = jobs.create(None, "forecast", "g0", {"runs": 1})
    jobs.start(done.id)
    jobs.finish(done.id, 1, {})
    for job_id in (held[0], held[-1], done.id):
        age(store, job_id, 5)
    assert jobs.get(held[-1]).status == FAILED  # type: ignore[union-attr]
    jobs.beat_all([*held, done.id])
    assert {jobs.get(i).status for i in held} == {QUEUED}  # type: ignore[union-attr]
    after, beaten = jobs.get(done.id), jobs.get(held[0])
    assert after is not None and beaten is not None
    assert after.status == DONE and after.updated_at < beaten.updated_at  # left as it was
