"""Nothing answered is lost: commands stream in from several seats, the server is killed
with SIGKILL in the middle, restarted on the same database, and every command it had
answered 2xx is in the log exactly once; retried requests apply once; the game goes on.
Run on a SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

import threading
import time
import uuid

import httpx

from tests.web.play import API
from tests.web.process import ServerProcess

TEAMS = ("russia", "usa", "ukraine", "china", "turkey", "europe")


def command(client: httpx.Client, game: str, body: dict, idem: str) -> int | None:
    """The status of one command, or None if the server went away before answering."""
    try:
        r = client.post(
            f"{API}/games/{game}/commands", json=body, headers={"Idempotency-Key": idem}
        )
    except httpx.TransportError:
        return None
    return r.status_code


def test_a_killed_server_loses_no_answered_command_and_applies_none_twice(backend, tmp_path):
    server = ServerProcess(backend, tmp_path).start()
    account = server.control()
    created = account.post(
        f"{API}/games",
        json={"scenario": "ukraine-ceasefire-2025", "people_per_team": 1, "adjudicators": 1},
    ).json()
    game = created["game"]
    tokens = {link["seat"]: link["token"] for link in created["links"]}

    def seat(name: str) -> httpx.Client:
        return httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {tokens[name]}"}, timeout=5
        )

    control = seat("control")
    assert command(control, game, {"type": "start_game"}, uuid.uuid4().hex) == 200
    assert command(control, game, {"type": "open_round", "number": 1}, uuid.uuid4().hex) == 200

    sent: list[tuple[str, str, dict, int | None]] = []  # (team, key, body, status)
    lock = threading.Lock()
    stop = threading.Event()

    def load(team: str) -> None:
        client = seat(f"team:{team}")
        others = [t for t in TEAMS if t != team]
        i = 0
        while not stop.is_set():
            body = {
                "type": "send_message",
                "to": [others[i % 5]],
                "text": f"{team}-{i}-{uuid.uuid4().hex[:6]}",
            }
            key = uuid.uuid4().hex
            status = command(client, game, body, key)
            with lock:
                sent.append((team, key, body, status))
            i += 1
            if status is None:
                time.sleep(0.05)

    workers = [threading.Thread(target=load, args=(team,)) for team in TEAMS]
    for w in workers:
        w.start()
    time.sleep(1.5)
    answered_before = sum(1 for *_, s in sent if s == 200)
    server.kill()
    time.sleep(0.3)
    stop.set()
    for w in workers:
        w.join(timeout=10)
    assert answered_before > 20, "the load reached the server before the kill"

    server.start()  # the same database, the same port
    log = account.get(f"{API}/games/{game}/log")
    assert log.status_code == 200, log.text
    texts = [line for line in log.text.splitlines() if '"message_sent"' in line]

    def count(text: str) -> int:
        return sum(f'"text":"{text}"' in line for line in texts)

    answered = [(t, k, b) for t, k, b, s in sent if s == 200]
    unanswered = [(t, k, b) for t, k, b, s in sent if s is None]
    assert all(count(b["text"]) == 1 for _, _, b in answered)
    assert all(count(b["text"]) <= 1 for _, _, b in unanswered)
    assert {s for *_, s in sent} <= {200, None}

    # a client that got no answer retries with the same key: applied once in all
    for team, key, body in unanswered:
        assert command(seat(f"team:{team}"), game, body, key) == 200
        assert count_after(account, game, body["text"]) == 1
    # and the game goes on
    assert command(control, game, {"type": "close_round", "number": 1}, uuid.uuid4().hex) == 200
    server.stop()


def count_after(account: httpx.Client, game: str, text: str) -> int:
    log = account.get(f"{API}/games/{game}/log").text
    return sum(f'"text":"{text}"' in line for line in log.splitlines())
