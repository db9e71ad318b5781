"""No scenario text runs as script in the studio: the hostile corpus goes into an imported
scenario's texts (names, briefs, labels, outcomes, clauses, a comment) and each studio
page that shows them is opened in Chromium: the shelf, the versions and their diff, the
source view, the form view, the odds at a glance, a trial's figures and one game's story.
As in test_xss, the check looks for what the strings would have created, not only for
script that ran."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

import httpx
import pytest
import yaml
from playwright.sync_api import Browser, Page

from tests.e2e.test_xss import CREATED, LIBRARY, SHOWN
from tests.e2e.xss_corpus import PAYLOADS
from tests.web.play import API
from tests.web.server import Server
from whitecell.web.auth import ACCOUNT_COOKIE


def hostile_text() -> str:
    doc = yaml.safe_load((LIBRARY / "ukraine-ceasefire-2025.yaml").read_text(encoding="utf-8"))
    cycle = itertools.cycle(PAYLOADS)
    doc["meta"]["title"]["en"] = next(cycle)
    for team in doc["teams"]:
        team["name"]["en"] = next(cycle)
        team["brief"]["en"] = next(cycle)
    for action in doc["actions"]:
        action["label"]["en"] = next(cycle)
    for outcome in doc["outcomes"]:
        outcome["label"]["en"] = next(cycle)
    for clause in doc["negotiation"]["clauses"]:
        clause["label"]["en"] = next(cycle)
    for agreement in doc["negotiation"]["agreements"]:
        agreement["label"]["en"] = next(cycle)
    for variable in doc["variables"]:
        variable["label"]["en"] = next(cycle)
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    return f"# {PAYLOADS[0]}\n{text}"


@pytest.fixture(scope="module")
def studio(tmp_path_factory) -> Iterator[tuple[Server, httpx.Client, str, str]]:
    server = Server(tmp_path_factory.mktemp("studio-xss") / "whitecell.db").start()
    account = server.control()
    r = account.post(f"{API}/scenarios", json={"yaml": hostile_text()})
    assert r.status_code == 201 and r.json()["valid"], r.text[:2000]
    scenario = r.json()["id"]
    second = hostile_text().replace("base_probability: 0.", "base_probability: 0.1", 1)
    r = account.put(f"{API}/scenarios/{scenario}/versions/2", json={"yaml": second})
    assert r.status_code == 201, r.text
    job = account.post(f"{API}/scenarios/{scenario}/trials", json={"runs": 64}).json()["id"]
    for _ in range(600):
        if account.get(f"{API}/jobs/{job}").json()["status"] == "done":
            break
        time.sleep(0.1)
    yield server, account, scenario, job
    account.close()
    server.stop()


def opened(browser: Browser, server: Server, account: httpx.Client, path: str) -> Page:
    context = browser.new_context()
    context.add_cookies(
        [{"name": ACCOUNT_COOKIE, "value": account.cookies[ACCOUNT_COOKIE], "url": server.url}]
    )
    page = context.new_page()
    page.dialogs = []  # type: ignore[attr-defined]
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
    page.goto(f"{server.url}{path}")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    return page


PAGES = [
    "/studio",
    "/studio/{scenario}?from=1&to=2",
    "/studio/{scenario}/edit",
    "/studio/{scenario}/form?section=meta",
    "/studio/{scenario}/form?section=teams",
    "/studio/{scenario}/form?section=actions",
    "/studio/{scenario}/form?section=outcomes",
    "/studio/odds?scenario={scenario}",
    "/studio/jobs/{job}",
    "/studio/{scenario}/play?version=1&seed=5",
]


@pytest.mark.parametrize("path", PAGES)
def test_no_scenario_text_runs_or_becomes_markup_in_the_studio(browser, studio, path) -> None:
    server, account, scenario, job = studio
    page = opened(browser, server, account, path.format(scenario=scenario, job=job))
    assert page.evaluate("window.__xss") is None
    assert page.dialogs == []  # type: ignore[attr-defined]
    assert page.evaluate(CREATED) == []
    shown = page.inner_text("body") + "".join(
        page.locator("input, textarea").evaluate_all("els => els.map(e => e.value)")
    )
    assert SHOWN in shown  # the strings reached the page, as text
    page.context.close()
