"""The list of games is read from the games' rows alone: each row follows its game's
round and end as events are appended, pages come newest first, and games stored before
the listing columns existed are filled in by the migration."""

from __future__ import annotations

import json

import sqlalchemy as sa

from whitecell.engine import events as ev
from whitecell.engine.seats import CONTROL
from whitecell.store.sql import Store

TITLE = {"en": "Ceasefire in Ankara", "ja": "アンカラの停戦"}


def opened(seq: int, number: int) -> ev.RoundOpened:
    return ev.RoundOpened(
        seq=seq, round=number, audience=("*",), actor=str(CONTROL), kind="action",
        date="2025-03-01", deadline=None,
    )  # fmt: skip


def ended(seq: int, number: int) -> ev.GameEnded:
    return ev.GameEnded(
        seq=seq, round=number, audience=("*",), actor=str(CONTROL), seed=7, outcomes=()
    )


def make(store: Store, game_id: str, title: str = "", at: str | None = None) -> None:
    store.create_game(game_id, {"meta": {"title": TITLE}}, "sc", "d" * 64, 1, title, None)
    if at is not None:  # creation times a second apart, whatever the clock does
        with store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE games SET created_at = :at WHERE id = :id"),
                         {"at": at, "id": game_id})  # fmt: skip


def test_a_games_row_follows_its_rounds_and_its_end(store: Store) -> None:
    make(store, "g1", "Seminar A")
    [row], _ = store.game_list()
    assert (row.round, row.ended) == (0, False)
    store.append("g1", [opened(1, 1)])
    store.append("g1", [opened(2, 2), ended(3, 2)])
    [row], total = store.game_list()
    assert (row.id, row.title, row.round, row.ended, total) == ("g1", "Seminar A", 2, True, 1)
    assert [g.id for g in store.games(unfinished=True)] == []
    assert [g.id for g in store.games()] == ["g1"]


def test_pages_come_newest_first_with_the_total_and_a_seat_sees_only_its_game(
    store: Store,
) -> None:
    for i in range(7):
        make(store, f"g{i}", at=f"2025-01-01T00:00:0{i}.000+00:00")
    first, total = store.game_list(0, 3)
    second, _ = store.game_list(3, 3)
    last, _ = store.game_list(6, 3)
    assert total == 7
    assert [g.id for g in first + second + last] == [f"g{i}" for i in range(6, -1, -1)]
    # a game without a title of its own is listed with its scenario's title
    assert first[0].title == "" and first[0].scenario_title == TITLE
    mine, count = store.game_list(0, 50, only=["g3"])
    assert [g.id for g in mine] == ["g3"] and count == 1


def test_migration_0007_fills_in_the_round_and_end_of_the_games_stored_before(
    backend: str,
) -> None:
    old = Store(backend)
    old.migrate("0006")
    rows = [("over", 3, True), ("going", 2, False), ("new", 0, False)]
    with old.engine.begin() as conn:  # games and events as the 0006 code stored them
        for game_id, rounds, over in rows:
            conn.execute(
                sa.text(
                    "INSERT INTO games (id, scenario_id, scenario_digest, scenario, seed,"
                    " title, created_at) VALUES (:id, 'sc', 'd', '{}', 1, :title, 'x')"
                ),
                {"id": game_id, "title": game_id},
            )
            made = [opened(n, n) for n in range(1, rounds + 1)]
            made += [ended(rounds + 1, rounds)] if over else []
            for e in made:
                conn.execute(
                    sa.text(
                        "INSERT INTO events (game_id, seq, type, data, created_at)"
                        " VALUES (:g, :s, :t, :d, 'x')"
                    ),
                    {"g": game_id, "s": e.seq, "t": e.type, "d": json.dumps({"seq": e.seq})},
                )
    old.close()
    store = Store(backend)
    store.migrate()
    listed, _ = store.game_list()
    assert {(g.id, g.round, g.ended) for g in listed} == set(rows)
    assert {g.id for g in store.games(unfinished=True)} == {"going", "new"}
    store.close()
