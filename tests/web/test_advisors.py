"""A team's advisors on a real server, without a language model: the team room's "Ask your
advisors" panel, the white cell's switch per team and round, and the rule that a team's
questions and answers reach that team and control alone (page, API, live stream, story,
report)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx
import pytest

from tests.web.play import (
    API,
    STREAM_TIMEOUT,
    SseReader,
    Table,
    browser,
    control_browser,
    create_game,
    ok,
    send,
    view,
)
from tests.web.server import Server
from whitecell.scenario.library import load_bundled

SC = load_bundled("ukraine-ceasefire-2025")
ADVICE_TYPES = {"advisors_asked", "advice_given", "advisors_set"}
OTHERS = ("team:russia", "team:china", "adjudicator", "observer")


@pytest.fixture
def table(shared_server: Server, account: httpx.Client) -> Iterator[Table]:
    t = Table(shared_server, create_game(account, people_per_team=2, seed=11))
    try:
        yield t
    finally:
        t.close()


def started(t: Table, round_open: bool = True) -> httpx.Client:
    control = t.client("control")
    ok(control, t.game, {"type": "start_game"})
    if round_open:
        ok(control, t.game, {"type": "open_round", "number": 1})
    return control


def ask(t: Table, seat: str = "team:usa", **body: object) -> httpx.Response:
    return send(t.client(seat), t.game, {"type": "ask_advisors", **body})


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


# -- asking ---------------------------------------------------------------------------------


def test_asking_for_the_three_best_moves_answers_at_once_in_the_askers_language(table):
    started(table)
    r = ask(table, lang="ja")
    assert r.status_code == 200, r.text
    events = r.json()["events"]
    assert [e["type"] for e in events] == ["advisors_asked", "advice_given"]
    answer = events[1]
    assert answer["source"] == "heuristic" and answer["audience"] == ["usa"]
    lines = answer["text"].splitlines()
    assert len(lines) == 4 and lines[0].startswith("今の見立て")  # a heading and three moves
    names = [a.name["ja"] for a in SC.team["usa"].advisors]
    assert all(any(n in line for n in names) for line in lines[1:])  # each voiced by one


def test_a_team_member_who_is_not_the_lead_may_ask_too(table):
    started(table)
    member = table.client("team:usa", lead=False)
    got = send(member, table.game, {"type": "ask_advisors"})
    assert got.status_code == 200, got.text


def test_a_free_text_question_without_a_model_server_is_refused_and_says_what_it_needs(table):
    started(table)
    r = ask(table, question="Should we call Moscow?", advisor=0)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "no_model"
    assert "--llm-base-url" in error["messages"]["en"] and "--llm-model" in error["messages"]["ja"]
    assert not [
        e
        for e in view(table.client("team:usa"), table.game)["events"]
        if e["type"] == "advisors_asked"
    ]


def test_a_question_to_an_advisor_the_team_does_not_have_is_refused(table):
    started(table)
    r = ask(table, advisor=7)
    assert r.status_code == 409
    assert "no advisor number 7" in r.json()["error"]["message"]


def test_nobody_can_record_an_answer_through_the_api_only_the_server_does(table):
    started(table)
    asked = ask(table).json()["events"][0]
    for seat in ("team:usa", "control"):
        body = {"type": "record_advice", "question": asked["seq"], "text": "forged advice"}
        r = send(table.client(seat), table.game, body)
        assert r.status_code == 422 and r.json()["error"]["code"] == "bad_command", seat


# -- control's switch -------------------------------------------------------------------------


def test_control_turns_a_teams_advisors_off_for_one_round_and_the_team_is_told(table):
    control = started(table, round_open=False)
    ok(control, table.game, {"type": "set_advisors", "team": "usa", "enabled": False, "number": 1})
    ok(control, table.game, {"type": "open_round", "number": 1})
    r = ask(table)
    assert r.status_code == 409
    messages = r.json()["error"]["messages"]
    assert "United States" in messages["en"] and "round 1" in messages["en"]
    assert "米国" in messages["ja"]
    assert ask(table, seat="team:russia").status_code == 200  # other teams are not affected
    page = browser(table.server, table.token("team:usa"))
    try:
        panel = page.get(f"/games/{table.game}/panel/advisors").text
    finally:
        page.close()
    assert "turned your advisors off for round 1" in text_of(panel)
    assert 'name="type" value="ask_advisors"' not in panel
    # the next round they are back
    ok(control, table.game, {"type": "close_round", "number": 1})
    ok(control, table.game, {"type": "open_round", "number": 2})
    assert ask(table).status_code == 200


def test_only_control_turns_advisors_on_or_off(table):
    started(table)
    r = send(
        table.client("team:usa"),
        table.game,
        {"type": "set_advisors", "team": "usa", "enabled": True},
    )
    assert r.status_code in (403, 409)


def test_the_control_room_switches_a_team_off_for_every_round_from_its_panel(table):
    started(table)
    room = control_browser(table.server)
    try:
        panel = room.get(f"/games/{table.game}/panel/advisors").text
        assert "Turn off for every round" in panel and "Turn off for round 1" in panel
        form = next(
            f
            for f in re.findall(r"<form.*?</form>", panel, flags=re.S)
            if 'value="set_advisors"' in f and "adv-all-usa" in f
        )
        fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))
        fields["csrf"] = room.csrf  # type: ignore[attr-defined]
        r = room.post(f"/games/{table.game}/do", data=fields)
        assert r.headers.get("x-command-ok") == "1", r.text
        after = text_of(room.get(f"/games/{table.game}/panel/advisors").text)
    finally:
        room.close()
    assert "off for every round" in after and "Turn on for every round" in after
    assert ask(table).status_code == 409


# -- the team room ---------------------------------------------------------------------------


def test_the_team_room_asks_its_advisors_and_shows_the_answer_next_to_the_form(table):
    started(table)
    room = browser(table.server, table.token("team:usa"))
    try:
        page = room.get(f"/games/{table.game}").text
        assert 'id="panel-advisors"' in page and "Ask your advisors" in page
        # no model server: the free-text question says what it needs
        assert "Free-text questions need a model server" in text_of(page)
        fields = {
            "csrf": room.csrf,
            "type": "ask_advisors",
            "lang": "en",  # type: ignore[attr-defined]
            "idempotency_key": "k1",
        }
        r = room.post(f"/games/{table.game}/do", data=fields)
        assert r.headers.get("x-command-ok") == "1"
        assert "Our three best moves as we see things now" in text_of(r.text)
        panel = text_of(room.get(f"/games/{table.game}/panel/advisors").text)
    finally:
        room.close()
    assert "Our three best moves?" in panel and "Our three best moves as we see" in panel


# -- who reads the questions and answers ------------------------------------------------------


def streamed_types(client: httpx.Client, game: str) -> set[str]:
    last = view(client, game)["events"][-1]["seq"]
    with client.stream(
        "GET", f"{API}/games/{game}/stream", params={"after": 0}, timeout=STREAM_TIMEOUT
    ) as r:
        got = SseReader(r).until(lambda got: bool(got) and got[-1].id == last)
    return {m.event for m in got}


def test_advisor_events_reach_only_their_team_and_control_by_view_stream_page_and_report(
    table,
):
    control = started(table)
    ok(control, table.game, {"type": "set_advisors", "team": "usa", "enabled": True, "number": 2})
    answer = ask(table, lang="en").json()["events"][1]["text"]
    secret_line = answer.splitlines()[1]
    ok(control, table.game, {"type": "end_game", "open_actions": "void"})
    ok(control, table.game, {"type": "reveal_all"})  # the debrief: everything else opens
    for seat in ("team:usa", "control"):
        c = table.client(seat)
        assert {e["type"] for e in view(c, table.game)["events"]} >= ADVICE_TYPES, seat
        assert streamed_types(c, table.game) >= ADVICE_TYPES, seat
    for seat in OTHERS:
        c = table.client(seat)
        assert not ADVICE_TYPES & {e["type"] for e in view(c, table.game)["events"]}, seat
        assert not ADVICE_TYPES & streamed_types(c, table.game), seat
    for seat in ("team:usa", *OTHERS):
        room = browser(table.server, table.token(seat))
        try:
            page = text_of(room.get(f"/games/{table.game}").text)
            story = text_of(room.get(f"/games/{table.game}/panel/story").text)
            report = room.get(f"/games/{table.game}/report")
            told = page + story + (text_of(report.text) if report.status_code == 200 else "")
        finally:
            room.close()
        if seat == "team:usa":
            assert secret_line in told and "asked its advisors" in story
        else:
            assert secret_line not in told, seat
            assert "asked its advisors" not in told, seat
    room = control_browser(table.server)
    try:
        report = room.get(f"/games/{table.game}/report")
        assert report.status_code == 200
        assert "asked its advisors" in text_of(report.text)
    finally:
        room.close()
