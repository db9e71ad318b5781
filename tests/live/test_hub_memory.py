"""A server's memory does not grow with its history: it starts with the games still
being played, loads a finished game when someone opens it, lets go of games nobody has
touched for a while, and games of one scenario share its compiled form."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from whitecell.engine import events as ev
from whitecell.live.hub import UNLOAD_ENDED_AFTER, UNLOAD_IDLE_AFTER, Hub
from whitecell.play import play_game
from whitecell.scenario.library import load_bundled
from whitecell.store.sql import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    made = Store(f"sqlite:///{tmp_path / 'whitecell.db'}")
    made.migrate()
    return made


def stored(store: Store, game_id: str, seed: int, finished: bool = True) -> list[ev.Event]:
    """A game of the bundled scenario played by automated players, kept in the store
    (all of it, or up to its first round's opening: a game still being played)."""
    sc = load_bundled("ukraine-ceasefire-2025")
    events = list(play_game(sc, seed).state.events)
    if not finished:
        events = events[: next(i for i, e in enumerate(events) if e.type == "round_opened") + 1]
    store.create_game(game_id, dict(sc.document), sc.id, sc.digest, seed, game_id, None)
    store.append(game_id, events)
    return events


def test_a_server_starts_with_the_games_being_played_and_loads_a_finished_one_when_opened(
    store: Store,
) -> None:
    over = stored(store, "over", 1)
    stored(store, "going", 2, finished=False)
    hub = Hub(store)
    hub.load_all()
    assert set(hub.games) == {"going"}
    opened = hub.find("over")
    assert opened is not None and opened.state.ended
    assert list(opened.state.events) == over
    assert opened.scenario is hub.games["going"].scenario  # one compiled scenario, shared
    assert hub.find("never-made") is None


def test_games_nobody_touches_are_let_go_finished_ones_first(store: Store) -> None:
    stored(store, "over", 1)
    stored(store, "going", 2, finished=False)
    hub = Hub(store)
    hub.load_all()
    assert hub.find("over") is not None
    now = time.monotonic()
    assert hub.sweep(now + 1) == []  # just touched: both stay
    assert hub.sweep(now + UNLOAD_ENDED_AFTER + 1) == ["over"]
    assert set(hub.games) == {"going"}
    assert hub.sweep(now + UNLOAD_IDLE_AFTER + 1) == ["going"]
    assert hub.games == {} and hub._scenarios == {}  # nothing held for games let go
    again = hub.find("going")  # opened again: as it was
    assert again is not None and again.state.round == 1 and not again.state.ended


def test_a_game_with_a_command_in_flight_is_not_let_go(store: Store) -> None:
    stored(store, "over", 1)
    hub = Hub(store)
    live = hub.find("over")
    assert live is not None

    async def busy() -> list[str]:
        async with live.lock:
            return hub.sweep(time.monotonic() + UNLOAD_ENDED_AFTER + 1)

    assert asyncio.run(busy()) == []
    assert "over" in hub.games


def test_a_stream_waiting_on_a_game_let_go_finds_it_loaded_again(store: Store) -> None:
    events = stored(store, "over", 1)
    hub = Hub(store)
    assert hub.find("over") is not None
    hub.sweep(time.monotonic() + UNLOAD_ENDED_AFTER + 1)
    assert "over" not in hub.games

    async def listen() -> bool:
        return await hub.wait("over", events[-1].seq - 1, timeout=0.1)

    assert asyncio.run(listen()) is True  # an event above what it saw: no wait at all
    assert "over" in hub.games


def test_finished_games_beyond_the_cap_are_let_go_least_recently_opened_first(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("whitecell.live.hub.MAX_ENDED_LOADED", 2)
    for i in range(4):
        stored(store, f"old{i}", i)
    hub = Hub(store)
    for i in range(4):
        assert hub.find(f"old{i}") is not None
    hub.find("old0")  # opened again: now the most recent
    assert set(hub.games) == {"old0", "old3"}


def test_a_game_a_stream_waits_on_is_not_let_go(store: Store) -> None:
    events = stored(store, "over", 1)
    hub = Hub(store)
    assert hub.find("over") is not None

    async def listen_and_sweep() -> list[str]:
        waiting = asyncio.create_task(hub.wait("over", events[-1].seq, timeout=0.5))
        await asyncio.sleep(0.05)
        gone = hub.sweep(time.monotonic() + UNLOAD_ENDED_AFTER + 1)
        assert await waiting is False  # nothing new: the wait times out
        return gone

    assert asyncio.run(listen_and_sweep()) == []
    assert "over" in hub.games
