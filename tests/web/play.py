"""Helpers for the web tests: commands over the API, browser sessions, SSE reading."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.web.server import Server, bearer
from whitecell.web.auth import SEAT_COOKIE

API = "/api/v1"


def key() -> str:
    return uuid.uuid4().hex


def send(
    client: httpx.Client, game: str, body: dict[str, Any], idem: str | None = None
) -> httpx.Response:
    """POST one command with an Idempotency-Key (a fresh one unless given)."""
    return client.post(
        f"{API}/games/{game}/commands", json=body, headers={"Idempotency-Key": idem or key()}
    )


def ok(client: httpx.Client, game: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """Send a command that must be accepted; its events."""
    r = send(client, game, body)
    assert r.status_code == 200, f"{body['type']}: {r.status_code} {r.text}"
    return r.json()["events"]  # type: ignore[no-any-return]


def view(client: httpx.Client, game: str, **params: str) -> dict[str, Any]:
    r = client.get(f"{API}/games/{game}/view", params=params)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def link(created: dict[str, Any], seat: str, lead: bool | None = None) -> dict[str, Any]:
    """The first link of a seat (optionally: the lead's, or a non-lead member's)."""
    for entry in created["links"]:
        if entry["seat"] == seat and (lead is None or entry["lead"] == lead):
            return entry
    raise KeyError(seat)


def create_game(account: httpx.Client, **options: Any) -> dict[str, Any]:
    """A game made through the API by a signed-in control account; its id and join links."""
    r = account.post(f"{API}/games", json={"scenario": "ukraine-ceasefire-2025", **options})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


@dataclass
class Table:
    """The clients of one game: bearer clients for its seats, closed together."""

    server: Server
    created: dict[str, Any]
    clients: dict[tuple[str, bool | None], httpx.Client] = field(default_factory=dict)

    @property
    def game(self) -> str:
        return self.created["game"]  # type: ignore[no-any-return]

    def token(self, seat: str, lead: bool | None = None) -> str:
        return link(self.created, seat, lead)["token"]  # type: ignore[no-any-return]

    def client(self, seat: str, lead: bool | None = None) -> httpx.Client:
        """The bearer client of a seat's first link (a team's lead, or with ``lead=False``
        a member who is not the lead)."""
        found = self.clients.get((seat, lead))
        if found is None:
            found = self.clients[seat, lead] = bearer(self.server, self.token(seat, lead))
        return found

    def close(self) -> None:
        for c in self.clients.values():
            c.close()


def browser(server: Server, token: str) -> httpx.Client:
    """A browser that opened a join link: the seat cookie, and the CSRF header for the API.
    The form field value is in ``client.csrf``."""
    c = httpx.Client(base_url=server.url, timeout=10)
    r = c.get(f"/join/{token}")
    assert r.status_code == 303, r.text
    cookie = c.cookies.get(SEAT_COOKIE)
    assert cookie
    csrf = server.app.state.ctx.signer.csrf(cookie)
    c.headers["X-CSRF-Token"] = csrf
    c.csrf = csrf  # type: ignore[attr-defined]
    return c


def control_browser(server: Server) -> httpx.Client:
    c = server.control()
    c.csrf = c.headers["X-CSRF-Token"]  # type: ignore[attr-defined]
    return c


# -- Server-Sent Events ------------------------------------------------------------


@dataclass
class Sse:
    id: int | None
    event: str
    data: Any


class SseReader:
    """Reads an open text/event-stream response one message at a time."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.iter_lines()
        self.ended = False

    def next(self) -> Sse | None:
        """The next event (comments and retry lines skipped); None when the stream ends."""
        fields: dict[str, str] = {}
        for line in self.lines:
            if line == "":
                if "data" in fields or "event" in fields:
                    data = fields.get("data", "")
                    try:
                        parsed = json.loads(data)
                    except ValueError:
                        parsed = data
                    raw_id = fields.get("id")
                    return Sse(
                        int(raw_id) if raw_id else None, fields.get("event", "message"), parsed
                    )
                fields = {}
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        self.ended = True
        return None

    def until(self, done: Callable[[list[Sse]], bool]) -> list[Sse]:
        """Events until ``done(events so far)`` holds (or the stream ends)."""
        got: list[Sse] = []
        while not done(got):
            item = self.next()
            if item is None:
                break
            got.append(item)
        return got


STREAM_TIMEOUT = httpx.Timeout(10.0, read=5.0)
