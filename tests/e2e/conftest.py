"""Browser fixtures for the end-to-end tests: Debian's chromium driven by Playwright,
a real server on loopback, and one browser context (its own cookies) per seat."""

from __future__ import annotations

import contextlib
import os
import re
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Dialog,
    Locator,
    Page,
    sync_playwright,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

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
ANSWER = 5_000  # ms: a command's answer next to its form
# every answer htmx puts in a form's result box, as the page showed it (installed once a page)
WATCH_ANSWERS = """() => {
  if (window.__e2e_answers) return;
  window.__e2e_answers = [];
  document.addEventListener('htmx:afterSwap', (event) => {
    const box = event.detail.target;
    if (!box || !box.classList || !box.classList.contains('result')) return;
    const form = box.closest('form');
    window.__e2e_answers.push({
      id: box.id, form: form ? form.id : null, text: box.innerText.trim(),
      ok: !!box.querySelector('[data-ok]'), error: !!box.querySelector('[data-error]'),
      visible: box.checkVisibility(), focused: document.activeElement === box,
    });
  });
}"""


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
    asked: list[str] = field(default_factory=list)  # the confirm dialogs it accepted

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

    def mark(self) -> None:
        """Mark the page as it is now (after a reload that was meant to happen)."""
        self.page.evaluate(MARK)

    def form(self, id: str) -> Locator:
        """A command form by its id without ``f-`` (``act``, ``rules-UID``, ``sign-PID``)."""
        return self.page.locator(f"#f-{id}")

    def send(
        self,
        form: str | Locator,
        button: str | None = None,
        *,
        confirm: bool = False,
        ok: bool = True,
    ) -> str:
        """Press a form's button (by its name, or the form's last submit button) and wait
        for the server's answer in the form's result box; the answer, in words.

        The form must have been posted by htmx (not as a whole page), its answer must show,
        next to the form, and say ok (or, with ``ok=False``, be a refusal). A form that asks
        before it acts (``hx-confirm``) must be pressed with ``confirm=True``, and one that
        does not ask with ``confirm=False``: the dialog is accepted and its question kept
        in :attr:`asked`."""
        page = self.page
        f = self.form(form) if isinstance(form, str) else form
        expect_visible(f, self.name)
        # read now: a form may be gone once it is answered (the next step replaces it)
        form_id = f.get_attribute("id") or ""
        command_form = "cmd" in (f.get_attribute("class") or "").split()
        asks = f.get_attribute("hx-confirm")
        assert bool(asks) == confirm, (
            f"{self.name}: form {form_id} "
            f"{'asks ' + repr(asks) if asks else 'does not ask'} before it acts"
        )
        target = f.get_attribute("hx-target") or ""
        post = f.get_attribute("hx-post") or ""
        assert target.startswith("#") and post, f"{self.name}: not an htmx form: {target} {post}"
        page.evaluate(WATCH_ANSWERS)
        seen = page.evaluate("window.__e2e_answers.length")
        if button is None:
            press = f.locator("button:not([type=button])").last
        else:
            press = f.get_by_role("button", name=button, exact=True)
        asked: list[str] = []

        def accept(dialog: Dialog) -> None:
            asked.append(dialog.message)
            dialog.accept()

        page.on("dialog", accept)
        try:
            with page.expect_response(
                lambda r: r.request.method == "POST" and r.url.split("?")[0].endswith(post),
                timeout=ANSWER,
            ) as info:
                press.click()
            response = info.value
        except PlaywrightTimeoutError:
            raise AssertionError(
                f"{self.name}: pressing {button or 'the button'} of {form_id} sent nothing in "
                f"{ANSWER} ms (asked: {asked}); browser errors:\n{self.problems()}"
            ) from None
        finally:
            page.remove_listener("dialog", accept)
        self.asked += asked
        assert bool(asked) == confirm, f"{self.name}: {post} asked {asked} (expected: {confirm})"
        assert not page.url.endswith(post), (
            f"{self.name}: the form was posted as a whole page to {page.url}, not by htmx "
            f"(its panel was not processed after a live refresh); browser errors:\n"
            f"{self.problems()}"
        )
        deadline = time.monotonic() + ANSWER / 1000
        while True:
            shown = page.evaluate(
                "(a) => window.__e2e_answers.slice(a[0]).find((x) => x.id === a[1]) || null",
                [seen, target[1:]],
            )
            if shown:
                break
            assert time.monotonic() < deadline, (
                f"{self.name}: no answer shown in {target} (the server said "
                f"{_words(response.text())!r}); browser errors:\n{self.problems()}"
            )
            page.wait_for_timeout(50)
        said = _words(response.text())
        text = " ".join(shown["text"].split())
        assert text == said, f"{self.name}: {target} shows {text!r}, not {said!r}"
        assert shown["visible"], f"{self.name}: the answer {said!r} in {target} is not visible"
        if command_form:
            assert shown["form"] == form_id, (
                f"{self.name}: the answer {said!r} is not shown in its form, but in {shown['form']}"
            )
        assert shown["ok"] == ok and shown["error"] != ok, (
            f"{self.name}: {form_id} was {'refused' if ok else 'accepted'}: {said}"
        )
        if post.endswith("/do"):
            assert (response.headers.get("x-command-ok") == "1") == ok, said
        return said

    def give_name(self, person: str) -> str:
        """Answer "What is your name?" at the top of the room; the page reloads with it
        (and is marked again). The answer, in words."""
        page = self.page
        prompt = page.locator("section.name-prompt")
        expect_visible(prompt, self.name)
        prompt.get_by_label("Your name").fill(person)
        with page.expect_navigation(timeout=ANSWER):
            prompt.get_by_role("button").click()
        page.wait_for_load_state("load")
        self.mark()
        return person


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


class Findings:
    """Checks that do not stop a test when they fail: the test goes on (so one broken
    page does not hide the next), and fails at its end with every failure, in order."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    @contextlib.contextmanager
    def check(self, what: str) -> Iterator[None]:
        try:
            yield
        except AssertionError as exc:
            self.failures.append(f"{what}:\n{exc}")

    def verify(self) -> None:
        assert not self.failures, "\n\n".join(self.failures)


def expect_visible(locator: Locator, who: str) -> None:
    try:
        locator.wait_for(state="visible", timeout=ANSWER)
    except Exception as exc:
        raise AssertionError(f"{who}: {locator} is not visible: {exc}") from None


def unfold(details: Locator) -> Locator:
    """Open a folded ``<details>`` as a person does (a click on its summary); it, open."""
    details.locator(":scope > summary").wait_for(state="visible", timeout=ANSWER)
    if details.get_attribute("open") is None:
        details.locator(":scope > summary").click()
    assert details.get_attribute("open") is not None, f"{details} did not open"
    return details


def _words(html: str) -> str:
    """An answer as the page shows it: its text, without tags and extra spaces."""
    text = re.sub(r"<[^>]+>", "", html)
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&#34;", '"'), ("&#39;", "'"),
                         ("&quot;", '"'), ("&amp;", "&")):  # fmt: skip
        text = text.replace(entity, char)
    return " ".join(text.split())


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
