"""The adjudicator's desk offers the scenario's own words of estimative probability."""

from __future__ import annotations

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
