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

from tests.e2e.conftest import ANSWER, Findings, People, Seat, unfold
from tests.e2e.proxy import Relay
from tests.web.server import PASSWORD, Server, bearer, seat_tokens
from whitecell.web.i18n import translations

LIVE = 3_000  # ms: an update reaches every page within a couple of seconds
ACT = ANSWER  # ms: a command's answer

RATIONALE = "USA-RATIONALE: Moscow wants a deal before the spring thaw"
PUBLIC = "PUBLIC-NARRATIVE: envoys meet quietly in Riyadh"
PRIVATE = "PRIVATE-RESULT: the Kremlin hints at a freeze on the line"
NEWS = "NEWS-ITEM: the white cell reports heavy snow along the front"


# -- helpers ---------------------------------------------------------------------------


def panel(seat: Seat, name: str) -> Locator:
    return seat.page.locator(f"#panel-{name}")


def phase_line(seat: Seat) -> Locator:
    """The line under the room's heading: the round, its kind, its label, its venue."""
    return seat.page.locator(".room-head .phase")


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


def never_shows(seat: Seat, *secrets: str, besides: str = "") -> None:
    """The page's markup holds none of ``secrets`` (leaving out the elements ``besides``
    selects: what the seat may see for its own reasons, such as its own odds)."""
    html = seat.page.evaluate(
        """(besides) => {
          const copy = document.documentElement.cloneNode(true);
          if (besides) copy.querySelectorAll(besides).forEach((el) => el.remove());
          return copy.outerHTML;
        }""",
        besides,
    )
    for secret in secrets:
        assert secret not in html, f"{seat.name}'s page shows {secret!r}"


# -- the game --------------------------------------------------------------------------


def test_a_game_played_in_browsers_updates_each_seat_live_with_only_what_it_may_see(
    server: Server, people: People
) -> None:
    found = Findings()
    control = people.open("game-control", server.url)
    game, links = create_game_in_browser(control.page, server.url)
    seats = {link["seat"] for link in links}
    assert seats == {
        "control",
        "adjudicator",
        "observer",
        *(f"team:{t}" for t in ("russia", "usa", "ukraine", "china", "turkey", "europe")),
    }
    assert all(link["url"].startswith(f"{server.url}/join/") for link in links)
    control.mark()

    usa = people.open("game-usa", first_link(links, "team:usa"))
    ukraine = people.open("game-ukraine", first_link(links, "team:ukraine"))
    adjudicator = people.open("game-adjudicator", first_link(links, "adjudicator"))
    observer = people.open("game-observer", first_link(links, "observer"))
    everyone = [control, usa, ukraine, adjudicator, observer]
    for seat in everyone[1:]:
        expect(seat.page).to_have_url(f"{server.url}/games/{game}")
        expect(panel(seat, "clock")).to_contain_text("The game has not started yet.")
    expect(usa.page.locator("header .whoami")).to_contain_text("United States")
    expect(ukraine.page.locator("header .whoami")).to_contain_text("Ukraine")
    russia_token = first_link(links, "team:russia").rsplit("/", 1)[-1]

    # people give their names when they first open their link; the others see them
    expect(usa.page.locator("section.name-prompt")).to_contain_text("What is your name?")
    usa.give_name("Ana Ruiz")
    adjudicator.give_name("Ben Okafor")
    for seat in (usa, adjudicator):
        expect(seat.page.locator("section.name-prompt")).to_have_count(0)
    expect(usa.page.locator("header .whoami")).to_contain_text("Ana Ruiz")

    # control starts the game and opens round 1 with a clock
    control.send("start", "Start the game")
    for seat in everyone:
        expect(panel(seat, "clock")).to_contain_text("Waiting for round 1.", timeout=LIVE)
    opening = control.form("open")
    expect(opening.get_by_role("button", name="Open round 1")).to_be_visible(timeout=LIVE)
    opening.get_by_label("Clock").fill("20")
    control.send("open", "Open round 1")
    for seat in everyone:
        expect(panel(seat, "clock")).to_contain_text("Round 1 of 5", timeout=LIVE)
        expect(panel(seat, "clock")).to_contain_text("Action round")
        expect(phase_line(seat)).to_contain_text("Opening moves", timeout=LIVE)
    expect(usa.page.locator(".countdown .left")).to_have_text(
        re.compile(r"^(1\d:[0-5]\d|20:00)$"), timeout=LIVE
    )
    # the round's opening is announced in a banner at the top, until it is dismissed
    banner = usa.page.locator("#panel-announce .banner").filter(has_text="Opening moves")
    expect(banner).to_be_visible(timeout=LIVE)
    banner.get_by_role("button", name=re.compile("^Dismiss")).click()
    expect(banner).to_be_hidden()

    # the usa lead submits an action with a rationale
    act = panel(usa, "act")
    expect(act.locator("#act-action")).to_be_visible(timeout=LIVE)
    # the form explains the chosen action and offers only the targets it may have
    act.get_by_label("Action", exact=True).select_option("public_diplomacy")
    with found.check("an action without a target offers no target"):
        expect(act.locator("#act-target")).to_be_hidden()
        expect(act.locator("label[for=act-target]")).to_be_hidden()
    act.get_by_label("Action", exact=True).select_option("direct_talks")
    expect(act.locator(".explain:visible")).to_contain_text("Target")
    expect(act.locator(".explain:visible")).to_contain_text("Russia")
    expect(act.locator("#act-target")).to_be_visible()
    expect(act.locator("#act-target option:not([disabled])")).to_have_text(["Russia"])
    act.get_by_label("Target", exact=True).select_option("russia")
    act.get_by_label("Your reasons, for the adjudicators").fill(RATIONALE)
    answer = usa.send("act", "Submit the action")
    assert "Direct talks with Moscow" in answer, answer
    expect(act.locator("ul.actions").first).to_contain_text(
        "Direct talks with Moscow", timeout=LIVE
    )
    expect(act.locator("#act-rationale")).to_have_value("")  # the form was cleared
    expect(act.locator("#actions-left")).to_contain_text("1 of 2 actions used", timeout=LIVE)
    expect(panel(control, "queue")).to_contain_text("Direct talks with Moscow", timeout=LIVE)

    # the adjudicator sees it on the desk, accepts the rules' odds, rolls and publishes
    case = panel(adjudicator, "desk").locator("details.case")
    expect(case).to_have_count(1, timeout=LIVE)
    uid = (case.get_attribute("id") or "").removeprefix("case-")
    expect(case.locator("summary")).to_contain_text("United States")
    expect(case.locator("summary")).to_contain_text("Direct talks with Moscow")
    expect(case).to_contain_text(RATIONALE)
    expect(case).to_contain_text("The rules suggest 65%")
    adjudicator.screenshot("-case")
    control.screenshot("-round1")
    adjudicator.send(f"rules-{uid}", "Accept the rules' odds")
    expect(case).to_contain_text("Odds: 65%", timeout=LIVE)
    adjudicator.send(f"roll-{uid}", "Roll the die")
    expect(case.get_by_role("button", name="Publish the outcome")).to_be_visible(timeout=LIVE)
    adjudicator.screenshot("-rolled")
    roll = re.search(r"roll (0\.\d\d|1\.00)", case.inner_text())
    assert roll, case.inner_text()
    case.get_by_label("Public narrative (news for everyone)").fill(PUBLIC)
    case.get_by_label("Private result (for the acting team)").fill(PRIVATE)
    adjudicator.send(f"publish-{uid}", "Publish the outcome")
    expect(panel(adjudicator, "desk")).to_contain_text(
        "No actions waiting in this round.", timeout=LIVE
    )

    # the usa page shows its odds, roll and private result; the others only the news
    mine = act.locator("ul.actions").first
    expect(mine).to_contain_text("65%", timeout=LIVE)
    expect(mine).to_contain_text(re.compile("succeeded|failed"))
    with found.check("the acting team sees its roll"):
        expect(usa.page.locator("#main")).to_contain_text(f"roll {roll.group(1)}")
    expect(panel(usa, "story")).to_contain_text(PRIVATE, timeout=LIVE)
    expect(panel(usa, "story")).to_contain_text(PUBLIC)
    for seat in (ukraine, observer, control):
        expect(panel(seat, "story" if seat is not control else "log")).to_contain_text(
            PUBLIC, timeout=LIVE
        )
    expect(panel(observer, "story")).to_contain_text("Direct talks with Moscow")
    usa.screenshot("-outcome")

    # the white cell publishes news
    unfold(control.page.locator("details:has(#f-news)"))
    control.form("news").get_by_label("News for everyone").fill(NEWS)
    control.send("news", "Publish")
    for seat in (usa, ukraine, observer):
        expect(panel(seat, "story")).to_contain_text(NEWS, timeout=LIVE)
    expect(banner).to_be_hidden()  # a dismissed banner stays dismissed through live updates

    for seat in (ukraine, observer):
        never_shows(seat, RATIONALE, PRIVATE, f"roll {roll.group(1)}")
        # a team's action form explains its own odds; nothing else shows usa's 65%
        never_shows(seat, "65%", besides="#act-explain, #act-action")

    # rounds close and open up to the negotiation in Ankara; round 2 stays empty
    for close, open_ in ((1, 2), (2, 3)):
        control.send("close", f"Close round {close}", confirm=True)
        expect(
            control.form("open").get_by_role("button", name=f"Open round {open_}")
        ).to_be_visible(timeout=LIVE)
        control.send("open", f"Open round {open_}")
    for seat in everyone:
        expect(panel(seat, "clock")).to_contain_text("Round 3 of 5", timeout=LIVE)
        expect(panel(seat, "clock")).to_contain_text("Negotiation round")
        expect(phase_line(seat)).to_contain_text("First Ankara talks", timeout=LIVE)

    # ukraine tables a ceasefire; russia (through the API) and ukraine sign it
    talks = panel(ukraine, "proposals")
    parties = ukraine.form("table-ceasefire").locator(".parties [data-party]")
    with found.check("the tabling form names the parties its clauses bind"):
        expect(parties.locator("visible=true")).to_have_text(["Russia", "Ukraine"])
        ukraine.form("table-ceasefire").get_by_label("Phased relief of sanctions on Russia").check()
        expect(parties.locator("visible=true")).to_have_text(
            ["Russia", "United States", "Ukraine", "European powers"]
        )
    ukraine.form("table-ceasefire").get_by_label("Phased relief of sanctions on Russia").uncheck()
    ukraine.send("table-ceasefire", "Table it")
    proposal = talks.locator("article.proposal")
    expect(proposal).to_contain_text("Ceasefire", timeout=LIVE)
    expect(proposal).to_contain_text(re.compile(r"Parties: Russia\s+Ukraine"))
    expect(panel(usa, "proposals")).to_contain_text("No proposals on your table yet.")
    pid = next(p["pid"] for p in view(server, russia_token, game)["proposals"])
    ukraine.send(f"sign-{pid}", "Sign", confirm=True)
    expect(proposal).to_contain_text("Signed by Ukraine", timeout=LIVE)
    ukraine.screenshot("-signed")
    control.screenshot("-talks")
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
        with found.check(f"{seat.name}'s browser"):
            assert not seat.errors, f"{seat.name}'s browser reported:\n{seat.problems()}"
    found.verify()


def test_a_name_given_on_first_open_reaches_the_control_room_without_a_reload(
    server: Server, people: People
) -> None:
    created = server.create_game(people_per_team=1, adjudicators=1)
    tokens = seat_tokens(created)
    control = people.open("control-names", f"{server.url}/join/{tokens['control']}")
    expect(panel(control, "teams")).to_contain_text("usa 1")
    usa = people.open("usa-names", f"{server.url}/join/{tokens['team:usa']}")
    expect(usa.page.locator("section.name-prompt")).to_contain_text(
        "The others see you as “usa 1” until you give your name."
    )
    usa.give_name("Ana Ruiz")
    expect(usa.page.locator("header .whoami")).to_contain_text("Ana Ruiz")
    expect(usa.page.locator("section.name-prompt")).to_have_count(0)
    found = Findings()
    for name in ("teams", "seats"):
        with found.check(f"control's {name} panel shows the new name"):
            expect(panel(control, name)).to_contain_text("Ana Ruiz", timeout=3 * LIVE)
    assert control.still_the_same_page()
    for seat in (control, usa):
        assert not seat.errors, f"{seat.name}'s browser reported:\n{seat.problems()}"
    found.verify()


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
    usa.mark()
    ja = translations("ja").gettext
    header = ja("Round %(n)s of %(total)s") % {"n": 1, "total": 5}
    assert header != "Round 1 of 5"
    expect(usa.page.locator("html")).to_have_attribute("lang", "ja")
    expect(usa.page.locator("section.name-prompt")).to_contain_text(ja("What is your name?"))
    clock = panel(usa, "clock")
    expect(clock).to_contain_text(header)
    expect(clock).to_contain_text(ja("Action round"))
    expect(phase_line(usa)).to_contain_text("序盤の動き")  # the scenario's round label
    expect(panel(usa, "brief")).to_contain_text("あなたはワシントンの新政権である")
    expect(usa.page.locator("h1")).to_have_text("米国")
    expect(panel(usa, "story")).to_contain_text("第1ラウンド・審判ラウンド・序盤の動き")
    submit = ja("Submit the action")
    assert submit != "Submit the action"
    expect(usa.form("act").get_by_role("button", name=submit, exact=True)).to_be_visible()

    # a live refresh keeps the language: the panels come back in Japanese (the round closes
    # and the next opens at once: the room is laid out for the round that is open)
    found = Findings()
    connected(usa)
    command(server, tokens["control"], game, {"type": "close_round", "number": 1})
    command(server, tokens["control"], game, {"type": "open_round", "number": 2})
    expect(phase_line(usa)).to_contain_text("圧力と駆け引き", timeout=LIVE)
    with found.check("the clock shows round 2"):
        expect(clock).to_contain_text(
            ja("Round %(n)s of %(total)s") % {"n": 2, "total": 5}, timeout=LIVE
        )
    with found.check("the room is laid out for round 2, an action round"):
        expect(usa.page.locator("#room")).to_have_attribute("data-phase", "action")
        expect(usa.page.locator("#room")).to_have_attribute("data-round", "2")
        expect(usa.form("act").get_by_role("button", name=submit, exact=True)).to_be_visible()
    expect(panel(usa, "act")).to_contain_text(ja("Your team's actions"))
    assert usa.still_the_same_page()
    assert not usa.errors, f"the browser reported:\n{usa.problems()}"
    found.verify()


UNPROCESSED = """[...document.querySelectorAll('form[hx-post]')]
  .filter((f) => !f['htmx-internal-data'])
  .map((f) => (f.closest('section') || document.body).id + ' ' + f.id)"""


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
    unprocessed = usa.page.evaluate(UNPROCESSED)
    assert not unprocessed, f"forms htmx did not take over after a refresh, in: {unprocessed}"

    # a new phase lays the room out again: its forms work as well
    command(server, tokens["control"], game, {"type": "close_round", "number": 1})
    expect(usa.page.locator("#room")).to_have_attribute("data-phase", "between", timeout=LIVE)
    usa.page.wait_for_timeout(300)
    assert not usa.errors, f"the browser reported:\n{usa.problems()}"
    unprocessed = usa.page.evaluate(UNPROCESSED)
    assert not unprocessed, f"forms htmx did not take over after a new layout: {unprocessed}"
    usa.form("msg-team-usa").get_by_label("Your message").fill("after the new layout")
    usa.send("msg-team-usa", "Send")
    expect(panel(usa, "talks")).to_contain_text("after the new layout", timeout=LIVE)
    assert usa.still_the_same_page()
    assert not usa.errors, f"the browser reported:\n{usa.problems()}"


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
    found = Findings()
    game, tokens = started(server)
    usa = people.open("usa-typing", f"{server.url}/join/{tokens['team:usa']}")
    act = panel(usa, "act")
    connected(usa)
    act.get_by_label("Action", exact=True).select_option("direct_talks")
    act.get_by_label("Target", exact=True).select_option("russia")
    act.get_by_label("Your reasons, for the adjudicators").fill(RATIONALE)
    chat = usa.form("msg-team-usa").get_by_label("Your message")
    chat.fill("HALF-TYPED message to the team")
    usa.page.locator("#your-name").fill("Ana")
    command(server, tokens["control"], game, {"type": "publish_news", "text": NEWS})
    expect(panel(usa, "story")).to_contain_text(NEWS, timeout=LIVE)
    expect(act.locator("#act-rationale")).to_have_value(RATIONALE)
    expect(act.locator("#act-action")).to_have_value("direct_talks")
    expect(act.locator("#act-target")).to_have_value("russia")
    expect(chat).to_have_value("HALF-TYPED message to the team")
    expect(usa.page.locator("#your-name")).to_have_value("Ana")

    # a free-form action, half described, survives the next refresh too
    act.get_by_label("Action", exact=True).select_option("free")
    act.get_by_label("Instrument").select_option("economic")
    act.get_by_label("What you attempt").fill("FREE-FORM: a grain corridor through Odesa")
    act.get_by_label("Keep it secret (only your team and the white cell know)").check()
    command(server, tokens["control"], game, {"type": "publish_news", "text": NEWS + " (2)"})
    expect(panel(usa, "story")).to_contain_text(NEWS + " (2)", timeout=LIVE)
    expect(act.locator("#act-action")).to_have_value("free")
    expect(act.locator("#act-instrument")).to_have_value("economic")
    expect(act.locator("#act-description")).to_have_value(
        "FREE-FORM: a grain corridor through Odesa"
    )
    expect(act.locator("#act-secret")).to_be_checked()
    expect(act.locator("#act-rationale")).to_have_value(RATIONALE)
    expect(act.get_by_label("What you attempt")).to_be_visible()  # still the free-form fields

    # the round closes: the room is laid out anew, and the message being typed stays
    command(server, tokens["control"], game, {"type": "close_round", "number": 1})
    expect(usa.page.locator("#room")).to_have_attribute("data-phase", "between", timeout=LIVE)
    with found.check("a message being typed survives a new layout"):
        expect(chat).to_have_value("HALF-TYPED message to the team")
    with found.check("a name being typed survives a new layout"):
        expect(usa.page.locator("#your-name")).to_have_value("Ana")
    assert usa.still_the_same_page()
    assert not usa.errors, f"the browser reported:\n{usa.problems()}"
    found.verify()


def test_what_the_desk_and_control_type_survives_live_refreshes(
    server: Server, people: People
) -> None:
    game, tokens = started(server)
    usa_token = tokens["team:usa"]
    [talks] = command(
        server,
        usa_token,
        game,
        {"type": "submit_action", "action": "direct_talks", "target": "russia"},
    )["events"]
    adjudicator = people.open("adjudicator-typing", f"{server.url}/join/{tokens['adjudicator']}")
    control = people.open("control-typing", f"{server.url}/join/{tokens['control']}")
    for seat in (adjudicator, control):
        connected(seat)
    uid = talks["uid"]
    case = adjudicator.page.locator(f"#case-{uid}")
    expect(case).to_have_attribute("open", "")
    odds, why, estimate = (
        case.locator(f"#{f}") for f in (f"pct-{uid}", f"why-{uid}", f"est-{uid}-pct")
    )
    odds.fill("42")
    why.fill("DESK: the rules overrate Moscow's interest")
    estimate.fill("40")
    unfold(control.page.locator("details:has(#f-news)"))
    control.form("news").get_by_label("News for everyone").fill("CONTROL: half-written news")
    unfold(control.page.locator(f"details:has(#f-void-{uid})"))
    control.form(f"void-{uid}").get_by_label("Reason (the team reads it)").fill("VOID: half")
    # another team acts: every panel of both rooms is drawn again
    command(server, tokens["team:russia"], game, {"type": "submit_action", "action": "free",
            "instrument": "military", "secret": False, "description": "a probe"})  # fmt: skip
    expect(adjudicator.page.locator("details.case")).to_have_count(2, timeout=LIVE)
    expect(control.page.locator("#panel-queue")).to_contain_text("a probe", timeout=LIVE)
    expect(case).to_have_attribute("open", "")
    expect(odds).to_have_value("42")
    expect(why).to_have_value("DESK: the rules overrate Moscow's interest")
    expect(estimate).to_have_value("40")
    expect(control.page.locator("#news-text")).to_have_value("CONTROL: half-written news")
    expect(control.page.locator("#news-text")).to_be_visible()  # its fold stayed open
    expect(control.page.locator(f"#void-{uid}-why")).to_have_value("VOID: half")
    expect(control.page.locator(f"#void-{uid}-why")).to_be_visible()
    for seat in (adjudicator, control):
        assert seat.still_the_same_page()
        assert not seat.errors, f"{seat.name}'s browser reported:\n{seat.problems()}"
