"""Commands through the JSON API of a real server: rounds, views, errors, idempotency, streams."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.web.play import (
    API,
    STREAM_TIMEOUT,
    SseReader,
    Table,
    browser,
    create_game,
    key,
    link,
    ok,
    send,
    view,
)
from tests.web.server import bearer
from whitecell.engine import commands as cmd
from whitecell.web.commands import API_ONLY, BODIES, CommandBody

SECRET_DESCRIPTION = "Quietly buy up the grain futures of the Black Sea traders"
RATIONALE = "Our envoys have prepared the ground for weeks"


@pytest.fixture
def table(shared_server, account) -> Iterator[Table]:
    t = Table(shared_server, create_game(account, people_per_team=2, adjudicators=1))
    try:
        yield t
    finally:
        t.close()


def started(t: Table, minutes: int | None = None) -> httpx.Client:
    """Start the game and open round 1; the control seat's client."""
    control = t.client("control")
    ok(control, t.game, {"type": "start_game"})
    body: dict[str, Any] = {"type": "open_round", "number": 1}
    if minutes:
        body["minutes"] = minutes
    ok(control, t.game, body)
    return control


def events_of(client: httpx.Client, game: str) -> list[dict[str, Any]]:
    return view(client, game)["events"]  # type: ignore[no-any-return]


def error_of(r: httpx.Response) -> dict[str, str]:
    body = r.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    assert body["error"]["code"] and body["error"]["message"]
    return body["error"]  # type: ignore[no-any-return]


# -- a whole action round --------------------------------------------------------------


def test_an_action_round_shows_each_seat_only_what_it_may_know(table: Table) -> None:
    g = table.game
    before = dt.datetime.now(dt.UTC)
    started(table, minutes=30)
    usa, russia = table.client("team:usa", True), table.client("team:russia", True)
    adjudicator, observer = table.client("adjudicator"), table.client("observer")

    deadline = dt.datetime.fromisoformat(view(usa, g)["deadline"])
    assert before + dt.timedelta(minutes=29) <= deadline <= before + dt.timedelta(minutes=31)

    public = ok(
        usa, g, {"type": "submit_action", "action": "public_diplomacy", "rationale": RATIONALE}
    )
    secret = ok(
        usa,
        g,
        {
            "type": "submit_action",
            "action": "free",
            "description": SECRET_DESCRIPTION,
            "instrument": "economic",
            "secret": True,
        },
    )
    pub, sec = public[0]["uid"], secret[0]["uid"]
    for uid in (pub, sec):
        ok(
            adjudicator,
            g,
            {"type": "assess", "uid": uid, "probability": 0.7, "rationale": "ODDS-WHY"},
        )
        ok(adjudicator, g, {"type": "roll", "uid": uid})
    ok(
        adjudicator,
        g,
        {
            "type": "publish_outcome",
            "uid": pub,
            "public_text": "The campaign is all over the evening news",
            "private_text": "PRIVATE: the polls at home moved",
        },
    )
    ok(
        adjudicator,
        g,
        {"type": "publish_outcome", "uid": sec, "private_text": "PRIVATE: the traders sold"},
    )

    mine = view(usa, g)
    acts = {a["uid"]: a for a in mine["actions"]}
    assert set(acts) == {pub, sec}
    assert acts[pub]["probability"] == 0.7 and acts[pub]["roll"] is not None
    assert acts[pub]["rationale"] == RATIONALE
    assert acts[sec]["description"] == SECRET_DESCRIPTION
    assert all(a["status"] == "applied" and a["success"] is not None for a in acts.values())
    texts = {e.get("text") for e in mine["events"]}
    assert {"PRIVATE: the polls at home moved", "PRIVATE: the traders sold"} <= texts
    assert "The campaign is all over the evening news" in texts

    for other in (russia, observer):
        seen = view(other, g)
        [only] = seen["actions"]
        assert only["uid"] == pub
        assert only["probability"] is None and only["roll"] is None and only["rationale"] == ""
        assert only["status"] == "applied" and only["success"] == acts[pub]["success"]
        flat = str(seen)
        assert "The campaign is all over the evening news" in flat
        for hidden in (RATIONALE, SECRET_DESCRIPTION, "PRIVATE:", "ODDS-WHY"):
            assert hidden not in flat, hidden
        # the secret action's id is short ("a4"): look for it where ids live, not as a
        # substring of hex digests
        assert all(
            sec not in (e.get("uid"), e.get("subject"), e.get("about"), e.get("source"))
            for e in seen["events"]
        )
        types = [e["type"] for e in seen["events"]]
        assert "action_assessed" not in types and "dice_rolled" not in types
        assert types.count("outcome_applied") == 1  # the public action's, not the secret one's


def test_a_negotiation_round_ends_with_the_agreement_in_force(table: Table) -> None:
    g = table.game
    control = started(table)
    ok(control, g, {"type": "close_round", "number": 1})
    ok(control, g, {"type": "open_round", "number": 2})
    ok(control, g, {"type": "close_round", "number": 2})
    ok(control, g, {"type": "open_round", "number": 3})
    ukraine, russia = table.client("team:ukraine", True), table.client("team:russia", True)
    table_it = {"type": "table_proposal", "agreement": "ceasefire", "clauses": ["ceasefire_line"]}

    first = ok(ukraine, g, table_it)[0]["pid"]
    ok(russia, g, {"type": "reject_proposal", "pid": first, "reason": "Too early"})
    second = ok(ukraine, g, table_it)[0]["pid"]
    counter = ok(
        russia,
        g,
        table_it | {"clauses": ["ceasefire_line", "prisoner_exchange"], "counter_to": second},
    )[0]["pid"]
    ok(ukraine, g, {"type": "accept_proposal", "pid": counter})
    ok(russia, g, {"type": "sign_proposal", "pid": counter})
    # the API's old name for signing is still understood
    signed = ok(ukraine, g, {"type": "sign_agreement", "pid": counter})
    assert [e["type"] for e in signed] == ["proposal_signed", "agreement_signed"]

    status = {p["pid"]: p["status"] for p in view(ukraine, g)["proposals"]}
    assert status == {first: "rejected", second: "countered", counter: "signed"}
    for seat in ("team:usa", "observer"):
        seen = view(table.client(seat), g)
        [agreement] = seen["agreements"]
        assert agreement["in_force"] and agreement["parties"] == ["russia", "ukraine"]
        assert agreement["clauses"] == ["ceasefire_line", "prisoner_exchange"]
        assert seen["proposals"] == []  # the table's papers stay with its parties
    r = send(russia, g, {"type": "sign_proposal", "pid": counter})
    assert r.status_code == 409


# -- errors ---------------------------------------------------------------------------------


def test_a_rule_violation_is_409_with_an_error_code_and_message(table: Table) -> None:
    control = table.client("control")
    r = send(
        table.client("team:usa", True),
        table.game,
        {"type": "submit_action", "action": "public_diplomacy"},
    )
    assert r.status_code == 409
    assert error_of(r)["code"] == "rule_violation"
    ok(control, table.game, {"type": "start_game"})
    r = send(control, table.game, {"type": "open_round", "number": 2})
    assert r.status_code == 409
    assert len(events_of(control, table.game)) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"type": "teleport"},
        {"type": "open_round"},
        {"message": "no type"},
        {"type": "send_message", "text": "x" * 4001, "to": ["russia"]},
        {"type": "submit_action", "action": "free", "rationale": "y" * 4001},
        {"type": "start_game", "seat": "control"},
        ["start_game"],
    ],
    ids=[
        "unknown-type",
        "missing-field",
        "no-type",
        "long-text",
        "long-rationale",
        "extra-field",
        "not-an-object",
    ],
)
def test_a_malformed_command_is_422_and_changes_nothing(table: Table, body: Any) -> None:
    usa = table.client("team:usa", True)
    started(table)
    count = len(events_of(usa, table.game))
    r = usa.post(
        f"{API}/games/{table.game}/commands", json=body, headers={"Idempotency-Key": key()}
    )
    assert r.status_code == 422, r.text
    assert error_of(r)["code"] == "bad_command"
    assert len(events_of(usa, table.game)) == count


@pytest.mark.parametrize("probability", [1.5, -0.1])
def test_a_probability_outside_0_1_is_a_bad_body_422(table: Table, probability: float) -> None:
    started(table)
    uid = ok(
        table.client("team:usa", True),
        table.game,
        {"type": "submit_action", "action": "public_diplomacy"},
    )[0]["uid"]
    adjudicator = table.client("adjudicator")
    r = send(adjudicator, table.game, {"type": "assess", "uid": uid, "probability": probability})
    assert r.status_code == 422, r.text
    assert error_of(r)["code"] == "bad_command"
    assert [a["status"] for a in view(adjudicator, table.game)["actions"]] == ["submitted"]


def test_a_body_that_is_not_json_is_400(table: Table) -> None:
    r = table.client("control").post(
        f"{API}/games/{table.game}/commands",
        content=b"start the game!",
        headers={"Idempotency-Key": key(), "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert error_of(r)["code"] == "bad_json"


def test_a_command_without_an_idempotency_key_is_400_and_not_applied(table: Table) -> None:
    control = table.client("control")
    r = control.post(f"{API}/games/{table.game}/commands", json={"type": "start_game"})
    assert r.status_code == 400
    assert error_of(r)["code"] == "idempotency_key"
    r = send(control, table.game, {"type": "start_game"}, idem="k" * 201)
    assert r.status_code == 400
    assert events_of(control, table.game) == []


# -- idempotency -------------------------------------------------------------------------


def test_a_retried_key_gets_the_same_answer_and_applies_once(table: Table) -> None:
    started(table)
    usa = table.client("team:usa", True)
    body = {"type": "send_message", "to": ["russia"], "text": "Once only"}
    first = send(usa, table.game, body, idem="retry-1")
    again = send(usa, table.game, body, idem="retry-1")
    assert first.status_code == again.status_code == 200
    assert again.json()["events"] == first.json()["events"]
    assert again.json().get("replayed") is True and "replayed" not in first.json()
    texts = [e.get("text") for e in events_of(usa, table.game)]
    assert texts.count("Once only") == 1

    # a refusal is an answer too: retried, it is the same refusal
    bad = {"type": "send_message", "to": ["usa"], "text": "to myself"}
    refused = [send(usa, table.game, bad, idem="retry-2") for _ in range(2)]
    assert [r.status_code for r in refused] == [409, 409]
    assert refused[1].json()["error"] == refused[0].json()["error"]


def test_concurrent_retries_of_one_key_apply_once(table: Table) -> None:
    started(table)
    token = link(table.created, "team:usa", True)["token"]
    body = {"type": "send_message", "to": ["china"], "text": "Raced"}
    answers: list[httpx.Response] = []

    def post() -> None:
        with bearer(table.server, token) as c:
            answers.append(send(c, table.game, body, idem="race"))

    threads = [threading.Thread(target=post) for _ in range(5)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert [r.status_code for r in answers] == [200] * 5
    assert len({str(r.json()["events"]) for r in answers}) == 1
    assert sum(1 for r in answers if not r.json().get("replayed")) == 1
    texts = [e.get("text") for e in events_of(table.client("control"), table.game)]
    assert texts.count("Raced") == 1


def test_a_key_belongs_to_one_seat(table: Table) -> None:
    started(table)
    usa, russia = table.client("team:usa", True), table.client("team:russia", True)
    ok_usa = send(
        usa, table.game, {"type": "send_message", "to": ["china"], "text": "from usa"}, idem="same"
    )
    ok_russia = send(
        russia,
        table.game,
        {"type": "send_message", "to": ["china"], "text": "from russia"},
        idem="same",
    )
    assert ok_usa.status_code == ok_russia.status_code == 200
    assert "replayed" not in ok_russia.json()
    assert ok_russia.json()["events"][0]["text"] == "from russia"


def test_a_key_belongs_to_one_game(account) -> None:
    """The control account plays several games: its key in one game is no answer in another."""
    games = [create_game(account)["game"] for _ in range(2)]
    answers = [send(account, g, {"type": "start_game"}, idem="start") for g in games]
    assert [r.status_code for r in answers] == [200, 200]
    assert [r.json().get("replayed") for r in answers] == [None, None]
    for g in games:
        assert [e["type"] for e in events_of(account, g)] == ["game_started"]


# -- team members ---------------------------------------------------------------------------


def test_a_team_member_may_draft_and_talk_but_only_the_lead_submits(table: Table) -> None:
    started(table)
    g = table.game
    member, lead = table.client("team:usa", False), table.client("team:usa", True)
    assert member.get(f"{API}/me").json()["lead"] is False

    for body in (
        {"type": "submit_action", "action": "public_diplomacy"},
        {"type": "publish_statement", "text": "We speak for the team"},
        {"type": "open_channel", "members": ["china"]},
    ):
        r = send(member, g, body)
        assert r.status_code == 403, body
        assert error_of(r)["code"] == "lead_only"

    drafted = ok(
        member, g, {"type": "draft_action", "action": "public_diplomacy", "rationale": "draft"}
    )
    said = ok(member, g, {"type": "send_message", "channel": "team:usa", "text": "Shall we?"})
    submitted = ok(lead, g, {"type": "submit_action", "action": "public_diplomacy"})
    assert [e["by"] for e in drafted + said] == ["usa 2", "usa 2"]
    assert submitted[0]["by"] == "usa 1"
    assert [a["team"] for a in view(lead, g)["actions"]] == ["usa"]
    assert [d["by"] for d in view(lead, g)["drafts"]] == ["usa 2"]


def test_a_cookie_session_must_send_the_csrf_header_to_post(table: Table) -> None:
    c = browser(table.server, link(table.created, "control")["token"])
    try:
        csrf = c.headers.pop("X-CSRF-Token")
        assert c.get(f"{API}/games/{table.game}/view").status_code == 200
        path = f"{API}/games/{table.game}/commands"
        for headers in ({}, {"X-CSRF-Token": "forged"}):
            r = c.post(
                path, json={"type": "start_game"}, headers={"Idempotency-Key": key(), **headers}
            )
            assert r.status_code == 403
            assert error_of(r)["code"] == "csrf"
        assert events_of(c, table.game) == []
        r = c.post(
            path,
            json={"type": "start_game"},
            headers={"Idempotency-Key": key(), "X-CSRF-Token": csrf},
        )
        assert r.status_code == 200
        assert r.json()["events"][0]["by"] == "White cell"
    finally:
        c.close()


# -- the stream ---------------------------------------------------------------------------------


def stream(client: httpx.Client, game: str, **headers: str) -> Any:
    return client.stream(
        "GET", f"{API}/games/{game}/stream", headers=headers, timeout=STREAM_TIMEOUT
    )


def up_to(seq: int) -> Any:
    return lambda got: bool(got) and got[-1].id is not None and got[-1].id >= seq


def test_the_stream_numbers_each_event_and_sends_a_seat_only_its_own(table: Table) -> None:
    started(table)  # events 1 and 2, public
    g = table.game
    usa, russia = table.client("team:usa", True), table.client("team:russia", True)
    secret = ok(usa, g, {"type": "submit_action", "action": "back_channel", "target": "china"})
    chat = ok(russia, g, {"type": "send_message", "channel": "team:russia", "text": "Between us"})
    note = ok(usa, g, {"type": "send_message", "to": ["china"], "text": "Hello Beijing"})
    assert [e[0]["seq"] for e in (secret, chat, note)] == [3, 4, 5]
    ok(table.client("control"), g, {"type": "publish_news", "text": "The end of the batch"})
    expected = {"team:usa": [1, 2, 3, 5, 6], "team:russia": [1, 2, 4, 6], "observer": [1, 2, 6]}
    for seat, seqs in expected.items():
        client = table.client(seat)
        with stream(client, g) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            got = SseReader(response).until(up_to(seqs[-1]))
        assert [m.id for m in got] == seqs, seat
        assert [m.data for m in got] == events_of(client, g)
        assert [m.event for m in got] == [m.data["type"] for m in got]


def test_a_reconnect_with_last_event_id_misses_nothing_and_repeats_nothing(table: Table) -> None:
    control = started(table)
    g = table.game
    usa = table.client("team:usa", True)
    first_part = events_of(usa, g)
    with stream(usa, g) as response:
        reader = SseReader(response)
        got = reader.until(up_to(first_part[-1]["seq"]))
        ok(control, g, {"type": "publish_news", "text": "Live news"})
        got += reader.until(lambda more: len(more) == 1)
    assert got[-1].data["text"] == "Live news"
    seen_up_to = got[-1].id
    assert seen_up_to is not None

    # while disconnected: events for usa, for others, and for usa again
    ok(usa, g, {"type": "send_message", "to": ["russia"], "text": "Missed one"})
    ok(
        table.client("team:china", True),
        g,
        {"type": "send_message", "channel": "team:china", "text": "Not yours"},
    )
    ok(control, g, {"type": "publish_news", "text": "Missed two"})
    everything = events_of(usa, g)
    with stream(usa, g, **{"Last-Event-ID": str(seen_up_to)}) as response:
        rest = SseReader(response).until(up_to(everything[-1]["seq"]))
    ids = [m.id for m in got + rest]
    assert ids == [e["seq"] for e in everything]
    assert len(ids) == len(set(ids))
    assert [m.data.get("text") for m in rest] == ["Missed one", "Missed two"]


def test_a_revoked_link_loses_its_stream_and_its_api(table: Table) -> None:
    control = started(table)
    g = table.game
    member = link(table.created, "team:usa", False)
    client = table.client("team:usa", False)
    with stream(client, g) as response:
        reader = SseReader(response)
        reader.until(up_to(events_of(client, g)[-1]["seq"]))
        r = control.post(f"{API}/games/{g}/seats/{member['id']}/revoke")
        assert r.status_code == 200
        ok(control, g, {"type": "publish_news", "text": "After the revocation"})
        try:
            after = reader.until(lambda _: False)  # read to the end
        except httpx.ReadTimeout:
            pytest.fail("the revoked link's stream stayed open")
    assert reader.ended
    assert after == []
    for r in (
        client.get(f"{API}/me"),
        client.get(f"{API}/games/{g}/view"),
        send(client, g, {"type": "send_message", "channel": "team:usa", "text": "still here?"}),
        client.get(f"{API}/games/{g}/stream"),
    ):
        assert r.status_code == 401
        assert error_of(r)["code"] == "revoked"


# -- one vocabulary -------------------------------------------------------------------------


def body_names() -> dict[str, type]:
    return {b.model_fields["type"].annotation.__args__[0]: b for b in BODIES}


def test_every_command_a_seat_may_give_has_an_api_body_of_the_same_name() -> None:
    given = set(cmd.COMMANDS) - set(cmd.INTERNAL)
    assert set(body_names()) - set(API_ONLY) == given


def test_each_body_makes_the_engine_command_it_is_named_for() -> None:
    for name, body in body_names().items():
        assert body.command.type == API_ONLY.get(name, name), name


def test_the_documented_union_holds_every_body() -> None:
    union = CommandBody.__origin__.__args__
    assert set(union) == set(BODIES)


def test_old_names_point_at_commands_that_exist() -> None:
    assert set(cmd.ALIASES.values()) <= set(cmd.COMMANDS)


# -- a key reused for another command -------------------------------------------------------

OFFENSIVE = {"type": "submit_action", "action": "spring_offensive", "target": "ukraine"}
CORRECTED = {"type": "submit_action", "action": "spring_offensive"}


def test_a_key_reused_with_another_body_is_422_and_changes_nothing(table: Table) -> None:
    started(table)
    usa = table.client("team:usa", True)
    first = {"type": "send_message", "to": ["russia"], "text": "First thoughts"}
    assert send(usa, table.game, first, idem="reuse-1").status_code == 200
    before = events_of(usa, table.game)

    other = {"type": "send_message", "to": ["russia"], "text": "Second thoughts"}
    r = send(usa, table.game, other, idem="reuse-1")
    assert r.status_code == 422, r.text
    error = error_of(r)
    assert error["code"] == "idempotency_key_reused"
    assert "different command" in error["message"] and "new key" in error["message"]
    assert set(error["messages"]) == {"en", "ja"}  # type: ignore[arg-type]
    assert "Idempotency-Key" in error["messages"]["ja"]  # type: ignore[index]
    assert "replayed" not in r.json()
    assert events_of(usa, table.game) == before

    # the key still answers the request it was first used for
    again = send(usa, table.game, first, idem="reuse-1")
    assert again.status_code == 200 and again.json()["replayed"] is True
    texts = [e.get("text") for e in events_of(usa, table.game)]
    assert texts.count("First thoughts") == 1 and "Second thoughts" not in texts


def test_after_a_refusal_a_corrected_body_needs_a_new_key_and_then_succeeds(table: Table) -> None:
    started(table)
    russia = table.client("team:russia", True)
    refused = send(russia, table.game, OFFENSIVE, idem="offensive-1")
    assert refused.status_code == 409, refused.text
    assert "takes no target" in error_of(refused)["message"]

    # the corrected body under the refused request's key: not the old refusal again
    reused = send(russia, table.game, CORRECTED, idem="offensive-1")
    assert reused.status_code == 422, reused.text
    assert error_of(reused)["code"] == "idempotency_key_reused"
    assert view(russia, table.game)["actions"] == []

    done = send(russia, table.game, CORRECTED, idem="offensive-2")
    assert done.status_code == 200, done.text
    [action] = view(russia, table.game)["actions"]
    assert action["action"] == "spring_offensive" and action["target"] is None
    # and the refused body, retried with its own key, is still its refusal
    retried = send(russia, table.game, OFFENSIVE, idem="offensive-1")
    assert retried.status_code == 409 and retried.json()["replayed"] is True


def test_a_corrected_form_sent_with_the_refused_forms_key_says_so(table: Table) -> None:
    """The browser's form path answers the same: the reused key's message, in the page's
    language, and not the old refusal."""
    started(table)
    c = browser(table.server, table.token("team:russia", True))
    try:
        path = f"/games/{table.game}/do"
        form = {"csrf": c.csrf, "idempotency_key": "form-offensive", **OFFENSIVE}  # type: ignore[attr-defined]
        r = c.post(path, data=form)
        assert "X-Command-Ok" not in r.headers and "takes no target" in r.text
        del form["target"]
        r = c.post(path, data=form)
        assert r.status_code == 200 and "X-Command-Ok" not in r.headers
        assert "already used for a different command" in r.text
        assert "takes no target" not in r.text
        r = c.post(f"{path}?lang=ja", data=form)
        assert "別のコマンドですでに使われています" in r.text
        assert view(c, table.game)["actions"] == []
        r = c.post(path, data=form | {"idempotency_key": "form-offensive-2"})
        assert r.headers.get("X-Command-Ok") == "1"
        assert len(view(c, table.game)["actions"]) == 1
    finally:
        c.close()


def test_an_answer_stored_before_fingerprints_is_replayed_to_its_key(
    table: Table, shared_server: Any
) -> None:
    """Answers stored before migration 0002 have no fingerprint: their key is answered
    from the store as it always was, whatever the body."""
    import sqlite3

    started(table)
    usa = table.client("team:usa", True)
    body = {"type": "send_message", "to": ["china"], "text": "Before the upgrade"}
    first = send(usa, table.game, body, idem="legacy-1")
    assert first.status_code == 200
    with sqlite3.connect(shared_server.db) as db:  # as the server before 0002 left it
        db.execute("PRAGMA busy_timeout=10000")
        changed = db.execute(
            "UPDATE idempotency SET fingerprint = NULL WHERE key = ? AND principal LIKE ?",
            ("legacy-1", f"%@{table.game}"),
        ).rowcount
    assert changed == 1
    before = events_of(usa, table.game)
    other = {"type": "send_message", "to": ["china"], "text": "After the upgrade"}
    again = send(usa, table.game, other, idem="legacy-1")
    assert again.status_code == 200, again.text
    assert again.json() == first.json() | {"replayed": True}
    assert events_of(usa, table.game) == before
