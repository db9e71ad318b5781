"""The control room's Forecast panel on a real server: a round closing starts a forecast in
the background (the same figures as ``whitecell.forecast.forecast`` for its seed and the
events at the close), control recomputes it on demand, a game has one forecast at a time,
the panel shows the figures and a chart per headline outcome, and no team or observer
sees a figure by any route until control publishes one, in words, to whom it chooses."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.web.play import API, STREAM_TIMEOUT, SseReader, browser, create_game, link, ok
from tests.web.server import Server, bearer
from whitecell.forecast import cut_at_round, forecast
from whitecell.live.workshop import DebriefPlan
from whitecell.store.jobs import Jobs
from whitecell.web.debriefs import DEBRIEF
from whitecell.web.forecasts import FORECAST, RUNS, headline

CEASEFIRE = "ceasefire_holding_at_end"


def played_to(account: httpx.Client, closed: int = 1) -> dict[str, Any]:
    """A started game whose first ``closed`` rounds have closed."""
    created = create_game(account)
    game = created["game"]
    ok(account, game, {"type": "start_game"})
    for n in range(1, closed + 1):
        ok(account, game, {"type": "open_round", "number": n})
        ok(account, game, {"type": "close_round", "number": n})
    return created


def forecasts(c: httpx.Client, game: str) -> dict[str, Any]:
    r = c.get(f"{API}/games/{game}/forecast")
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def settled(c: httpx.Client, game: str, rounds: int = 1, timeout: float = 120) -> dict[str, Any]:
    """The game's forecasts once none is running and ``rounds`` rounds have one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = forecasts(c, game)
        if got["running"] is None and len(got["rounds"]) >= rounds:
            return got
        time.sleep(0.1)
    raise AssertionError(f"no finished forecast of game {game} in {timeout} s")


def test_a_round_closing_forecasts_from_the_close_with_its_own_stored_seed(
    shared_server: Server, account: httpx.Client
) -> None:
    game = played_to(account, 1)["game"]
    settled(account, game, rounds=1)
    ok(account, game, {"type": "open_round", "number": 2})
    ok(account, game, {"type": "close_round", "number": 2})
    got = settled(account, game, rounds=2)
    latest = got["latest"]
    assert (latest["round"], latest["reason"], latest["status"]) == (2, "round", "done")
    assert [f["round"] for f in got["rounds"]] == [1, 2]
    live = shared_server.app.state.ctx.hub.games[game]
    assert latest["seed"] != live.state.seed  # its own seed, never the game's
    cut = cut_at_round(live.state.events, 2)
    again = forecast(live.scenario, cut, runs=RUNS, seed=latest["seed"])
    assert latest["result"]["outcomes"] == again["outcomes"]
    assert latest["result"]["fork"] == again["fork"] and latest["after_seq"] == cut[-1].seq
    rows = Jobs(shared_server.app.state.ctx.store).about(game, FORECAST)
    assert rows and all(j.account_id is None for j in rows)  # no account's job list has it


def test_the_panel_shows_the_figures_in_words_and_a_chart_per_yes_no_outcome(
    shared_server: Server, account: httpx.Client
) -> None:
    game = played_to(account)["game"]
    latest = settled(account, game)["latest"]
    html = account.get(f"/games/{game}/panel/forecast").text
    p = latest["result"]["outcomes"][CEASEFIRE]
    assert "The ceasefire holds at the end" in html and f"{100 * p['p']:.0f}%" in html
    assert f"{100 * p['ci_low']:.0f}%–{100 * p['ci_high']:.0f}%" in html
    assert "After round 1 closed" in html
    marked = headline(shared_server.app.state.ctx.hub.games[game].scenario)
    assert marked and html.count("<svg") == len(marked)  # a chart per headline outcome
    assert all(f'id="chart-{o.id}"' in html for o in marked)
    assert "Casualties during the crisis" in html  # a numeric outcome: mean and range
    ja = account.get(f"/games/{game}/panel/forecast", params={"lang": "ja"}).text
    assert "終了時に停戦が維持されている" in ja and "予測" in ja


def test_recompute_now_supersedes_the_forecast_still_running_one_at_a_time(
    shared_server: Server, account: httpx.Client
) -> None:
    game = played_to(account)["game"]
    first = account.post(f"{API}/games/{game}/forecast")
    second = account.post(f"{API}/games/{game}/forecast")
    assert first.status_code == second.status_code == 202
    jobs = Jobs(shared_server.app.state.ctx.store)
    unfinished = [j for j in jobs.about(game, FORECAST) if not j.finished]
    assert [j.id for j in unfinished] == [second.json()["id"]]
    running = account.get(f"/games/{game}/panel/forecast").text  # a bar, polled till done
    assert "<progress" in running and 'hx-trigger="every 700ms"' in running
    got = settled(account, game)
    assert got["latest"]["id"] == second.json()["id"]
    assert got["latest"]["reason"] == "demand"
    assert jobs.get(first.json()["id"]).status == "cancelled"  # type: ignore[union-attr]
    r = account.post(f"/games/{game}/forecast", data={"csrf": account.headers["X-CSRF-Token"]})
    assert r.status_code == 200 and r.headers.get("X-Command-Ok") == "1"
    assert settled(account, game)["latest"]["reason"] == "demand"


def test_no_team_adjudicator_or_observer_sees_a_forecast_by_any_route(
    shared_server: Server, account: httpx.Client
) -> None:
    created = played_to(account)
    game = created["game"]
    latest = settled(account, game)["latest"]
    percent = f"{100 * latest['result']['outcomes'][CEASEFIRE]['p']:.0f}%"
    for seat in ("team:usa", "team:russia", "adjudicator", "observer"):
        token = link(created, seat)["token"]
        with bearer(shared_server, token) as c:
            assert c.get(f"{API}/games/{game}/forecast").status_code == 403
            assert c.post(f"{API}/games/{game}/forecast").status_code == 403
            assert c.get(f"{API}/jobs/{latest['id']}").status_code == 403
            with httpx.Client(base_url=shared_server.url, timeout=STREAM_TIMEOUT) as s:
                headers = {"Authorization": f"Bearer {token}"}
                with s.stream("GET", f"{API}/games/{game}/stream", headers=headers) as r:
                    seen = SseReader(r).until(lambda got: bool(got) and got[-1].id == 4)
            assert seen and all("forecast" not in m.event for m in seen)
            assert "Analysts" not in str([m.data for m in seen])
        page = browser(shared_server, token)
        try:
            room = page.get(f"/games/{game}").text
            assert "panel-forecast" not in room and "Analysts" not in room
            assert page.get(f"/games/{game}/panel/forecast").status_code == 404
            form = {"csrf": page.csrf, "outcome": CEASEFIRE}  # type: ignore[attr-defined]
            assert page.post(f"/games/{game}/forecast/publish", data=form).status_code == 403
            assert page.post(f"/games/{game}/forecast", data=form).status_code == 403
            for name in ("story", "announce", "state"):
                text = page.get(f"/games/{game}/panel/{name}").text
                assert "Analysts" not in text and "Forecast" not in text
        finally:
            page.close()
    assert percent  # the figure exists; only control reads it


def publish(account: httpx.Client, game: str, **form: Any) -> httpx.Response:
    return account.post(
        f"/games/{game}/forecast/publish",
        data={"csrf": account.headers["X-CSRF-Token"], **form},
        params={"lang": form.pop("lang", "en")},
    )


def test_publishing_tells_only_the_chosen_team_in_words_in_its_story(
    shared_server: Server, account: httpx.Client
) -> None:
    created = played_to(account)
    game = created["game"]
    p = settled(account, game)["latest"]["result"]["outcomes"][CEASEFIRE]["p"]
    r = publish(account, game, outcome=CEASEFIRE, audience="teams", teams="usa")
    assert r.status_code == 200 and r.headers.get("X-Command-Ok") == "1", r.text
    sentence = f"Analysts give “The ceasefire holds at the end” a {100 * p:.0f}% chance."
    assert sentence in r.text and "United States" in r.text
    usa, russia = (
        browser(shared_server, link(created, s)["token"]) for s in ("team:usa", "team:russia")
    )
    try:
        assert sentence in usa.get(f"/games/{game}/panel/story").text
        assert sentence in usa.get(f"/games/{game}/panel/announce").text
        for name in ("story", "announce"):
            assert "Analysts" not in russia.get(f"/games/{game}/panel/{name}").text
    finally:
        usa.close()
        russia.close()
    events = shared_server.app.state.ctx.hub.games[game].state.events
    told = [e for e in events if e.type == "inject_fired" and e.news == sentence]  # type: ignore[attr-defined]
    assert len(told) == 1 and told[0].audience == ("usa",)


def test_a_figure_published_in_japanese_reads_in_japanese_to_everyone(
    shared_server: Server, account: httpx.Client
) -> None:
    created = played_to(account)
    game = created["game"]
    p = settled(account, game)["latest"]["result"]["outcomes"][CEASEFIRE]["p"]
    r = publish(account, game, outcome=CEASEFIRE, audience="everyone", lang="ja")
    assert r.status_code == 200 and r.headers.get("X-Command-Ok") == "1", r.text
    sentence = f"分析官は「終了時に停戦が維持されている」の可能性を{100 * p:.0f}%とみている。"
    assert sentence in r.text
    with bearer(shared_server, link(created, "team:china")["token"]) as c:
        assert sentence in str(c.get(f"{API}/games/{game}/view").json())


@pytest.mark.parametrize(
    ("form", "words"),
    [
        ({"outcome": "casualties"}, "Choose one of the yes/no outcomes"),
        ({"outcome": "nonsense"}, "Choose one of the yes/no outcomes"),
        ({"outcome": CEASEFIRE, "audience": "teams"}, "Choose at least one team"),
    ],
)
def test_a_publication_that_makes_no_sense_is_refused_next_to_the_form(
    shared_server: Server, account: httpx.Client, form: dict[str, str], words: str
) -> None:
    game = played_to(account)["game"]
    settled(account, game)
    r = publish(account, game, **form)
    assert r.status_code == 200 and "data-error" in r.text and words in r.text
    events = shared_server.app.state.ctx.hub.games[game].state.events
    assert not [e for e in events if getattr(e, "inject", None) == "adhoc"]


def test_nothing_is_published_before_a_forecast_has_finished(account: httpx.Client) -> None:
    created = create_game(account)
    game = created["game"]
    ok(account, game, {"type": "start_game"})
    r = publish(account, game, outcome=CEASEFIRE)
    assert "data-error" in r.text and "no finished forecast" in r.text
    assert forecasts(account, game) == {"latest": None, "running": None, "rounds": []}


def test_a_forecast_outlives_a_restart_of_the_server(server: Server) -> None:
    account = server.control()
    try:
        game = played_to(account)["game"]
        before = settled(account, game)
    finally:
        account.close()
    server.stop()
    again = Server(server.db, port=server.port).start()
    try:
        account = again.control()
        try:
            after = forecasts(account, game)
            assert after["latest"] == before["latest"] and after["rounds"] == before["rounds"]
            html = account.get(f"/games/{game}/panel/forecast").text
            assert "After round 1 closed" in html and "forecast-chart" in html
        finally:
            account.close()
    finally:
        again.stop()


def test_the_figure_published_is_the_one_control_read_even_if_a_newer_one_came_since(
    shared_server: Server, account: httpx.Client
) -> None:
    game = played_to(account)["game"]
    read = settled(account, game)["latest"]
    assert account.post(f"{API}/games/{game}/forecast").status_code == 202
    newer = settled(account, game)["latest"]
    assert newer["id"] != read["id"] and newer["seed"] != read["seed"]
    r = publish(account, game, outcome="russian_gains", forecast=read["id"])
    p = read["result"]["outcomes"]["russian_gains"]["p"]
    assert f"“Russia made significant gains” a {100 * p:.0f}% chance." in r.text


def test_a_class_closing_rounds_and_ending_together_gets_a_debrief_a_game_and_no_stray_forecast(
    server: Server,
) -> None:
    """Rounds close and games end faster than their background work begins: the work is
    begun in batches, and nothing of an ended game is left waiting or running."""
    ctx = server.app.state.ctx
    # debriefs that would keep the workshop busy: only their jobs are looked at
    ctx.debrief = DebriefPlan(typical_runs=50_000, forecast_runs=40, screen=10, most=20)

    def play(_: int) -> str:
        account = server.control()
        try:
            game = played_to(account, 0)["game"]
            for n in (1, 2, 3):
                ok(account, game, {"type": "open_round", "number": n})
                ok(account, game, {"type": "close_round", "number": n})
            ok(account, game, {"type": "end_game", "open_actions": "resolve"})
            return game
        finally:
            account.close()

    with ThreadPoolExecutor(5) as pool:
        games = list(pool.map(play, range(5)))
    deadline = time.monotonic() + 60
    while ctx.closes.draining or ctx.ends.draining:
        assert time.monotonic() < deadline, "the batches never drained"
        time.sleep(0.05)
    jobs = Jobs(ctx.store)
    debriefs = []
    try:
        for game in games:
            made = jobs.about(game, FORECAST)
            assert made and all(j.finished for j in made), [j.status for j in made]
            assert game not in ctx.workshop._waiting  # its events are not held
            debriefs += jobs.about(game, DEBRIEF)
        assert sorted(j.subject for j in debriefs) == sorted(games)  # one each
        assert not ctx.closes.wanted and not ctx.ends.wanted
    finally:
        for job in debriefs:
            jobs.cancel(job.id)
