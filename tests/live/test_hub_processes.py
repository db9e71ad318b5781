"""Server processes sharing one PostgreSQL database. A command is decided against the
game as this process holds it and stored in one write; what the store refuses (events
another process stored first) is folded and decided again, and a refusal is only ever
given against the game as stored. Events another process stored come with its
notification when they fit, and are folded without reading them back. Real PostgreSQL,
real notifications (the server's own listener thread)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.engine.seats import CONTROL
from whitecell.live.broadcast import Listener
from whitecell.live.hub import Hub
from whitecell.scenario import Scenario
from whitecell.store.sql import NOTE_BYTES, Store, _rows, events_note, read_events_note

SEED = 4242


class Reads:
    """Counts a store's reads of a game's events (the real store does the reading)."""

    def __init__(self, store: Store) -> None:
        self.calls: list[tuple[str, int]] = []
        real = store.events

        def events(game_id: str, since: int = 0) -> list[ev.Event]:
            self.calls.append((game_id, since))
            return real(game_id, since)

        store.events = events  # type: ignore[method-assign]


@pytest.fixture
def stores(postgres: Any) -> Iterator[tuple[Store, Store]]:
    url = postgres.database()
    a, b = Store(url), Store(url)
    a.migrate()
    yield a, b
    a.close()
    b.close()


def news(text: str) -> cmd.PublishNews:
    return cmd.PublishNews(seat=CONTROL, text=text)


def test_a_process_behind_the_store_decides_again_before_it_refuses(
    stores: tuple[Store, Store], ukraine: Scenario
) -> None:
    a, b = stores

    async def play() -> tuple[int, int, list[str]]:
        hub_a, hub_b = Hub(a), Hub(b)
        live = await hub_a.create(ukraine, "Seminar", None, SEED)
        hub_b.load_all()  # B holds the game before it started
        await hub_a.execute(live.id, cmd.StartGame(seat=CONTROL), "seat:c", "k0")
        assert not hub_b.games[live.id].state.started
        # opening round 1 is refused before the game starts: B must not say so
        opened = await hub_b.execute(live.id, cmd.OpenRound(seat=CONTROL, number=1), "seat:c", "k1")
        # starting it again is refused against the stored game, after catching up
        again = await hub_b.execute(live.id, cmd.StartGame(seat=CONTROL), "seat:c", "k2")
        caught = [e.type for e in again.caught + opened.caught]
        return opened.status, again.status, caught

    opened, again, caught = asyncio.run(play())
    assert opened == 200
    assert again == 409
    assert caught == ["game_started"]  # folded once, handed to B's streams


def test_a_process_stale_by_events_it_never_heard_of_stores_after_them(
    stores: tuple[Store, Store], ukraine: Scenario
) -> None:
    a, b = stores

    async def play() -> str:
        hub_a, hub_b = Hub(a), Hub(b)
        live = await hub_a.create(ukraine, "Seminar", None, SEED)
        await hub_a.execute(live.id, cmd.StartGame(seat=CONTROL), "seat:c", "k0")
        hub_b.load_all()
        await hub_a.execute(live.id, news("from A"), "seat:c", "k1")
        done = await hub_b.execute(live.id, news("from B"), "seat:c", "k2")
        assert done.status == 200
        assert [e.type for e in done.caught] == ["news_published"]
        assert hub_b.games[live.id].state.seq == 3
        return live.id

    game = asyncio.run(play())
    assert [getattr(e, "text", None) for e in a.events(game)] == [None, "from A", "from B"]


def test_events_told_by_notification_are_folded_without_reading_them_back(
    stores: tuple[Store, Store], ukraine: Scenario
) -> None:
    a, b = stores
    reads = Reads(b)

    async def play() -> tuple[int, int, list[tuple[str, int]], list[tuple[str, int]]]:
        loop = asyncio.get_running_loop()
        hub_a, hub_b = Hub(a), Hub(b)
        woken: list[int] = []
        hub_b.listeners.append(lambda _g, new: woken.extend(e.seq for e in new))
        listener = Listener(b.url, hub_b.notice, loop)
        listener.start()
        try:
            await asyncio.to_thread(listener.ready.wait, 10)
            live = await hub_a.create(ukraine, "Seminar", None, SEED)
            hub_b.load_all()
            reads.calls.clear()  # B read the game whole as it loaded it
            await hub_a.execute(live.id, cmd.StartGame(seat=CONTROL), "seat:c", "k0")
            await hub_a.execute(live.id, news("short"), "seat:c", "k1")
            await until(lambda: hub_b.games[live.id].state.seq == 2)
            small = list(reads.calls)
            # news longer than a notification may carry: B reads it from the store
            await hub_a.execute(live.id, news("長" * 4000), "seat:c", "k2")
            await until(lambda: hub_b.games[live.id].state.seq == 3)
            big = list(reads.calls)
            state_a, state_b = hub_a.games[live.id].state, hub_b.games[live.id].state
            assert state_b.seq == state_a.seq
            assert hub_b.games[live.id].state.events == hub_a.games[live.id].state.events
            return state_b.seq, len(woken), small, big
        finally:
            listener.stop()

    seq, woken, small, big = asyncio.run(play())
    assert seq == 3 and woken == 3  # every event reached B's streams once
    assert small == []  # the first two came with their notifications
    assert len(big) == 1 and big[0][1] == 2  # the long one was read, from event 3 on


async def until(done: Any, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if done():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("not reached in time")


def news_event(seq: int, text: str) -> ev.NewsPublished:
    return ev.NewsPublished(
        seq=seq, round=1, audience=("all",), actor="control", text=text, about=None
    )


def test_a_note_carries_its_events_only_when_they_fit() -> None:
    short = [news_event(7, "ceasefire talks in Istanbul")]
    rows = _rows("g1", short, "2026-12-04T00:00:00.000Z")
    note = events_note("g1", rows, spent=9)
    assert note.startswith("events:g1:7\n")
    game, seq, carried = read_events_note(note)
    assert (game, seq) == ("g1", 7) and carried == short
    # Japanese text is three bytes a character: the limit is counted in bytes
    long = [news_event(8, "停戦" * (NOTE_BYTES // 6))]
    assert len(json.dumps(long[0].text, ensure_ascii=False)) < NOTE_BYTES
    note = events_note("g1", _rows("g1", long, "t"), spent=9)
    assert note == "events:g1:8"
    assert read_events_note(note) == ("g1", 8, None)
