"""No player's text runs as script, anywhere it is shown: a corpus of hostile strings (see
``xss_corpus``) goes into every field people type (names, chat, channels, actions and
their rationale, drafts, statements, news, injects, adjudications, results, rejections,
the game's title, an uploaded scenario's texts), then every room is opened in Chromium.

The check does not rely on the Content-Security-Policy (which would stop most inline
script even if text were not escaped): it looks for any element or attribute the
strings would have created, and for the text itself shown as text."""

from __future__ import annotations

import itertools
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from tests.e2e.xss_corpus import PAYLOADS
from tests.web.play import API
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
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def command(client: httpx.Client, game: str, body: dict) -> dict:
    r = client.post(
        f"{API}/games/{game}/commands", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    assert r.status_code == 200, (body["type"], r.status_code, r.text[:300])
    return r.json()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("xss") / "whitecell.db").start()
    account = server.control()
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

    def seat(name: str) -> httpx.Client:
        return httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {tokens[name]}"}, timeout=10
        )

    control, usa, russia = seat("control"), seat("team:usa"), seat("team:russia")
    member, umpire = seat("team:usa+member"), seat("adjudicator")
    for payload in PAYLOADS[:8]:  # people's names, on new links
        r = account.post(
            f"{API}/games/{game}/seats", json={"seat": "team:usa", "person": payload, "lead": False}
        )
        assert r.status_code == 201, r.text
    command(control, game, {"type": "start_game"})
    command(control, game, {"type": "open_round", "number": 1})
    command(usa, game, {"type": "open_channel", "members": ["russia"], "name": PAYLOADS[5]})
    for i, payload in enumerate(PAYLOADS):
        command(usa, game, {"type": "send_message", "to": ["russia"], "text": payload})
        command(russia, game, {"type": "send_message", "channel": "team:russia", "text": payload})
        command(control, game, {"type": "publish_news", "text": payload})
        command(usa, game, {"type": "publish_statement", "text": payload})
        if i % 4 == 0:
            command(
                member,
                game,
                {"type": "draft_action", "action": "free", "instrument": "economic",
                 "secret": False, "description": payload, "rationale": payload},
            )  # fmt: skip
    uids = []
    for payload in PAYLOADS[:2]:
        events = command(
            usa,
            game,
            {"type": "submit_action", "action": "free", "instrument": "diplomatic",
             "secret": False, "description": payload, "rationale": PAYLOADS[-1]},
        )["events"]  # fmt: skip
        uids.append(events[0]["uid"])
    for uid, payload in zip(uids, PAYLOADS[10:], strict=False):
        command(
            umpire, game, {"type": "assess", "uid": uid, "probability": 0.5, "rationale": payload}
        )
        command(umpire, game, {"type": "roll", "uid": uid})
        command(
            control,
            game,
            {
                "type": "publish_outcome",
                "uid": uid,
                "public_text": payload,
                "private_text": payload,
            },
        )
    command(control, game, {"type": "fire_inject", "news": PAYLOADS[20]})
    command(control, game, {"type": "close_round", "number": 1})
    yield server, game, tokens
    server.stop()


ROOMS = ["control", "adjudicator", "team:usa", "team:usa+member", "team:russia", "observer"]


@pytest.mark.parametrize("room", ROOMS)
def test_no_hostile_text_runs_or_becomes_markup_in_any_room(browser, world, room):
    server, game, tokens = world
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server.url}/join/{tokens[room]}")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
    assert page.evaluate(CREATED) == []
    shown = page.inner_text("body")
    assert "window.__xss=1" in shown  # the strings are there, as text
    if room == "control":  # and the report control opens from the room
        report = context.new_page()
        report.goto(f"{server.url}/games/{game}/report")
        assert report.evaluate("window.__xss") is None
        assert report.evaluate(CREATED) == []
        assert "window.__xss=1" in report.inner_text("body")
    context.close()


def test_the_corpus_is_large_and_would_be_caught_unescaped(browser):
    assert len(PAYLOADS) >= 50
    page = browser.new_page()
    page.set_content("<div>" + "".join(PAYLOADS) + "</div>")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__xss") == 1 or page.evaluate(CREATED)
    page.close()
