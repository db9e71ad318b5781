"""Browser fixtures for the end-to-end tests: Debian's chromium driven by Playwright,
a real server on loopback, and one browser context (its own cookies) per seat."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from tests.web.server import Server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
# the marker a page keeps until it is reloaded: proof that an update came live
MARK = "window.__e2e_same_page = true"
STILL_MARKED = "window.__e2e_same_page === true"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = (
            f"BROWSER TESTS NOT RUN: {CHROMIUM} is missing (apt-get install chromium); "
            "Playwright cannot download browsers here"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " — and CI=true, where they must run")
        warnings.warn(reason, stacklevel=1)
        pytest.skip(reason)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def server(tmp_path) -> Iterator[Server]:
    s = Server(tmp_path / "whitecell.db").start()
    try:
        yield s
    finally:
        s.stop()


@dataclass
class Seat:
    """One person's browser: its own context (cookies) and page, and what went wrong in it."""

    name: str
    page: Page
    errors: list[str] = field(default_factory=list)

    def screenshot(self, suffix: str = "") -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}{suffix}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def problems(self) -> str:
        """What went wrong in the browser, each distinct message once."""
        return "\n".join(dict.fromkeys(self.errors))

    def still_the_same_page(self) -> bool:
        return bool(self.page.evaluate(STILL_MARKED))


class People:
    """The browsers of a test, one context each; closed when the test ends."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.seats: dict[str, Seat] = {}

    def __getitem__(self, name: str) -> Seat:
        return self.seats[name]

    def open(self, name: str, url: str) -> Seat:
        """A new context for ``name`` that opens ``url`` (a join link or a page) and marks it."""
        context = self.browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        seat = Seat(name, page)
        page.on("pageerror", lambda exc: seat.errors.append(f"page error: {exc}"))
        page.on("console", lambda m: seat.errors.append(m.text) if _counts(m) else None)
        page.on(
            "response",
            lambda r: seat.errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None,
        )
        self.seats[name] = seat
        page.goto(url)
        page.evaluate(MARK)
        return seat

    def close(self) -> None:
        """Save each seat's page (passed or failed: it shows where things stood), then close."""
        for seat in self.seats.values():
            try:
                seat.screenshot()
            finally:
                seat.page.context.close()


def _counts(message: ConsoleMessage) -> bool:
    """A console error, except a failed load: responses are checked with their address
    (and the browser's own request for /favicon.ico, which the app does not serve)."""
    return message.type == "error" and not message.text.startswith("Failed to load resource")


@pytest.fixture
def people(browser: Browser) -> Iterator[People]:
    crowd = People(browser)
    try:
        yield crowd
    finally:
        crowd.close()
