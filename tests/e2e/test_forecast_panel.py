"""The control room's Forecast panel in real browsers, in English and Japanese: control
closes a round, the panel fills with the forecast and its charts (live, no reload), control
publishes one figure in words to one team; that team's room shows it, another team's does
not, and no team's room ever has the panel. Screenshots at desktop and phone size go to
test-artifacts/e2e/rooms/forecast-<lang>-<room>-<size>.png.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.audit import audit, screenshots, settle
from tests.e2e.conftest import People, Seat, unfold
from tests.web.server import Server, bearer, seat_tokens
from whitecell.store.jobs import CANCELLED, Jobs

FORECAST = 60_000  # ms: 1,000 forks on one worker, with room to spare on a busy machine
LIVE = 5_000
CEASEFIRE = "ceasefire_holding_at_end"
WORDS = {
    "en": ("Analysts give “The ceasefire holds at the end” a ", "Forecast", "After round 1 closed"),
    "ja": ("分析官は「終了時に停戦が維持されている」の可能性を", "予測", "ラウンド1終了時点"),
}


def command(server: Server, token: str, game: str, body: dict[str, Any]) -> None:
    with bearer(server, token) as c:
        r = c.post(
            f"/api/v1/games/{game}/commands",
            json=body,
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
    assert r.status_code == 200, r.text


def enter(people: People, server: Server, name: str, token: str, game: str, lang: str) -> Seat:
    seat = people.open(name, f"{server.url}/join/{token}")
    seat.page.goto(f"{server.url}/games/{game}?lang={lang}")
    seat.mark()
    return seat


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_control_publishes_a_forecast_to_one_team_and_only_that_team_reads_it(
    server: Server, people: People, lang: str
) -> None:
    created = server.create_game()
    game, tokens = created["game"], seat_tokens(created)
    command(server, tokens["control"], game, {"type": "start_game"})
    command(server, tokens["control"], game, {"type": "open_round", "number": 1})
    control = enter(people, server, f"forecast-{lang}-control", tokens["control"], game, lang)
    usa = enter(people, server, f"forecast-{lang}-usa", tokens["team:usa"], game, lang)
    russia = enter(people, server, f"forecast-{lang}-russia", tokens["team:russia"], game, lang)
    sentence, heading, when = WORDS[lang]
    panel = control.page.locator("#panel-forecast")
    expect(panel.locator("h2")).to_have_text(heading)
    expect(panel.locator("#f-forecast-now")).to_be_visible()  # before any round has closed

    control.send("close", confirm=True)
    chart = panel.locator(f"#chart-{CEASEFIRE} svg")
    expect(chart).to_be_visible(timeout=FORECAST)
    expect(panel.locator(".forecast-when")).to_contain_text(when)
    expect(panel.locator(f"#forecast-{CEASEFIRE} strong")).to_have_text(re.compile(r"^\d{1,3}%$"))
    assert chart.locator("circle").count() == 1  # one round closed, one point
    assert chart.get_attribute("role") == "img" and chart.locator("title").text_content()
    assert control.still_the_same_page(), "the forecast came live, without a reload"
    settle(control.page)
    screenshots(control.page, f"forecast-{lang}-control")

    unfold(panel.locator("details.forecast-publish"))
    choice = panel.locator(f"label:has(#publish-{CEASEFIRE})")
    told = " ".join(choice.inner_text().split())
    assert told.startswith(sentence), told
    mine = [v for v in audit(control.page) if any("panel-forecast" in n.target for n in v.nodes)]
    assert not mine, "\n".join(str(v) for v in mine)
    control.page.set_viewport_size({"width": 390, "height": 844})
    wide = panel.evaluate("(p) => p.scrollWidth - p.clientWidth")
    control.page.set_viewport_size({"width": 1280, "height": 900})
    assert wide <= 0, f"the forecast panel is {wide} px wider than a phone's screen"
    panel.locator(f"#publish-{CEASEFIRE}").check()
    panel.locator("#publish-chosen").check()
    panel.locator("#publish-to-usa").check()
    answer = control.send("forecast-publish")
    assert told in answer

    banner = usa.page.locator("#panel-announce .banner", has_text=told)
    expect(banner).to_be_visible(timeout=LIVE)
    assert usa.still_the_same_page(), "the published figure reached the team live"
    settle(usa.page)
    usa.page.wait_for_timeout(1000)  # what reached the USA live has had time to reach Russia
    assert told not in russia.page.content()
    for seat in (usa, russia):
        assert seat.page.locator("#panel-forecast").count() == 0
        assert not seat.problems(), seat.problems()
    screenshots(usa.page, f"forecast-{lang}-usa")
    screenshots(russia.page, f"forecast-{lang}-russia")
    assert not control.problems(), control.problems()


QUEUE_WORDS = {
    "en": (
        "Forecast",
        "Debrief · this game",
        "waiting: 1 in line",
        "Cancel this game’s debrief",
        "Cancelled",
    ),
    "ja": (
        "予測",
        "デブリーフ · このゲーム",
        "待機中: 1番目",
        "このゲームのデブリーフを取り消す",
        "取り消しました",
    ),
}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_control_sees_the_servers_queue_and_cancels_its_own_job_from_the_keyboard(
    server: Server, people: People, lang: str
) -> None:
    """The queue under the forecast: another game's forecast at work (its kind only), this
    game's debrief waiting with Cancel; Enter on Cancel answers beside the queue and the
    row goes. Rows made directly in the real store. Screenshots: queue-<lang>-control-*.png."""
    kind, mine, waiting_words, button, answered = QUEUE_WORDS[lang]
    created = server.create_game()
    game, tokens = created["game"], seat_tokens(created)
    command(server, tokens["control"], game, {"type": "start_game"})
    other = server.create_game()["game"]
    jobs = Jobs(server.app.state.ctx.store)
    running = jobs.create(None, "forecast", other, {"runs": 1000})
    jobs.start(running.id)
    jobs.advance(running.id, 400)
    waiting = jobs.create(None, "debrief", game, {"runs": 3000})
    control = enter(people, server, f"queue-{lang}-control", tokens["control"], game, lang)
    panel = control.page.locator("#panel-forecast")
    queue = unfold(panel.locator("details.background-work"))
    rows = queue.locator(".work-queue li")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(kind)
    expect(rows.nth(0).locator("progress")).to_have_attribute("value", "400")
    expect(rows.nth(1)).to_contain_text(mine)
    expect(rows.nth(1)).to_contain_text(waiting_words)
    assert other not in panel.inner_html()
    found = [v for v in audit(control.page) if any("panel-forecast" in n.target for n in v.nodes)]
    assert not found, "\n".join(str(v) for v in found)
    settle(control.page)
    screenshots(control.page, f"queue-{lang}-control")

    cancel = rows.nth(1).get_by_role("button", name=button)
    cancel.focus()
    control.page.keyboard.press("Enter")
    expect(queue.locator("#res-work")).to_contain_text(answered)
    expect(queue.locator(".work-queue li.here")).to_have_count(0)  # the panel drew itself again
    expect(queue.locator("#res-work")).to_contain_text(answered)  # and kept the answer
    assert jobs.get(waiting.id).status == CANCELLED  # type: ignore[union-attr]
    assert control.still_the_same_page()
    assert not control.problems(), control.problems()
