"""A game's report is made in the background as the game ends, on a real server: whoever
opens it first gets the report already made, and a failure to make it in advance leaves
the report to be made when asked for."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.play import API, Table, browser, ok
from tests.web.server import Server
from whitecell.report.charts import DRAWN
from whitecell.web import reports, warmup
from whitecell.web.i18n import LANGUAGES


@pytest.fixture(scope="module")
def warming(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server started with ``serve --warm-reports``."""
    s = Server(tmp_path_factory.mktemp("warming") / "whitecell.db", warm_reports=True).start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def table(warming: Server) -> Iterator[Table]:
    """A game of the bundled ukraine scenario with one round played and closed."""
    account = warming.control()
    try:
        r = account.post(f"{API}/games", json={"scenario": "ukraine-ceasefire-2025"})
    finally:
        account.close()
    assert r.status_code == 201, r.text
    t = Table(warming, r.json())
    control = t.client("control")
    ok(control, t.game, {"type": "start_game"})
    ok(control, t.game, {"type": "open_round", "number": 1})
    ok(control, t.game, {"type": "close_round", "number": 1})
    try:
        yield t
    finally:
        t.close()


def warmed(game: str) -> set[str]:
    """The languages of the control HTML reports of ``game`` the server holds made."""
    made = list(reports.REPORTS.made)  # copied at once: the server's thread adds to it
    return {
        lang
        for g, _, fmt, lang, audience, *_ in made
        if (g, fmt, audience) == (game, "html", "control")
    }


def wait_for(game: str, seconds: float = 90.0) -> set[str]:
    deadline = time.monotonic() + seconds
    while (found := warmed(game)) != set(LANGUAGES) and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def test_a_game_that_ends_has_its_report_made_before_anyone_asks(
    warming: Server, table: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    game = table.game
    assert warmed(game) == set()  # not while the game runs: nobody asked
    drawn = len(DRAWN)
    ok(table.client("control"), game, {"type": "end_game"})
    assert wait_for(game) == set(LANGUAGES)
    assert DRAWN.misses > 0 and len(DRAWN) >= min(drawn + 1, DRAWN.entries)

    made: list[Any] = []
    real = reports.make_report

    def counted(*args: Any) -> bytes:
        made.append(args)
        return real(*args)

    monkeypatch.setattr(reports, "make_report", counted)
    control = browser(warming, table.token("control"))
    try:
        for lang in LANGUAGES:
            r = control.get(f"/games/{game}/report", params={"lang": lang}, timeout=60)
            assert r.status_code == 200, r.text
            assert "<svg" in r.text
    finally:
        control.close()
    assert made == [], "the report asked for first was made again"


def test_a_report_that_cannot_be_made_in_advance_is_made_when_asked_for(
    warming: Server, table: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    tried: list[str] = []

    def broken(*args: Any) -> bytes:
        tried.append(args[2])
        raise RuntimeError("the charts' library fell over")

    real = reports.make_report
    monkeypatch.setattr(reports, "make_report", broken)
    game = table.game
    ok(table.client("control"), game, {"type": "end_game"})
    deadline = time.monotonic() + 30
    while (game not in tried or game in warmup._warming) and time.monotonic() < deadline:
        time.sleep(0.1)  # until the warm-up has tried and given up
    assert game in tried
    assert warmed(game) == set()
    monkeypatch.setattr(reports, "make_report", real)
    control = browser(warming, table.token("control"))
    try:
        r = control.get(f"/games/{game}/report", timeout=60)
    finally:
        control.close()
    assert r.status_code == 200 and "<svg" in r.text
    # the server still plays: the next game's commands are answered
    assert table.client("control").get(f"{API}/me").status_code == 200


def test_without_warm_reports_a_finished_games_report_waits_to_be_asked_for(
    shared_server: Server,
) -> None:
    """The default: games nobody may read (played through the API) cost no report."""
    created = shared_server.create_game()
    t = Table(shared_server, created)
    try:
        control = t.client("control")
        ok(control, t.game, {"type": "start_game"})
        ok(control, t.game, {"type": "end_game"})
        # with warm-ups on, both reports of a game this short are made within a second or
        # two (the test above); five seconds on, none has been
        time.sleep(5.0)
        assert warmed(t.game) == set()
    finally:
        t.close()
