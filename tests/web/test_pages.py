"""The pages as HTML from a real server: join links, rooms, escaping, forms, uploads,
languages, exports and the first start."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from importlib import resources

import httpx
import pytest
import sqlalchemy as sa
import yaml
from markupsafe import escape
from openpyxl import load_workbook

from tests.web.play import API, Table, browser, create_game, link, ok, view
from tests.web.server import PASSWORD
from whitecell.engine import events as ev
from whitecell.scenario.library import load_bundled
from whitecell.store import tables
from whitecell.web.auth import ACCOUNT_COOKIE, LANG_COOKIE, SEAT_COOKIE
from whitecell.web.exports import EXPORT_HEADER
from whitecell.web.rooms import PANELS

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
MARKUP = "[/bold] [link=x] \\"  # rich markup, which the story's narration must not read
SCENARIO_FILE = resources.files("whitecell.scenario") / "library" / "ukraine-ceasefire-2025.yaml"
SCENARIO = yaml.safe_load(SCENARIO_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def table(shared_server, account) -> Iterator[Table]:
    t = Table(shared_server, create_game(account, people_per_team=2, adjudicators=1))
    try:
        yield t
    finally:
        t.close()


def set_cookie_headers(r: httpx.Response, name: str) -> list[str]:
    return [h for h in r.headers.get_list("set-cookie") if h.startswith(f"{name}=")]


def room_and_panels(c: httpx.Client, game: str, kind: str) -> dict[str, str]:
    pages = {"room": c.get(f"/games/{game}")}
    pages |= {name: c.get(f"/games/{game}/panel/{name}") for name in PANELS[kind]}
    for name, r in pages.items():
        assert r.status_code == 200, f"{kind} {name}: {r.status_code}"
        assert r.headers["content-type"].startswith("text/html")
    return {name: r.text for name, r in pages.items()}


def normal(text: str) -> str:
    return " ".join(text.split())


# -- joining -----------------------------------------------------------------------------------


def test_a_join_link_sets_an_http_only_same_site_cookie_and_opens_the_room(table: Table) -> None:
    with httpx.Client(base_url=table.server.url, timeout=10) as c:
        r = c.get(f"/join/{table.token('team:usa')}")
        assert r.status_code == 303
        assert r.headers["location"] == f"/games/{table.game}"
        [cookie] = set_cookie_headers(r, SEAT_COOKIE)
        flags = {part.strip().lower() for part in cookie.split(";")}
        assert "httponly" in flags
        assert "samesite=lax" in flags or "samesite=strict" in flags
        room = c.get(r.headers["location"])
        assert room.status_code == 200
        assert "United States" in room.text and "usa 1" in room.text


def test_a_revoked_or_unknown_join_link_is_refused_and_sets_no_cookie(
    table: Table, account
) -> None:
    member = link(table.created, "team:usa", False)
    r = account.post(f"{API}/games/{table.game}/seats/{member['id']}/revoke")
    assert r.status_code == 200
    with httpx.Client(base_url=table.server.url, timeout=10) as c:
        for token, status in ((member["token"], 401), ("no-such-token", 401)):
            r = c.get(f"/join/{token}")
            assert r.status_code == status
            assert r.headers["content-type"].startswith("text/html")
            assert not set_cookie_headers(r, SEAT_COOKIE)


def test_signing_in_sets_an_http_only_same_site_account_cookie(shared_server) -> None:
    with httpx.Client(base_url=shared_server.url, timeout=10) as c:
        r = c.post("/login", data={"name": "control", "password": PASSWORD})
        assert r.status_code == 303
        [cookie] = set_cookie_headers(r, ACCOUNT_COOKIE)
        flags = {part.strip().lower() for part in cookie.split(";")}
        assert "httponly" in flags and "samesite=lax" in flags


# -- what each room shows ----------------------------------------------------------------------


@pytest.mark.parametrize("team", [t["id"] for t in SCENARIO["teams"]])
def test_a_team_room_shows_its_brief_and_private_objectives_and_no_one_elses(
    table: Table, team: str
) -> None:
    own = next(t for t in SCENARIO["teams"] if t["id"] == team)
    others = [
        o["en"] for t in SCENARIO["teams"] if t["id"] != team for o in t["private_objectives"]
    ]
    c = browser(table.server, table.token(f"team:{team}"))
    try:
        pages = room_and_panels(c, table.game, "team")
        seen = normal(html.unescape(pages["room"]))
        brief = normal(html.unescape(pages["brief"]))
        for text in (own["brief"]["en"], *(o["en"] for o in own["private_objectives"])):
            assert normal(text) in seen and normal(text) in brief
        for name, page in pages.items():
            for secret in others:
                assert secret not in html.unescape(page), (name, secret)
        teams = {t["id"]: t for t in view(c, table.game)["teams"]}
        assert teams[team]["private_objectives"]
        assert [t for t, e in teams.items() if "private_objectives" in e or "brief" in e] == [team]
    finally:
        c.close()


def test_an_observer_room_shows_no_private_objectives(table: Table) -> None:
    secrets = [o["en"] for t in SCENARIO["teams"] for o in t["private_objectives"]]
    c = browser(table.server, table.token("observer"))
    try:
        for name, page in room_and_panels(c, table.game, "observer").items():
            for secret in secrets:
                assert secret not in html.unescape(page), (name, secret)
    finally:
        c.close()


# -- user text is escaped everywhere -----------------------------------------------------------


def test_user_text_is_escaped_in_every_page_and_panel(shared_server, account) -> None:
    created = create_game(account, title=f"War game {SCRIPT}", people_per_team=1)
    t = Table(shared_server, created)
    g = t.game
    control, usa = t.client("control"), t.client("team:usa")
    r = control.post(f"{API}/games/{g}/seats", json={"seat": "team:usa", "person": f"Aide {IMG}"})
    assert r.status_code == 201
    aide = httpx.Client(
        base_url=shared_server.url, headers={"Authorization": f"Bearer {r.json()['token']}"}
    )
    try:
        ok(control, g, {"type": "start_game"})
        ok(control, g, {"type": "open_round", "number": 1})
        ok(usa, g, {"type": "send_message", "to": ["russia"], "text": f"Direct {SCRIPT}"})
        ok(aide, g, {"type": "send_message", "channel": "team:usa", "text": f"Chat {IMG} {MARKUP}"})
        ok(aide, g, {"type": "draft_action", "action": "public_diplomacy", "rationale": IMG})
        ok(usa, g, {"type": "submit_action", "action": "public_diplomacy", "rationale": IMG})
        free = ok(
            usa,
            g,
            {
                "type": "submit_action",
                "action": "free",
                "instrument": "information",
                "description": f"Leaflets {SCRIPT} {MARKUP}",
                "rationale": f"Because {IMG}",
            },
        )[0]["uid"]
        adjudicator = t.client("adjudicator")
        ok(adjudicator, g, {"type": "assess", "uid": free, "probability": 0.5, "rationale": SCRIPT})
        ok(adjudicator, g, {"type": "roll", "uid": free})
        ok(
            adjudicator,
            g,
            {
                "type": "publish_outcome",
                "uid": free,
                "public_text": f"Outcome {SCRIPT}",
                "private_text": f"Result {IMG}",
            },
        )
        ok(usa, g, {"type": "publish_statement", "text": f"Statement {SCRIPT} {MARKUP}"})
        ok(control, g, {"type": "publish_news", "text": f"News {IMG} {MARKUP}"})
        shown: dict[tuple[str, str], str] = {}
        for seat, kind in (
            ("control", "control"),
            ("adjudicator", "adjudicator"),
            ("team:usa", "team"),
            ("team:russia", "team"),
            ("observer", "observer"),
        ):
            c = browser(shared_server, t.token(seat))
            try:
                for name, page in room_and_panels(c, g, kind).items():
                    shown[seat, name] = page
            finally:
                c.close()
        for (seat, name), page in shown.items():
            assert SCRIPT not in page and "<img src=x" not in page, (seat, name)
        expected = {
            ("team:usa", "room"): [SCRIPT],  # the title
            ("team:usa", "talks"): [f"Direct {SCRIPT}", f"Chat {IMG}", f"Aide {IMG}"],
            ("team:usa", "act"): [IMG],
            ("team:russia", "talks"): [f"Direct {SCRIPT}"],
            ("team:usa", "story"): [f"Leaflets {SCRIPT}", f"Result {IMG}", SCRIPT],
            ("observer", "story"): [
                f"Statement {SCRIPT}",
                f"News {IMG}",
                f"Leaflets {SCRIPT}",
                f"Outcome {SCRIPT}",
            ],
            ("control", "desk"): [IMG],
            ("control", "seats"): [f"Aide {IMG}"],
            ("control", "log"): [SCRIPT],
            ("adjudicator", "desk"): [IMG],
        }
        for (seat, name), texts in expected.items():
            for text in texts:
                assert str(escape(text)) in shown[seat, name], (seat, name, text)
        assert "Chat" in html.unescape(shown["team:usa", "talks"])
        assert MARKUP in html.unescape(shown["observer", "story"])
    finally:
        aide.close()
        t.close()


def test_a_refused_form_command_shows_its_reason_escaped(table: Table) -> None:
    c = browser(table.server, table.token("control"))
    try:
        form = {"csrf": c.csrf, "type": "send_message", "to": SCRIPT, "text": "hello"}  # type: ignore[attr-defined]
        r = c.post(f"/games/{table.game}/do", data=form)
        assert r.status_code == 200
        assert "X-Command-Ok" not in r.headers
        assert SCRIPT not in r.text
    finally:
        c.close()


def test_a_person_who_first_opens_a_link_is_asked_their_name_and_keeps_it(table: Table) -> None:
    c = browser(table.server, table.token("team:usa"))
    try:
        room = c.get(f"/games/{table.game}?lang=en")
        assert "What is your name?" in room.text and "usa 1" in room.text
        for blank in ("", "   "):
            r = c.post(f"/games/{table.game}/name", data={"csrf": c.csrf, "person": blank})  # type: ignore[attr-defined]
            assert r.status_code == 200 and 'class="error"' in r.text
        r = c.post(f"/games/{table.game}/name", data={"csrf": c.csrf, "person": "  Ana   Silva "})  # type: ignore[attr-defined]
        assert r.status_code == 200 and "Welcome, Ana Silva." in r.text
        assert r.headers["HX-Refresh"] == "true"
        assert c.get("/api/v1/me").json()["person"] == "Ana Silva"  # the same link, renamed
        again = c.get(f"/games/{table.game}?lang=en")
        assert "What is your name?" not in again.text and "Ana Silva" in again.text
        # what the person does is recorded under their name
        ok(table.client("control"), table.game, {"type": "start_game"})
        said = ok(c, table.game, {"type": "send_message", "channel": "team:usa", "text": "hi"})
        assert said[0]["by"] == "Ana Silva"
    finally:
        c.close()


def test_a_name_given_is_told_to_the_rooms_live_streams_though_it_is_no_event(
    table: Table,
) -> None:
    control = browser(table.server, table.token("control"))
    usa = browser(table.server, table.token("team:usa"))
    try:
        with control.stream("GET", f"/games/{table.game}/live") as live:
            lines = live.iter_lines()
            assert next(lines) == "retry: 1000"
            named = {"csrf": usa.csrf, "person": "Ana Silva"}  # type: ignore[attr-defined]
            r = usa.post(f"/games/{table.game}/name", data=named)
            assert r.status_code == 200
            told = [next(lines) for _ in range(3)]
        assert told[1:] == ["event: people", "data: 1"], told
        assert view(control, table.game)["events"] == []  # a name is no event of the game
        assert "Ana Silva" in control.get(f"/games/{table.game}/panel/teams").text
        assert "Ana Silva" in control.get(f"/games/{table.game}/panel/seats").text
    finally:
        control.close()
        usa.close()


# -- forms -------------------------------------------------------------------------------------


def test_a_form_post_needs_the_csrf_field(table: Table) -> None:
    c = browser(table.server, table.token("control"))
    try:
        del c.headers["X-CSRF-Token"]  # a form carries its token in a field
        path = f"/games/{table.game}/do"
        for extra in ({}, {"csrf": "forged"}, {"csrf": ""}):
            r = c.post(path, data={"type": "start_game", **extra})
            assert r.status_code == 403
        assert view(c, table.game)["events"] == []
        r = c.post(path, data={"type": "start_game", "csrf": c.csrf})  # type: ignore[attr-defined]
        assert r.status_code == 200
        assert r.headers.get("X-Command-Ok") == "1"
        assert [e["type"] for e in view(c, table.game)["events"]] == ["game_started"]
    finally:
        c.close()


def test_a_form_submits_a_command_like_the_api(table: Table) -> None:
    ok(table.client("control"), table.game, {"type": "start_game"})
    ok(table.client("control"), table.game, {"type": "open_round", "number": 1})
    c = browser(table.server, table.token("team:usa"))
    try:
        form = {
            "csrf": c.csrf,  # type: ignore[attr-defined]
            "type": "submit_action",
            "action": "free",
            "target": "",
            "instrument": "economic",
            "description": "Buy the harvest",
            "secret": "on",
            "idempotency_key": "form-1",
        }
        for _ in range(2):  # a double click is one action
            r = c.post(f"/games/{table.game}/do", data=form)
            assert r.status_code == 200 and r.headers.get("X-Command-Ok") == "1"
        [action] = view(c, table.game)["actions"]
        assert action["secret"] is True and action["description"] == "Buy the harvest"
        assert action["target"] is None
    finally:
        c.close()


def test_a_panel_fetched_again_unchanged_says_so_and_a_changed_one_does_not(
    table: Table,
) -> None:
    """The page script leaves a panel alone when its refresh shows the same (a checkbox
    about to be clicked is not replaced); the digest tells it so."""
    control = table.client("control")
    ok(control, table.game, {"type": "start_game"})
    ok(control, table.game, {"type": "open_round", "number": 1})
    c = browser(table.server, table.token("team:usa"))
    try:
        room = c.get(f"/games/{table.game}").text
        drawn = dict(re.findall(r'id="panel-([a-z]+)"[^>]*data-digest="([0-9a-f]{16})"', room))
        assert "act" in drawn and set(drawn) <= set(PANELS["team"]), drawn
        again = {n: c.get(f"/games/{table.game}/panel/{n}") for n in drawn}
        assert {n: r.headers["X-Panel-Digest"] for n, r in again.items()} == drawn
        ok(control, table.game, {"type": "publish_news", "text": "Talks resume in Ankara"})
        panel = f"/games/{table.game}/panel/"
        after = {n: c.get(panel + n).headers["X-Panel-Digest"] for n in drawn}
        changed = {n for n in drawn if after[n] != drawn[n]}
        assert "news" in changed or "story" in changed, changed
        assert changed < set(drawn), "a piece of news changes some panels, not every one"
    finally:
        c.close()


def test_the_list_of_games_comes_a_page_at_a_time_and_an_old_game_opens(server) -> None:
    """An institution's history: the games are listed from the store, newest first,
    and a finished game the server has not loaded opens when someone follows its link."""
    sc = load_bundled("ukraine-ceasefire-2025")
    store = server.app.state.ctx.store
    for i in range(120):
        gid = f"old{i:03d}"
        store.create_game(gid, dict(sc.document), sc.id, sc.digest, i, f"Seminar {i}", None)
        store.append(gid, [ev.GameEnded(seq=1, round=0, audience=("*",), actor="control",
                                        seed=i, outcomes=())])  # fmt: skip
    c = server.control()
    try:
        first = c.get("/").text
        assert "Page 1 of 3 (120 games)" in first and 'rel="next"' in first
        assert 'rel="prev"' not in first
        listed = re.findall(r'href="/games/(old\d+)"', first)
        assert listed == [f"old{i:03d}" for i in range(119, 69, -1)]
        last = c.get("/?page=2").text
        assert re.findall(r'href="/games/(old\d+)"', last) == [
            f"old{i:03d}" for i in range(19, -1, -1)
        ]
        assert 'rel="prev"' in last and 'rel="next"' not in last
        r = c.get(f"{API}/games", params={"offset": 100, "limit": 5})
        assert r.headers["X-Total-Count"] == "120"
        assert [g["id"] for g in r.json()] == [f"old{i:03d}" for i in range(19, 14, -1)]
        assert all(g["ended"] for g in r.json())
        assert "old007" not in server.app.state.ctx.hub.games  # listed, not loaded
        room = c.get("/games/old007")
        assert room.status_code == 200 and "Seminar 7" in room.text
    finally:
        c.close()


BAD_SCENARIOS = {
    "schema": "format_version: 1\nmeta:\n  id: bad id\nteams: 3\n",
    "yaml": "format_version: 1\nmeta:\n  id: x\n  title: [unclosed\n",
}


@pytest.mark.parametrize("kind", sorted(BAD_SCENARIOS))
def test_a_bad_scenario_upload_shows_its_problems_with_line_and_column(account, kind: str) -> None:
    before = len(account.get(f"{API}/games").json())
    r = account.post(
        "/games",
        data={"csrf": account.headers["X-CSRF-Token"], "scenario": "ukraine-ceasefire-2025"},
        files={"file": ("broken.yaml", BAD_SCENARIOS[kind].encode(), "application/x-yaml")},
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("text/html")
    problems = re.findall(r"<li><code>(.*?)</code></li>", r.text, re.S)
    assert problems, r.text
    located = [
        html.unescape(p) for p in problems if re.match(r"[^:<>]+:\d+:\d+: ", html.unescape(p))
    ]
    assert located == [html.unescape(p) for p in problems]
    if kind == "schema":
        assert any(re.match(r".+:3:7: meta\.id: ", p) for p in located), located
        assert any(re.match(r".+:4:8: teams: ", p) for p in located), located
    else:
        assert any("YAML" in p for p in located), located
    assert len(account.get(f"{API}/games").json()) == before


def test_a_valid_scenario_upload_creates_a_game_and_shows_its_links(account) -> None:
    before = len(account.get(f"{API}/games").json())
    r = account.post(
        "/games",
        data={"csrf": account.headers["X-CSRF-Token"], "title": "Uploaded", "people_per_team": "1"},
        files={"file": ("ok.yaml", SCENARIO_FILE.read_bytes(), "application/x-yaml")},
    )
    assert r.status_code == 200
    assert r.text.count("/join/") == 1 + 1 + 6 + 1  # control, adjudicator, six teams, observer
    assert len(account.get(f"{API}/games").json()) == before + 1


# -- languages ---------------------------------------------------------------------------------


def test_lang_ja_renders_the_japanese_scenario_and_is_remembered(table: Table) -> None:
    ok(table.client("control"), table.game, {"type": "start_game"})
    ok(table.client("control"), table.game, {"type": "open_round", "number": 1})
    usa = next(t for t in SCENARIO["teams"] if t["id"] == "usa")
    c = browser(table.server, table.token("team:usa"))
    try:
        r = c.get(f"/games/{table.game}", params={"lang": "ja"})
        assert r.status_code == 200
        [cookie] = set_cookie_headers(r, LANG_COOKIE)
        assert cookie.startswith(f"{LANG_COOKIE}=ja")
        for page in (r.text, c.get(f"/games/{table.game}").text):  # the cookie remembers
            assert '<html lang="ja">' in page
            text = normal(html.unescape(page))
            assert normal(usa["brief"]["ja"]) in text
            assert usa["private_objectives"][0]["ja"] in text
            assert "序盤の動き" in text  # round 1's label
            assert normal(usa["brief"]["en"]) not in text
        english = c.get(f"/games/{table.game}", params={"lang": "en"})
        assert normal(usa["brief"]["en"]) in normal(html.unescape(english.text))
        assert view(c, table.game, lang="ja")["scenario"]["title"].startswith("アンカラの停戦")
    finally:
        c.close()


# -- exports -----------------------------------------------------------------------------------


def test_control_exports_the_log_as_csv_xlsx_and_jsonl(table: Table) -> None:
    control = table.client("control")
    usa = table.client("team:usa")
    ok(control, table.game, {"type": "start_game"})
    ok(control, table.game, {"type": "open_round", "number": 1})
    ok(usa, table.game, {"type": "submit_action", "action": "back_channel", "target": "china"})
    ok(
        usa,
        table.game,
        {"type": "send_message", "to": ["china"], "text": "Ünïcode, “quotes”, 和文"},
    )
    events = view(control, table.game)["events"]
    base = f"/games/{table.game}/export"
    c = browser(table.server, table.token("control"))
    try:
        r = c.get(f"{base}.csv")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert f'filename="{table.game}.csv"' in r.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0] == EXPORT_HEADER
        assert [int(row[0]) for row in rows[1:]] == [e["seq"] for e in events]
        assert [row[3] for row in rows[1:]] == [e["type"] for e in events]
        assert "和文" in rows[-1][7]

        r = c.get(f"{base}.xlsx")
        assert r.status_code == 200
        book = load_workbook(io.BytesIO(r.content))
        assert book.sheetnames == ["log", "round 0", "round 1"]
        sheet = [list(row) for row in book["log"].iter_rows(values_only=True)]
        assert sheet[0] == EXPORT_HEADER
        assert [row[0] for row in sheet[1:]] == [e["seq"] for e in events]
        per_round = [row[0] for row in book["round 1"].iter_rows(min_row=2, values_only=True)]
        assert per_round == [e["seq"] for e in events if e["round"] == 1]

        r = c.get(f"{base}.jsonl")
        assert r.status_code == 200
        lines = [json.loads(line) for line in r.text.splitlines()]
        assert [line["seq"] for line in lines[1:]] == [e["seq"] for e in events]
        assert lines[1:] == events
    finally:
        c.close()


# -- first start -------------------------------------------------------------------------------


def test_first_start_offers_setup_only_while_no_account_exists(server) -> None:
    store = server.app.state.ctx.store
    with store.engine.begin() as conn:
        conn.execute(sa.delete(tables.accounts))
    with httpx.Client(base_url=server.url, timeout=10) as c:
        assert 'action="/setup"' in c.get("/").text
        r = c.post("/setup", data={"name": "chief", "password": "short"})
        assert r.status_code == 422 and store.account_count() == 0
        r = c.post("/setup", data={"name": "chief", "password": "a long enough password"})
        assert r.status_code == 303
        assert set_cookie_headers(r, ACCOUNT_COOKIE)
        assert store.account_count() == 1
        home = c.get("/")
        assert 'action="/setup"' not in home.text
        assert 'action="/games"' in home.text  # signed in as the new account
    with httpx.Client(base_url=server.url, timeout=10) as c:
        assert 'action="/setup"' not in c.get("/").text
        r = c.post("/setup", data={"name": "intruder", "password": "another long password"})
        assert r.status_code == 409
        assert store.account_count() == 1
        assert (
            c.post(
                "/login", data={"name": "intruder", "password": "another long password"}
            ).status_code
            == 401
        )
