"""A live game in real browsers: every seat in its own context, every update over SSE.

Each page is marked when it is opened; a page still marked at the end was never
reloaded, so whatever it shows arrived live. Every seat's page is saved, full length, to
test-artifacts/e2e/<seat>.png when its test ends.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import People, Seat
from tests.e2e.proxy import Relay
from tests.web.server import PASSWORD, Server, bearer, seat_tokens
from whitecell.web.i18n import translations

LIVE = 3_000  # ms: an update reaches every page within a couple of seconds
ACT = 5_000  # ms: a command's answer

RATIONALE = "USA-RATIONALE: Moscow wants a deal before the spring thaw"
PUBLIC = "PUBLIC-NARRATIVE: envoys meet quietly in Riyadh"
PRIVATE = "PRIVATE-RESULT: the Kremlin hints at a freeze on the line"
NEWS = "NEWS-ITEM: the white cell reports heavy snow along the front"


# -- helpers ---------------------------------------------------------------------------


def submit(seat: Seat, button: Locator) -> None:
    """Click a command's button and wait for its answer in #flash; fail on an error."""
    page = seat.page
    page.locator("#flash").evaluate("el => el.replaceChildren()")
    button.click()
    answer = page.locator("#flash > p")
    try:
        expect(answer).to_be_visible(timeout=ACT)
    except AssertionError:
        if page.url.endswith("/do"):
            raise AssertionError(
                f"{seat.name}: the form was posted as a whole page to {page.url}, not by htmx "
                f"into #flash (its panel was not processed after a live refresh); "
                f"browser errors:\n{seat.problems()}"
            ) from None
        raise
    assert answer.get_attribute("data-ok") == "1", f"command refused: {answer.inner_text()}"


def panel(seat: Seat, name: str) -> Locator:
    return seat.page.locator(f"#panel-{name}")


def command(server: Server, token: str, game: str, body: dict[str, Any]) -> dict[str, Any]:
    with bearer(server, token) as c:
        r = c.post(
            f"/api/v1/games/{game}/commands",
            json=body,
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
    assert r.status_code == 200, r.text
    return r.json()


def view(server: Server, token: str, game: str) -> dict[str, Any]:
    with bearer(server, token) as c:
        r = c.get(f"/api/v1/games/{game}/view")
    assert r.status_code == 200, r.text
    return r.json()


def create_game_in_browser(control: Page, url: str) -> tuple[str, list[dict[str, Any]]]:
    """Control signs in, creates a game on the home page and reads the links table."""
    control.goto(url + "/login")
    control.get_by_label("Name").fill("control")
    control.get_by_label("Password").fill(PASSWORD)
    control.get_by_role("button", name="Sign in").click()
    control.locator("select[name=scenario]").select_option("ukraine-ceasefire-2025")
    control.get_by_label("Title").fill("Ankara seminar")
    control.get_by_label("People per team").fill("1")
    control.get_by_label("Adjudicators").fill("1")
    control.get_by_role("button", name="Create the game").click()
    expect(control.locator("table.links")).to_be_visible(timeout=ACT)
    links = []
    for row in control.locator("table.links tbody tr").all():
        seat, person, lead, link = (c.inner_text().strip() for c in row.locator("td").all())
        links.append({"seat": seat, "person": person, "lead": lead == "✓", "url": link})
    control.get_by_role("link", name="Open the control room").click()
    game = control.url.rstrip("/").rsplit("/", 1)[-1]
    expect(control).to_have_url(f"{url}/games/{game}")
    return game, links


def first_link(links: list[dict[str, Any]], seat: str) -> str:
    return next(link["url"] for link in links if link["seat"] == seat)


def wait_until(seat: Seat, script: str, timeout: float = ACT / 1000) -> None:
    """Poll a script until it is true. (Not ``wait_for_function``: its polling evaluates
    strings in the page, which the app's Content-Security-Policy rightly forbids.)"""
    deadline = time.monotonic() + timeout
    while not seat.page.evaluate(script):
        assert time.monotonic() < deadline, f"{seat.name}: still not true: {script}"
        seat.page.wait_for_timeout(50)


def connected(seat: Seat) -> None:
    """Wait until the page's live stream is open."""
    wait_until(
        seat, "document.body['htmx-internal-data']?.sseEventSource?.readyState === EventSource.OPEN"
    )


def never_shows(seat: Seat, *secrets: str) -> None:
    html = seat.page.content()
    for secret in secrets:
        assert secret not in html, f"{seat.name}'s page shows {secret!r}"


# -- the game --------------------------------------------------------------------------


def test_a_game_played_in_browsers_updates_each_seat_live_with_only_what_it_may_see(
    server: Server, people: People
) -> None:
    control = people.open("control", server.url)
    game, links = create_game_in_browser(control.page, server.url)
    seats = {link["seat"] for link in links}
    assert seats == {
        "control",
        "adjudicator",
        "observer",
        *(f"team:{t}" for t in ("russia", "usa", "ukraine", "china", "turkey", "europe")),
    }
    assert all(link["url"].startswith(f"{server.url}/join/") for link in links)
    control.page.evaluate("window.__e2e_same_page = true")

    usa = people.open("usa", first_link(links, "team:usa"))
    ukraine = people.open("ukraine", first_link(links, "team:ukraine"))
    adjudicator = people.open("adjudicator", first_link(links, "adjudicator"))
    observer = people.open("observer", first_link(links, "observer"))
    everyone = [control, usa, ukraine, adjudicator, observer]
    for seat in everyone[1:]:
        expect(seat.page).to_have_url(f"{server.url}/games/{game}")
        expect(panel(seat, "clock")).to_contain_text("The game has not started yet.")
    expect(usa.page.locator("header .who")).to_contain_text("United States")
    expect(ukraine.page.locator("header .who")).to_contain_text("Ukraine")
    russia_token = first_link(links, "team:russia").rsplit("/", 1)[-1]

    # control starts the game and opens round 1 with a clock
    submit(control, control.page.get_by_role("button", name="Start the game"))
    for seat in everyone:
        expect(panel(seat, "clock")).to_contain_text("Waiting for round 1.", timeout=LIVE)
    controls = panel(control, "controls")
    expect(controls.get_by_role("button", name="Open round 1")).to_be_visible(timeout=LIVE)
    controls.locator("input[name=minutes]").fill("20")
    submit(control, controls.get_by_role("button", name="Open round 1"))
    for seat in everyone:
        expect(panel(seat, "clock")).to_contain_text("Round 1 of 5", timeout=LIVE)
        expect(panel(seat, "clock")).to_contain_text("Opening moves")
    expect(usa.page.locator(".countdown .left")).to_have_text(
        re.compile(r"^(1\d:[0-5]\d|20:00)$"), timeout=LIVE
    )

    # the usa lead submits an action with a rationale
    act = panel(usa, "act")
    expect(act).not_to_contain_text("Actions are submitted while", timeout=LIVE)
    act.locator("select[name=action]").select_option("direct_talks")
    act.locator("select[name=target]").select_option("russia")
    act.locator("textarea[name=rationale]").fill(RATIONALE)
    submit(usa, act.get_by_role("button", name="Submit", exact=True))
    expect(act).to_contain_text("Direct talks with Moscow", timeout=LIVE)
    expect(act.locator("textarea[name=rationale]")).to_have_value("")  # the form was cleared
    expect(panel(control, "queue")).to_contain_text("Direct talks with Moscow", timeout=LIVE)

    # the adjudicator sees it on the desk, accepts the rules' odds, rolls and publishes
    case = panel(adjudicator, "desk").locator("article.case")
    expect(case).to_contain_text("United States: Direct talks with Moscow", timeout=LIVE)
    expect(case).to_contain_text(RATIONALE)
    expect(case).to_contain_text("The rules suggest 65%")
    submit(adjudicator, case.get_by_role("button", name="Accept the rules' odds"))
    expect(case).to_contain_text("65%", timeout=LIVE)
    submit(adjudicator, case.get_by_role("button", name="Roll the die"))
    expect(case.get_by_role("button", name="Publish the outcome")).to_be_visible(timeout=LIVE)
    roll = re.search(r"roll (0\.\d\d|1\.00)", case.inner_text())
    assert roll, case.inner_text()
    case.locator("textarea[name=public_text]").fill(PUBLIC)
    case.locator("textarea[name=private_text]").fill(PRIVATE)
    submit(adjudicator, case.get_by_role("button", name="Publish the outcome"))
    expect(panel(adjudicator, "desk")).to_contain_text(
        "No actions waiting in this round.", timeout=LIVE
    )

    # the usa page shows its odds, roll and private result; the others only the news
    expect(act).to_contain_text("65%", timeout=LIVE)
    expect(act).to_contain_text(f"roll {roll.group(1)}")
    expect(act).to_contain_text(re.compile("succeeded|failed"))
    expect(panel(usa, "story")).to_contain_text(PRIVATE, timeout=LIVE)
    expect(panel(usa, "story")).to_contain_text(PUBLIC)
    for seat in (ukraine, observer, control):
        expect(panel(seat, "story" if seat is not control else "log")).to_contain_text(
            PUBLIC, timeout=LIVE
        )
    expect(panel(observer, "story")).to_contain_text("Direct talks with Moscow")

    # the white cell publishes news
    news = panel(control, "controls")
    news.locator("textarea[name=text]").fill(NEWS)
    submit(control, news.get_by_role("button", name="Publish", exact=True))
    for seat in (usa, ukraine, observer):
        expect(panel(seat, "story")).to_contain_text(NEWS, timeout=LIVE)

    for seat in (ukraine, observer):
        never_shows(seat, RATIONALE, PRIVATE, "65%", f"roll {roll.group(1)}")

    # rounds close and open up to the negotiation in Ankara; round 2 stays empty
    for close, open_ in ((1, 2), (2, 3)):
        submit(control, controls.get_by_role("button", name=f"Close round {close}"))
        expect(controls.get_by_role("button", name=f"Open round {open_}")).to_be_visible(
            timeout=LIVE
        )
        submit(control, controls.get_by_role("button", name=f"Open round {open_}"))
    for seat in everyone:
        expect(panel(seat, "clock")).to_contain_text("Round 3 of 5", timeout=LIVE)
        expect(panel(seat, "clock")).to_contain_text("Negotiation round")
        expect(panel(seat, "clock")).to_contain_text("First Ankara talks")

    # ukraine tables a ceasefire; russia (through the API) and ukraine sign it
    talks = panel(ukraine, "proposals")
    submit(ukraine, talks.get_by_role("button", name="Table it"))
    proposal = talks.locator("li.proposal")
    expect(proposal).to_contain_text("Ceasefire", timeout=LIVE)
    expect(proposal).to_contain_text("Parties: Russia, Ukraine")
    expect(panel(usa, "proposals")).to_contain_text("No proposals on your table.")
    pid = next(p["pid"] for p in view(server, russia_token, game)["proposals"])
    submit(ukraine, proposal.get_by_role("button", name="Sign", exact=True))
    expect(proposal).to_contain_text("signed: Ukraine", timeout=LIVE)
    command(server, russia_token, game, {"type": "sign_proposal", "pid": pid})
    in_force = re.compile(r"Ceasefire: Ceasefire along the current line of contact — in force")
    for seat in (ukraine, usa):
        expect(panel(seat, "brief")).to_contain_text(in_force, timeout=LIVE)
    expect(panel(observer, "story")).to_contain_text(
        re.compile(r"Ceasefire signed by Russia.*Ukraine: in force\."), timeout=LIVE
    )
    expect(proposal.get_by_role("button", name="Sign", exact=True)).to_have_count(0)

    for seat in everyone:
        assert seat.still_the_same_page(), f"{seat.name}'s page was reloaded"
    for seat in everyone:
        assert not seat.errors, f"{seat.name}'s browser reported:\n{seat.problems()}"


# -- language --------------------------------------------------------------------------


def started(server: Server, rounds: int = 1) -> tuple[str, dict[str, str]]:
    created = server.create_game(people_per_team=1, adjudicators=1)
    game, tokens = created["game"], seat_tokens(created)
    command(server, tokens["control"], game, {"type": "start_game"})
    for n in range(1, rounds + 1):
        if n > 1:
            command(server, tokens["control"], game, {"type": "close_round", "number": n - 1})
        command(server, tokens["control"], game, {"type": "open_round", "number": n})
    return game, tokens


def test_a_room_opened_with_lang_ja_shows_the_round_and_the_scenario_in_japanese(
    server: Server, people: People
) -> None:
    game, tokens = started(server)
    usa = people.open("usa-ja", f"{server.url}/join/{tokens['team:usa']}")
    usa.page.goto(f"{server.url}/games/{game}?lang=ja")
    usa.page.evaluate("window.__e2e_same_page = true")
    ja = translations("ja").gettext
    header = ja("Round %(n)s of %(total)s") % {"n": 1, "total": 5}
    assert header != "Round 1 of 5"
    expect(usa.page.locator("html")).to_have_attribute("lang", "ja")
    clock = panel(usa, "clock")
    expect(clock).to_contain_text(header)
    expect(clock).to_contain_text(ja("Action round"))
    expect(clock).to_contain_text("序盤の動き")  # the scenario's round label
    expect(panel(usa, "brief")).to_contain_text("米国")
    expect(panel(usa, "brief")).to_contain_text("あなたはワシントンの新政権である")
    expect(panel(usa, "story")).to_contain_text("第1ラウンド・審判ラウンド・序盤の動き")
    expect(usa.page.get_by_role("button", name=ja("Submit"), exact=True)).to_be_visible()

    # a live refresh keeps the language: the panels come back in Japanese
    command(server, tokens["control"], game, {"type": "close_round", "number": 1})
    command(server, tokens["control"], game, {"type": "open_round", "number": 2})
    expect(clock).to_contain_text("圧力と駆け引き", timeout=LIVE)
    expect(clock).to_contain_text(ja("Round %(n)s of %(total)s") % {"n": 2, "total": 5})
    assert usa.still_the_same_page()


def test_live_refreshes_raise_no_script_errors_and_keep_every_form_working(
    server: Server, people: People
) -> None:
    game, tokens = started(server)
    usa = people.open("usa-refreshed", f"{server.url}/join/{tokens['team:usa']}")
    connected(usa)
    command(server, tokens["control"], game, {"type": "publish_news", "text": NEWS})
    expect(panel(usa, "story")).to_contain_text(NEWS, timeout=LIVE)
    usa.page.wait_for_timeout(300)  # the other panels' swaps settle
    assert not usa.errors, f"the browser reported:\n{usa.problems()}"
    unprocessed = usa.page.evaluate(
        "[...document.querySelectorAll('form[hx-post]')]"
        ".filter(f => !f['htmx-internal-data']).map(f => f.closest('section').id)"
    )
    assert not unprocessed, f"forms htmx did not take over after a refresh, in: {unprocessed}"


# -- lost connections ------------------------------------------------------------------


def test_a_page_whose_stream_dropped_gets_what_happened_meanwhile_without_a_reload(
    server: Server, people: People
) -> None:
    game, tokens = started(server)
    relay = Relay(server.port)
    try:
        usa = people.open("usa-dropped", f"{relay.url}/join/{tokens['team:usa']}")
        story = panel(usa, "story")
        connected(usa)
        usa.page.evaluate(
            "window.__sse_errors = 0;"
            "document.body.addEventListener('htmx:sseError', () => window.__sse_errors++)"
        )
        relay.cut()
        wait_until(usa, "window.__sse_errors > 0")
        command(server, tokens["control"], game, {"type": "publish_news", "text": NEWS})
        usa.page.wait_for_timeout(500)
        expect(story).not_to_contain_text(NEWS)  # the page really is cut off
        relay.restore()
        expect(story).to_contain_text(NEWS, timeout=4 * LIVE)
        assert usa.still_the_same_page()
    finally:
        relay.close()


def test_a_page_that_went_offline_gets_what_happened_meanwhile_once_back_online(
    server: Server, people: People
) -> None:
    game, tokens = started(server)
    usa = people.open("usa-offline", f"{server.url}/join/{tokens['team:usa']}")
    story = panel(usa, "story")
    connected(usa)
    usa.page.context.set_offline(True)
    command(server, tokens["control"], game, {"type": "publish_news", "text": NEWS})
    usa.page.wait_for_timeout(1_000)
    usa.page.context.set_offline(False)
    expect(story).to_contain_text(NEWS, timeout=4 * LIVE)
    assert usa.still_the_same_page()


# -- forms under live refreshes --------------------------------------------------------


def test_a_half_filled_action_form_survives_a_live_refresh(server: Server, people: People) -> None:
    game, tokens = started(server)
    usa = people.open("usa-typing", f"{server.url}/join/{tokens['team:usa']}")
    act = panel(usa, "act")
    connected(usa)
    act.locator("select[name=action]").select_option("direct_talks")
    act.locator("select[name=target]").select_option("russia")
    act.locator("textarea[name=rationale]").fill(RATIONALE)
    command(server, tokens["control"], game, {"type": "publish_news", "text": NEWS})
    expect(panel(usa, "story")).to_contain_text(NEWS, timeout=LIVE)
    expect(act.locator("textarea[name=rationale]")).to_have_value(RATIONALE)
    expect(act.locator("select[name=action]")).to_have_value("direct_talks")
    expect(act.locator("select[name=target]")).to_have_value("russia")
