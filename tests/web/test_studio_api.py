"""The studio's shelf through the JSON API, on a real server: scenarios kept as written,
numbered versions never overwritten, and each account's shelf its own."""

from __future__ import annotations

import httpx
import pytest

from tests.web.play import API
from tests.web.server import Server
from whitecell.scenario.build import document_digest
from whitecell.scenario.library import bundled_ids, bundled_path
from whitecell.scenario.skeleton import skeleton
from whitecell.web.studio import FILENAME


def export(c: httpx.Client, scenario: str, number: int) -> bytes:
    r = c.get(f"{API}/scenarios/{scenario}/versions/{number}/yaml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/yaml")
    return r.content


def shelve(c: httpx.Client, **body: str) -> dict[str, object]:
    r = c.post(f"{API}/scenarios", json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_a_new_scenario_starts_from_the_skeleton_and_is_valid(account: httpx.Client) -> None:
    made = shelve(account, **{"from": "skeleton", "message": "a start"})
    assert (made["version"], made["valid"], made["problems"]) == (1, True, [])
    assert export(account, str(made["id"]), 1).decode() == skeleton("new-scenario", FILENAME)
    [v] = account.get(f"{API}/scenarios/{made['id']}/versions").json()["versions"]
    assert (v["number"], v["message"], v["valid"], v["author"]) == (1, "a start", True, "control")


@pytest.mark.parametrize("scenario_id", bundled_ids())
def test_import_then_export_gives_back_the_same_file_byte_for_byte(
    account: httpx.Client, scenario_id: str
) -> None:
    text = bundled_path(scenario_id).read_text(encoding="utf-8")
    assert "#" in text  # comments, which a re-serialised document would lose
    first = shelve(account, yaml=text)
    out = export(account, str(first["id"]), 1)
    assert out == text.encode("utf-8")
    again = shelve(account, yaml=out.decode("utf-8"))
    assert export(account, str(again["id"]), 1) == out
    # duplicating the bundled scenario starts from the same file
    dup = shelve(account, **{"from": scenario_id})
    assert export(account, str(dup["id"]), 1) == out and dup["valid"] is True


def test_a_scenario_with_problems_is_kept_and_each_problem_located(
    account: httpx.Client,
) -> None:
    text = skeleton("new-scenario", FILENAME).replace("rounds:", "roundz:", 1)
    made = shelve(account, yaml=text)
    assert made["valid"] is False and made["problems"]
    line = text.splitlines().index(next(x for x in text.splitlines() if x.startswith("roundz:")))
    unknown = [p for p in made["problems"] if "roundz" in p["message"]["en"]]  # type: ignore[union-attr]
    assert unknown and unknown[0]["line"] == line + 1 and unknown[0]["column"] == 1


def test_a_second_save_from_the_same_version_is_refused_with_what_changed(
    account: httpx.Client,
) -> None:
    made = shelve(account, **{"from": "skeleton"})
    base = export(account, str(made["id"]), 1).decode()
    path = f"{API}/scenarios/{made['id']}/versions/2"
    mine = account.put(path, json={"yaml": base + "# Ana's note\n", "message": "Ana"})
    assert mine.status_code == 201 and mine.json()["version"] == 2
    theirs = account.put(path, json={"yaml": base + "# Ben's note\n", "message": "Ben"})
    assert theirs.status_code == 409
    error = theirs.json()["error"]
    assert error["code"] == "version_conflict" and "+# Ana's note" in error["message"]
    assert error["messages"]["ja"] != error["messages"]["en"]
    assert export(account, str(made["id"]), 2).decode().endswith("# Ana's note\n")
    skipped = account.put(f"{API}/scenarios/{made['id']}/versions/9", json={"yaml": base})
    assert skipped.status_code == 409


def test_another_account_neither_sees_nor_saves_a_scenario_not_its_own(
    account: httpx.Client, stranger: httpx.Client
) -> None:
    made = shelve(account, **{"from": "skeleton"})
    scenario = str(made["id"])
    for path in (
        f"/{scenario}/versions",
        f"/{scenario}/versions/1",
        f"/{scenario}/versions/1/yaml",
    ):
        assert stranger.get(f"{API}/scenarios{path}").status_code == 404
    put = stranger.put(f"{API}/scenarios/{scenario}/versions/2", json={"yaml": "meta: {}\n"})
    assert put.status_code == 404
    assert stranger.post(f"{API}/scenarios", json={"from": scenario}).status_code == 404
    assert scenario not in [s["id"] for s in stranger.get(f"{API}/scenarios").json()["saved"]]
    assert len(account.get(f"{API}/scenarios/{scenario}/versions").json()["versions"]) == 1


def test_the_shelf_lists_the_bundled_scenarios_beside_the_accounts_own(
    account: httpx.Client,
) -> None:
    made = shelve(account, **{"from": "skeleton"})
    listed = account.get(f"{API}/scenarios").json()
    assert [b["id"] for b in listed["bundled"]] == bundled_ids()
    assert all(b["title"]["ja"] and b["teams"] > 1 and b["rounds"] > 1 for b in listed["bundled"])
    assert made["id"] in [s["id"] for s in listed["saved"]]


def test_a_source_is_either_text_or_an_origin(account: httpx.Client) -> None:
    for body in ({}, {"yaml": "meta: {}\n", "from": "skeleton"}):
        r = account.post(f"{API}/scenarios", json=body)
        assert r.status_code == 422 and r.json()["error"]["code"] == "scenario_source"


def test_control_makes_a_game_from_a_valid_saved_version_and_never_from_one_with_problems(
    account: httpx.Client, stranger: httpx.Client
) -> None:
    made = shelve(account, **{"from": "skeleton"})
    scenario = str(made["id"])
    game = account.post(f"{API}/games", json={"studio": scenario})
    assert game.status_code == 201, game.text
    assert game.json()["title"] == "New scenario"  # the skeleton's own title
    text = export(account, scenario, 1).decode()
    broken = account.put(
        f"{API}/scenarios/{scenario}/versions/2", json={"yaml": text.replace("rounds:", "roundz:")}
    )
    assert broken.status_code == 201 and broken.json()["valid"] is False
    refused = account.post(f"{API}/games", json={"studio": scenario})  # the newest: version 2
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "version_not_valid"
    older = account.post(f"{API}/games", json={"studio": scenario, "version": 1})
    assert older.status_code == 201
    assert stranger.post(f"{API}/games", json={"studio": scenario}).status_code == 404
    nothing = account.post(f"{API}/games", json={})
    assert nothing.status_code == 422 and nothing.json()["error"]["code"] == "no_scenario_given"


def test_a_version_names_the_games_made_from_it_by_its_document_digest(
    shared_server: Server, account: httpx.Client
) -> None:
    own = skeleton("new-scenario", FILENAME).replace("id: new-scenario", "id: named-games", 1)
    scenario = str(shelve(account, yaml=own)["id"])  # a document no other test makes games of
    text = export(account, scenario, 1).decode()
    # version 2 differs only in a comment: the same document, so the same games
    r = account.put(f"{API}/scenarios/{scenario}/versions/2", json={"yaml": text + "# note\n"})
    assert r.status_code == 201
    game = account.post(f"{API}/games", json={"studio": scenario, "version": 1}).json()["game"]
    row = shared_server.app.state.ctx.store.game(game)
    listed = account.get(f"{API}/scenarios/{scenario}/versions").json()["versions"]
    assert row is not None
    assert [v["document_digest"] for v in listed] == [document_digest(row.scenario)] * 2
    assert [v["games"] for v in listed] == [1, 1]
    assert listed[0]["digest"] != listed[1]["digest"]  # the texts differ
    page = account.get(f"/studio/{scenario}").text
    assert page.count('<span class="cell-label">Games </span>1</td>') == 2


def test_the_diff_of_two_versions_shows_what_was_added_and_removed(
    account: httpx.Client,
) -> None:
    made = shelve(account, **{"from": "skeleton"})
    scenario = str(made["id"])
    text = export(account, scenario, 1).decode()
    changed = text.replace("rounds:", "# the rounds come next\nrounds:", 1)
    assert account.put(f"{API}/scenarios/{scenario}/versions/2", json={"yaml": changed}).is_success
    r = account.get(f"{API}/scenarios/{scenario}/diff", params={"from": 1, "to": 2})
    assert r.status_code == 200
    body = r.json()
    assert (body["from"], body["to"]) == (1, 2)
    assert "+# the rounds come next\n" in body["diff"] and "\n-" not in body["diff"]
    back = account.get(f"{API}/scenarios/{scenario}/diff", params={"from": 2, "to": 1}).json()
    assert "-# the rounds come next\n" in back["diff"]
    same = account.get(f"{API}/scenarios/{scenario}/diff", params={"from": 1, "to": 1}).json()
    assert same["diff"] == ""
    missing = account.get(f"{API}/scenarios/{scenario}/diff", params={"from": 1, "to": 7})
    assert missing.status_code == 404
