"""No player's text runs as script, anywhere it is shown: a corpus of hostile strings (see
``xss_corpus``) goes into every field people type (names given on links and on first
opening one, chat, channel names, actions and their rationale, drafts, arguments,
statements, news, injects, adjudications and assignments, results, void reasons,
rejections, leaks, the game's title, an uploaded scenario's texts), then every room is
opened in Chromium at three moments of the game: round 1 open (the desk and the queue
full), a negotiation round (proposals, counters, rejections) and the debrief (the game
over, everything revealed). Answers to commands and live updates carrying the strings
are checked the same way, in a room that stays open.

The check does not rely on the Content-Security-Policy (which would stop most inline
script even if text were not escaped): it looks for any element or attribute the
strings would have created, and for the text itself shown as text."""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import People
from tests.e2e.test_live_game import LIVE, connected, panel
from tests.e2e.xss_corpus import PAYLOADS
from tests.web.play import API
from tests.web.play import browser as seat_browser
from tests.web.server import Server

LIBRARY = Path(__file__).resolve().parents[2] / "whitecell" / "scenario" / "library"

# anything the payloads could create if a page put them in unescaped
CREATED = """() => {
  const bad = [], show = (el) => bad.push(el.outerHTML.slice(0, 120));
  const urls = ['href', 'src', 'action', 'data', 'formaction'];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase(), value = attr.value.toLowerCase();
      const handler = name.startsWith('on') || name.startsWith('hx-on');
      if ((handler || urls.includes(name)) && value.includes('__xss')) show(el);
      if (['hx-get', 'sse-connect', 'srcdoc'].includes(name) && /evil|logout|__xss/.test(value))
        show(el);
    }
    if (el.tagName === 'SCRIPT' && el.textContent.includes('__xss')) show(el);
  }
  return bad;
}"""
# every hostile string in the page's text, as text: the strings must be there, to show
# that the page did receive them
SHOWN = "window.__xss=1"

# who gives which name on first opening their link (the others keep the link's name)
NAMES = {
    "team:usa": PAYLOADS[28],
    "team:usa+member": PAYLOADS[29],
    "team:russia": PAYLOADS[30],
    "adjudicator": PAYLOADS[31],
}
CHANNELS = (PAYLOADS[5], PAYLOADS[25], PAYLOADS[45])


def hostile_scenario() -> str:
    doc = yaml.safe_load((LIBRARY / "ukraine-ceasefire-2025.yaml").read_text(encoding="utf-8"))
    cycle = itertools.cycle(PAYLOADS)
    for team in doc["teams"]:
        team["name"]["en"] = next(cycle)
        team["brief"]["en"] = next(cycle)
    for action in doc["actions"][:10]:
        action["label"]["en"] = next(cycle)
    for variable in doc["variables"][:6]:
        variable["label"]["en"] = next(cycle)
    doc["meta"]["title"]["en"] = next(cycle)
    for round_ in doc["rounds"]:  # the line under every room's heading, the banners
        round_["label"]["en"] = next(cycle)
    for inject in doc["injects"]:  # the control room's injects, and the news they bring
        inject["label"]["en"] = next(cycle)
        inject["news"]["en"] = next(cycle)
    for role in doc["roles"]:
        role["name"]["en"] = next(cycle)
    talks = doc["negotiation"]
    for clause in talks["clauses"]:
        clause["label"]["en"] = next(cycle)
    for agreement in talks["agreements"]:
        agreement["label"]["en"] = next(cycle)
    for word in doc["adjudication"]["scale"]:  # the desk's words of estimative probability
        word["label"]["en"] = next(cycle)
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def command(client: httpx.Client, game: str, body: dict) -> list[dict[str, Any]]:
    r = client.post(
        f"{API}/games/{game}/commands", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    assert r.status_code == 200, (body["type"], r.status_code, r.text[:300])
    return r.json()["events"]  # type: ignore[no-any-return]


@dataclass
class Game:
    id: str
    tokens: dict[str, str]


def give_name(server: Server, game: str, token: str, person: str) -> None:
    """What a person does when they first open their link: answer "What is your name?"."""
    c = seat_browser(server, token)
    try:
        csrf = c.csrf  # type: ignore[attr-defined]
        r = c.post(f"/games/{game}/name", data={"csrf": csrf, "person": person})
    finally:
        c.close()
    assert r.status_code == 200 and r.headers.get("x-command-ok") == "1", r.text


def play(server: Server, account: httpx.Client, stage: str) -> Game:
    """A game of the hostile scenario with every field filled with the corpus, left at
    ``stage``: "round1" (round 1 open), "talks" (round 3, a negotiation, open) or
    "debrief" (ended with actions still open, everything revealed)."""
    created = account.post(
        f"{API}/games",
        json={
            "scenario": hostile_scenario(),
            "title": PAYLOADS[0],
            "people_per_team": 2,
            "adjudicators": 1,
        },
    )
    assert created.status_code == 201, created.text
    data = created.json()
    game = data["game"]
    tokens: dict[str, str] = {}
    for link in data["links"]:
        member = link["seat"].startswith("team:") and not link["lead"]
        tokens.setdefault(f"{link['seat']}{'+member' if member else ''}", link["token"])
    clients: list[httpx.Client] = []

    def seat(name: str) -> httpx.Client:
        client = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {tokens[name]}"}, timeout=10
        )
        clients.append(client)
        return client

    def do(client: httpx.Client, type: str, **fields: Any) -> dict[str, Any]:
        """A command that must be accepted; its first event."""
        return command(client, game, {"type": type, **fields})[0]

    control, usa, russia = seat("control"), seat("team:usa"), seat("team:russia")
    member, umpire, ukraine = seat("team:usa+member"), seat("adjudicator"), seat("team:ukraine")
    for payload in PAYLOADS[:8]:  # people's names, on new links
        r = account.post(
            f"{API}/games/{game}/seats", json={"seat": "team:usa", "person": payload, "lead": False}
        )
        assert r.status_code == 201, r.text
    for who, payload in NAMES.items():  # and the names people give on first opening theirs
        give_name(server, game, tokens[who], payload)
    do(control, "start_game")
    do(control, "open_round", number=1)
    channels = [  # (who opened it, its id)
        (team, do(team, "open_channel", members=with_, name=name)["channel"])
        for team, with_, name in (
            (usa, ["russia"], CHANNELS[0]),
            (usa, ["turkey", "china"], CHANNELS[1]),
            (russia, ["europe"], CHANNELS[2]),
        )
    ]
    for i, payload in enumerate(PAYLOADS):
        do(usa, "send_message", to=["russia"], text=payload)
        do(russia, "send_message", channel="team:russia", text=payload)
        do(member, "send_message", channel="team:usa", text=payload)
        opener, channel = channels[i % len(channels)]
        do(opener, "send_message", channel=channel, text=payload)
        do(control, "publish_news", text=payload)
        do(usa, "publish_statement", text=payload)
        if i % 4 == 0:
            do(member, "draft_action", action="free", instrument="economic", secret=False,
               description=payload, rationale=payload)  # fmt: skip
    do(control, "send_message", channel=channels[0][1], sender="un_mediator", text=PAYLOADS[12])

    def free(team: httpx.Client, payload: str, target: str | None = None) -> str:
        how = {"instrument": "diplomatic", "secret": False, "rationale": PAYLOADS[-1]}
        submitted = do(
            team, "submit_action", action="free", description=payload, target=target, **how
        )
        return str(submitted["uid"])

    # an action ruled on, rolled and published with hostile texts
    done = free(usa, PAYLOADS[1])
    do(umpire, "assess", uid=done, probability=0.5, rationale=PAYLOADS[10])
    do(umpire, "roll", uid=done)
    do(control, "publish_outcome", uid=done, public_text=PAYLOADS[11], private_text=PAYLOADS[12])
    # one voided with a hostile reason, one withdrawn
    do(control, "void_action", uid=free(usa, PAYLOADS[2]), reason=PAYLOADS[13])
    do(usa, "withdraw_action", uid=free(usa, PAYLOADS[3]))
    # one still open: argued over, estimated, assigned to the adjudicator by their name
    argued = free(usa, PAYLOADS[4], target="russia")
    do(usa, "argue", uid=argued, side="for", text=PAYLOADS[14])
    do(russia, "argue", uid=argued, side="against", text=PAYLOADS[15])
    do(umpire, "estimate_odds", uid=argued, probability=0.4)
    do(control, "assign_action", uid=argued, adjudicator=NAMES["adjudicator"])
    # and another team's, its odds set with a hostile rationale, not rolled
    judged = free(russia, PAYLOADS[6], target="usa")
    do(umpire, "assess", uid=judged, probability=0.3, rationale=PAYLOADS[16])
    # injects: one written on the spot, one of the scenario's (a hostile label and news)
    do(control, "fire_inject", news=PAYLOADS[20])
    do(control, "fire_inject", inject="plot_rumour")
    # intelligence passed on: the odds with their hostile rationale, to Turkey
    log = [json.loads(line) for line in control.get(f"{API}/games/{game}/log").text.splitlines()]
    assessed = next(e["seq"] for e in log[1:] if e["type"] == "action_assessed")
    do(control, "leak", seq=assessed, teams=["turkey"])

    if stage == "talks":
        for uid in (argued, judged):
            do(control, "void_action", uid=uid, reason=PAYLOADS[17])
        for n in (1, 2):
            do(control, "close_round", number=n)
            do(control, "open_round", number=n + 1)
        line = "ceasefire_line"
        tabled = do(ukraine, "table_proposal", agreement="ceasefire",
                    clauses=[line, "prisoner_exchange"])  # fmt: skip
        do(russia, "reject_proposal", pid=tabled["pid"], reason=PAYLOADS[18])
        again = do(ukraine, "table_proposal", agreement="ceasefire", clauses=[line])
        counter = do(russia, "table_proposal", agreement="ceasefire", counter_to=again["pid"],
                     clauses=[line, "neutrality"])  # fmt: skip
        do(ukraine, "accept_proposal", pid=counter["pid"])
        mine = do(usa, "table_proposal", agreement="ceasefire", clauses=[line, "sanctions_relief"])
        do(russia, "reject_proposal", pid=mine["pid"], reason=PAYLOADS[19])
        do(member, "draft_proposal", agreement="ceasefire", clauses=[line, "security_guarantees"])
    elif stage == "debrief":
        do(control, "end_game", open_actions="void")
        do(control, "reveal_all")
    for client in clients:
        client.close()
    return Game(game, tokens)


STAGES = ("round1", "talks", "debrief")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("xss") / "whitecell.db").start()
    account = server.control()
    games = {stage: play(server, account, stage) for stage in STAGES}
    yield server, games
    server.stop()


def inert(page: Page, dialogs: list[str]) -> None:
    """Nothing ran, nothing was made of the strings, and they are shown as text."""
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
    assert page.evaluate(CREATED) == []
    assert SHOWN in page.inner_text("body")  # the strings are there, as text


def opened(browser: Browser, url: str) -> tuple[Page, list[str]]:
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    return page, dialogs


ROOMS = ["control", "adjudicator", "team:usa", "team:usa+member", "team:russia", "observer"]


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("room", ROOMS)
def test_no_hostile_text_runs_or_becomes_markup_in_any_room(browser, world, room, stage):
    server, games = world
    game = games[stage]
    page, dialogs = opened(browser, f"{server.url}/join/{game.tokens[room]}")
    # every fold and channel open, as a curious person would leave them
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    page.wait_for_timeout(200)
    inert(page, dialogs)
    if room == "control":  # and the reports control opens from the room
        for audience in ("", "&audience=debrief", "&audience=public"):
            report = page.context.new_page()
            report.goto(f"{server.url}/games/{game.id}/report?lang=en{audience}")
            assert report.evaluate("window.__xss") is None
            assert report.evaluate(CREATED) == []
            assert SHOWN in report.inner_text("body")
    page.context.close()


# the hostile texts each moment of the game must show, by the room that must show them: so
# the rooms above did receive every field the corpus went into
EXPECTED = {
    "control": [*NAMES.values(), *PAYLOADS[:8], *CHANNELS, PAYLOADS[13], PAYLOADS[20]],
    "adjudicator": [PAYLOADS[10]],
    "team:usa": [PAYLOADS[11], PAYLOADS[12], PAYLOADS[13], CHANNELS[0], CHANNELS[1]],
    "team:usa+member": [PAYLOADS[13], CHANNELS[0]],
    "team:russia": [CHANNELS[0], CHANNELS[2]],
    "observer": [PAYLOADS[11], PAYLOADS[20]],
}
EXPECTED_NOW = {  # what only one moment shows
    "round1": {
        "adjudicator": [PAYLOADS[4], PAYLOADS[14], PAYLOADS[15], PAYLOADS[16]],
        "team:usa": [PAYLOADS[14], PAYLOADS[15]],
        "team:russia": [PAYLOADS[14], PAYLOADS[15]],
        "control": [NAMES["adjudicator"], PAYLOADS[16]],
    },
    "talks": {
        "team:usa": [PAYLOADS[19], PAYLOADS[17]],
        "team:russia": [PAYLOADS[18], PAYLOADS[19]],
        "control": [PAYLOADS[18], PAYLOADS[19]],
        "observer": [PAYLOADS[18], PAYLOADS[19]],
    },
    "debrief": {"observer": [PAYLOADS[12], PAYLOADS[16]]},
}


@pytest.mark.parametrize("stage", STAGES)
def test_every_field_the_corpus_went_into_reaches_the_rooms(browser, world, stage):
    server, games = world
    missing = []
    for room in ROOMS:
        page, _ = opened(browser, f"{server.url}/join/{games[stage].tokens[room]}")
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        text = page.inner_text("body")
        expected = EXPECTED[room] + EXPECTED_NOW[stage].get(room, [])
        missing += [f"{room}: {PAYLOADS.index(p)} {p!r}" for p in expected if p not in text]
        page.context.close()
    assert not missing, "not shown where expected:\n" + "\n".join(missing)


def test_hostile_answers_and_live_updates_stay_inert_in_an_open_room(world, people: People):
    """A room that stays open: the answer to its name (a hostile one), the answer to an
    action whose label is hostile, and hostile messages, news and reasons arriving live."""
    server, games = world
    game = games["round1"]
    europe = people.open("xss-europe", f"{server.url}/join/{game.tokens['team:europe']}")
    dialogs: list[str] = []
    europe.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    europe.give_name(PAYLOADS[32])
    expect(europe.page.locator("header .whoami")).to_contain_text(PAYLOADS[32])
    connected(europe)
    act = panel(europe, "act")
    act.get_by_label("Action", exact=True).select_option("public_diplomacy")
    act.get_by_label("Your reasons, for the adjudicators").fill(PAYLOADS[33])
    said = europe.send("act")
    scenario = yaml.safe_load(hostile_scenario())
    label = next(a["label"]["en"] for a in scenario["actions"] if a["id"] == "public_diplomacy")
    assert label in said, said  # the action's hostile label, in the answer
    inert(europe.page, dialogs)

    with httpx.Client(
        base_url=server.url,
        headers={"Authorization": f"Bearer {game.tokens['control']}"},
        timeout=10,
    ) as control:
        for payload in PAYLOADS[34:40]:
            command(control, game.id, {"type": "publish_news", "text": payload})
        events = command(control, game.id, {"type": "fire_inject", "news": PAYLOADS[40]})
        assert events
        mine = [
            a["uid"]
            for a in control.get(f"{API}/games/{game.id}/view").json()["actions"]
            if a["team"] == "europe" and a["status"] == "submitted"
        ]
        command(control, game.id, {"type": "void_action", "uid": mine[0], "reason": PAYLOADS[41]})
    expect(panel(europe, "story")).to_contain_text(PAYLOADS[39], timeout=LIVE)
    expect(europe.page.locator("body")).to_contain_text(PAYLOADS[41], timeout=LIVE)
    europe.page.wait_for_timeout(300)
    inert(europe.page, dialogs)
    assert europe.still_the_same_page()
    assert not europe.errors, europe.problems()


def test_the_corpus_is_large_and_would_be_caught_unescaped(browser):
    assert len(PAYLOADS) >= 50
    page = browser.new_page()
    page.set_content("<div>" + "".join(PAYLOADS) + "</div>")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__xss") == 1 or page.evaluate(CREATED)
    page.close()
