"""The studio's "Try it" on a real server: a saved version played many times in the
background, its progress and figures read from any page or the API, each beside the
version before's; cancelled in one click; only for the account whose scenario it is."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.web.play import API
from whitecell.scenario.library import bundled_path

SCENARIO = "ukraine-ceasefire-2025"


def shelve(c: httpx.Client, text: str | None = None) -> str:
    body = {"yaml": text} if text is not None else {"from": SCENARIO}
    r = c.post(f"{API}/scenarios", json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def until_finished(c: httpx.Client, job: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = c.get(f"{API}/jobs/{job}")
        assert r.status_code == 200, r.text
        if r.json()["status"] not in ("queued", "running"):
            return r.json()  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError(f"trial {job} did not finish in {timeout} s")


def trial(c: httpx.Client, scenario: str, **body: Any) -> dict[str, Any]:
    r = c.post(f"{API}/scenarios/{scenario}/trials", json=body)
    assert r.status_code == 202, r.text
    return r.json()  # type: ignore[no-any-return]


def test_a_trial_plays_the_runs_and_gives_each_outcome_with_its_interval(
    account: httpx.Client,
) -> None:
    scenario = shelve(account)
    job = trial(account, scenario, runs=120, seed=9)
    assert job["status"] == "queued" and job["total"] == 120
    assert job["params"] == {
        "scenario": scenario,
        "version": 1,
        "digest": job["params"]["digest"],
        "runs": 120,
        "seed": 9,
    }
    done = until_finished(account, job["id"])
    assert (done["status"], done["done"], done["progress"]) == ("done", 120, 1.0)
    outcomes = done["result"]["outcomes"]
    assert outcomes and done["result"]["runs"] == 120
    for figure in outcomes.values():
        if "p" in figure:
            assert 0 <= figure["ci_low"] <= figure["p"] <= figure["ci_high"] <= 1
    listed = account.get(f"{API}/jobs").json()["jobs"]
    assert done["id"] in [j["id"] for j in listed]
    again = until_finished(account, trial(account, scenario, runs=120, seed=9)["id"])
    assert again["result"]["outcomes"] == outcomes  # the same seed, the same figures


@pytest.mark.parametrize("body", [{"runs": 0}, {"runs": 20_001}, {"seed": -1}, {"version": 0}])
def test_a_trial_out_of_bounds_is_refused_in_words(account: httpx.Client, body: dict) -> None:
    r = account.post(f"{API}/scenarios/{shelve(account)}/trials", json=body)
    error = r.json()["error"]
    assert r.status_code == 422 and error["code"] == "bad_request" and error["message"]


def test_a_version_with_problems_is_not_tried(account: httpx.Client) -> None:
    scenario = shelve(account, "meta: {id: broken}\n")
    r = account.post(f"{API}/scenarios/{scenario}/trials", json={"runs": 10})
    assert r.status_code == 422 and r.json()["error"]["code"] == "version_not_valid"
    assert "版1" in r.json()["error"]["messages"]["ja"]


def test_a_running_trial_is_cancelled_and_a_finished_one_cannot_be(
    account: httpx.Client,
) -> None:
    scenario = shelve(account)
    long = trial(account, scenario, runs=20_000)
    r = account.delete(f"{API}/jobs/{long['id']}")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert until_finished(account, long["id"])["status"] == "cancelled"
    again = account.delete(f"{API}/jobs/{long['id']}")
    assert again.status_code == 409 and again.json()["error"]["code"] == "job_finished"


def test_an_account_has_at_most_three_trials_waiting_or_running(account: httpx.Client) -> None:
    scenario = shelve(account)
    held = [trial(account, scenario, runs=20_000)["id"] for _ in range(3)]
    try:
        r = account.post(f"{API}/scenarios/{scenario}/trials", json={"runs": 10})
        assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_jobs"
        assert "3" in r.json()["error"]["messages"]["ja"]
    finally:
        for job in held:
            account.delete(f"{API}/jobs/{job}")


def test_another_account_neither_sees_nor_cancels_a_trial(
    account: httpx.Client, stranger: httpx.Client
) -> None:
    scenario = shelve(account)
    job = trial(account, scenario, runs=50)["id"]
    assert stranger.get(f"{API}/jobs/{job}").status_code == 404
    assert stranger.delete(f"{API}/jobs/{job}").status_code == 404
    assert job not in [j["id"] for j in stranger.get(f"{API}/jobs").json()["jobs"]]
    r = stranger.post(f"{API}/scenarios/{scenario}/trials", json={"runs": 10})
    assert r.status_code == 404
    until_finished(account, job)


# -- the pages -----------------------------------------------------------------------------


def test_try_it_from_the_versions_page_shows_progress_then_figures_beside_the_version_before(
    account: httpx.Client,
) -> None:
    csrf = account.headers["X-CSRF-Token"]
    text = bundled_path(SCENARIO).read_text(encoding="utf-8")
    scenario = shelve(account, text)
    page = account.get(f"/studio/{scenario}?lang=en").text
    assert 'action="/studio/' in page and "Try it" in page and 'name="runs"' in page
    r = account.post(f"/studio/{scenario}/trials", data={"csrf": csrf, "runs": "200"})
    assert r.status_code == 303 and r.headers["location"].startswith("/studio/jobs/")
    first = r.headers["location"].rsplit("/", 1)[1]
    until_finished(account, first)
    # version 2 makes the ceasefire's hazard heavier; its trial is read beside version 1's
    changed = text.replace("base: 0.", "base: 0.9", 1)
    assert changed != text
    saved = account.put(f"{API}/scenarios/{scenario}/versions/2", json={"yaml": changed})
    assert saved.status_code == 201 and saved.json()["valid"], saved.text
    r = account.post(f"/studio/{scenario}/trials", data={"csrf": csrf, "runs": "200"})
    second = r.headers["location"].rsplit("/", 1)[1]
    until_finished(account, second)
    html = account.get(f"/studio/jobs/{second}").text
    assert "Done: 200 runs." in html and "Version before" in html
    rows = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert rows.count('<tr id="outcome-') >= 2
    assert '<rect class="was"' in rows and "%]" in rows  # a figure, its interval, the tick
    assert "hx-trigger" not in html  # nothing left to ask for
    listed = account.get(f"/studio/{scenario}?from=1&to=2").text
    assert f"/studio/jobs/{first}" in listed and f"/studio/jobs/{second}" in listed
    balance = listed.split('id="h-balance-diff"', 1)[1].split("</table>", 1)[0]
    assert balance.count("<tr>") >= 3 and balance.count("%]") >= 4  # both versions' figures
    shelf = account.get("/studio").text
    row = shelf.split(f'id="scenario-{scenario}"', 1)[1].split("</th>", 1)[0]
    assert f'href="/studio/jobs/{second}"' in row and "Last trial (version 2)" in row
    ja = account.get(f"/studio/jobs/{second}?lang=ja").text
    assert "前の版" in ja and "完了" in ja
    account.get("/studio?lang=en")


def test_a_running_trial_page_asks_again_and_htmx_gets_only_the_figures(
    account: httpx.Client,
) -> None:
    csrf = account.headers["X-CSRF-Token"]
    scenario = shelve(account)
    r = account.post(f"/studio/{scenario}/trials", data={"csrf": csrf, "runs": "20000"})
    job = r.headers["location"].rsplit("/", 1)[1]
    try:
        html = account.get(f"/studio/jobs/{job}").text
        assert 'hx-trigger="every 700ms"' in html and "<progress" in html and "Cancel" in html
        part = account.get(f"/studio/jobs/{job}", headers={"HX-Request": "true"}).text
        assert part.lstrip().startswith('<div id="trial"') and "<html" not in part
    finally:
        r = account.post(f"/studio/jobs/{job}/cancel", data={"csrf": csrf})
        assert r.status_code == 303
    assert "Cancelled after" in account.get(f"/studio/jobs/{job}").text


def test_try_it_with_runs_out_of_bounds_answers_on_the_same_page(account: httpx.Client) -> None:
    csrf = account.headers["X-CSRF-Token"]
    scenario = shelve(account)
    r = account.post(f"/studio/{scenario}/trials", data={"csrf": csrf, "runs": "50000"})
    assert r.status_code == 422 and 'id="refused"' in r.text
    assert "from 1 to 20,000" in r.text and 'name="runs"' in r.text
