"""The studio's form view on a real server: a section's values as typed fields, checked as
the designer types, saved as the next version with only the changed values rewritten; a
save that meets a newer version opens the source view with nothing lost."""

from __future__ import annotations

import html as markup
import re

import httpx

from tests.web.play import API
from whitecell.scenario.form import fields
from whitecell.scenario.skeleton import skeleton
from whitecell.web.studio import FILENAME

TEXT = skeleton("new-scenario", FILENAME)


def shelve(c: httpx.Client, text: str = TEXT) -> str:
    r = c.post(f"{API}/scenarios", json={"yaml": text})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def section_form(html: str) -> dict[str, str]:
    """The fields of a form page as a browser would post them unchanged."""
    out = dict(
        re.findall(r'<input type="(?:text|date)"[^>]*name="(f:[^"]+)" value="([^"]*)"', html)
    )
    for name, body in re.findall(
        r'<textarea [^>]*name="(f:[^"]+)"[^>]*>(.*?)</textarea>', html, re.S
    ):
        out[name] = body
    for name, options in re.findall(
        r'<select [^>]*name="(f:[^"]+)"[^>]*>(.*?)</select>', html, re.S
    ):
        picked = re.search(r'<option(?: value="([^"]*)")? selected>([^<]*)</option>', options)
        assert picked is not None
        out[name] = picked.group(1) if picked.group(1) is not None else picked.group(2)
    return {k: markup.unescape(v) for k, v in out.items()}


def test_a_section_shows_each_value_as_a_typed_field(account: httpx.Client) -> None:
    scenario = shelve(account)
    html = account.get(f"/studio/{scenario}/form?section=actions&lang=en").text
    assert 'aria-current="page">Actions' in html
    assert 'name="f:actions[0].base_probability" value="0.6"' in html
    assert "from 0.0 to 1.0" in html
    assert re.search(r'<select id="f-\d+" name="f:actions\[0\].instrument"', html)
    assert 'class="expr"' in html and 'lang="ja"' in html
    assert "teams[0]" not in html  # one section at a time


def test_a_form_saved_unchanged_is_the_same_file(account: httpx.Client) -> None:
    csrf = account.headers["X-CSRF-Token"]
    scenario = shelve(account)
    for section in ("meta", "teams", "actions", "negotiation", "outcomes"):
        html = account.get(f"/studio/{scenario}/form?section={section}&version=1").text
        values = section_form(html)
        assert values, section
        r = account.post(
            f"/studio/{scenario}/form/check",
            data={"csrf": csrf, "origin": "1", "section": section, **values},
        )
        assert "No problems." in r.text, (section, r.text)
    html = account.get(f"/studio/{scenario}/form?section=actions").text
    body = {"csrf": csrf, "origin": "1", "base": "1", "section": "actions", **section_form(html)}
    r = account.post(f"/studio/{scenario}/form", data=body)
    assert r.status_code == 303, r.text
    assert account.get(f"{API}/scenarios/{scenario}/versions/2/yaml").text == TEXT


def test_a_changed_value_is_checked_then_saved_in_its_place(account: httpx.Client) -> None:
    csrf = account.headers["X-CSRF-Token"]
    scenario = shelve(account)
    base = {"csrf": csrf, "origin": "1", "base": "1", "section": "actions"}
    wrong = account.post(
        f"/studio/{scenario}/form/check",
        data={**base, "f:actions[0].base_probability": "1.7"},
    )
    assert "1 problem:" in wrong.text and "base_probability" in wrong.text
    assert re.search(r'href="#f-\d+"', wrong.text)  # a link to the field, on this page
    ja = account.post(
        f"/studio/{scenario}/form/check?lang=ja",
        data={**base, "f:actions[0].base_probability": "1.7"},
    )
    assert "問題が1件あります" in ja.text
    account.get("/studio?lang=en")  # the remembered language back to English
    r = account.post(
        f"/studio/{scenario}/form",
        data={**base, "f:actions[0].base_probability": "0.45", "message": "easier"},
    )
    assert r.status_code == 303 and "saved=2" in r.headers["location"]
    saved = account.get(f"{API}/scenarios/{scenario}/versions/2").json()
    assert saved["yaml"] == TEXT.replace("base_probability: 0.6", "base_probability: 0.45", 1)
    assert saved["message"] == "easier" and saved["valid"]
    page = account.get(r.headers["location"]).text
    assert "Saved as version 2." in page and "Save as version 3" in page
    account.get("/studio?lang=en")


def test_a_missing_translation_is_marked_and_filled_from_the_form(account: httpx.Client) -> None:
    csrf = account.headers["X-CSRF-Token"]
    text = TEXT.replace("label: {en: Talks, ja: 協議}", "label: {en: Talks}", 1)
    scenario = shelve(account, text)
    html = account.get(f"/studio/{scenario}/form?section=rounds&lang=en").text
    assert "missing translation" in html and 'name="f:rounds[1].label.ja" value=""' in html
    shelf = account.get(f"/studio/{scenario}/form?section=meta").text
    assert re.search(r'Rounds <span class="tag warn"[^>]*>1</span>', shelf)
    data = {"csrf": csrf, "origin": "1", "base": "1", "section": "rounds"}
    r = account.post(f"/studio/{scenario}/form", data={**data, "f:rounds[1].label.ja": "協議"})
    assert r.status_code == 303
    saved = account.get(f"{API}/scenarios/{scenario}/versions").json()["versions"][-1]
    assert saved["message"] == "rounds[1].label.ja"  # no message given: what changed
    assert account.get(f"{API}/scenarios/{scenario}/versions/2/yaml").text == TEXT


def test_a_form_saved_after_someone_else_opens_the_source_view_with_nothing_lost(
    account: httpx.Client,
) -> None:
    csrf = account.headers["X-CSRF-Token"]
    scenario = shelve(account)
    first = account.put(
        f"{API}/scenarios/{scenario}/versions/2", json={"yaml": TEXT + "# Ana was here\n"}
    )
    assert first.status_code == 201
    data = {"csrf": csrf, "origin": "1", "base": "1", "section": "actions"}
    r = account.post(
        f"/studio/{scenario}/form", data={**data, "f:actions[0].base_probability": "0.3"}
    )
    assert r.status_code == 409
    assert "base_probability: 0.3" in r.text and "+# Ana was here" in r.text
    assert 'name="base" value="2"' in r.text


def test_the_form_is_only_for_the_scenarios_owner(
    account: httpx.Client, stranger: httpx.Client
) -> None:
    scenario = shelve(account)
    assert stranger.get(f"/studio/{scenario}/form").status_code == 404
    csrf = stranger.headers["X-CSRF-Token"]
    r = stranger.post(f"/studio/{scenario}/form/check", data={"csrf": csrf, "origin": "1"})
    assert r.status_code == 404


def test_every_field_of_the_form_has_a_label(account: httpx.Client) -> None:
    scenario = shelve(account)
    for section in {str(f.path[0]) for f in fields(TEXT)}:
        html = account.get(f"/studio/{scenario}/form?section={section}").text
        ids = re.findall(r'<(?:input|select|textarea) [^>]*id="(f-\d+)"', html)
        labels = set(re.findall(r'<label for="(f-\d+)"', html))
        assert ids and set(ids) <= labels, section


def test_text_the_form_cannot_read_opens_in_the_source_view(account: httpx.Client) -> None:
    scenario = shelve(account, "meta: [unclosed\n")
    r = account.get(f"/studio/{scenario}/form")
    assert r.status_code == 303 and r.headers["location"].endswith("/edit?version=1")


def test_entries_are_copied_removed_and_moved_each_as_a_new_version(
    account: httpx.Client,
) -> None:
    csrf = account.headers["X-CSRF-Token"]
    scenario = shelve(account)
    html = account.get(f"/studio/{scenario}/form?section=actions").text
    assert 'value="copy:actions[0]"' in html and 'value="remove:actions[1]"' in html
    base = {"csrf": csrf, "section": "actions"}
    r = account.post(
        f"/studio/{scenario}/form",
        data={**base, "origin": "1", "base": "1", "op": "copy:actions[0]"},
    )
    assert r.status_code == 303 and "saved=2" in r.headers["location"]
    v2 = account.get(f"{API}/scenarios/{scenario}/versions/2").json()
    assert v2["valid"] and v2["message"] == "copy actions[0]"
    assert v2["yaml"].count("- id: patrol\n") == 1 and "- id: patrol_2\n" in v2["yaml"]
    r = account.post(
        f"/studio/{scenario}/form", data={**base, "origin": "2", "base": "2", "op": "up:actions[1]"}
    )
    v3 = account.get(f"{API}/scenarios/{scenario}/versions/3").json()["yaml"]
    assert v3.index("- id: patrol_2") < v3.index("- id: patrol\n")
    r = account.post(
        f"/studio/{scenario}/form",
        data={**base, "origin": "3", "base": "3", "op": "remove:actions[0]"},
    )
    v4 = account.get(f"{API}/scenarios/{scenario}/versions/4").json()
    assert v4["valid"] and v4["yaml"] == TEXT  # back where it began, comments and all


def test_an_id_changed_in_the_form_is_renamed_wherever_it_is_used(account: httpx.Client) -> None:
    csrf = account.headers["X-CSRF-Token"]
    scenario = shelve(account)
    data = {"csrf": csrf, "origin": "1", "base": "1", "section": "teams"}
    r = account.post(f"/studio/{scenario}/form", data={**data, "f:teams[0].id": "west"})
    assert r.status_code == 303
    saved = account.get(f"{API}/scenarios/{scenario}/versions/2").json()
    assert saved["valid"], saved  # every reference follows: per-team values, parties
    assert "initial: {west: 60, south: 50}" in saved["yaml"]
    assert "parties: [west, south]" in saved["yaml"]
    assert saved["message"] == "north → west (2)"
    assert "North" in saved["yaml"]  # prose keeps its words


def test_an_actions_rung_and_the_escalation_ladder_are_fields_of_the_form(
    account: httpx.Client,
) -> None:
    """Nothing was written for them by hand: the form follows the format's models."""
    line = "    instrument: military           # diplomatic, information, military or economic\n"
    text = TEXT.replace(line, line + "    escalation: posturing\n", 1)
    assert text != TEXT
    text += (
        "escalation:\n  levels:\n"
        "    - {id: posturing, label: {en: Posturing, ja: 示威}, weight: 4}\n"
    )
    scenario = shelve(account, text)
    html = account.get(f"/studio/{scenario}/form?section=actions&lang=en").text
    assert 'name="f:actions[0].escalation" value="posturing"' in html
    ladder = account.get(f"/studio/{scenario}/form?section=escalation&lang=en").text
    assert 'name="f:escalation.levels[0].weight" value="4"' in ladder
    assert 'name="f:escalation.levels[0].label.ja" value="示威"' in ladder
