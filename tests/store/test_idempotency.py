"""Idempotency keys and the fingerprint of the request each stored answer answers: a retry
of the same request is replayed, a key reused for another request is refused with 422 and
changes nothing, and answers stored before migration 0002 (no fingerprint) are replayed as
before. On a SQLite file and on a real PostgreSQL server; the hub runs against real stores."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa

from whitecell.engine import commands as cmd
from whitecell.engine.seats import CONTROL
from whitecell.live.hub import Hub
from whitecell.scenario import Scenario
from whitecell.store.sql import Answer, Store, fingerprint

SEED = 4242
START = {"type": "start_game"}
START_FP = fingerprint(START)


def news(text: str) -> dict[str, Any]:
    return {"type": "publish_news", "text": text}


def publish(text: str) -> cmd.PublishNews:
    return cmd.PublishNews(seat=CONTROL, text=text)


def columns(store: Store) -> dict[str, bool]:
    """The idempotency table's columns: name -> nullable."""
    found = sa.inspect(store.engine).get_columns("idempotency")
    return {c["name"]: bool(c["nullable"]) for c in found}


def revision(store: Store) -> str:
    with store.engine.connect() as conn:
        return str(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one())


# -- the fingerprint -------------------------------------------------------------------


def test_a_fingerprint_is_the_body_sent_whatever_its_key_order_and_any_change_shows() -> None:
    body = {"type": "submit_action", "action": "spring_offensive", "target": "ukraine"}
    same = {"target": "ukraine", "action": "spring_offensive", "type": "submit_action"}
    assert fingerprint(body) == fingerprint(same) == fingerprint(dict(body))
    assert len(fingerprint(body)) == 64 and set(fingerprint(body)) <= set("0123456789abcdef")
    changed = [
        {k: v for k, v in body.items() if k != "target"},  # a field left out
        body | {"target": "usa"},  # a field's value
        body | {"target": None},  # null is not absent
        body | {"rationale": ""},  # a field added, even an empty one
        {"type": "submit_action", "action": "spring_offensive", "target": ["ukraine"]},
    ]
    prints = {fingerprint(b) for b in [body, *changed]}
    assert len(prints) == 1 + len(changed)
    nested = {"type": "assess", "modifiers": [[0, 0.1], [1, -0.05]], "probability": 0.5}
    assert fingerprint(nested) != fingerprint(nested | {"modifiers": [[1, -0.05], [0, 0.1]]})
    # any text the client may send: Japanese, and a lone surrogate JSON allows
    assert fingerprint(news("停戦")) != fingerprint(news("停戦 ")) != fingerprint(news("\ud800"))
    assert Store.fingerprint(body) == fingerprint(body)  # as the web calls it


def test_an_answer_is_kept_with_the_fingerprint_of_its_request(store: Store) -> None:
    store.create_game("g1", {"doc": 1}, "sc", "d" * 64, SEED, "Seminar", None)
    answer = ("seat:a@g1", "k1", 409, {"error": {"code": "rule_violation"}})
    store.append("g1", [], answer, fingerprint(START))
    stored = store.answer("seat:a@g1", "k1")
    assert stored == Answer(409, {"error": {"code": "rule_violation"}}, fingerprint(START))
    assert stored.answers(fingerprint(START))
    assert not stored.answers(fingerprint(news("another")))
    assert stored.answers(None)  # a caller that sends no fingerprint is answered as before
    store.append("g1", [], ("seat:a@g1", "k2", 200, {"events": []}))
    assert store.answer("seat:a@g1", "k2") == Answer(200, {"events": []}, None)


# -- the migration ---------------------------------------------------------------------


def test_migration_0002_keeps_the_answers_stored_before_it_and_they_are_replayed(
    backend: str, ukraine: Scenario
) -> None:
    """A database as a server before 0002 left it: a game and a stored refusal. Upgraded,
    the refusal has no fingerprint and is replayed to its key, whatever the body; new
    answers carry their fingerprint and refuse a reused key."""
    old = Store(backend)
    old.migrate("0001")
    assert revision(old) == "0001" and "fingerprint" not in columns(old)
    doc = dict(ukraine.document)
    old.create_game("g1", doc, ukraine.id, ukraine.digest, SEED, "Seminar", None)
    refusal = {"error": {"code": "rule_violation", "message": "the game has not started"}}
    with old.engine.begin() as conn:  # written as the 0001 code wrote it
        conn.execute(
            sa.text(
                'INSERT INTO idempotency (principal, "key", game_id, status, response, created_at)'
                " VALUES (:p, :k, 'g1', 409, :r, '2025-01-01T00:00:00.000+00:00')"
            ),
            {"p": "seat:c@g1", "k": "old-key", "r": '{"error":{"code":"rule_violation",'
             '"message":"the game has not started"}}'},
        )  # fmt: skip
    old.close()

    store = Store(backend)
    store.migrate()
    assert revision(store) >= "0002" and columns(store)["fingerprint"] is True
    assert store.answer("seat:c@g1", "old-key") == Answer(409, refusal, None)

    async def play() -> dict[str, Any]:
        hub = Hub(store)
        hub.load_all()
        # the old answer is replayed to its key, to any body (it has no fingerprint)
        for body in (START, news("a different command")):
            again = await hub.execute(
                "g1",
                cmd.StartGame(seat=CONTROL),
                "seat:c",
                "old-key",
                fingerprint=fingerprint(body),
            )
            assert (again.status, again.body) == (409, refusal | {"replayed": True})
        assert hub.games["g1"].state.seq == 0  # nothing applied
        started = await hub.execute(
            "g1", cmd.StartGame(seat=CONTROL), "seat:c", "new-key", fingerprint=fingerprint(START)
        )
        assert started.status == 200 and "replayed" not in started.body
        reused = await hub.execute(
            "g1", publish("news"), "seat:c", "new-key", fingerprint=fingerprint(news("news"))
        )
        assert reused.status == 422
        assert reused.body["error"]["code"] == "idempotency_key_reused"
        return started.body

    started = asyncio.run(play())
    assert [e.type for e in store.events("g1")] == ["game_started"]
    assert store.answer("seat:c@g1", "new-key") == Answer(200, started, START_FP)
    store.migrate()  # at head already: nothing to do
    store.close()


# -- the hub ---------------------------------------------------------------------------


def test_the_same_key_is_replayed_to_the_same_body_and_refused_for_another(
    store: Store, ukraine: Scenario
) -> None:
    async def play() -> tuple[str, list[dict[str, Any]]]:
        hub = Hub(store)
        live = await hub.create(ukraine, "Seminar", None, SEED)
        g = live.id

        async def control(text: str, key: str) -> Any:
            return await hub.execute(
                g, publish(text), "seat:c", key, fingerprint=fingerprint(news(text))
            )

        await hub.execute(g, cmd.StartGame(seat=CONTROL), "seat:c", "k0", fingerprint=START_FP)
        first = await control("X", "k1")
        again = await control("X", "k1")
        assert first.status == again.status == 200
        assert again.body == first.body | {"replayed": True}
        reused = await control("Y", "k1")
        assert reused.status == 422 and reused.events == []
        error = reused.body["error"]
        assert error["code"] == "idempotency_key_reused"
        assert "different command" in error["message"] and "new key" in error["message"]
        assert (
            set(error["messages"]) == {"en", "ja"} and error["messages"]["en"] == error["message"]
        )
        # commands of the server itself (automated players, model turns) have no key
        for text in ("auto", "auto"):
            done = await hub.execute(g, publish(text), "agent:usa", None)
            assert done.status == 200 and "replayed" not in done.body
        return g, first.body["events"]

    g, first = asyncio.run(play())
    texts = [getattr(e, "text", None) for e in store.events(g)]
    assert texts == [None, "X", "auto", "auto"]  # X once, Y never
    assert first[0]["text"] == "X"


@pytest.mark.parametrize("refused", [False, True], ids=["decided", "refused"])
def test_a_decision_retried_after_another_process_answered_its_key_checks_the_body(
    postgres: Any, ukraine: Scenario, refused: bool
) -> None:
    """Two server processes on one PostgreSQL database. Process B looked the key up before
    process A stored its answer, then decided against the state it had: its append
    collides, it reads A's answer, and replays it only to the same request."""
    url = postgres.database()
    a, b = Store(url), Store(url)
    a.migrate()

    async def play() -> str:
        hub_a, hub_b = Hub(a), Hub(b)
        live = await hub_a.create(ukraine, "Seminar", None, SEED)
        g = live.id
        await hub_a.execute(g, cmd.StartGame(seat=CONTROL), "seat:c", "k0", fingerprint=START_FP)
        hub_b.load_all()
        await hub_a.execute(g, publish("X"), "seat:c", "k1", fingerprint=fingerprint(news("X")))
        stale, principal = hub_b.games[g], f"seat:c@{g}"
        # B decides "Y" (or a command refused) against the state before A's "X"
        other: cmd.Command = cmd.StartGame(seat=CONTROL) if refused else publish("Y")
        body = START if refused else news("Y")
        reused = await hub_b._apply(stale, other, principal, "k1", fingerprint=fingerprint(body))
        assert reused.status == 422, reused.body
        assert reused.body["error"]["code"] == "idempotency_key_reused"
        retried = await hub_b._apply(
            stale, publish("X"), principal, "k1", fingerprint=fingerprint(news("X"))
        )
        assert retried.status == 200 and retried.body["replayed"] is True
        assert retried.body["events"][0]["text"] == "X"
        return g

    g = asyncio.run(play())
    assert [getattr(e, "text", None) for e in a.events(g)] == [None, "X"]
    a.close()
    b.close()
