"""A whole seminar in browsers, driven only through the pages.

Two stories, one per language. Every person has their own browser context: the white cell
(control), two adjudicators, the leads of Russia, Ukraine and the European powers, a member
of the Russian team, and an observer; the United States, China and Turkey are played by
automated players the white cell seats. Everything is done by clicking and typing on the
pages; answers are read where people read them (next to the form, in words), and what
other people see is waited for as it arrives live.

Every room is photographed (desktop and phone) and audited with axe-core at several
moments: before the start, in an action round, in a negotiation round, and at the end
(test-artifacts/e2e/rooms/seminar-<lang>-<moment>-<room>-<size>.png).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from playwright.sync_api import Dialog, Locator, Page, Request, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.audit import audit, screenshots, settle
from tests.e2e.conftest import People, Seat
from tests.web.server import PASSWORD, Server

LIVE = 8_000  # ms: a live update reaches every page
ANSWER = 8_000  # ms: a command's answer next to its form

SECRET = "SECRET-RATIONALE: Kyiv's cabinet is one resignation from collapse"
PRIVATE = "PRIVATE-RESULT: two ministers are ready to resign"
ROOMS = ("control", "adjudicator", "lead", "member", "observer")


# -- the people and their pages ---------------------------------------------------------


@dataclass
class Seminar:
    """A game and the people in it, each with their own browser."""

    server: Server
    people: People
    lang: str
    game: str = ""
    links: list[dict[str, str | bool]] = field(default_factory=list)
    asked: dict[str, list[str]] = field(default_factory=dict)  # confirm dialogs, by person
    rooms: dict[str, Seat] = field(default_factory=dict)  # a person in each kind of room

    def link(self, seat: str, lead: bool | None = None, nth: int = 0) -> str:
        found = [
            str(x["url"])
            for x in self.links
            if x["seat"] == seat and (lead is None or x["lead"] == lead)
        ]
        return found[nth]

    def open(self, name: str, url: str) -> Seat:
        """A person opens a page in a browser of their own; they accept every confirm."""
        seat = self.people.open(name, url)
        asked = self.asked.setdefault(name, [])

        def accept(dialog: Dialog) -> None:
            asked.append(dialog.message)
            dialog.accept()

        seat.page.on("dialog", accept)
        return seat

    def join(self, name: str, url: str, person: str) -> Seat:
        """A person opens their join link and, asked for it, gives their name."""
        seat = self.open(name, url)
        page = seat.page
        if self.lang != "en":
            page.goto(f"{self.server.url}/games/{self.game}?lang={self.lang}")
        prompt = page.locator(".name-prompt")
        expect(prompt).to_be_visible()
        page.locator("#your-name").fill(person)
        with page.expect_navigation():  # the room reloads with the new name
            prompt.get_by_role("button").click()
        expect(page.locator("header .whoami")).to_contain_text(person)
        expect(prompt).to_have_count(0)
        return seat


def panel(seat: Seat, name: str) -> Locator:
    return seat.page.locator(f"#panel-{name}")


def result(seat: Seat, form: str) -> Locator:
    """Where the answer to command form ``form`` appears: next to the form."""
    return seat.page.locator(f"#res-{form}")


def _command(request: Request) -> bool:
    return request.method == "POST" and request.url.endswith("/do")


def send(seat: Seat, form: str, button: str | None = None, *, ok: bool = True) -> str:
    """Press the button of command form ``form`` (``#f-<form>``) and wait for the answer;
    it must be a success (or, ``ok=False``, a refusal). The answer in words."""
    page = seat.page
    f = page.locator(f"#f-{form}")
    press = (
        f.get_by_role("button", name=button, exact=True)
        if button
        else f.locator("button:not([type=button])").last
    )
    # a click in the instant its panel is drawn again reaches a form that is gone, and
    # nothing is sent: click again (nothing was sent, so nothing is sent twice)
    for attempt in range(3):
        try:
            with page.expect_request(_command, timeout=2_000) as sent:
                press.click(timeout=5_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                seat.screenshot("-stuck")
                raise AssertionError(
                    f"{seat.name}: pressing {button or 'the button'} of #f-{form} sent nothing;"
                    f" browser errors:\n{seat.problems()}"
                ) from None
    response = sent.value.response()
    assert response is not None
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text())).split())
    accepted = response.headers.get("x-command-ok") == "1"
    assert accepted == ok, (
        f"{seat.name}: {form} was {'accepted' if accepted else 'refused'}: {words}"
    )
    return words


def unfold(scope: Locator, summary: str) -> Locator:
    """Open the ``details`` whose summary says ``summary`` (if closed); the details. A click
    in the instant its panel is drawn again can miss the fold, as a person's can: then click
    again, as a person would, once the fold is seen still closed."""
    details = scope.locator("details", has=scope.page.locator("summary", has_text=summary)).first
    for _attempt in range(3):
        if details.get_attribute("open") is not None:
            return details
        details.locator("summary").first.click()
        try:
            expect(details).to_have_attribute("open", "", timeout=2_000)
            return details
        except AssertionError:
            continue
    raise AssertionError(f"the fold {summary!r} did not open after three clicks")


def of_team(items: Locator, team: str) -> Locator:
    """The items that start with ``team``'s chip."""
    chip = items.page.locator(".chip", has_text=re.compile(f"^{re.escape(team)}$"))
    return items.filter(has=chip)


def option_with(select: Locator, *words: str) -> str:
    """The value of the first option of ``select`` whose text has every word."""
    for option in select.locator("option").all():
        text = option.inner_text()
        if all(w in text for w in words):
            return option.get_attribute("value") or ""
    raise AssertionError(f"no option with {words}: {select.inner_text()}")


def photograph(seminar: Seminar, moment: str) -> None:
    """Every room at this moment, desktop and phone, and axe-core's audit of each."""
    for room in ROOMS:
        page = seminar.rooms[room].page
        settle(page)
        screenshots(page, f"seminar-{seminar.lang}-{moment}-{room}")
        found = audit(page)
        assert not found, f"{room} room, {moment}: axe-core finds\n" + "\n".join(map(str, found))


def seconds(clock: str) -> int:
    """ "19:52" in seconds."""
    minutes, secs = clock.split(":")
    return int(minutes) * 60 + int(secs)


def never_shows(seat: Seat, *secrets: str) -> None:
    html = seat.page.content()
    for secret in secrets:
        assert secret not in html, f"{seat.name}'s page shows {secret!r}"


@contextmanager
def popup(seat: Seat) -> Iterator[list[Page]]:
    pages: list[Page] = []
    with seat.page.context.expect_page() as info:
        yield pages
    pages.append(info.value)


def create_game(seminar: Seminar, control: Seat) -> None:
    """Control signs in, makes a game of the bundled scenario on the front page (two people
    a team, two adjudicators) and reads the join links."""
    page = control.page
    url = seminar.server.url
    page.goto(f"{url}/login?lang={seminar.lang}")
    page.locator("input[name=name]").fill("control")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form[action='/login'] button").click()
    form = page.locator("form[action='/games']")
    form.locator("select[name=scenario]").select_option("ukraine-ceasefire-2025")
    form.locator("input[name=title]").fill("Ankara seminar")
    form.locator("input[name=people_per_team]").fill("2")
    form.locator("input[name=adjudicators]").fill("2")
    form.locator("button").click()
    expect(page.locator("table.links")).to_be_visible(timeout=ANSWER)
    for row in page.locator("table.links tbody tr").all():
        seat, person, lead, link = (c.inner_text().strip() for c in row.locator("td").all())
        seminar.links.append({"seat": seat, "person": person, "lead": lead == "✓", "url": link})
    page.locator("main a.button").click()
    expect(page.locator("#panel-controls")).to_be_visible()
    seminar.game = page.url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]


# -- the seminar in English -------------------------------------------------------------


def test_a_seminar_in_english(server: Server, people: People) -> None:
    s = Seminar(server, people, "en")
    control = s.open("control", server.url)
    create_game(s, control)

    # everyone opens their link and says who they are
    ines = s.join("adjudicator-ines", s.link("adjudicator", nth=0), "Ines")
    kenji = s.join("adjudicator-kenji", s.link("adjudicator", nth=1), "Kenji")
    anna = s.join("russia-anna", s.link("team:russia", lead=True), "Anna")
    boris = s.join("russia-boris", s.link("team:russia", lead=False), "Boris")
    olena = s.join("ukraine-olena", s.link("team:ukraine", lead=True), "Olena")
    claire = s.join("europe-claire", s.link("team:europe", lead=True), "Claire")
    oscar = s.join("observer-oscar", s.link("observer"), "Oscar")
    s.rooms = {
        "control": control,
        "adjudicator": ines,
        "lead": anna,
        "member": boris,
        "observer": oscar,
    }
    everyone = [control, ines, kenji, anna, boris, olena, claire, oscar]
    expect(panel(control, "teams")).to_contain_text("Anna ★", timeout=LIVE)
    expect(panel(control, "teams")).to_contain_text("Boris")
    photograph(s, "before")

    # the white cell starts the game and seats automated players for three teams
    send(control, "start", "Start the game")
    for seat in everyone:
        expect(panel(seat, "clock")).to_contain_text("Waiting for round 1.", timeout=LIVE)
    controls = panel(control, "controls")
    unfold(controls, "Automated players")
    for team in ("usa", "china", "turkey"):
        said = send(control, f"agent-{team}", "Seat an automated player")
        assert "an automated player now plays it" in said, said
    expect(panel(control, "teams").locator(".tag.auto")).to_have_count(3, timeout=LIVE)

    # round 1 opens with a 20-minute clock
    controls.locator("#round-minutes").fill("20")
    assert send(control, "open", "Open round 1") == "Round 1 is open."
    for seat in everyone:
        expect(panel(seat, "clock")).to_contain_text("Round 1 of 5", timeout=LIVE)
    expect(anna.page.locator(".countdown .left")).to_have_text(
        re.compile(r"^(19:[0-5]\d|20:00)$"), timeout=LIVE
    )

    # a member drafts an action; the lead submits it from the draft
    act = panel(boris, "act")
    expect(act).to_contain_text("Draft an action for your lead", timeout=LIVE)
    act.locator("#act-action").select_option("intelligence_assessment")
    expect(act.locator(".explain[data-choice=intelligence_assessment]")).to_be_visible()
    act.locator("#act-target").select_option("ukraine")
    act.locator("#act-rationale").fill(SECRET)
    said = send(boris, "act", "Save the draft")
    assert said == "Draft saved for your lead: Intelligence assessment of a government.", said
    drafts = panel(anna, "act")
    expect(drafts).to_contain_text("Drafts for the lead", timeout=LIVE)
    expect(drafts).to_contain_text("(Boris)")
    draft_form = drafts.locator("form[id^=f-draft-]").first.get_attribute("id") or ""
    said = send(anna, draft_form.removeprefix("f-"), "Submit this draft")
    submitted = "Action submitted: Intelligence assessment of a government → Ukraine"
    assert said == f"{submitted} — 1 of 2 this round.", said

    # the lead tries an action whose conditions do not hold: refused, next to the form, in
    # words; she picks another in the same form, and the new attempt gets its own answer
    act = panel(anna, "act")
    act.locator("#act-action").select_option("abandon_ceasefire")
    expect(act.locator(".explain[data-choice=abandon_ceasefire]")).to_contain_text(
        "Not open to you now"
    )
    refusal = send(anna, "act", "Submit the action", ok=False)
    expect(result(anna, "act")).to_contain_text(refusal)
    expect(result(anna, "act")).to_have_class(re.compile("is-error"))
    act.locator("#act-action").select_option("spring_offensive")
    said = send(anna, "act", "Submit the action")
    assert said == "Action submitted: Launch a limited offensive — 2 of 2 this round.", said
    expect(result(anna, "act")).to_have_text(said)
    expect(result(anna, "act")).to_have_class(re.compile("is-ok"))

    # Ukraine's lead goes one action over the limit; she withdraws one and sends the same
    # form again: the answer is the new one, not the old refusal
    act = panel(olena, "act")
    act.locator("#act-action").select_option("mobilise_reserves")
    expect(act.locator("#act-target")).to_be_hidden()  # it takes no target
    send(olena, "act", "Submit the action")
    act.locator("#act-action").select_option("appeal_to_europe")
    send(olena, "act", "Submit the action")
    act.locator("#act-action").select_option("lobby_congress")
    act.locator("#act-rationale").fill("Congress can keep the aid flowing")
    refusal = send(olena, "act", "Submit the action", ok=False)
    expect(result(olena, "act")).to_contain_text(refusal)
    mine = act.locator("ul.actions li", has_text="Mobilise more reserves")
    withdraw = mine.locator("form[id^=f-withdraw-]").get_attribute("id") or ""
    said = send(olena, withdraw.removeprefix("f-"), "Withdraw")
    assert said == "Action withdrawn: Mobilise more reserves.", said
    assert "Withdraw “Mobilise more reserves”?" in s.asked["ukraine-olena"][-1]
    expect(act.locator("#act-action")).to_have_value("lobby_congress")  # kept through the refresh
    said = send(olena, "act", "Submit the action")
    assert said == "Action submitted: Lobby the US Congress → United States — 2 of 2 this round.", (
        said
    )
    expect(result(olena, "act")).to_have_text(said)

    # the white cell gives Russia's secret action to Ines
    queue = panel(control, "queue")
    case = of_team(queue.locator("li"), "Russia").filter(has_text="Intelligence assessment")
    expect(case).to_be_visible(timeout=LIVE)
    uid = (case.locator("form[id^=f-assign-]").get_attribute("id") or "").removeprefix("f-assign-")
    case.locator("select[name=adjudicator]").select_option("Ines")
    said = send(control, f"assign-{uid}", "Assign")
    assert said == "Intelligence assessment of a government → Ukraine is assigned to Ines.", said

    # blind estimates: each adjudicator sees the panel's only after giving their own
    at_ines = ines.page.locator(f"#case-{uid}")
    expect(at_ines).to_have_attribute("open", "", timeout=LIVE)  # her case comes first
    expect(at_ines).to_contain_text("assigned to Ines")
    expect(at_ines).to_contain_text(SECRET)
    at_kenji = kenji.page.locator(f"#case-{uid}")
    at_kenji.locator("summary").click()
    expect(at_kenji).to_contain_text("Your blind estimate")
    at_ines.locator(f"#est-{uid}-pct").fill("60")
    said = send(ines, f"est-{uid}", "Estimate")
    assert (
        said == "Your estimate for Intelligence assessment of a government → Ukraine is in: 60%."
    ), said
    expect(at_ines).to_contain_text("Estimates: Ines 60%", timeout=LIVE)
    expect(at_kenji).not_to_contain_text("Ines 60%")
    expect(at_kenji).not_to_contain_text("Estimates")
    at_kenji.locator(f"#est-{uid}-pct").fill("70")
    send(kenji, f"est-{uid}", "Estimate")
    panel_says = "Estimates: Ines 60%, Kenji 70% · median 65% · spread 10%"
    expect(at_kenji).to_contain_text(panel_says, timeout=LIVE)

    # Kenji rules at the panel's median; Ines rolls, and edits the effects before publishing
    at_kenji.locator(f"#pct-{uid}").fill("65")
    at_kenji.locator(f"#why-{uid}").fill("The panel's median: Kyiv leaks like a sieve")
    said = send(kenji, f"rule-{uid}", "Rule")
    assert said.startswith(
        "Odds set for Intelligence assessment of a government → Ukraine: 65% ("
    ), said
    expect(at_ines).to_contain_text(panel_says, timeout=LIVE)
    expect(at_ines).to_contain_text("Odds: 65%")
    said = send(ines, f"roll-{uid}", "Roll the die")
    assert re.fullmatch(r"Rolled 0\.\d\d against 65%: (succeeded|failed)\.", said), said
    escalation = panel(control, "state").locator(".metric", has_text="Risk of wider escalation")
    expect(escalation.locator(".value")).to_contain_text("35")
    effects = unfold(at_ines, "Effects")
    effects.locator(f"#effect-{uid}-escalation").fill("4")
    at_ines.locator(f"#priv-{uid}").fill(PRIVATE)
    said = send(ines, f"publish-{uid}", "Publish the outcome")
    assert re.fullmatch(
        "Outcome published: Intelligence assessment of a government → Ukraine (succeeded|failed).",
        said,
    ), said
    expect(escalation.locator(".value")).to_contain_text("39", timeout=LIVE)
    expect(escalation.locator(".value")).to_contain_text("+4")
    expect(panel(anna, "story")).to_contain_text(PRIVATE, timeout=LIVE)
    expect(
        panel(anna, "state").locator(".metric", has_text="Risk of wider escalation")
    ).to_contain_text("39")

    # the white cell leaks Russia's secret action to Europe, chosen by what it was
    controls = panel(control, "controls")
    leak = unfold(controls, "Leak intelligence to a team")
    choice = leak.locator("#leak-seq")
    secret_action = "a secret action by Russia: Intelligence assessment of a government"
    choice.select_option(option_with(choice, secret_action))
    leak.locator("#leak-to-europe").check()
    said = send(control, "leak", "Pass it on")
    assert said == "Passed on to European powers.", said
    told = (
        "Intelligence from the white cell for European powers (round 1): "
        f"{secret_action} against Ukraine."
    )
    expect(claire.page.locator("#panel-announce")).to_contain_text(told, timeout=LIVE)
    expect(panel(claire, "story")).to_contain_text(told)
    never_shows(olena, told, SECRET)
    never_shows(oscar, told, SECRET, PRIVATE)

    photograph(s, "action")

    # the automated teams' actions are resolved at the rules' odds, and the round closes
    queue = panel(control, "queue")
    said = send(control, "resolve", "Resolve the rest at the rules' odds")
    assert re.fullmatch(r"\d+ actions resolved at the rules' odds\.", said), said
    assert s.asked["control"][-1].startswith("Resolve every open action of this round")
    expect(queue).to_contain_text("Nothing waiting for adjudication.", timeout=LIVE)
    expect(panel(olena, "act")).to_contain_text(
        re.compile("Lobby the US Congress.*(succeeded|failed)")
    )
    assert send(control, "close", "Close round 1") == "Round 1 is closed."
    assert s.asked["control"][-1].startswith("Close round 1?")

    # round 2: an inject previewed, then fired; a pause; more time
    controls.locator("#round-minutes").fill("20")
    assert send(control, "open", "Open round 2") == "Round 2 is open."
    shortage = "European armies report that stocks of perishable munitions are nearly exhausted."
    expect(claire.page.locator("#panel-announce")).to_contain_text(shortage, timeout=LIVE)
    turmoil = unfold(panel(control, "injects"), "Turmoil in Pyongyang")
    news = "Reports of a power struggle in Pyongyang after Moscow's demands for more troops"
    expect(turmoil).to_contain_text(news)
    expect(turmoil).to_contain_text("Risk of wider escalation +5")
    never_shows(claire, news)
    assert (
        send(control, "fire-pyongyang_turmoil", "Fire now") == "Inject fired: Turmoil in Pyongyang."
    )
    assert s.asked["control"][-1].startswith("Fire “Turmoil in Pyongyang” now?")
    for seat in (claire, anna, oscar):
        expect(seat.page.locator("#panel-announce")).to_contain_text(news, timeout=LIVE)
    banner = oscar.page.locator("#panel-announce .banner", has_text=news)
    banner.get_by_role("button", name="Dismiss").click()
    expect(banner).to_be_hidden()

    assert send(control, "pause", "Pause") == "The game is paused: the clock has stopped."
    paused = re.compile(r"Paused with (19:[0-5]\d|20:00) left")
    for seat in (anna, olena, oscar):
        expect(panel(seat, "clock")).to_contain_text(paused, timeout=LIVE)
        expect(seat.page.locator("#panel-announce")).to_contain_text(
            "The white cell has paused the game."
        )
    expect(panel(anna, "act")).to_contain_text("The game is paused.")
    left = seconds(paused.search(panel(anna, "clock").inner_text()).group(1))
    assert send(control, "resume", "Resume") == "The game goes on."
    countdown = anna.page.locator(".countdown .left")
    expect(countdown).to_have_text(re.compile(r"^\d+:\d\d$"), timeout=LIVE)
    assert left - 5 <= seconds(countdown.inner_text()) <= left, (left, countdown.inner_text())
    said = send(control, "extend", "5 more minutes")
    assert said.startswith("The round clock now runs until "), said
    expect(countdown).to_have_text(re.compile(r"^2[3-5]:\d\d$"), timeout=LIVE)

    send(control, "resolve", "Resolve the rest at the rules' odds")
    assert send(control, "close", "Close round 2") == "Round 2 is closed."

    # round 3, in Ankara: Russia tables a ceasefire, Ukraine counters it, both sign
    controls.locator("#round-minutes").fill("30")
    assert send(control, "open", "Open round 3") == "Round 3 is open."
    for seat in (anna, olena, oscar):
        expect(seat.page.locator("h1 + .phase, .phase")).to_contain_text(
            "Negotiation round", timeout=LIVE
        )
    tabling = anna.page.locator("#table-ceasefire")
    expect(tabling).to_contain_text("Table a proposal: Ceasefire", timeout=LIVE)
    tabling.locator("#clause-ceasefire-neutrality").check()
    assert send(anna, "table-ceasefire", "Table it") == "Proposal tabled: Ceasefire."
    proposals = panel(olena, "proposals")
    first = proposals.locator("article.proposal", has_text="tabled by Russia, round 3")
    expect(first).to_contain_text("Ukraine forgoes NATO membership", timeout=LIVE)
    tabled_first = (first.get_attribute("id") or "").removeprefix("proposal-")
    first.get_by_role("button", name="Counter").click()
    counter = olena.page.locator("#table-ceasefire")
    expect(counter.locator(".countering")).to_contain_text(f"A counter-proposal to {tabled_first}")
    expect(counter.locator("#clause-ceasefire-neutrality")).to_be_checked()
    counter.locator("#clause-ceasefire-neutrality").uncheck()
    counter.locator("#clause-ceasefire-prisoner_exchange").check()
    assert send(olena, "table-ceasefire", "Table it") == "Proposal tabled: Ceasefire."
    theirs = panel(anna, "proposals").locator(
        "article.proposal", has_text="tabled by Ukraine, round 3"
    )
    expect(theirs).to_contain_text("All-for-all prisoner exchange", timeout=LIVE)
    expect(theirs).to_contain_text("Counters")
    photograph(s, "negotiation")

    # Russia accepts the counter in principle, then both sign: the ceasefire is in force
    pid = (theirs.get_attribute("id") or "").removeprefix("proposal-")
    assert (
        send(anna, f"accept-{pid}", "Accept in principle")
        == "You accept the proposal in principle."
    )
    expect(theirs).to_contain_text("Accepted in principle by Russia.", timeout=LIVE)
    assert send(anna, f"sign-{pid}", "Sign") == "Signed."
    assert s.asked["russia-anna"][-1].startswith("Sign “Ceasefire” as it stands?")
    ours = panel(olena, "proposals").locator(f"#proposal-{pid}")
    expect(ours).to_contain_text("Signed by Russia.", timeout=LIVE)
    assert send(olena, f"sign-{pid}", "Sign") == "Signed: the agreement is in force."
    signed = "Ceasefire signed by Russia, Ukraine: in force."
    for seat in (anna, claire, oscar):
        expect(seat.page.locator("#panel-announce")).to_contain_text(signed, timeout=LIVE)
    talks = panel(control, "negotiation")
    expect(talks).to_contain_text(
        re.compile(
            r"Ceasefire in force since round 3 "
            r"chance it breaks down at the next round's close: \d+%"
        ),
        timeout=LIVE,
    )
    expect(talks).to_contain_text(f"Counters {tabled_first}")
    # the bomb at the Ankara talks: the white cell sets it off by hand (its scenario
    # condition wants a strong spoiler faction). It breaks nothing by itself; it makes the
    # ceasefire likelier to break down when the round closes (the spoiler covariate of its
    # hazard). Retaliation, written by the white cell as an inject of its own, pushes the
    # risk of escalation up until the breakdown is certain.
    hazard = re.compile(r"chance it breaks down at the next round's close: (\d+)%")
    before = int(hazard.search(talks.inner_text()).group(1))
    bomb = unfold(panel(control, "injects"), "Bomb at the Ankara talks")
    news = "A bomb at the Ankara venue kills several Ukrainian negotiators"
    expect(bomb).to_contain_text(news)
    never_shows(olena, news)
    assert (
        send(control, "fire-spoiler_bomb", "Fire now") == "Inject fired: Bomb at the Ankara talks."
    )
    for seat in (anna, olena, claire, oscar):
        expect(seat.page.locator("#panel-announce")).to_contain_text(news, timeout=LIVE)
    expect(talks).not_to_contain_text(f"close: {before}%", timeout=LIVE)
    assert int(hazard.search(talks.inner_text()).group(1)) > before
    adhoc = unfold(panel(control, "injects"), "Write an inject")
    strikes = "Russian missiles strike Kyiv in retaliation for the bombing"
    adhoc.locator("#adhoc-news").fill(strikes)
    unfold(adhoc, "Effects").locator("#adhoc-escalation").fill("60")
    said = send(control, "adhoc", "Fire")
    assert said == f"Inject fired: {strikes}.", said
    expect(talks).to_contain_text(
        "chance it breaks down at the next round's close: 100%", timeout=LIVE
    )
    assert send(control, "close", "Close round 3") == "Round 3 is closed."
    for seat in (anna, olena, claire, oscar):
        expect(seat.page.locator("#panel-announce")).to_contain_text(
            "Ceasefire breaks down", timeout=LIVE
        )
    expect(control.page.locator("#panel-announce")).to_contain_text(
        "Ceasefire breaks down (it had a 100% chance of doing so this round)."
    )
    expect(talks).to_contain_text("Ceasefire broken in round 3")

    # round 4: Russia goes back on the offensive
    assert send(control, "open", "Open round 4") == "Round 4 is open."
    act = panel(anna, "act")
    expect(act).to_contain_text("Take an action", timeout=LIVE)
    act.locator("#act-action").select_option("spring_offensive")
    said = send(anna, "act", "Submit the action")
    assert said == "Action submitted: Launch a limited offensive — 1 of 2 this round.", said

    # the white cell ends the game with round 4 still open: its open actions are resolved
    end = unfold(panel(control, "controls"), "End the game")
    expect(end).to_contain_text("Round 4 is still open. What happens to its open actions?")
    end.locator("#end-resolve").check()
    assert send(control, "end", "End the game") == "The game is over. The reports are ready."
    assert s.asked["control"][-1].startswith("End the game now?")
    for seat in everyone:
        expect(panel(seat, "clock")).to_contain_text("The game is over.", timeout=LIVE)
    photograph(s, "end")

    # the reports: control's has everything; the players' debrief reveals the secret
    # rationale, the public report keeps it
    with control.page.context.expect_page() as opened:
        panel(control, "controls").get_by_role(
            "link", name="White cell's report (everything)"
        ).click()
    report = opened.value
    expect(report.locator("body")).to_contain_text(SECRET)
    clock = panel(claire, "clock")
    with claire.page.context.expect_page() as opened:
        clock.get_by_role("link", name="Debrief report (everything revealed)").click()
    debrief = opened.value
    expect(debrief.locator("body")).to_contain_text("Ceasefire")
    expect(debrief.locator("body")).to_contain_text(SECRET)
    with claire.page.context.expect_page() as opened:
        clock.get_by_role("link", name="Public report (secrets kept)").click()
    public = opened.value
    expect(public.locator("body")).to_contain_text("Ceasefire")
    assert SECRET not in public.content() and PRIVATE not in public.content()

    for seat in everyone:
        assert not seat.errors, f"{seat.name}'s browser reported:\n{seat.problems()}"


# -- the seminar in Japanese ------------------------------------------------------------

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana or kanji


def test_a_seminar_in_japanese_answers_every_form_in_japanese(
    server: Server, people: People
) -> None:
    s = Seminar(server, people, "ja")
    control = s.open("control-ja", server.url)
    create_game(s, control)
    expect(control.page.locator("html")).to_have_attribute("lang", "ja")
    ines = s.join("adjudicator-ja", s.link("adjudicator", nth=0), "井上")
    anna = s.join("russia-lead-ja", s.link("team:russia", lead=True), "アンナ")
    boris = s.join("russia-member-ja", s.link("team:russia", lead=False), "ボリス")
    oscar = s.join("observer-ja", s.link("observer"), "小田")
    s.rooms = {"control": control, "adjudicator": ines, "lead": anna, "member": boris}
    s.rooms["observer"] = oscar
    everyone = [control, ines, anna, boris, oscar]
    expect(panel(control, "teams")).to_contain_text("アンナ ★", timeout=LIVE)
    photograph(s, "before")

    send(control, "start")
    controls = panel(control, "controls")
    controls.locator("#round-minutes").fill("20")
    assert send(control, "open") == "第1ラウンドを開始しました。"
    for seat in everyone:
        expect(panel(seat, "clock")).to_contain_text("第1ラウンド(全5ラウンド)", timeout=LIVE)

    # a refusal reads in Japanese, naming the action as the scenario calls it in Japanese;
    # the corrected form is answered anew
    act = panel(anna, "act")
    expect(act.locator("#act-action")).to_be_visible(timeout=LIVE)
    act.locator("#act-action").select_option("abandon_ceasefire")
    refusal = send(anna, "act", ok=False)
    assert JAPANESE.search(refusal) and "abandon_ceasefire" not in refusal, refusal
    expect(result(anna, "act")).to_contain_text(refusal)
    act.locator("#act-action").select_option("spring_offensive")
    said = send(anna, "act")
    assert said == "行動を提出しました: 限定的な攻勢を開始(このラウンド2件中1件目)。", said
    expect(result(anna, "act")).to_have_text(said)
    expect(panel(control, "queue")).to_contain_text("限定的な攻勢を開始", timeout=LIVE)
    photograph(s, "action")

    said = send(control, "resolve")
    assert re.fullmatch(r"\d+件の行動をルールの確率で解決しました。", said), said
    expect(panel(anna, "act").locator("ul.actions").first).to_contain_text(
        re.compile("成功|失敗"), timeout=LIVE
    )
    assert send(control, "close") == "第1ラウンドを終了しました。"
    unfold(panel(control, "controls"), "ゲームを終了")
    assert send(control, "end") == "ゲームが終了しました。報告書が用意できています。"
    assert s.asked["control-ja"][-1].startswith("今ゲームを終了しますか")
    for seat in everyone:
        expect(panel(seat, "clock")).to_contain_text("ゲームは終了しました", timeout=LIVE)
    photograph(s, "end")
    for seat in everyone:
        assert not seat.errors, f"{seat.name}'s browser reported:\n{seat.problems()}"
