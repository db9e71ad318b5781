"""A server stopped mid-game and started again on the same database carries on the game."""

from __future__ import annotations

import httpx

from tests.web.play import (
    API,
    STREAM_TIMEOUT,
    SseReader,
    browser,
    create_game,
    link,
    ok,
    send,
    view,
)
from tests.web.server import Server, bearer

SEATS = ("control", "adjudicator", "team:usa", "team:russia", "observer")


def test_a_game_carries_on_after_a_restart_on_the_same_database(server) -> None:
    created = server.create_game(people_per_team=2)
    g = created["game"]
    tokens = {
        seat: link(created, seat, True if seat.startswith("team:") else None)["token"]
        for seat in SEATS
    }
    member = link(created, "team:usa", False)
    clients = {seat: bearer(server, token) for seat, token in tokens.items()}
    control, usa, russia = clients["control"], clients["team:usa"], clients["team:russia"]
    ok(control, g, {"type": "start_game"})
    ok(control, g, {"type": "open_round", "number": 1, "minutes": 45})
    submitted = send(
        usa, g, {"type": "submit_action", "action": "public_diplomacy"}, idem="usa-submit"
    )
    assert submitted.status_code == 200
    refused = send(
        usa, g, {"type": "send_message", "to": ["usa"], "text": "me"}, idem="usa-refused"
    )
    assert refused.status_code == 409
    ok(russia, g, {"type": "send_message", "channel": "team:russia", "text": "Before the restart"})
    ok(usa, g, {"type": "submit_action", "action": "back_channel", "target": "china"})
    assert control.post(f"{API}/games/{g}/seats/{member['id']}/revoke").status_code == 200
    room = browser(server, tokens["team:usa"])
    cookies = dict(room.cookies)
    room.close()
    before = {seat: view(c, g) for seat, c in clients.items()}
    last = before["control"]["events"][-1]["seq"]
    for c in clients.values():
        c.close()

    server.stop()
    again = Server(server.db).start()
    try:
        clients = {seat: bearer(again, token) for seat, token in tokens.items()}
        control, usa, adjudicator = clients["control"], clients["team:usa"], clients["adjudicator"]

        # the same views, event for event
        for seat, c in clients.items():
            assert view(c, g) == before[seat], seat

        # answers given before the restart are still answers, and nothing applies twice
        retried = send(
            usa, g, {"type": "submit_action", "action": "public_diplomacy"}, idem="usa-submit"
        )
        assert retried.status_code == 200 and retried.json()["replayed"] is True
        assert retried.json()["events"] == submitted.json()["events"]
        retried = send(
            usa, g, {"type": "send_message", "to": ["usa"], "text": "me"}, idem="usa-refused"
        )
        assert retried.status_code == 409 and retried.json()["error"] == refused.json()["error"]
        assert view(control, g)["events"][-1]["seq"] == last

        # a revoked link stays revoked; a browser session stays signed in
        with bearer(again, member["token"]) as c:
            assert c.get(f"{API}/me").status_code == 401
        with httpx.Client(base_url=again.url, cookies=cookies, timeout=10) as c:
            assert c.get(f"/games/{g}").status_code == 200

        # play goes on, numbered after the events from before
        uid = submitted.json()["events"][0]["uid"]
        assessed = ok(adjudicator, g, {"type": "assess", "uid": uid, "probability": 0.6})
        assert assessed[0]["seq"] == last + 1
        ok(adjudicator, g, {"type": "roll", "uid": uid})
        ok(
            adjudicator,
            g,
            {"type": "publish_outcome", "uid": uid, "public_text": "After the restart"},
        )
        secret = next(a for a in view(control, g)["actions"] if a["action"] == "back_channel")
        ok(adjudicator, g, {"type": "assess", "uid": secret["uid"], "probability": 0.4})
        ok(adjudicator, g, {"type": "roll", "uid": secret["uid"]})
        ok(adjudicator, g, {"type": "publish_outcome", "uid": secret["uid"]})
        ok(control, g, {"type": "close_round", "number": 1})
        events = view(control, g)["events"]
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))

        # a stream resumes where the seat left off before the restart
        russia = clients["team:russia"]
        seen_before = before["team:russia"]["events"][-1]["seq"]
        expected = [e["seq"] for e in view(russia, g)["events"] if e["seq"] > seen_before]
        headers = {"Last-Event-ID": str(seen_before)}
        with russia.stream(
            "GET", f"{API}/games/{g}/stream", headers=headers, timeout=STREAM_TIMEOUT
        ) as r:
            got = SseReader(r).until(lambda got: bool(got) and got[-1].id == expected[-1])
        assert [m.id for m in got] == expected
        for c in clients.values():
            c.close()
    finally:
        again.stop()


def test_an_automated_player_takes_its_turn_once_a_round_across_a_restart(server) -> None:
    """An agent acts once per round. Games with several seeds, so that in some of them the
    agent holds back an action it was allowed: after the restart it must not take it."""
    control = server.control()
    games = [create_game(control, seed=seed) for seed in range(10)]
    for created in games:
        g = created["game"]
        ok(control, g, {"type": "start_game"})
        ok(control, g, {"type": "seat_agent", "team": "china"})
        ok(control, g, {"type": "open_round", "number": 1})  # the agent acts now
    acted = {c["game"]: china_actions(control, c["game"]) for c in games}
    assert any(n < 2 for n in acted.values()), "no game where the agent held back"
    control.close()

    server.stop()
    again = Server(server.db).start()
    try:
        control = again.control()
        for g in acted:
            ok(control, g, {"type": "publish_news", "text": "Something happens"})
        assert {g: china_actions(control, g) for g in acted} == acted
        control.close()
    finally:
        again.stop()


def china_actions(client: httpx.Client, game: str) -> int:
    return sum(1 for a in view(client, game)["actions"] if a["team"] == "china")
