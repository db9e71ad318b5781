"""The studio's shelf page, as HTML from a real server: what it lists, New, Duplicate,
Import, and who may open it."""

from __future__ import annotations

import re

import httpx

from tests.web.play import API, browser
from tests.web.server import Server
from whitecell.scenario.compiled import localize
from whitecell.scenario.library import bundled_path, load_bundled


def ids_on(html: str) -> list[str]:
    return re.findall(r'<tr id="scenario-([0-9a-f]+)"', html)


def test_the_shelf_lists_the_bundled_scenarios_in_the_readers_language(
    account: httpx.Client,
) -> None:
    en = account.get("/studio?lang=en")
    assert en.status_code == 200 and "<h1" in en.text and "Bundled scenarios" in en.text
    assert "A ceasefire for Ukraine" in en.text or "Ukraine" in en.text
    ja = account.get("/studio?lang=ja")
    assert "同梱シナリオ" in ja.text and "核拡散の連鎖" in ja.text
    account.get("/studio?lang=en")  # the remembered language back to English


def test_new_makes_version_1_from_the_skeleton_and_marks_it_on_the_shelf(
    account: httpx.Client,
) -> None:
    csrf = account.headers["X-CSRF-Token"]
    before = ids_on(account.get("/studio").text)
    r = account.post("/studio/scenarios", data={"csrf": csrf, "from": "skeleton"})
    assert r.status_code == 303 and r.headers["location"].startswith("/studio?made=")
    made = r.headers["location"].rsplit("=", 1)[1]
    shelf = account.get(r.headers["location"]).text
    assert made in ids_on(shelf) and made not in before
    row = shelf[shelf.index(f'id="scenario-{made}"') :].split("</tr>", 1)[0]
    assert 'class="just-made"' in row and "valid" in row and re.search(r"</span>1</td>", row)


def test_an_imported_file_comes_back_byte_for_byte_and_a_bad_one_is_refused_in_words(
    account: httpx.Client,
) -> None:
    csrf = account.headers["X-CSRF-Token"]
    raw = bundled_path("ukraine-ceasefire-2025").read_bytes()
    r = account.post(
        "/studio/scenarios", data={"csrf": csrf}, files={"file": ("ankara.yaml", raw, "text/yaml")}
    )
    assert r.status_code == 303
    made = r.headers["location"].rsplit("=", 1)[1]
    assert account.get(f"{API}/scenarios/{made}/versions/1/yaml").content == raw
    [v] = account.get(f"{API}/scenarios/{made}/versions").json()["versions"]
    assert v["message"] == "ankara.yaml"
    assert v["title"]["ja"] == localize(load_bundled("ukraine-ceasefire-2025").title, "ja")
    bad = account.post(
        "/studio/scenarios",
        data={"csrf": csrf},
        files={"file": ("x.yaml", b"\xff\xfe", "text/yaml")},
    )
    assert bad.status_code == 422 and 'role="alert"' in bad.text and "UTF-8" in bad.text


def test_a_seat_of_a_game_is_refused_the_studio_and_a_stranger_is_asked_to_sign_in(
    shared_server: Server, account: httpx.Client
) -> None:
    created = account.post(f"{API}/games", json={"scenario": "ukraine-ceasefire-2025"}).json()
    token = next(x["token"] for x in created["links"] if x["seat"] == "control")
    seat = browser(shared_server, token)
    try:
        assert seat.get("/studio").status_code == 403
    finally:
        seat.close()
    with httpx.Client(base_url=shared_server.url) as stranger:
        assert stranger.get("/studio").status_code == 401


def test_the_front_page_offers_the_studios_valid_scenarios_for_a_new_game(
    account: httpx.Client,
) -> None:
    csrf = account.headers["X-CSRF-Token"]
    r = account.post("/studio/scenarios", data={"csrf": csrf, "from": "skeleton"})
    made = r.headers["location"].rsplit("=", 1)[1]
    home = account.get("/?lang=en").text
    assert f'value="studio:{made}"' in home and "Your scenarios" in home
    created = account.post("/games", data={"csrf": csrf, "scenario": f"studio:{made}"})
    assert created.status_code == 200 and "/join/" in created.text


def test_the_odds_at_a_glance_of_a_bundled_or_a_valid_saved_scenario(
    account: httpx.Client,
) -> None:
    page = account.get("/studio/odds?scenario=ukraine-ceasefire-2025&lang=en")
    assert page.status_code == 200 and "Odds at a glance" in page.text
    sc = load_bundled("ukraine-ceasefire-2025")
    for team in sc.teams:
        assert localize(team.name, "en") in page.text
    ja = account.get("/studio/odds?scenario=ukraine-ceasefire-2025&lang=ja")
    assert "成功確率の一覧" in ja.text and localize(sc.actions[0].label, "ja") in ja.text
    account.get("/studio?lang=en")
    csrf = account.headers["X-CSRF-Token"]
    made = account.post("/studio/scenarios", data={"csrf": csrf, "from": "skeleton"})
    scenario = made.headers["location"].rsplit("=", 1)[1]
    mine = account.get(f"/studio/odds?scenario={scenario}")
    assert mine.status_code == 200 and "version 1" in mine.text
    assert account.get("/studio/odds?scenario=nothing-here").status_code == 404


def test_a_scenarios_versions_their_differences_and_going_back_to_one(
    account: httpx.Client,
) -> None:
    csrf = account.headers["X-CSRF-Token"]
    made = account.post("/studio/scenarios", data={"csrf": csrf, "from": "skeleton"})
    scenario = made.headers["location"].rsplit("=", 1)[1]
    text = account.get(f"{API}/scenarios/{scenario}/versions/1/yaml").text
    changed = text + "# a second thought\n"
    assert account.put(f"{API}/scenarios/{scenario}/versions/2", json={"yaml": changed}).is_success
    page = account.get(f"/studio/{scenario}?lang=en")
    assert page.status_code == 200 and 'id="version-2"' in page.text
    assert '<span class="added">+# a second thought</span>' in page.text  # 1 → 2 by default
    back = account.post(f"/studio/{scenario}/restore", data={"csrf": csrf, "number": "1"})
    assert back.status_code == 303 and back.headers["location"] == f"/studio/{scenario}"
    versions = account.get(f"{API}/scenarios/{scenario}/versions").json()["versions"]
    assert [v["number"] for v in versions] == [1, 2, 3] and versions[2]["message"] == "↩ 1"
    assert account.get(f"{API}/scenarios/{scenario}/versions/3/yaml").text == text
    removed = account.get(f"/studio/{scenario}?from=2&to=3").text
    assert '<span class="removed">-# a second thought</span>' in removed
