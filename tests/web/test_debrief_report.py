"""The web report's debrief, on a real server: a game played to its end gets a debrief job
in the background (one at a time, with a seed of its own, never the game's); until it is
in, the report is the one without it, says so with its progress and reloads itself; once
it is in, the report shows what decided the game by counterfactual forks (with their
intervals), the forecast over the rounds and how typical the game was, each audience only
its part: a team that has not had everything revealed reads no forecast line and no
other team's secret."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from tests.web.server import Server
from tests.web.test_report_page import SECRET_LABEL, Game, secrets_in
from whitecell.live.workshop import ENSEMBLE, DebriefPlan
from whitecell.store.jobs import CANCELLED, DONE, RUNNING, Job, Jobs
from whitecell.web.debriefs import DEBRIEF

# small enough for a test's few seconds, large enough for every part of the debrief
SMALL = DebriefPlan(typical_runs=200, forecast_runs=40, screen=10, most=20)
# a debrief that keeps the workshop busy until the test cancels it
LONG = DebriefPlan(typical_runs=50_000, forecast_runs=40, screen=10, most=20)
INTERVAL = re.compile(r"\(([+-]\d+) points, 95% interval ([+-]\d+) to ([+-]\d+)\)")
FORECAST_LINE = "Forecast over the rounds"
COUNTERFACTUAL = "was played both ways in"
FALLBACK = "Counterfactual turning points are not in this report"
REFRESH = '<meta http-equiv="refresh"'
T = TypeVar("T")


@pytest.fixture(scope="module")
def debriefing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = Server(tmp_path_factory.mktemp("debrief") / "whitecell.db").start()
    s.app.state.ctx.debrief = SMALL
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def control(debriefing: Server) -> Iterator[httpx.Client]:
    c = debriefing.control()
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def games(debriefing: Server, control: httpx.Client) -> Iterator[Callable[[], Game]]:
    made: list[Game] = []

    def make() -> Game:
        game = Game(debriefing, control, reveal_at_end=False)
        made.append(game)
        return game

    yield make
    for game in made:
        game.close()


def until(found: Callable[[], T | None], what: str, timeout: float = 180) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = found()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError(f"{what}: not in {timeout} s")


def debrief_of(server: Server, game: str) -> Job | None:
    rows = Jobs(server.app.state.ctx.store).about(game, DEBRIEF)
    return rows[0] if rows else None


def finished_debrief(server: Server, game: str) -> Job | None:
    job = debrief_of(server, game)
    return job if job is not None and job.finished else None


def played_to_the_end(games: Callable[[], Game]) -> Game:
    """Round 1: the United States' two secret actions, rolled; round 3: a ceasefire signed
    (its last signature decides whether a ceasefire was reached: a large swing)."""
    game = games()
    game.play_a_round()
    for number in (2, 3):
        game.do("control", {"type": "open_round", "number": number})
        if number == 2:
            game.do("control", {"type": "close_round", "number": number})
    tabled = {"type": "table_proposal", "agreement": "ceasefire", "clauses": ["ceasefire_line"]}
    pid = game.do("team:ukraine", tabled)[0]["pid"]
    game.do("team:russia", {"type": "sign_proposal", "pid": pid})
    game.do("team:ukraine", {"type": "sign_proposal", "pid": pid})
    game.do("control", {"type": "close_round", "number": 3})
    game.end()
    return game


def test_a_finished_games_debrief_is_worked_out_in_the_background_then_shown(
    debriefing: Server, games: Callable[[], Game]
) -> None:
    ctx = debriefing.app.state.ctx
    jobs = Jobs(ctx.store)
    ctx.debrief = LONG
    first = played_to_the_end(games)
    ctx.debrief = SMALL
    second = played_to_the_end(games)

    # the first game's debrief is running, the second's waits its turn behind it
    def first_running() -> Job | None:
        job = debrief_of(debriefing, first.id)
        ok = job is not None and job.status == RUNNING and (job.result or {}).get("done")
        return job if ok else None

    until(first_running, "the first game's debrief under way")
    busy = first.report("control").text
    assert re.search(r"worked out: the scenario.s automated plays, [\d,]+ of 50,000\.", busy)
    assert busy.count('class="debrief-note"') == 2 and REFRESH in busy and FALLBACK in busy
    waiting = second.report("control")
    assert waiting.status_code == 200
    assert "The debrief is waiting for its turn on the server." in waiting.text
    assert REFRESH in waiting.text and "<script" not in waiting.text.lower()
    assert FALLBACK in waiting.text and COUNTERFACTUAL not in waiting.text
    md = second.report("control", format="md").text
    assert "> The debrief is waiting for its turn on the server." in md
    assert "reloads itself" not in md  # a download does not reload
    ja = second.report("control", lang="ja").text
    assert "デブリーフはサーバーで順番を待っています。" in ja
    team = second.report("team:russia")  # the game has ended: the public report, noted
    assert team.status_code == 200 and "waiting for its turn" in team.text

    # the first debrief is cancelled: it stops, and the second one's turn comes
    first_job = debrief_of(debriefing, first.id)
    assert first_job is not None and jobs.cancel(first_job.id)
    job = until(lambda: finished_debrief(debriefing, second.id), "the second game's debrief")
    assert job.status == DONE and job.result is not None, job.error
    assert until(
        lambda: (j := jobs.get(first_job.id)) is not None and j.status == CANCELLED,
        "the first debrief stopped",
    )
    stopped = first.report("control").text
    assert "The debrief could not be worked out" in stopped and REFRESH not in stopped

    # its forks took a seed of their own, stored with the job, never the game's
    live = ctx.hub.find(second.id)
    assert live is not None
    seed = job.params["seed"]
    assert seed != live.state.seed and job.result["seed"] == seed
    assert job.result["scenario_digest"] == live.scenario.digest
    ensembles = jobs.about(live.scenario.digest, ENSEMBLE)
    assert [e.status for e in ensembles if e.params["runs"] == SMALL.typical_runs] == [DONE]

    # control's report: counterfactual turning points with intervals, the forecast line
    # and how typical the game was; no note, no reload
    full = second.report("control").text
    assert "What decided this game" in full and COUNTERFACTUAL in full
    assert f"seed {seed})" in full and FALLBACK not in full
    swings = [tuple(map(int, x)) for x in INTERVAL.findall(full)]
    assert swings and all(lo <= d <= hi for d, lo, hi in swings)
    assert any(abs(d) >= 40 and (lo > 0 or hi < 0) for d, lo, hi in swings)  # the signature
    assert FORECAST_LINE in full
    assert "How typical this game was" in full
    assert f"of {SMALL.typical_runs:,} automated plays of the scenario" in full
    assert 'class="debrief-note"' not in full and REFRESH not in full
    assert secrets_in(full) and SECRET_LABEL in full  # control's report has everything

    # a team's report (nothing revealed): the same debrief through the public view: no
    # forecast line (its jumps would tell when a secret move came off), no secret
    public = second.report("team:russia")
    assert public.status_code == 200
    assert COUNTERFACTUAL in public.text and "How typical this game was" in public.text
    assert FORECAST_LINE not in public.text and "forecast-table" not in public.text
    assert secrets_in(public.text) == set() and SECRET_LABEL not in public.text
    md = second.report("team:russia", format="md").text
    assert COUNTERFACTUAL in md and FORECAST_LINE not in md and secrets_in(md) == set()
    assert second.report("team:russia", audience="control").status_code == 403

    # once everything is revealed, the players' report shows the line too
    second.do("control", {"type": "reveal_all"})
    revealed = second.report("team:russia").text
    assert FORECAST_LINE in revealed and COUNTERFACTUAL in revealed


def test_a_game_that_ended_without_a_debrief_gets_one_when_its_report_is_asked_for(
    debriefing: Server, games: Callable[[], Game]
) -> None:
    ctx = debriefing.app.state.ctx
    ctx.debrief = None  # debriefs off when it ended (another process, an older server)
    try:
        game = played_to_the_end(games)
        time.sleep(0.3)
        assert debrief_of(debriefing, game.id) is None
        off = game.report("control").text
        assert 'class="debrief-note"' not in off and FALLBACK in off
        game.do("control", {"type": "reveal_all"})  # after the end: not part of the debrief
    finally:
        ctx.debrief = SMALL
    noted = game.report("control").text  # debriefs on again: the report begins one
    assert "The debrief is" in noted and REFRESH in noted
    job = until(lambda: finished_debrief(debriefing, game.id), "the debrief begun by the report")
    assert job.status == DONE, job.error
    # the scenario's plays are made once per scenario and kept (whichever game made them)
    assert job.result is not None and job.result["ensemble_runs"] == SMALL.typical_runs
    live = ctx.hub.find(game.id)
    assert live is not None
    digest = live.scenario.digest
    end = next(e for e in live.state.events if e.type == "game_ended")
    assert job.params["after_seq"] == end.seq < live.state.events[-1].seq
    made = Jobs(ctx.store).about(digest, ENSEMBLE)
    assert len([e for e in made if e.status == DONE]) == 1
    assert COUNTERFACTUAL in game.report("control").text


def test_the_servers_debrief_plan_comes_from_its_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from whitecell.cli import app as cli
    from whitecell.store.sql import Store
    from whitecell.web.app import app_from_environment, create_app

    store = Store(f"sqlite:///{tmp_path / 'plan.db'}")
    store.migrate()
    try:
        assert create_app(store).state.ctx.debrief == DebriefPlan()
        assert create_app(store, debrief=None).state.ctx.debrief is None
    finally:
        store.close()
    monkeypatch.setenv("WHITECELL_DB", f"sqlite:///{tmp_path / 'plan.db'}")
    for runs, plan in (("0", None), ("500", DebriefPlan(typical_runs=500))):
        monkeypatch.setenv("WHITECELL_DEBRIEF_RUNS", runs)
        app = app_from_environment()
        try:
            assert app.state.ctx.debrief == plan
        finally:
            app.state.ctx.store.close()
    shown = CliRunner().invoke(cli, ["serve", "--help"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0 and "--debrief-runs" in shown.output
