"""The store's rules, on SQLite and on PostgreSQL alike: the log is append-only and
numbered per game, two writers never both apply against the same state, an answer to a
request is kept with the events it produced, and join tokens are kept only as hashes."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from whitecell.engine import events as ev
from whitecell.engine.seats import CONTROL
from whitecell.store import tables as t
from whitecell.store.sql import Answer, Conflict, Store, token_hash

SEED = 2**63 - 1  # the largest seed a game may have


def game(store: Store, game_id: str = "g1") -> str:
    store.create_game(game_id, {"doc": "ほぼ確実"}, "sc", "d" * 64, SEED, "演習 One", None)
    return game_id


def news(seq: int, text: str = "ニュース") -> ev.NewsPublished:
    return ev.NewsPublished(
        seq=seq, round=0, audience=("*",), actor=str(CONTROL), text=text, about=None
    )


def test_migrating_again_changes_nothing(store, backend):
    store.migrate()
    again = Store(backend)
    again.migrate()
    assert again.account_count() == 0
    again.close()


def test_a_game_keeps_its_64_bit_seed_and_its_text(store):
    game(store)
    row = store.game("g1")
    assert row is not None
    assert (row.seed, row.title, row.scenario) == (SEED, "演習 One", {"doc": "ほぼ確実"})


def test_events_come_back_as_they_went_in_and_in_order(store):
    game(store)
    store.append("g1", [news(1), news(2, "second")])
    store.append("g1", [news(3, "<b>third</b>")])
    assert [e.text for e in store.events("g1")] == ["ニュース", "second", "<b>third</b>"]
    assert [e.seq for e in store.events("g1", since=1)] == [2, 3]
    assert store.events("g1")[0] == news(1)


def test_a_second_writer_that_decided_against_the_same_state_is_refused_whole(store):
    game(store)
    store.append("g1", [news(1)])
    store.append("g1", [news(2, "first writer")], answer=("seat:a", "k1", 200, {"ok": 1}))
    with pytest.raises(Conflict):
        store.append("g1", [news(2, "second writer")], answer=("seat:b", "k2", 200, {"ok": 2}))
    assert [e.text for e in store.events("g1")] == ["ニュース", "first writer"]
    assert store.answer("seat:b", "k2") is None  # nothing of the loser was kept


def test_simultaneous_writers_never_both_apply(store):
    game(store)
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def write(i: int) -> None:
        start.wait()
        try:
            store.append("g1", [news(1, f"writer {i}")])
            outcomes.append("applied")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["applied"] + ["conflict"] * 7
    assert len(store.events("g1")) == 1


def test_a_request_is_answered_once_per_idempotency_key(store):
    game(store)
    store.append("g1", [news(1)], answer=("seat:a", "key", 201, {"events": [1]}))
    assert store.answer("seat:a", "key") == Answer(201, {"events": [1]})
    assert store.answer("seat:b", "key") is None  # keys belong to whoever asked
    with pytest.raises(Conflict):
        store.append("g1", [news(2)], answer=("seat:a", "key", 201, {"events": [2]}))
    assert len(store.events("g1")) == 1


def test_join_tokens_are_kept_only_as_hashes_and_revoked_links_stop_working(store):
    game(store)
    seat_id, token = store.add_seat("g1", "team:usa", "Aiko", lead=True)
    with store.engine.connect() as conn:
        stored = [tuple(r) for r in conn.execute(sa.select(t.seats)).all()]
    assert token not in repr(stored) and token_hash(token) in repr(stored)
    assert store.seat_by_token(token).person == "Aiko"
    store.revoke(seat_id)
    assert store.seat(seat_id).revoked
    fresh = store.reissue(seat_id)
    assert store.seat_by_token(token) is None
    assert store.seat_by_token(fresh).id == seat_id and not store.seat(seat_id).revoked
