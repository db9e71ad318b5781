"""Play one: a single automated game of a saved version, shown as its story with how it
ended, the same game for the same seed, and its full report one click away."""

from __future__ import annotations

import re

import httpx

from tests.web.play import API
from whitecell.play import play_game
from whitecell.scenario.load import load_scenario_text
from whitecell.scenario.skeleton import skeleton
from whitecell.web.studio import FILENAME

TEXT = skeleton("new-scenario", FILENAME)


def shelve(c: httpx.Client, text: str = TEXT) -> str:
    r = c.post(f"{API}/scenarios", json={"yaml": text})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_play_one_draws_a_seed_and_puts_it_in_the_address(account: httpx.Client) -> None:
    scenario = shelve(account)
    r = account.get(f"/studio/{scenario}/play")
    assert r.status_code == 303
    assert re.search(rf"/studio/{scenario}/play\?version=1&seed=\d+$", r.headers["location"])


def test_one_game_tells_its_story_and_how_it_ended_the_same_for_the_same_seed(
    account: httpx.Client,
) -> None:
    scenario = shelve(account)
    html = account.get(f"/studio/{scenario}/play?version=1&seed=42&lang=en").text
    game = play_game(load_scenario_text(TEXT, FILENAME), 42)
    story = re.findall(r"<ol class=\"story\">(.*?)</ol>", html, re.S)[0]
    assert story.count("<li") > 5 and "[bold" not in story and "[dim]" not in story
    assert story.count('<li class="round"><h3>') == 3  # the skeleton's three rounds
    assert f"({len(game.events)} events)" in html
    truce = game.state.outcomes["truce_holds"] if game.state.outcomes else None
    said = "ok" if truce else "no"
    assert f'A truce holds at the end</strong>: <span class="status {said}">' in html
    assert account.get(f"/studio/{scenario}/play?version=1&seed=42&lang=en").text == html


def test_the_full_report_of_that_game_is_a_report(account: httpx.Client) -> None:
    scenario = shelve(account)
    r = account.get(f"/studio/{scenario}/play/report?version=1&seed=42")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "<svg" in r.text and "seed" not in r.headers.get("location", "")


def test_a_version_with_problems_is_not_played(account: httpx.Client) -> None:
    scenario = shelve(account, "meta: {id: broken}\n")
    r = account.get(f"/studio/{scenario}/play?seed=1")
    assert r.status_code == 422 and "problems" in r.text


def test_another_account_cannot_play_it(account: httpx.Client, stranger: httpx.Client) -> None:
    scenario = shelve(account)
    assert stranger.get(f"/studio/{scenario}/play?seed=1").status_code == 404
    assert stranger.get(f"/studio/{scenario}/play/report?version=1&seed=1").status_code == 404
