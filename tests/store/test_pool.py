"""PostgreSQL connections are checked before use only when they sat idle: a busy server
saves a round trip a command, and a connection the database dropped while it sat in the
pool (a restart, a proxy's timeout) is still replaced before anyone uses it. The same
holds for the connections that make live commands' appends on the event loop. Real
PostgreSQL; its backends are really terminated."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from whitecell.engine import events as ev
from whitecell.store import appender
from whitecell.store.sql import Conflict, Store


@pytest.fixture
def store(postgres: Any) -> Iterator[Store]:
    made = Store(postgres.database())
    made.migrate()
    yield made
    made.close()


def drop_connections(store: Store) -> int:
    """What a database restart does to the pool: every other backend terminated."""
    url = sa.make_url(store.url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as c:
        rows = c.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


def test_a_connection_dropped_while_idle_is_replaced_before_use(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert store.account_count() == 0  # a connection made, used and back in the pool
    assert drop_connections(store) >= 1
    monkeypatch.setattr(appender, "IDLE_PING_S", 0.0)  # it has been idle long enough
    assert store.account_count() == 0


def test_a_connection_in_constant_use_is_not_checked(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert store.account_count() == 0
    assert drop_connections(store) >= 1
    monkeypatch.setattr(appender, "IDLE_PING_S", 1e9)  # used a moment ago: no round trip spent
    with pytest.raises(sa.exc.OperationalError):
        store.account_count()
    assert store.account_count() == 0  # the dead connection was thrown away with its error


# -- live commands' appends, made on the event loop ------------------------------------


def news(seq: int, text: str) -> ev.NewsPublished:
    return ev.NewsPublished(
        seq=seq, round=1, audience=("all",), actor="control", text=text, about=None
    )


def test_appends_on_the_event_loop_are_stored_once_and_a_taken_number_is_a_conflict(
    store: Store,
) -> None:
    store.create_game("g1", {"doc": 1}, "sc", "d" * 64, 7, "Seminar", None)

    async def play() -> None:
        await store.append_soon("g1", [news(1, "one")], ("seat:c@g1", "k1", 200, {"ok": 1}))
        with pytest.raises(Conflict):
            await store.append_soon("g1", [news(1, "again")])  # event 1 is taken
        with pytest.raises(Conflict):
            await store.append_soon("g1", [news(2, "two")], ("seat:c@g1", "k1", 200, {}))
        await store.append_soon("g1", [news(2, "two")])  # the connection is still good

    asyncio.run(play())
    assert [e.text for e in store.events("g1")] == ["one", "two"]  # type: ignore[attr-defined]
    answer = store.answer("seat:c@g1", "k1")
    assert answer is not None and answer.body == {"ok": 1}


def test_an_append_after_the_database_dropped_an_idle_connection_goes_through(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.create_game("g1", {"doc": 1}, "sc", "d" * 64, 7, "Seminar", None)

    async def play() -> None:
        await store.append_soon("g1", [news(1, "before")])
        assert drop_connections(store) >= 1
        monkeypatch.setattr(appender, "IDLE_PING_S", 0.0)
        await store.append_soon("g1", [news(2, "after")])

    asyncio.run(play())
    asyncio.run(play_again(store))  # another event loop: new connections of its own
    assert [e.seq for e in store.events("g1")] == [1, 2, 3]


async def play_again(store: Store) -> None:
    await store.append_soon("g1", [news(3, "later")])
