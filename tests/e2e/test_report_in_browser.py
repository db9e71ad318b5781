"""The after-action report in a real browser: the rooms' links open it, and the report's
own Content-Security-Policy lets its inline style apply while no script may run."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import People, Seat, unfold
from tests.e2e.test_live_game import ACT, LIVE, command, connected, panel
from tests.web.server import Server, seat_tokens


def opened(seat: Seat, link: str) -> Page:
    """Click a link that opens in a new tab; the new tab, loaded, with its errors recorded."""
    with seat.page.context.expect_page(timeout=ACT) as info:
        seat.page.locator(link).first.click()
    report = info.value
    report.on("console", lambda m: seat.errors.append(m.text) if m.type == "error" else None)
    report.on("pageerror", lambda exc: seat.errors.append(f"page error: {exc}"))
    report.wait_for_load_state("load")
    report.wait_for_timeout(200)  # any policy violation is reported by now
    return report


def styled_and_scriptless(report: Page) -> None:
    # the report's stylesheet applies (a blocked inline <style> leaves no sheet)
    assert report.evaluate("document.styleSheets.length") >= 1
    assert report.evaluate("getComputedStyle(document.body).maxWidth") != "none"
    assert report.evaluate("document.scripts.length") == 0


def test_the_rooms_open_the_report_and_it_shows_without_policy_errors(
    server: Server, people: People
) -> None:
    created = server.create_game(people_per_team=1, adjudicators=1)
    game, tokens = created["game"], seat_tokens(created)
    command(server, tokens["control"], game, {"type": "start_game"})
    control = people.open("control-report", f"{server.url}/join/{tokens['control']}")
    usa = people.open("usa-report", f"{server.url}/join/{tokens['team:usa']}")
    connected(usa)
    expect(panel(usa, "clock").locator("a[href*='/report']")).to_have_count(0)

    # control reads the full report while the game goes on
    full = opened(control, "#panel-controls a[href$='/report?lang=en']")
    expect(full.locator("h1").first).to_be_visible(timeout=ACT)
    styled_and_scriptless(full)
    assert not control.errors, f"the browser reported:\n{control.problems()}"

    # control ends the game; the team's room offers the public report, live
    unfold(control.page.locator("details:has(#f-end)"))
    control.send("end", "End the game", confirm=True)
    assert any("cannot be undone" in q for q in control.asked), control.asked
    link = panel(usa, "clock").get_by_role("link", name="Public report (secrets kept)")
    expect(link).to_be_visible(timeout=LIVE)
    public = opened(usa, "#panel-clock a[href$='/report?lang=en&audience=public']")
    expect(public.locator("h1").first).to_be_visible(timeout=ACT)
    styled_and_scriptless(public)
    assert "audience=control" not in public.url
    assert "audience=public" in public.url
    # the scenario reveals everything at its end: the debrief report is offered too
    debrief = opened(usa, "#panel-clock a[href$='/report?lang=en&audience=debrief']")
    expect(debrief.locator("h1").first).to_be_visible(timeout=ACT)
    styled_and_scriptless(debrief)
    assert usa.still_the_same_page()
    assert not usa.errors, f"the browser reported:\n{usa.problems()}"
