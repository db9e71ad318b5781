"""The adjudicator's desk offers the scenario's own words of estimative probability."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from tests.web.server import seat_tokens

SCENARIO = Path(__file__).resolve().parents[2] / "whitecell" / "selftest" / "base.yaml"


def test_the_desk_offers_the_words_and_odds_the_scenario_sets(server) -> None:
    text = SCENARIO.read_text(encoding="utf-8") + (
        "\nadjudication:\n  scale:\n"
        "    - {label: {en: a safe bet, ja: 堅い}, probability: 0.9}\n"
        "    - {label: {en: a long shot, ja: 大穴}, probability: 0.1}\n"
    )
    created = server.create_game(scenario=text)
    game, tokens = created["game"], seat_tokens(created)

    for seat, body in (
        ("control", {"type": "start_game"}),
        ("control", {"type": "open_round", "number": 1}),
        ("team:red", {"type": "submit_action", "action": "patrol"}),
    ):
        r = httpx.post(
            f"{server.url}/api/v1/games/{game}/commands",
            json=body,
            headers={"Authorization": f"Bearer {tokens[seat]}", "Idempotency-Key": str(body)},
        )
        assert r.status_code == 200, r.text
    with httpx.Client(base_url=server.url, follow_redirects=True) as browser:
        browser.get(f"/join/{tokens['adjudicator']}")
        desk = browser.get(f"/games/{game}/panel/desk").text
        japanese = browser.get(f"/games/{game}/panel/desk?lang=ja").text
    offered = re.findall(r'data-set-percent="(\d+)"[^>]*>([^<]+)<', desk)
    assert [(p, w.split(" ")[0]) for p, w in offered] == [("90", "a"), ("10", "a")]
    assert "a safe bet" in desk and "a long shot" in desk
    assert "堅い" in japanese and "大穴" in japanese


def test_the_desk_shows_the_reference_cards_the_adjudicators_may_read(server) -> None:
    """The cascade's loadout card is for adjudicators; its arsenal card is public."""
    created = server.create_game(scenario="nuclear-cascade-2025")
    game, tokens = created["game"], seat_tokens(created)
    with httpx.Client(base_url=server.url, follow_redirects=True) as browser:
        browser.get(f"/join/{tokens['adjudicator']}")
        desk = browser.get(f"/games/{game}/panel/desk").text
        japanese = browser.get(f"/games/{game}/panel/desk?lang=ja").text
    assert "Reference cards" in desk and "Nuclear arsenals in early 2025" in desk
    assert "cards.arsenals." in desk  # the facts rule modifiers may cite, by name
    assert "参考カード" in japanese and "2025年初頭の核戦力" in japanese
    with httpx.Client(base_url=server.url, follow_redirects=True) as team:
        team.get(f"/join/{tokens['team:japan']}")
        assert team.get(f"/games/{game}/panel/desk").status_code == 404  # no desk for teams
        view = team.get(f"/api/v1/games/{game}/view").json()
    titles = {c["title"] for c in view["cards"]}
    assert "Nuclear arsenals in early 2025" in titles  # public
    hidden = {c["id"] for c in view["cards"]} ^ {"arsenals"}
    assert not hidden, f"cards for adjudicators reach a team: {hidden}"


def test_a_free_form_action_is_put_on_a_rung_of_the_ladder_at_the_desk(server) -> None:
    """The base scenario writes no ladder: the desk offers the default five rungs for a
    free-form action (none for a catalogue one), and the ruling records the rung."""
    created = server.create_game(scenario=SCENARIO.read_text(encoding="utf-8"))
    game, tokens = created["game"], seat_tokens(created)

    def command(seat: str, body: dict) -> httpx.Response:
        return httpx.post(
            f"{server.url}/api/v1/games/{game}/commands",
            json=body,
            headers={"Authorization": f"Bearer {tokens[seat]}", "Idempotency-Key": str(body)},
        )

    def log_of() -> list[dict]:
        """The game's events, from the log control downloads (JSON Lines after a header)."""
        text = httpx.get(
            f"{server.url}/api/v1/games/{game}/log",
            headers={"Authorization": f"Bearer {tokens['control']}"},
        ).text
        return [json.loads(line) for line in text.splitlines()[1:]]

    for seat, body in (
        ("control", {"type": "start_game"}),
        ("control", {"type": "open_round", "number": 1}),
        ("team:red", {"type": "submit_action", "action": "patrol"}),
        (
            "team:blue",
            {
                "type": "submit_action",
                "action": "free",
                "description": "Blockade the ridge road",
                "instrument": "military",
            },
        ),
    ):
        assert command(seat, body).status_code == 200
    with httpx.Client(base_url=server.url, follow_redirects=True) as browser:
        browser.get(f"/join/{tokens['adjudicator']}")
        desk = browser.get(f"/games/{game}/panel/desk").text
        japanese = browser.get(f"/games/{game}/panel/desk?lang=ja").text
    assert desk.count('<select name="rung"') == 1  # the free-form case's form alone
    options = re.findall(r'<option value="([a-z_]*)"[^>]*>([^<]+)</option>', desk)
    assert options == [
        ("", "Not scored"),
        ("de_escalation", "De-escalation (-2)"),
        ("posturing", "Posturing (+4)"),
        ("non_violent", "Non-violent escalation (+12)"),
        ("violent", "Violent escalation (+28)"),
        ("nuclear", "Nuclear (+60)"),
    ]
    assert '<label for="esc-rule-' in desk  # the select has its label
    assert "エスカレーションの段階" in japanese and "緊張緩和 (-2)" in japanese
    events = log_of()
    free, patrol = (
        next(e["uid"] for e in events if e.get("action") == kind) for kind in ("free", "patrol")
    )
    refused = command(
        "adjudicator", {"type": "assess", "uid": free, "probability": 0.5, "rung": "war"}
    )
    assert 400 <= refused.status_code < 500
    assert "unknown escalation level 'war'" in refused.text and "nuclear" in refused.text
    fixed = command(
        "adjudicator", {"type": "assess", "uid": patrol, "probability": 0.5, "rung": "violent"}
    )
    assert 400 <= fixed.status_code < 500 and "scenario" in fixed.text
    ruled = command(
        "adjudicator", {"type": "assess", "uid": free, "probability": 0.5, "rung": "violent"}
    )
    assert ruled.status_code == 200, ruled.text
    events = log_of()
    (assessed,) = [e for e in events if e["type"] == "action_assessed"]
    assert assessed["uid"] == free and assessed["rung"] == "violent"
