"""WCAG 2.1 AA in a real browser: every room (control room, adjudicator desk, a team's lead
and a member, the observer), before the game starts and with round 1 open, and the front
page (signed out and signed in), the sign-in page and a new game's links page, in English
and Japanese.

Each page is opened once in its own Chromium context and surveyed: axe-core's WCAG
2.0/2.1 A and AA rules (critical and serious findings fail), one ``h1``, a ``main``
landmark, a skip link first in the tab order that takes focus into ``main``, nothing
wider than a 390 px phone screen, and buttons at least 44 px high there. Each check is
its own test, parametrized by page, so a failure names the page, seat, language, rule
and elements. Screenshots (desktop and phone) go to test-artifacts/e2e/rooms/, and every
page's findings to test-artifacts/e2e/rooms/accessibility.json.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.audit import (
    DESKTOP,
    MIN_TAP,
    PHONE,
    ROOMS,
    Violation,
    audit,
    grouped,
    phone_problems,
    screenshots,
    settle,
    skip_link,
    structure,
)
from tests.web.play import Table, link, ok
from tests.web.server import PASSWORD, Server

LANGS = ("en", "ja")
PHASES = {"before": "before the game starts", "round1": "round 1 open"}
SEATS = {  # seat name -> (the seat in the game, a lead or not, what people call it)
    "control": ("control", None, "control room"),
    "adjudicator": ("adjudicator", None, "adjudicator desk"),
    "team-lead": ("team:usa", True, "team room (United States, lead)"),
    "team-member": ("team:usa", False, "team room (United States, member)"),
    "observer": ("observer", None, "observer view"),
}
OTHER_PAGES = {
    "front": "front page, signed out",
    "front-control": "front page, signed in as control",
    "login": "sign-in page",
    "links": "a new game's links page",
}


@dataclass(frozen=True)
class Spot:
    """A page to survey: which page, which seat and phase for a room, which language."""

    page: str  # a room's seat name, or one of OTHER_PAGES
    lang: str
    phase: str | None = None  # rooms only

    @property
    def name(self) -> str:
        base = f"room-{self.page}-{self.phase}" if self.phase else self.page
        return f"{base}-{self.lang}"

    @property
    def label(self) -> str:
        if self.phase:
            return f"{SEATS[self.page][2]} · {PHASES[self.phase]} · {self.lang}"
        return f"{OTHER_PAGES[self.page]} · {self.lang}"


SPOTS = [
    *(Spot(p, lang) for p in OTHER_PAGES for lang in LANGS),
    *(Spot(seat, lang, phase) for phase in PHASES for seat in SEATS for lang in LANGS),
]


@dataclass
class Findings:
    """What one page showed."""

    url: str = ""
    status: int | None = None
    failure: str = ""  # the survey itself broke: why
    violations: list[Violation] = field(default_factory=list)
    h1: list[str] = field(default_factory=list)
    main: int = 0
    skip: list[str] = field(default_factory=list)
    phone: dict[str, Any] = field(default_factory=dict)


# -- the games ---------------------------------------------------------------------------


@dataclass
class Site:
    server: Server
    games: dict[str, dict[str, Any]]  # phase -> the created game (its id and links)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    """One server with two games of ukraine-ceasefire-2025 (two people a team, one
    adjudicator): one not started, one with round 1 open on a 30-minute clock, an action of
    the United States on the desk, a message to Russia and a news item."""
    server = Server(tmp_path_factory.mktemp("a11y") / "whitecell.db").start()
    try:
        before = server.create_game(title="Ankara seminar", people_per_team=2, adjudicators=1)
        running = server.create_game(title="Ankara seminar", people_per_team=2, adjudicators=1)
        table = Table(server, running)
        try:
            g, control, usa = table.game, table.client("control"), table.client("team:usa", True)
            ok(control, g, {"type": "start_game"})
            ok(control, g, {"type": "open_round", "number": 1, "minutes": 30})
            ok(
                usa,
                g,
                {
                    "type": "submit_action",
                    "action": "direct_talks",
                    "target": "russia",
                    "rationale": "Moscow wants a deal before the spring thaw",
                },
            )
            ok(usa, g, {"type": "send_message", "to": ["russia"], "text": "Talk in Riyadh?"})
            ok(control, g, {"type": "publish_news", "text": "Heavy snow along the front"})
        finally:
            table.close()
        yield Site(server, {"before": before, "round1": running})
    finally:
        server.stop()


# -- opening and surveying a page ---------------------------------------------------------


def _submit(page: Page, form: str) -> int | None:
    """Click a form's submit button and wait for the page it leads to; its status."""
    button = page.locator(f"{form} button, {form} [type=submit]").first
    with page.expect_navigation() as nav:
        button.click()
    response = nav.value
    return response.status if response else None


def _sign_in(page: Page, url: str, lang: str) -> None:
    page.goto(f"{url}/login?lang={lang}")
    page.locator("input[name=name]").fill("control")
    page.locator("input[name=password]").fill(PASSWORD)
    _submit(page, 'form[action="/login"]')


def _open(page: Page, site: Site, spot: Spot) -> int | None:
    """Go to the spot's page (signing in or joining first); the page's HTTP status."""
    url = site.server.url
    if spot.phase:
        seat, lead, _ = SEATS[spot.page]
        created = site.games[spot.phase]
        entry = link(created, seat, lead)
        page.goto(f"{url}/join/{entry['token']}")
        response = page.goto(f"{url}/games/{created['game']}?lang={spot.lang}")
    elif spot.page == "front":
        response = page.goto(f"{url}/?lang={spot.lang}")
    elif spot.page == "login":
        response = page.goto(f"{url}/login?lang={spot.lang}")
    else:
        _sign_in(page, url, spot.lang)
        response = page.goto(f"{url}/?lang={spot.lang}")
        if spot.page == "links":
            form = 'form[action="/games"]'
            page.locator(f"{form} select[name=scenario]").select_option("ukraine-ceasefire-2025")
            page.locator(f"{form} input[name=title]").fill("Ankara seminar")
            page.locator(f"{form} input[name=people_per_team]").fill("2")
            page.locator(f"{form} input[name=adjudicators]").fill("1")
            return _submit(page, form)
    return response.status if response else None


class Survey:
    """Each page surveyed once, on first demand; every check reads the same findings."""

    def __init__(self, browser: Browser, site: Site) -> None:
        self.browser = browser
        self.site = site
        self.found: dict[str, Findings] = {}

    def of(self, spot: Spot) -> Findings:
        found = self.found.get(spot.name)
        if found is None:
            found = self.found[spot.name] = self._survey(spot)
        if found.failure:
            problem(f"{spot.label}: the page could not be surveyed\n{found.failure}")
        if found.status != 200:
            problem(f"{spot.label}: {found.url} answered HTTP {found.status}")
        return found

    def _survey(self, spot: Spot) -> Findings:
        found = Findings()
        context = self.browser.new_context(viewport=DESKTOP)
        try:
            page = context.new_page()
            found.status = _open(page, self.site, spot)
            found.url = page.url
            settle(page)
            screenshots(page, spot.name)
            found.violations = audit(page)
            shape = structure(page)
            found.h1, found.main = shape["h1"], shape["main"]
            found.phone = phone_problems(page)
            found.skip = skip_link(page)
        except Exception:
            found.failure = traceback.format_exc(limit=4)
        finally:
            context.close()
        return found

    def save(self) -> None:
        ROOMS.mkdir(parents=True, exist_ok=True)
        out = {name: asdict(found) for name, found in self.found.items()}
        (ROOMS / "accessibility.json").write_text(json.dumps(out, indent=1, ensure_ascii=False))


@pytest.fixture(scope="module")
def survey(browser: Browser, site: Site) -> Iterator[Survey]:
    s = Survey(browser, site)
    try:
        yield s
    finally:
        s.save()


def where(spot: Spot, found: Findings) -> str:
    return f"{spot.label} — {found.url}"


def bullets(items: list[str]) -> str:
    return "\n".join(f"  - {item}" for item in items)


def problem(text: str) -> None:
    """Fail with just the text: what is wrong, where (not the test's source)."""
    pytest.fail(text, pytrace=False)


ids = [s.name for s in SPOTS]


# -- the checks -----------------------------------------------------------------------


@pytest.mark.parametrize("spot", SPOTS, ids=ids)
def test_axe_finds_no_critical_or_serious_wcag_violation(survey: Survey, spot: Spot) -> None:
    found = survey.of(spot)
    if found.violations:
        problem(
            f"{where(spot, found)}\naxe-core: {len(found.violations)} critical/serious "
            "WCAG 2.1 A/AA violation(s):\n" + "\n".join(str(v) for v in found.violations)
        )


@pytest.mark.parametrize("spot", SPOTS, ids=ids)
def test_the_page_has_exactly_one_h1(survey: Survey, spot: Spot) -> None:
    found = survey.of(spot)
    if len(found.h1) != 1:
        problem(
            f"{where(spot, found)}\n{len(found.h1)} h1 elements, not one"
            + (f": {found.h1}" if found.h1 else " (give the page one h1 that says what it is)")
        )


@pytest.mark.parametrize("spot", SPOTS, ids=ids)
def test_the_page_has_a_main_landmark(survey: Survey, spot: Spot) -> None:
    found = survey.of(spot)
    if found.main != 1:
        problem(f"{where(spot, found)}\n{found.main} main landmarks, not one")


@pytest.mark.parametrize("spot", SPOTS, ids=ids)
def test_a_skip_link_comes_first_and_moves_focus_to_main(survey: Survey, spot: Spot) -> None:
    found = survey.of(spot)
    if found.skip:
        problem(f"{where(spot, found)}\n{bullets(found.skip)}")


@pytest.mark.parametrize("spot", SPOTS, ids=ids)
def test_nothing_is_wider_than_a_phone_screen(survey: Survey, spot: Spot) -> None:
    found = survey.of(spot)
    phone, width = found.phone, PHONE["width"]
    if phone["scrollWidth"] > width:
        problem(
            f"{where(spot, found)}\nat {width} px the page is {phone['scrollWidth']} px wide; "
            f"{phone['wideCount']} element(s) reach past the right edge (innermost ones):\n"
            + bullets(grouped(phone["wide"]))
        )


@pytest.mark.parametrize("spot", SPOTS, ids=ids)
def test_buttons_are_at_least_44px_high_on_a_phone(survey: Survey, spot: Spot) -> None:
    found = survey.of(spot)
    phone = found.phone
    if phone["smallCount"]:
        problem(
            f"{where(spot, found)}\nat {PHONE['width']} px, {phone['smallCount']} of "
            f"{phone['buttons']} buttons are under {MIN_TAP} px high:\n"
            + bullets(grouped(phone["small"]))
        )
