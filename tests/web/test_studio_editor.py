"""The studio's source view on a real server: the YAML checked as the designer types
(through /api/v1/scenarios/validate), saved as a new version, and two designers who save
from the same version neither overwrite each other nor lose what they typed."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.web.play import API
from whitecell.scenario.skeleton import skeleton
from whitecell.web.studio import FILENAME

TEXT = skeleton("new-scenario", FILENAME)


def shelve(c: httpx.Client, text: str = TEXT) -> str:
    r = c.post(f"{API}/scenarios", json={"yaml": text})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_a_valid_text_has_no_problems(account: httpx.Client) -> None:
    r = account.post(f"{API}/scenarios/validate", json={"yaml": TEXT})
    assert r.status_code == 200 and (r.json()["ok"], r.json()["problems"]) == (True, [])
    assert r.json()["names"]["teams"] == ["north", "south"]  # what the editor suggests


def test_each_problem_has_its_line_column_path_and_words(account: httpx.Client) -> None:
    broken = TEXT.replace("kind: action", "kind: lunch", 1)
    assert broken != TEXT
    line = 1 + TEXT[: TEXT.index("kind: action")].count("\n")
    r = account.post(f"{API}/scenarios/validate", json={"yaml": broken})
    assert r.status_code == 200 and r.json()["ok"] is False
    [problem] = r.json()["problems"]
    assert problem["line"] == line and problem["column"] > 1
    assert problem["path"].endswith(".kind") and "lunch" in problem["message"]["en"]
    assert "lunch" in problem["message"]["ja"] and "使えません" in problem["message"]["ja"]


def test_text_that_is_not_yaml_is_a_problem_not_an_error(account: httpx.Client) -> None:
    r = account.post(f"{API}/scenarios/validate", json={"yaml": "meta: [unclosed\n"})
    assert r.status_code == 200 and r.json()["ok"] is False and r.json()["problems"]


def test_a_text_over_the_size_limit_is_refused(account: httpx.Client) -> None:
    r = account.post(f"{API}/scenarios/validate", json={"yaml": "#" * 2_000_001})
    assert r.status_code == 422


def test_the_editor_shows_the_newest_text_and_its_problems(account: httpx.Client) -> None:
    scenario = shelve(account, TEXT.replace("kind: action", "kind: lunch", 1))
    html = account.get(f"/studio/{scenario}/edit?lang=en").text
    assert '<textarea id="source" name="yaml"' in html and "kind: lunch" in html
    assert "1 problem:" in html and 'class="problem" data-line="' in html
    assert 'name="base" value="1"' in html and "Save as version 2" in html
    assert '<script src="/static/studio.js"' in html


def test_saving_makes_the_next_version_and_says_so(account: httpx.Client) -> None:
    csrf = account.headers["X-CSRF-Token"]
    scenario = shelve(account)
    changed = TEXT + "# a designer's note\n"
    r = account.post(
        f"/studio/{scenario}/edit",
        data={"csrf": csrf, "yaml": changed, "base": "1", "message": "a note"},
    )
    assert r.status_code == 303 and r.headers["location"].endswith("/edit?saved=2")
    html = account.get(r.headers["location"]).text
    assert "Saved as version 2: no problems." in html and "Save as version 3" in html
    got = account.get(f"{API}/scenarios/{scenario}/versions/2").json()
    assert (got["yaml"], got["message"]) == (changed, "a note")


def test_the_second_of_two_saves_from_one_version_keeps_its_text_and_shows_the_first(
    account: httpx.Client,
) -> None:
    csrf = account.headers["X-CSRF-Token"]
    scenario = shelve(account)
    first = TEXT + "# Ana's change\n"
    second = TEXT + "# Ben's change\n"
    ok = account.post(f"/studio/{scenario}/edit", data={"csrf": csrf, "yaml": first, "base": "1"})
    assert ok.status_code == 303
    late = account.post(
        f"/studio/{scenario}/edit", data={"csrf": csrf, "yaml": second, "base": "1"}
    )
    assert late.status_code == 409
    assert "Ben&#39;s change" in late.text  # the late designer's text is still in the editor
    assert re.search(r'<span class="added">\+# Ana&#39;s change</span>', late.text)
    assert 'name="base" value="2"' in late.text  # saving again is a choice, made having seen it
    again = account.post(
        f"/studio/{scenario}/edit", data={"csrf": csrf, "yaml": second, "base": "2"}
    )
    assert again.status_code == 303 and again.headers["location"].endswith("saved=3")


@pytest.mark.parametrize(
    "payload", ["</textarea><script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
)
def test_scenario_text_is_shown_inert_in_the_editor(account: httpx.Client, payload: str) -> None:
    scenario = shelve(account, TEXT + f"# {payload}\n")
    html = account.get(f"/studio/{scenario}/edit").text
    assert payload not in html and "&lt;" in html


def test_the_editor_is_only_for_the_scenarios_owner(
    account: httpx.Client, stranger: httpx.Client
) -> None:
    scenario = shelve(account)
    assert stranger.get(f"/studio/{scenario}/edit").status_code == 404
    csrf = stranger.headers["X-CSRF-Token"]
    r = stranger.post(f"/studio/{scenario}/edit", data={"csrf": csrf, "yaml": TEXT, "base": "1"})
    assert r.status_code == 404
