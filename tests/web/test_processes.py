"""Several server processes on one PostgreSQL database (``serve --workers 3``): commands
reach the log once and in order whichever process takes them, every stream hears every
event it is entitled to whichever process stored it, a revoked link is shut out by all
processes, and a game created by one is served by the others."""

from __future__ import annotations

import json
import threading
import time
import uuid

import httpx
import pytest

from tests.web.play import API
from tests.web.process import ServerProcess

TEAMS = ("russia", "usa", "ukraine", "china", "turkey", "europe")
LISTENERS = ("control", "adjudicator", "observer", "team:usa", "team:russia")


@pytest.fixture(scope="module")
def server(postgres, tmp_path_factory):
    process = ServerProcess(
        postgres.database(), tmp_path_factory.mktemp("workers"), extra=("--workers", "3")
    ).start()
    yield process
    process.stop()


def fresh_game(server: ServerProcess) -> tuple[str, dict[str, str]]:
    account = server.control()
    r = account.post(f"{API}/games", json={"scenario": "ukraine-ceasefire-2025"})
    assert r.status_code == 201, r.text
    data = r.json()
    return data["game"], {link["seat"]: link["token"] for link in data["links"]}


def seat(server: ServerProcess, token: str) -> httpx.Client:
    """A client of its own (its own connection: the kernel spreads them over processes)."""
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def command(server, token, game, body) -> int:
    with seat(server, token) as c:
        r = c.post(
            f"{API}/games/{game}/commands", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        return r.status_code


def listen(server, token, game, into: list[int], seconds: float) -> None:
    with (
        seat(server, token) as c,
        c.stream(
            "GET",
            f"{API}/games/{game}/stream",
            headers={"Accept": "text/event-stream"},
            timeout=httpx.Timeout(10, read=seconds),
        ) as r,
    ):
        try:
            for line in r.iter_lines():
                if line.startswith("data:"):
                    into.append(json.loads(line[5:])["seq"])
        except httpx.ReadTimeout:
            pass


def entitled(seat_name: str, audience: list[str]) -> bool:
    if seat_name == "control":
        return True
    if "control" in audience:
        return False
    if seat_name == "adjudicator":
        return True
    return "*" in audience or seat_name.removeprefix("team:") in audience


def test_commands_from_every_process_reach_the_log_once_and_every_entitled_stream(server):
    game, tokens = fresh_game(server)
    heard: dict[str, list[int]] = {name: [] for name in LISTENERS}
    streams = [
        threading.Thread(target=listen, args=(server, tokens[name], game, heard[name], 6))
        for name in LISTENERS
    ]
    for s in streams:
        s.start()
    time.sleep(1.0)
    assert command(server, tokens["control"], game, {"type": "start_game"}) == 200
    assert command(server, tokens["control"], game, {"type": "open_round", "number": 1}) == 200
    statuses: list[int] = []

    def talk(team: str) -> None:
        for i in range(12):
            to = [t for t in TEAMS if t != team][i % 5]
            body = {"type": "send_message", "to": [to], "text": f"{team} {i}"}
            status = command(server, tokens[f"team:{team}"], game, body)
            statuses.append(status)

    talkers = [threading.Thread(target=talk, args=(team,)) for team in TEAMS]
    for t in talkers:
        t.start()
    for t in talkers:
        t.join()
    for s in streams:
        s.join()
    assert statuses == [200] * 72  # collisions between processes are decided again, unseen
    with seat(server, tokens["control"]) as c:
        log = [json.loads(line) for line in c.get(f"{API}/games/{game}/log").text.splitlines()[1:]]
    assert [e["seq"] for e in log] == list(range(1, 75))
    for name in LISTENERS:
        want = [e["seq"] for e in log if entitled(name, e["audience"])]
        assert sorted(set(heard[name])) == want, name


def test_a_link_revoked_through_one_process_is_shut_out_by_all(server):
    game, tokens = fresh_game(server)
    account = server.control()
    links = account.get(f"{API}/games/{game}/seats").json()
    usa = next(row for row in links if row["seat"] == "team:usa")
    assert all(
        seat(server, tokens["team:usa"]).get(f"{API}/me").status_code == 200 for _ in range(6)
    )
    assert account.post(f"{API}/games/{game}/seats/{usa['id']}/revoke").status_code == 200
    time.sleep(0.5)
    assert {seat(server, tokens["team:usa"]).get(f"{API}/me").status_code for _ in range(12)} == {
        401
    }


def test_a_game_created_by_one_process_is_served_by_every_process(server):
    game, tokens = fresh_game(server)
    for _ in range(12):
        with seat(server, tokens["observer"]) as c:
            assert c.get(f"{API}/games/{game}/view").status_code == 200
