"""The server's queue of background work in the control room, on a real server: control
sees what runs and what waits in order, its own game's jobs by name with Cancel next to
them, other games' and designers' work by kind only; no team sees the queue; and the
panel says when busy live play slows the background down. The jobs are real rows of the
real store (made directly, so that the queue holds exactly what the test says)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.web.play import API, browser, create_game, link
from tests.web.server import Server, bearer
from whitecell.store.jobs import CANCELLED, Jobs

PANEL = "/games/{game}/panel/forecast"


@pytest.fixture
def control(server: Server) -> Iterator[httpx.Client]:
    """Control's session on this test's own server (``server`` in conftest.py): each test
    sees exactly the queue it made."""
    c = server.control()
    try:
        yield c
    finally:
        c.close()


def queue(server: Server, mine: str, other: str) -> dict[str, str]:
    """A studio trial and another game's forecast (running) before this game's forecast and
    debrief (waiting), the oldest first."""
    jobs = Jobs(server.app.state.ctx.store)
    found = server.app.state.ctx.store.account("control")
    assert found is not None
    account = found[0]
    asked = [
        ("trial", account, "trial", "scn@3", 500),
        ("other", None, "forecast", other, 1000),
        ("forecast", None, "forecast", mine, 1000),
        ("debrief", None, "debrief", mine, 3000),
    ]
    made = {}
    for name, who, kind, subject, runs in asked:
        made[name] = jobs.create(who, kind, subject, {"runs": runs}).id
        time.sleep(0.005)  # the queue's order is the time asked, to the millisecond
    jobs.start(made["other"])
    jobs.advance(made["other"], 250)
    return made


def background(c: httpx.Client, game: str) -> dict[str, Any]:
    r = c.get(f"{API}/games/{game}/background")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_control_sees_what_runs_and_waits_in_order_and_only_the_kind_of_other_work(
    server: Server, control: httpx.Client
) -> None:
    mine, other = create_game(control), create_game(control)
    made = queue(server, mine["game"], other["game"])
    got = background(control, mine["game"])
    assert [(w["kind"], w["this_game"], w["done"]) for w in got["running"]] == [
        ("forecast", False, 250)
    ]
    assert [(w["kind"], w["place"], w["this_game"]) for w in got["waiting"]] == [
        ("trial", 1, False),
        ("forecast", 2, True),
        ("debrief", 3, True),
    ]
    assert [w.get("id") for w in got["waiting"]] == [None, made["forecast"], made["debrief"]]
    text = str(got)
    assert other["game"] not in text and made["other"] not in text and "scn@3" not in text
    assert got["paced"] is False

    html = control.get(PANEL.format(game=mine["game"])).text
    assert "Background work on this server" in html and "1 working, 3 waiting" in html
    assert "waiting: 2 in line" in html and "this game" in html
    for job in ("forecast", "debrief"):
        assert f"/background/{made[job]}/cancel" in html
    assert made["other"] not in html and made["trial"] not in html
    assert other["game"] not in html


def test_no_team_adjudicator_or_observer_sees_the_queue(
    server: Server, control: httpx.Client
) -> None:
    created = create_game(control)
    game = created["game"]
    made = queue(server, game, create_game(control)["game"])
    for seat in ("team:usa", "adjudicator", "observer"):
        token = link(created, seat)["token"]
        with bearer(server, token) as c:
            assert c.get(f"{API}/games/{game}/background").status_code == 403
            gone = c.delete(f"{API}/games/{game}/background/{made['forecast']}")
            assert gone.status_code == 403
        page = browser(server, token)
        try:
            assert page.get(PANEL.format(game=game)).status_code == 404
            form = {"csrf": page.csrf}  # type: ignore[attr-defined]
            url = f"/games/{game}/background/{made['forecast']}/cancel"
            assert page.post(url, data=form).status_code == 403
            assert "Background work" not in page.get(f"/games/{game}").text
        finally:
            page.close()
    jobs = Jobs(server.app.state.ctx.store)
    assert all(not jobs.get(j).finished for j in made.values())  # type: ignore[union-attr]


def test_control_cancels_its_games_job_beside_the_queue_and_no_other(
    server: Server, control: httpx.Client
) -> None:
    mine, other = create_game(control), create_game(control)
    made = queue(server, mine["game"], other["game"])
    jobs = Jobs(server.app.state.ctx.store)
    csrf = {"csrf": control.headers["X-CSRF-Token"]}
    url = f"/games/{mine['game']}/background/{made['forecast']}/cancel"
    r = control.post(url, data=csrf)
    assert r.status_code == 200 and r.headers.get("X-Command-Ok") == "1"
    assert "Cancelled" in r.text
    assert jobs.get(made["forecast"]).status == CANCELLED  # type: ignore[union-attr]
    again = control.post(url, data=csrf)
    assert "X-Command-Ok" not in again.headers and "already ended (cancelled)" in again.text
    # another game's job, and a designer's trial, are not this game's to cancel
    for job in ("other", "trial"):
        r = control.delete(f"{API}/games/{mine['game']}/background/{made[job]}")
        assert r.status_code == 404, r.text
        assert not jobs.get(made[job]).finished  # type: ignore[union-attr]
    r = control.delete(f"{API}/games/{mine['game']}/background/{made['debrief']}")
    assert r.status_code == 200 and r.json()["status"] == CANCELLED
    assert [w["kind"] for w in background(control, mine["game"])["waiting"]] == ["trial"]


def test_the_panel_says_when_busy_play_slows_the_background_in_both_languages(
    server: Server, control: httpx.Client
) -> None:
    game = create_game(control)["game"]
    html = control.get(PANEL.format(game=game)).text
    assert "Nothing is working or waiting." in html and "Live play is busy" not in html
    server.app.state.ctx.workshop.pace.note(10_000)  # many events a second just now
    assert background(control, game)["paced"] is True
    html = control.get(PANEL.format(game=game)).text
    assert "Live play is busy" in html
    ja = control.get(PANEL.format(game=game), params={"lang": "ja"}).text
    assert "このサーバーのバックグラウンド処理" in ja and "ライブのプレイが混み合っています" in ja
