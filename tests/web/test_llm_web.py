"""Language models in the web app, on real servers: model seats seated by control, the
adjudicator desk's model drafts, and matrix adjudication (arguments and the ruling).

The model server here is ``tests.llm.fake_server``: it stands in for a model server
(vLLM, Ollama, llama.cpp's server, a hosted API) because no model weights can be
downloaded here. It is a real HTTP server on loopback speaking the OpenAI
chat-completions protocol, with scripted answers built from the JSON Schema the client
sends, so every answer is one the game can play unless a test scripts otherwise.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.llm.fake_server import VALID_RATIONALE, FakeModelServer, running, valid_answer
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
from tests.web.server import Server, free_port
from whitecell.engine.log import parse_log
from whitecell.live.model_seats import ModelConfig
from whitecell.llm.client import OpenAIModel
from whitecell.scenario.library import load_bundled
from whitecell.verify import verify_log

SC = load_bundled("ukraine-ceasefire-2025")
MODEL_ONLY = {"model_called", "model_fell_back"}  # control's eyes only
NOT_CONTROL = ("adjudicator", "team:usa", "team:russia", "team:china", "observer")
DRAFT_ODDS = 0.42
DRAFT_WHY = "The envoys have no mandate yet; talks rarely open this early."


def model_config(url: str, **options: Any) -> ModelConfig:
    client = OpenAIModel(url, "scripted-model", timeout=5.0, attempts=2, backoff=0.01)
    return ModelConfig(client, **options)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeModelServer]:
    with running() as s:
        yield s


@pytest.fixture(scope="module")
def model_server(tmp_path_factory, fake) -> Iterator[Server]:
    """A whitecell server with a language model (the stand-in above)."""
    s = Server(tmp_path_factory.mktemp("llm") / "whitecell.db", model=model_config(fake.url))
    s.start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def model_account(model_server) -> Iterator[httpx.Client]:
    c = model_server.control()
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def table(model_server, model_account) -> Iterator[Table]:
    t = Table(model_server, create_game(model_account, people_per_team=2, seed=7))
    try:
        yield t
    finally:
        t.close()


def wait_for(what: Callable[[], Any], timeout: float = 20.0, step: float = 0.05) -> Any:
    """Poll until ``what()`` is truthy; its value."""
    deadline = time.monotonic() + timeout
    while True:
        found = what()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(step)


def events(client: httpx.Client, game: str, type_: str | None = None) -> list[dict[str, Any]]:
    return [e for e in view(client, game)["events"] if type_ in (None, e["type"])]


def actions_of(client: httpx.Client, game: str, team: str) -> list[dict[str, Any]]:
    return [e for e in events(client, game, "action_submitted") if e["team"] == team]


def settled(server: Server, game: str) -> None:
    """Wait until no model turn of the game is in flight."""
    hub = server.app.state.ctx.hub
    wait_for(lambda: not hub.games[game].tasks)


def seat_model(t: Table, team: str) -> None:
    ok(t.client("control"), t.game, {"type": "seat_agent", "team": team, "kind": "llm"})


def start(t: Table) -> httpx.Client:
    control = t.client("control")
    ok(control, t.game, {"type": "start_game"})
    return control


def streamed_types(client: httpx.Client, game: str) -> set[str]:
    """The types of the events a seat's stream sends, up to its view's last event."""
    last = view(client, game)["events"][-1]["seq"]
    with client.stream(
        "GET", f"{API}/games/{game}/stream", params={"after": 0}, timeout=STREAM_TIMEOUT
    ) as r:
        got = SseReader(r).until(lambda got: bool(got) and got[-1].id == last)
    assert got and got[-1].id == last
    return {m.event for m in got}


def form_fields(html_text: str, form_marker: str) -> dict[str, str]:
    """The hidden and prefilled fields of the first form holding ``form_marker``."""
    for form in re.findall(r"<form.*?</form>", html_text, flags=re.S):
        if form_marker in form:
            fields = {
                m[0]: html.unescape(m[1])
                for m in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form)
            }
            for name, text in re.findall(
                r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S
            ):
                fields[name] = html.unescape(text)
            return fields
    raise AssertionError(f"no form with {form_marker!r}")


# -- a model seat --------------------------------------------------------------------------


def test_a_model_seat_plays_and_only_control_sees_its_exchanges(table: Table, fake) -> None:
    control = start(table)
    g = table.game
    before = len(fake.calls("act"))
    seat_model(table, "usa")
    room = control_browser(table.server)
    try:
        controls = room.get(f"/games/{g}/panel/controls").text
    finally:
        room.close()
    assert re.search(r'class="tag kind-llm">language model<', controls)
    ok(control, g, {"type": "open_round", "number": 1})  # the model's turn starts now
    played = wait_for(lambda: actions_of(control, g, "usa"))
    settled(table.server, g)

    # the model played the turn: its request went out, and its orders are the ones played
    assert len(fake.calls("act")) == before + 1
    played = actions_of(control, g, "usa")
    assert played and all(a["rationale"] == VALID_RATIONALE for a in played)
    calls = events(control, g, "model_called")
    assert [(c["subject"], c["purpose"], c["attempt"], c["error"]) for c in calls] == [
        ("team:usa", "act", 1, "")
    ]
    assert calls[0]["audience"] == ["control"]
    # recorded before its commands were played
    assert calls[0]["seq"] < min(a["seq"] for a in played)

    # nobody but control sees an exchange: not in views, not in streams, not in the desk
    for seat in NOT_CONTROL:
        client = table.client(seat)
        assert not MODEL_ONLY & {e["type"] for e in view(client, g)["events"]}, seat
        assert not MODEL_ONLY & streamed_types(client, g), seat
        assert client.get(f"{API}/games/{g}/log").status_code == 403, seat
    assert MODEL_ONLY & streamed_types(control, g) == {"model_called"}
    exported = control.get(f"{API}/games/{g}/log").text
    assert '"type":"model_called"' in exported.replace(" ", "")
    # and the heuristic seat next to it never called the model
    ok(control, g, {"type": "seat_agent", "team": "china"})
    assert {c["subject"] for c in events(control, g, "model_called")} == {"team:usa"}


def test_a_model_turn_runs_off_the_event_loop_and_other_seats_go_on(table: Table, fake) -> None:
    control = start(table)
    g = table.game
    seat_model(table, "usa")
    fake.stall = 1.5
    fake.script.append("timeout")  # the next answer takes 1.5 s (the client waits 5 s)
    asked = len(fake.requests)
    try:
        ok(control, g, {"type": "open_round", "number": 1})
        wait_for(lambda: len(fake.requests) > asked)  # the model is thinking now
        russia = table.client("team:russia")
        began = time.monotonic()
        ok(russia, g, {"type": "send_message", "to": ["usa"], "text": "While you think"})
        ok(russia, g, {"type": "submit_action", "action": "nuclear_signalling"})
        took = time.monotonic() - began
        assert took < 1.0, f"other seats waited {took:.2f} s for the model"
        assert not actions_of(control, g, "usa")  # still thinking
        wait_for(lambda: actions_of(control, g, "usa"))
    finally:
        fake.stall = 2.0
        fake.script.clear()
    settled(table.server, g)
    assert [c["subject"] for c in events(control, g, "model_called")] == ["team:usa"]


def test_seating_a_model_needs_a_model_on_the_server(shared_server, account) -> None:
    t = Table(shared_server, create_game(account))
    try:
        control = start(t)
        r = send(control, t.game, {"type": "seat_agent", "team": "usa", "kind": "llm"})
        assert r.status_code == 422
        assert r.json()["error"]["code"] == "no_model"
        assert "--llm-base-url" in r.json()["error"]["messages"]["en"]
        assert r.json()["error"]["messages"]["ja"] != r.json()["error"]["messages"]["en"]
        assert not events(control, t.game, "agent_seated")
        bad = send(control, t.game, {"type": "seat_agent", "team": "usa", "kind": "oracle"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "bad_command"
        ok(control, t.game, {"type": "seat_agent", "team": "usa", "kind": "heuristic"})
        room = control_browser(shared_server)
        try:
            controls = room.get(f"/games/{t.game}/panel/controls").text
        finally:
            room.close()
        assert re.search(r'<option value="llm" disabled>language model</option>', controls)
        assert "start the server with --llm-base-url and --llm-model" in controls
        assert 'class="tag kind-heuristic">heuristic<' in controls
    finally:
        t.close()


def test_a_dead_model_server_costs_the_turn_and_not_the_server(tmp_path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens here
    server = Server(tmp_path / "whitecell.db", model=model_config(dead)).start()
    try:
        account = server.control()
        t = Table(server, create_game(account, seed=3))
        control = start(t)
        g = t.game
        seat_model(t, "usa")
        ok(control, g, {"type": "open_round", "number": 1})
        fell = wait_for(lambda: events(control, g, "model_fell_back"))
        settled(server, g)
        assert [(f["subject"], f["purpose"]) for f in fell] == [("team:usa", "act")]
        assert fell[0]["reason"].startswith("model server unavailable")
        assert fell[0]["audience"] == ["control"]
        assert not events(control, g, "model_called")
        # the heuristic understudy played the turn
        played = actions_of(control, g, "usa")
        assert played and all(a["rationale"] != VALID_RATIONALE for a in played)
        # control is told, in its room
        room = control_browser(server)
        try:
            controls = room.get(f"/games/{g}/panel/controls").text
            japanese = room.get(f"/games/{g}/panel/controls?lang=ja").text
        finally:
            room.close()
        assert "the model server did not answer; the heuristic player took the turn" in controls
        assert "モデルサーバーが応答しなかった" in japanese
        # the server goes on: other seats play, and the desk's draft falls back too
        ok(t.client("team:russia"), g, {"type": "submit_action", "action": "nuclear_signalling"})
        uid = actions_of(control, g, "russia")[0]["uid"]
        r = t.client("adjudicator").post(f"{API}/games/{g}/actions/{uid}/draft")
        assert r.status_code == 200, r.text
        assert r.json()["probability"] is None
        assert r.json()["fallback"].startswith("model server unavailable")
        assert [f["subject"] for f in events(control, g, "model_fell_back")] == [
            "team:usa",
            "adjudicator",
        ]
        assert not MODEL_ONLY & {e["type"] for e in events(t.client("adjudicator"), g)}
        assert t.client("observer").get(f"{API}/me").status_code == 200
        t.close()
        account.close()
    finally:
        server.stop()


def test_a_model_seat_is_a_model_seat_again_after_a_restart(tmp_path, fake) -> None:
    db = tmp_path / "whitecell.db"
    server = Server(db, model=model_config(fake.url)).start()
    account = server.control()
    created = create_game(account, seed=5)
    account.close()
    t = Table(server, created)
    start(t)
    seat_model(t, "usa")
    ok(t.client("control"), t.game, {"type": "seat_agent", "team": "china"})
    t.close()
    server.stop()

    again = Server(db, model=model_config(fake.url)).start()
    try:
        t = Table(again, created)
        control = t.client("control")
        room = control_browser(again)
        controls = room.get(f"/games/{t.game}/panel/controls").text
        room.close()
        assert re.search(r'class="tag kind-llm">language model<', controls)
        assert re.search(r'class="tag kind-heuristic">heuristic<', controls)
        ok(control, t.game, {"type": "open_round", "number": 1})
        wait_for(lambda: events(control, t.game, "model_called"))
        settled(again, t.game)
        assert {c["subject"] for c in events(control, t.game, "model_called")} == {"team:usa"}
        t.close()
    finally:
        again.stop()

    # a server without a model seats the heuristic player in its place, and says so
    bare = Server(db).start()
    try:
        room = control_browser(bare)
        controls = room.get(f"/games/{created['game']}/panel/controls").text
        room.close()
        assert "was seated as a language model, but this server has none" in controls
        assert re.search(r'class="tag kind-heuristic">heuristic<', controls)
    finally:
        bare.stop()


# -- the desk's model draft ----------------------------------------------------------------


def draft_answer(purpose: str, schema: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    if purpose == "assess":
        return {"probability": DRAFT_ODDS, "rationale": DRAFT_WHY}
    return valid_answer(purpose, schema, lambda action: False)


def test_the_desk_drafts_with_the_model_and_the_adjudicator_accepts_or_changes(
    table: Table, fake
) -> None:
    control = start(table)
    g = table.game
    ok(control, g, {"type": "open_round", "number": 1})
    usa = table.client("team:usa", True)
    first = ok(usa, g, {"type": "submit_action", "action": "direct_talks", "target": "russia"})
    second = ok(usa, g, {"type": "submit_action", "action": "restore_aid"})
    uid, other = first[0]["uid"], second[0]["uid"]
    rules = SC.action["restore_aid"].base_probability  # no modifiers: the rules' odds
    desk = browser(table.server, table.token("adjudicator"))
    fake.compose = draft_answer
    try:
        # the API: a draft, with the rules' odds beside it
        r = table.client("adjudicator").post(f"{API}/games/{g}/actions/{other}/draft")
        assert r.status_code == 200, r.text
        assert r.json() | {"by": ""} == {
            "uid": other,
            "probability": DRAFT_ODDS,
            "rationale": DRAFT_WHY,
            "suggested": rules,
            "fallback": None,
            "by": "",
        }
        assert r.json()["by"] == "Adjudicator 1"
        # the page: "Draft with the model" answers with a flash and refreshes the desk
        r = desk.post(f"/games/{g}/draft", data={"csrf": desk.csrf, "uid": uid})
        assert r.status_code == 200 and 'data-ok="1"' in r.text
        assert r.headers["hx-trigger"] == "wc:refresh"
    finally:
        fake.compose = None
    panel = desk.get(f"/games/{g}/panel/desk").text
    assert "The model drafts" in panel and DRAFT_WHY in panel

    # accept the draft of one action as it is, change the other's
    accept = form_fields(panel, f'value="{other}"><input type="hidden" name="method" value="llm"')
    assert desk.post(f"/games/{g}/do", data=accept).headers.get("x-command-ok") == "1"
    change = form_fields(
        panel,
        f'value="{uid}"><input type="hidden" name="method" value="human">'
        f'<input type="hidden" name="suggested" value="{DRAFT_ODDS}"',
    )
    assert change["percent"] == "42.0" and change["rationale"] == DRAFT_WHY
    change |= {"percent": "35", "rationale": "Less likely: the Kremlin stalls."}
    assert desk.post(f"/games/{g}/do", data=change).headers.get("x-command-ok") == "1"
    desk.close()

    assessed = {e["uid"]: e for e in events(control, g, "action_assessed")}
    taken = assessed[other]
    assert (taken["method"], taken["probability"], taken["suggested"]) == ("llm", DRAFT_ODDS, rules)
    assert (taken["rationale"], taken["by"]) == (DRAFT_WHY, "Adjudicator 1")
    changed = assessed[uid]
    assert (changed["method"], changed["probability"], changed["suggested"]) == (
        "human",
        0.35,
        DRAFT_ODDS,
    )
    assert changed["by"] == "Adjudicator 1"
    # the exchanges are in the log for control, with who asked; the desk never sees them
    calls = events(control, g, "model_called")
    assert [(c["subject"], c["purpose"], c["by"]) for c in calls] == [
        ("adjudicator", "assess", "Adjudicator 1")
    ] * 2
    assert not MODEL_ONLY & {e["type"] for e in events(table.client("adjudicator"), g)}


def test_only_umpires_ask_for_drafts(table: Table) -> None:
    control = start(table)
    g = table.game
    ok(control, g, {"type": "open_round", "number": 1})
    [made] = ok(table.client("team:usa"), g, {"type": "submit_action", "action": "restore_aid"})
    path = f"{API}/games/{g}/actions/{made['uid']}/draft"
    for seat in ("team:usa", "team:russia", "observer"):
        r = table.client(seat).post(path)
        assert r.status_code == 403 and r.json()["error"]["code"] == "umpire_only", seat
    assert table.client("team:usa", False).post(path).status_code == 403
    for seat in ("control", "adjudicator"):
        assert table.client(seat).post(path).status_code == 200, seat
    # no such action, or one rolled already: refused by the rules' own words
    assert (
        table.client("adjudicator").post(f"{API}/games/{g}/actions/a999/draft").status_code == 409
    )
    adjudicator = table.client("adjudicator")
    ok(adjudicator, g, {"type": "assess", "uid": made["uid"], "probability": 0.5})
    ok(adjudicator, g, {"type": "roll", "uid": made["uid"]})
    r = adjudicator.post(path)
    assert r.status_code == 409 and "rolled" in r.json()["error"]["message"]


# -- matrix adjudication -------------------------------------------------------------------


def test_teams_argue_and_the_adjudicator_rules_by_the_matrix(shared_server, account) -> None:
    t = Table(shared_server, create_game(account, people_per_team=2, seed=9))
    try:
        control = start(t)
        g = t.game
        ok(control, g, {"type": "open_round", "number": 1})
        usa = t.client("team:usa", True)
        [act] = ok(usa, g, {"type": "submit_action", "action": "direct_talks", "target": "russia"})
        uid = act["uid"]

        # the lead argues for its own action from the team room's form
        room = browser(shared_server, t.token("team:usa", True))
        panel = room.get(f"/games/{g}/panel/act").text
        fields = form_fields(panel, f'name="uid" value="{uid}"><input type="hidden" name="side"')
        assert fields["side"] == "for" and "Argue for" in panel
        fields["text"] = "Both sides are exhausted; a channel is open."
        assert room.post(f"/games/{g}/do", data=fields).headers.get("x-command-ok") == "1"
        room.close()
        # the others argue against it, over the API; a member drafts nothing here
        russia, china = t.client("team:russia", True), t.client("team:china", True)
        ok(russia, g, {"type": "argue", "uid": uid, "side": "against", "text": "We set terms."})
        ok(china, g, {"type": "argue", "uid": uid, "side": "against", "text": "Too early."})
        member = send(
            t.client("team:usa", False),
            g,
            {"type": "argue", "uid": uid, "side": "for", "text": "x"},
        )
        assert member.status_code == 403 and member.json()["error"]["code"] == "lead_only"
        wrong_side = send(russia, g, {"type": "argue", "uid": uid, "side": "for", "text": "x"})
        assert wrong_side.status_code == 409

        # everyone who sees the action sees the arguments: under it, and in the API's view
        said = [
            ("usa", "for", "Both sides are exhausted; a channel is open."),
            ("russia", "against", "We set terms."),
            ("china", "against", "Too early."),
        ]
        for seat in ("team:usa", "team:russia", "team:ukraine", "observer", "adjudicator"):
            [entry] = [a for a in view(t.client(seat), g)["actions"] if a["uid"] == uid]
            assert [(x["team"], x["side"], x["text"]) for x in entry["arguments"]] == said, seat
        room = browser(shared_server, t.token("team:ukraine", True))
        panel = room.get(f"/games/{g}/panel/act").text
        room.close()
        assert "Too early." in panel and "Argue against" in panel

        # the desk lists them with a "strong" box each, and rules by the matrix
        desk = browser(shared_server, t.token("adjudicator"))
        panel = desk.get(f"/games/{g}/panel/desk").text
        assert len(re.findall(rf'name="strong" value="\d" id="strong-{uid}-', panel)) == 3
        ruling = form_fields(panel, 'name="type" value="rule_by_matrix"')
        data = ruling | {"strong": ["1", "2"]}
        assert desk.post(f"/games/{g}/do", data=data).headers.get("x-command-ok") == "1"
        panel = desk.get(f"/games/{g}/panel/desk").text
        desk.close()

        base, step = SC.action["direct_talks"].base_probability, SC.matrix_step
        [ruled] = events(control, g, "action_assessed")
        assert ruled["method"] == "matrix"
        assert ruled["modifiers"] == [[1, -step], [2, -step]]
        assert ruled["probability"] == pytest.approx(base - 2 * step)
        assert ruled["by"] == "Adjudicator 1"
        assert f"{(base - 2 * step) * 100:.0f}%" in panel and "matrix" in panel
        # the log holds the arguments and the ruling, and verifies
        adjudicator = t.client("adjudicator")
        ok(adjudicator, g, {"type": "roll", "uid": uid})
        ok(adjudicator, g, {"type": "publish_outcome", "uid": uid})
        ok(control, g, {"type": "close_round", "number": 1})
        ok(control, g, {"type": "end_game"})
        log = parse_log(control.get(f"{API}/games/{g}/log").text, "web.jsonl")
        made = [e for e in log.events if e.type == "argument_made"]
        assert [(e.team, e.side, e.text) for e in made] == said
        assert verify_log(log).ok
    finally:
        t.close()


def test_matrix_refusals(shared_server, account) -> None:
    t = Table(shared_server, create_game(account, seed=4))
    try:
        control = start(t)
        g = t.game
        ok(control, g, {"type": "open_round", "number": 1})
        usa, russia = t.client("team:usa"), t.client("team:russia")
        [secret] = ok(
            usa, g, {"type": "submit_action", "action": "pause_intelligence", "target": "ukraine"}
        )
        [public] = ok(usa, g, {"type": "submit_action", "action": "restore_aid"})
        # another team's secret action cannot be argued about, nor found
        for team in ("team:russia", "team:ukraine"):
            r = send(
                t.client(team),
                g,
                {"type": "argue", "uid": secret["uid"], "side": "against", "text": "no"},
            )
            assert r.status_code == 409, team
            assert r.json()["error"]["message"] == f"no submitted action '{secret['uid']}'"
            room = browser(shared_server, t.token(team))
            panel = room.get(f"/games/{g}/panel/act").text
            assert f'value="{secret["uid"]}"' not in panel  # no form names it
            assert f'argue-{secret["uid"]}"' not in panel
            assert "Pause intelligence sharing" not in panel
            room.close()
        # a matrix ruling must come to the matrix odds
        ok(russia, g, {"type": "argue", "uid": public["uid"], "side": "against", "text": "Late."})
        step = SC.matrix_step
        wrong = {
            "type": "assess",
            "uid": public["uid"],
            "method": "matrix",
            "modifiers": [[0, -step]],
            "probability": 0.9,
        }
        r = send(t.client("adjudicator"), g, wrong)
        assert r.status_code == 409 and r.json()["error"]["code"] == "matrix_odds"
        right = SC.action["restore_aid"].base_probability - step
        assert f"{right:.6g}" in r.json()["error"]["message"]
        ok(t.client("adjudicator"), g, wrong | {"probability": right})
        # arguments close with the roll
        ok(t.client("adjudicator"), g, {"type": "roll", "uid": public["uid"]})
        r = send(russia, g, {"type": "argue", "uid": public["uid"], "side": "against", "text": "x"})
        assert r.status_code == 409
        bad = send(
            t.client("adjudicator"), g, {"type": "rule_by_matrix", "uid": "a1", "strong": [-1]}
        )
        assert bad.status_code == 422
    finally:
        t.close()


def test_serve_takes_the_model_settings_and_never_shows_the_key(monkeypatch, capsys) -> None:
    import typer

    from whitecell.cli.serve import _serve_model

    assert _serve_model(None, None, "OPENAI_API_KEY", None, 60.0) is None
    with pytest.raises(typer.Exit):
        _serve_model("http://127.0.0.1:9/v1", None, "OPENAI_API_KEY", None, 60.0)
    monkeypatch.setenv("WC_TEST_KEY", "sk-very-secret-123")
    config = _serve_model("http://127.0.0.1:9/v1", "qwen", "WC_TEST_KEY", 5000, 7.5)
    assert isinstance(config, ModelConfig)
    assert (config.name, config.max_tokens_per_game) == ("qwen", 5000)
    assert config.model.client.api_key == "sk-very-secret-123"
    assert config.model.client.timeout == 7.5
    shown = capsys.readouterr()
    assert "qwen" in shown.out and "sk-very-secret" not in shown.out + shown.err


def test_a_model_seat_answers_a_proposal_in_a_negotiation_round(table: Table, fake) -> None:
    control = start(table)
    g = table.game
    for number in (1, 2):
        ok(control, g, {"type": "open_round", "number": number})
        ok(control, g, {"type": "close_round", "number": number})
    seat_model(table, "russia")
    ok(control, g, {"type": "open_round", "number": 3})  # a negotiation round
    assert not events(control, g, "model_called")  # nothing to answer yet
    proposal = {"type": "table_proposal", "agreement": "ceasefire", "clauses": ["ceasefire_line"]}
    [tabled] = ok(control, g, proposal)
    signed = wait_for(lambda: events(control, g, "proposal_signed"))
    settled(table.server, g)
    assert [(s["pid"], s["team"]) for s in signed] == [(tabled["pid"], "russia")]
    calls = events(control, g, "model_called")
    assert [(c["subject"], c["purpose"]) for c in calls] == [("team:russia", "respond")]
    assert calls[0]["seq"] < signed[0]["seq"]
    assert not MODEL_ONLY & {e["type"] for e in events(table.client("team:russia"), g)}
