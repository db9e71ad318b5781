"""Who may call what: every route of the app against every kind of caller, on a real server.

The rules are one explicit table keyed by (method, path). The table must name every
route the app has: a new route without a rule fails ``test_every_route_has_a_rule``.
Seats call the JSON API with their bearer token and the pages with the cookie their
join link set; the control account uses its signed-in session for both.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.routing import iter_route_contexts

from tests.web.play import API, STREAM_TIMEOUT, create_game, key, link, ok
from tests.web.server import PASSWORD, Server, bearer
from whitecell.web.auth import ACCOUNT_COOKIE, SEAT_COOKIE

SCENARIO = "ukraine-ceasefire-2025"
CALLERS = (
    "control_seat",
    "control_account",
    "adjudicator",
    "team_a",  # usa, the lead
    "team_b",  # russia, the lead
    "member",  # usa, not the lead
    "observer",
    "anonymous",
    "revoked",  # a link of this game that control revoked
    "other_game",  # the control seat of another game
)
SEATED = CALLERS[:7]
NOT_CONTROL = ("adjudicator", "team_a", "team_b", "member", "observer")
TEAMS = ("team_a", "team_b", "member")


def rule(ok: int, **others: int) -> dict[str, int]:
    """``ok`` for every seat of the game; 401 without credentials or with a revoked link;
    404 for a seat of another game (its existence is not revealed); then ``others``."""
    out = dict.fromkeys(SEATED, ok) | {"anonymous": 401, "revoked": 401, "other_game": 404}
    return out | others


def control_only(ok: int = 200, denied: int = 403) -> dict[str, int]:
    return rule(ok, **dict.fromkeys(NOT_CONTROL, denied))


def umpires(ok: int = 200, denied: int = 403) -> dict[str, int]:
    """For control and adjudicators; refused to teams and observers."""
    return rule(ok, **dict.fromkeys(("team_a", "team_b", "member", "observer"), denied))


def studio(ok: int = 200) -> dict[str, int]:
    """The studio: for the signed-in control account; a seat's link, even control's, is
    refused (403), and without credentials 401."""
    return rule(403, control_account=ok, other_game=403)


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(CALLERS, status)


def only(allowed: tuple[str, ...], ok: int = 200, denied: int = 404) -> dict[str, int]:
    """A room panel: ``ok`` for the seats that have it, 404 for the others."""
    return rule(ok, **{c: (ok if c in allowed else denied) for c in SEATED})


@dataclass(frozen=True)
class Case:
    expect: dict[str, int]
    params: dict[str, str] = field(default_factory=dict)  # path parameters besides game
    json: Any = None
    form: dict[str, str] | None = None  # sent with the caller's CSRF field
    stream: bool = False
    label: str = ""
    query: dict[str, str] = field(default_factory=dict)


MESSAGE = {"type": "send_message", "to": ["china"], "text": "From the access matrix"}

RULES: dict[tuple[str, str], list[Case]] = {
    # -- the API's own documentation is public
    ("GET", "/openapi.json"): [Case(everyone(200))],
    ("GET", "/docs"): [Case(everyone(200))],
    ("GET", "/docs/oauth2-redirect"): [Case(everyone(200))],
    ("GET", "/redoc"): [Case(everyone(200))],
    # -- the JSON API
    ("GET", f"{API}/me"): [Case(rule(200, other_game=200))],
    ("POST", f"{API}/games"): [
        Case(rule(403, control_account=201, other_game=403), json={"scenario": SCENARIO})
    ],
    ("GET", f"{API}/games"): [Case(rule(200, other_game=200))],
    ("GET", f"{API}/games/{{game}}/view"): [Case(rule(200))],
    ("GET", f"{API}/games/{{game}}/stream"): [Case(rule(200), stream=True)],
    # adjudicators and observers pass the door; the rules then refuse them a message
    ("POST", f"{API}/games/{{game}}/commands"): [
        Case(rule(200, adjudicator=409, observer=409), json=MESSAGE)
    ],
    ("GET", f"{API}/games/{{game}}/seats"): [Case(control_only())],
    ("POST", f"{API}/games/{{game}}/seats"): [
        Case(control_only(201), json={"seat": "observer", "person": "Guest"})
    ],
    ("POST", f"{API}/games/{{game}}/seats/{{seat_id}}/revoke"): [
        Case(control_only(), params={"seat_id": "spare"})
    ],
    ("POST", f"{API}/games/{{game}}/seats/{{seat_id}}/reissue"): [
        Case(control_only(), params={"seat_id": "spare"})
    ],
    ("GET", f"{API}/games/{{game}}/log"): [Case(control_only())],
    # forecasts: control's alone until control publishes a figure in words
    ("GET", f"{API}/games/{{game}}/forecast"): [Case(control_only())],
    ("POST", f"{API}/games/{{game}}/forecast"): [Case(control_only(202))],
    ("POST", "/games/{game}/forecast"): [Case(control_only(), form={})],
    # no forecast has finished yet: control is told so next to the form (200, in words)
    ("POST", "/games/{game}/forecast/publish"): [
        Case(control_only(), form={"outcome": "ceasefire_holding_at_end"})
    ],
    # the server's queue of background work: control's; only the game's own jobs may be
    # cancelled there (a designer's trial is not this game's: 404, told in words on a page)
    ("GET", f"{API}/games/{{game}}/background"): [Case(control_only())],
    ("DELETE", f"{API}/games/{{game}}/background/{{job}}"): [
        Case(control_only(404), params={"job": "trial"})
    ],
    ("POST", "/games/{game}/background/{job}/cancel"): [
        Case(control_only(), params={"job": "trial"}, form={})
    ],
    # the model's draft odds: for the umpires (control and adjudicators); this server has
    # no model, so they are told so (test_llm_web.py has the same rule with a model)
    ("POST", f"{API}/games/{{game}}/actions/{{uid}}/draft"): [
        Case(umpires(422), params={"uid": "a1"})
    ],
    # -- the scenario studio: the signed-in control account's own shelf, nobody else's
    ("GET", f"{API}/scenarios"): [Case(studio())],
    ("POST", f"{API}/scenarios"): [Case(studio(201), json={"from": "skeleton"})],
    ("GET", f"{API}/scenarios/{{scenario}}/versions"): [
        Case(studio(), params={"scenario": "shelved"})
    ],
    ("GET", f"{API}/scenarios/{{scenario}}/versions/{{number}}"): [
        Case(studio(), params={"scenario": "shelved", "number": "1"})
    ],
    ("GET", f"{API}/scenarios/{{scenario}}/versions/{{number}}/yaml"): [
        Case(studio(), params={"scenario": "shelved", "number": "1"})
    ],
    ("PUT", f"{API}/scenarios/{{scenario}}/versions/{{number}}"): [
        Case(
            studio(201),
            params={"scenario": "shelved", "number": "2"},
            json={"yaml": "meta: {}\n", "message": "from the access matrix"},
        )
    ],
    ("POST", f"{API}/scenarios/{{scenario}}/trials"): [
        Case(studio(202), params={"scenario": "shelved"}, json={"runs": 1, "version": 1})
    ],
    ("POST", f"{API}/scenarios/validate"): [Case(studio(), json={"yaml": "meta: {}\n"})],
    ("GET", f"{API}/jobs"): [Case(studio())],
    ("GET", f"{API}/jobs/{{job}}"): [Case(studio(), params={"job": "trial"})],
    # the world's trial has finished: its owner hears so (409), everyone else is refused
    ("DELETE", f"{API}/jobs/{{job}}"): [Case(studio(409), params={"job": "trial"})],
    ("POST", "/studio/{scenario}/trials"): [
        Case(studio(303), params={"scenario": "shelved"}, form={"runs": "1", "version": "1"})
    ],
    ("GET", "/studio/{scenario}/edit"): [Case(studio(), params={"scenario": "shelved"})],
    # a save from a version long gone: 409, the text kept in the editor
    ("POST", "/studio/{scenario}/edit"): [
        Case(
            studio(409), params={"scenario": "shelved"}, form={"yaml": "meta: {}\n", "base": "999"}
        )
    ],
    ("GET", "/studio/{scenario}/form"): [
        Case(studio(), params={"scenario": "shelved"}, query={"version": "1"})
    ],
    ("POST", "/studio/{scenario}/form/check"): [
        Case(studio(), params={"scenario": "shelved"}, form={"origin": "1"})
    ],
    ("POST", "/studio/{scenario}/form"): [
        Case(studio(409), params={"scenario": "shelved"}, form={"origin": "1", "base": "999"})
    ],
    ("GET", "/studio/{scenario}/play"): [
        Case(studio(), params={"scenario": "shelved"}, query={"version": "1", "seed": "7"})
    ],
    ("GET", "/studio/{scenario}/play/report"): [
        Case(studio(), params={"scenario": "shelved"}, query={"version": "1", "seed": "7"})
    ],
    # the shared server has no model server: the control account hears what it needs
    ("POST", "/studio/{scenario}/form/translate"): [
        Case(studio(422), params={"scenario": "shelved"}, form={"origin": "1"})
    ],
    ("GET", "/studio/jobs/{job}"): [Case(studio(), params={"job": "trial"})],
    ("POST", "/studio/jobs/{job}/cancel"): [Case(studio(303), params={"job": "trial"}, form={})],
    ("GET", "/studio"): [Case(studio())],
    ("GET", "/studio/odds"): [
        Case(studio(), query={"scenario": "ukraine-ceasefire-2025"}, label="bundled")
    ],
    ("GET", "/studio/{scenario}"): [Case(studio(), params={"scenario": "shelved"})],
    ("POST", "/studio/{scenario}/restore"): [
        Case(studio(303), params={"scenario": "shelved"}, form={"number": "1"})
    ],
    ("GET", f"{API}/scenarios/{{scenario}}/diff"): [
        Case(studio(), params={"scenario": "shelved"}, query={"from": "1", "to": "1"})
    ],
    ("POST", "/studio/scenarios"): [Case(studio(303), form={"from": "skeleton"})],
    # -- pages
    ("GET", "/"): [
        Case(rule(303, control_account=200, anonymous=200, revoked=200, other_game=303))
    ],
    ("POST", "/setup"): [Case(everyone(409), form={"name": "intruder", "password": "x" * 12})],
    ("GET", "/login"): [Case(everyone(200))],
    ("POST", "/login"): [Case(everyone(401), form={"name": "control", "password": "wrong guess"})],
    # signing out needs the session's CSRF token, which a caller without a session lacks
    ("POST", "/logout"): [Case(rule(303, anonymous=403, revoked=303, other_game=303), form={})],
    ("POST", "/games"): [
        Case(rule(403, control_account=200, other_game=403), form={"scenario": SCENARIO})
    ],
    ("GET", "/join/{token}"): [Case(everyone(303), params={"token": "spare_join"})],
    ("GET", "/games/{game}"): [Case(rule(200))],
    ("GET", "/games/{game}/panel/{name}"): [
        Case(rule(200), params={"name": "clock"}, label="clock"),
        Case(rule(200), params={"name": "state"}, label="state"),
        Case(only(("control_seat", "control_account")), params={"name": "seats"}, label="seats"),
        Case(only(("control_seat", "control_account")), params={"name": "log"}, label="log"),
        Case(only(("control_seat", "control_account")), params={"name": "queue"}, label="queue"),
        Case(
            only(("control_seat", "control_account", "adjudicator")),
            params={"name": "desk"},
            label="desk",
        ),
        Case(only(TEAMS), params={"name": "brief"}, label="brief"),
        Case(only(TEAMS), params={"name": "act"}, label="act"),
        Case(only(TEAMS), params={"name": "proposals"}, label="proposals"),
        Case(
            only(("control_seat", "control_account", *TEAMS)),
            params={"name": "talks"},
            label="talks",
        ),
        Case(only(("adjudicator", *TEAMS, "observer")), params={"name": "story"}, label="story"),
        Case(only(("control_seat", "control_account")), params={"name": "teams"}, label="teams"),
        Case(
            only(("control_seat", "control_account")),
            params={"name": "negotiation"},
            label="negotiation",
        ),
        Case(
            only(("control_seat", "control_account")), params={"name": "injects"}, label="injects"
        ),
        Case(
            only(("control_seat", "control_account")),
            params={"name": "forecast"},
            label="forecast",
        ),
        Case(
            only(("control_seat", "control_account", *TEAMS)),
            params={"name": "advisors"},
            label="advisors",
        ),
        Case(rule(200), params={"name": "announce"}, label="announce"),
        Case(rule(200), params={"name": "room"}, label="room"),
        Case(only(()), params={"name": "nonsense"}, label="nonsense"),
    ],
    ("GET", "/games/{game}/live"): [Case(rule(200), stream=True)],
    ("POST", "/games/{game}/do"): [
        Case(rule(200), form={"type": "send_message", "to": "china", "text": "From a form"})
    ],
    # the desk's "Draft with the model": a flash message for the umpires (here: no model)
    ("POST", "/games/{game}/draft"): [Case(umpires(200), form={"uid": "a1"})],
    # a person's own name when they first open their link (an account has no link: told so)
    ("POST", "/games/{game}/name"): [Case(rule(200), form={"person": "Ana"})],
    ("POST", "/games/{game}/links"): [
        Case(control_only(), form={"action": "add", "seat": "observer", "person": "Guest"})
    ],
    ("GET", "/games/{game}/export.{fmt}"): [
        Case(control_only(), params={"fmt": "csv"}, label="csv"),
        Case(control_only(), params={"fmt": "xlsx"}, label="xlsx"),
        Case(control_only(), params={"fmt": "jsonl"}, label="jsonl"),
        Case(control_only(404), params={"fmt": "pdf"}, label="pdf"),
    ],
    # control reads the report at any time; the others read the public version once the
    # game has ended (this game has not: see test_the_report_of_an_ended_game_...)
    ("GET", "/games/{game}/report"): [
        Case(control_only(), label="default"),
        Case(control_only(), query={"audience": "public"}, label="public"),
        Case(control_only(), query={"audience": "control", "format": "md"}, label="control md"),
        Case(rule(422), query={"format": "docx"}, label="bad format"),
        Case(rule(422), query={"lang": "fr"}, label="bad lang"),
        Case(rule(422), query={"audience": "everyone"}, label="bad audience"),
    ],
}


@dataclass
class Credentials:
    api_headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""


@dataclass
class World:
    """One game with a caller of every kind, and another game."""

    server: Server
    game: str
    callers: dict[str, Credentials]
    params: dict[str, str]
    client: httpx.Client

    def call(self, method: str, path: str, case: Case, caller: str) -> int:
        creds = self.callers[caller]
        values = {k: self.params.get(v, v) for k, v in case.params.items()}
        url = path.format(game=self.game, **values)
        headers = dict(creds.api_headers) if url.startswith(API) else {}
        self.client.cookies.clear()
        for name, value in creds.cookies.items():
            self.client.cookies.set(name, value)
        if url.endswith("/commands"):
            headers["Idempotency-Key"] = key()
        data = None if case.form is None else case.form | {"csrf": creds.csrf}
        request = self.client.build_request(
            method, url, params=case.query, headers=headers, json=case.json, data=data
        )
        if case.stream:
            response = self.client.send(request, stream=True)
            response.close()
            return response.status_code
        return self.client.send(request).status_code


def seat_cookie(server: Server, token: str) -> str:
    with httpx.Client(base_url=server.url, timeout=10) as c:
        assert c.get(f"/join/{token}").status_code == 303
        cookie = c.cookies.get(SEAT_COOKIE)
    assert cookie
    return cookie


def seat_credentials(server: Server, token: str) -> Credentials:
    cookie = seat_cookie(server, token)
    return Credentials(
        api_headers={"Authorization": f"Bearer {token}"},
        cookies={SEAT_COOKIE: cookie},
        csrf=server.app.state.ctx.signer.csrf(cookie),
    )


def seated_world(server: Server, account: httpx.Client, *, ended: bool = False) -> Iterator[World]:
    """A started game (ended too if ``ended``) with a caller of every kind."""
    created = create_game(account, people_per_team=2, adjudicators=1)
    game = created["game"]
    ok(account, game, {"type": "start_game"})
    if ended:
        ok(account, game, {"type": "end_game"})

    def add_seat(seat: str, person: str) -> dict[str, str]:
        r = account.post(f"{API}/games/{game}/seats", json={"seat": seat, "person": person})
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    spare, spare_join, leaver = (add_seat("observer", n) for n in ("Spare", "Joiner", "Leaver"))
    other = create_game(account)
    account_cookie = account.cookies[ACCOUNT_COOKIE]
    callers = {
        "control_seat": seat_credentials(server, link(created, "control")["token"]),
        "control_account": Credentials(
            api_headers={"X-CSRF-Token": account.headers["X-CSRF-Token"]},
            cookies={ACCOUNT_COOKIE: account_cookie},
            csrf=account.headers["X-CSRF-Token"],
        ),
        "adjudicator": seat_credentials(server, link(created, "adjudicator")["token"]),
        "team_a": seat_credentials(server, link(created, "team:usa", True)["token"]),
        "team_b": seat_credentials(server, link(created, "team:russia", True)["token"]),
        "member": seat_credentials(server, link(created, "team:usa", False)["token"]),
        "observer": seat_credentials(server, link(created, "observer")["token"]),
        "anonymous": Credentials(),
        "revoked": seat_credentials(server, leaver["token"]),
        "other_game": seat_credentials(server, link(other, "control")["token"]),
    }
    r = account.post(f"{API}/games/{game}/seats/{leaver['id']}/revoke")
    assert r.status_code == 200
    shelved = account.post(f"{API}/scenarios", json={"from": "skeleton"})
    assert shelved.status_code == 201, shelved.text
    params = {"spare": spare["id"], "spare_join": spare_join["token"]}
    params["shelved"] = shelved.json()["id"]
    tried = account.post(f"{API}/scenarios/{params['shelved']}/trials", json={"runs": 1})
    assert tried.status_code == 202, tried.text
    params["trial"] = tried.json()["id"]
    for _ in range(600):  # a finished trial, so that every caller meets the same state
        if account.get(f"{API}/jobs/{params['trial']}").json()["status"] == "done":
            break
        time.sleep(0.1)
    with httpx.Client(base_url=server.url, timeout=STREAM_TIMEOUT) as client:
        yield World(server, game, callers, params, client)


@pytest.fixture(scope="module")
def world(shared_server, account) -> Iterator[World]:
    yield from seated_world(shared_server, account)


@pytest.fixture(scope="module")
def ended_world(shared_server, account) -> Iterator[World]:
    yield from seated_world(shared_server, account, ended=True)


MATRIX = [
    pytest.param(
        method, path, case, caller, id=f"{method} {path} {case.label} {caller}".replace("  ", " ")
    )
    for (method, path), cases in RULES.items()
    for case, caller in itertools.product(cases, CALLERS)
]


def routes_of(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every route, the routers' included; HEAD answers as GET, and
    mounts serve static files."""
    return {
        (method, route.path)
        for route in iter_route_contexts(app.routes)
        for method in (getattr(route, "methods", None) or set()) - {"HEAD"}
    }


def test_every_route_has_a_rule(shared_server) -> None:
    routes = routes_of(shared_server.app)
    assert sorted(routes - RULES.keys()) == [], "every route needs a rule in RULES"
    assert sorted(RULES.keys() - routes) == [], "a rule for a route the app no longer has"
    for cases in RULES.values():
        for case in cases:
            assert set(case.expect) == set(CALLERS)


@pytest.mark.parametrize(("method", "path", "case", "caller"), MATRIX)
def test_each_route_answers_each_caller_by_its_rule(
    world: World, method: str, path: str, case: Case, caller: str
) -> None:
    assert world.call(method, path, case, caller) == case.expect[caller]


# -- the report once the game has ended --------------------------------------------------

REPORT = ("GET", "/games/{game}/report")
ENDED_REPORT = [
    # every seat of the game reads a report: control the full one, the others the public one
    Case(rule(200), label="default"),
    Case(rule(200), query={"audience": "public", "format": "md"}, label="public md"),
    Case(control_only(), query={"audience": "control"}, label="full"),
    Case(rule(422), query={"format": "docx"}, label="bad format"),
]


@pytest.mark.parametrize(
    ("case", "caller"),
    [
        pytest.param(case, caller, id=f"{case.label} {caller}")
        for case, caller in itertools.product(ENDED_REPORT, CALLERS)
    ],
)
def test_the_report_of_an_ended_game_answers_each_caller_by_its_rule(
    ended_world: World, case: Case, caller: str
) -> None:
    assert ended_world.server.app.state.ctx.hub.games[ended_world.game].state.ended
    assert ended_world.call(*REPORT, case, caller) == case.expect[caller]


# -- denials in detail ----------------------------------------------------------------


def test_a_game_of_another_seat_looks_exactly_like_a_game_that_does_not_exist(
    shared_server, account
) -> None:
    mine, theirs = create_game(account), create_game(account)
    with bearer(shared_server, link(mine, "control")["token"]) as c:
        for path in ("view", "seats", "log"):
            elsewhere = c.get(f"{API}/games/{theirs['game']}/{path}")
            nowhere = c.get(f"{API}/games/nosuchgame/{path}")
            assert elsewhere.status_code == nowhere.status_code == 404
            assert elsewhere.json()["error"]["code"] == nowhere.json()["error"]["code"]
            assert theirs["game"] not in str(c.get(f"{API}/games").json())


def test_a_seat_lists_only_its_own_game_and_the_account_lists_all(shared_server, account) -> None:
    first, second = create_game(account), create_game(account)
    with bearer(shared_server, link(first, "team:usa")["token"]) as c:
        assert [g["id"] for g in c.get(f"{API}/games").json()] == [first["game"]]
    listed = {g["id"] for g in account.get(f"{API}/games").json()}
    assert {first["game"], second["game"]} <= listed


def test_control_cannot_revoke_or_reissue_a_link_of_another_game(shared_server, account) -> None:
    mine, theirs = create_game(account), create_game(account)
    victim = link(theirs, "team:usa")
    with bearer(shared_server, link(mine, "control")["token"]) as c:
        for action in ("revoke", "reissue"):
            r = c.post(f"{API}/games/{mine['game']}/seats/{victim['id']}/{action}")
            assert r.status_code == 404
            assert r.json()["error"]["code"] == "no_seat"
    with bearer(shared_server, victim["token"]) as c:
        assert c.get(f"{API}/me").status_code == 200


def test_a_reissued_link_shuts_out_the_old_link_and_its_sessions(shared_server, account) -> None:
    created = create_game(account)
    game, seat = created["game"], link(created, "team:usa")
    old_cookie = seat_cookie(shared_server, seat["token"])
    r = account.post(f"{API}/games/{game}/seats/{seat['id']}/reissue")
    assert r.status_code == 200
    new_token = r.json()["token"]
    with bearer(shared_server, seat["token"]) as c:
        assert c.get(f"{API}/me").status_code == 401
    with bearer(shared_server, new_token) as c:
        assert c.get(f"{API}/me").json()["seat"] == "team:usa"
    with httpx.Client(base_url=shared_server.url, timeout=10) as c:
        c.cookies.set(SEAT_COOKIE, old_cookie)
        assert c.get(f"{API}/games/{game}/view").status_code == 401
        assert c.get(f"/games/{game}").status_code == 401


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic Y29udHJvbDpwYXNz"},
        {"Authorization": "Bearer"},
    ],
    ids=["unknown-token", "wrong-scheme", "empty-token"],
)
def test_a_bad_authorization_header_is_401(shared_server, headers: dict[str, str]) -> None:
    with httpx.Client(base_url=shared_server.url, headers=headers, timeout=10) as c:
        r = c.get(f"{API}/me")
    assert r.status_code == 401
    assert {"code", "message"} <= set(r.json()["error"])


def test_a_forged_session_cookie_is_no_session(shared_server, account) -> None:
    created = create_game(account)
    seat_id = link(created, "control")["id"]
    with httpx.Client(base_url=shared_server.url, timeout=10) as c:
        for name, value in (
            (SEAT_COOKIE, f"{seat_id}.forged"),
            (ACCOUNT_COOKIE, "x.y"),
            (SEAT_COOKIE, seat_id),
        ):
            c.cookies.clear()
            c.cookies.set(name, value)
            assert c.get(f"{API}/games/{created['game']}/view").status_code == 401
            assert c.get(f"/games/{created['game']}").status_code == 401


def test_the_control_password_is_checked(shared_server) -> None:
    with httpx.Client(base_url=shared_server.url, timeout=10) as c:
        assert (
            c.post("/login", data={"name": "control", "password": PASSWORD + "!"}).status_code
            == 401
        )
        assert ACCOUNT_COOKIE not in c.cookies
        assert c.post("/login", data={"name": "nobody", "password": PASSWORD}).status_code == 401
        assert c.post(f"{API}/games", json={"scenario": SCENARIO}).status_code == 401
