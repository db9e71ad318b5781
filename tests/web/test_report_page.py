"""The after-action report in the web app, on a real server: control reads the full report
at any time; every other seat reads the public version once the game has ended, and the
public version keeps each team's secrets unless the game reveals everything."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.report import pdf as report_pdf
from tests.web.play import API, Table, browser, ok
from tests.web.server import Server
from whitecell.web import reports

LIBRARY = Path(__file__).resolve().parents[2] / "whitecell" / "scenario" / "library"
SCENARIO = (LIBRARY / "ukraine-ceasefire-2025.yaml").read_text(encoding="utf-8")
# planted in the United States' secret actions: no other seat may read them unrevealed
SECRET_DESCRIPTION = "Quietly-buy-Kherson-grain-futures-zq7x"
SECRET_RATIONALE = "Moscow-must-not-learn-of-this-channel-k4w9"
SECRET_LABEL = "Secret back channel"  # the catalogue's label of the back channel
HTML = {"Accept": "text/html", "Accept-Language": "ja"}


def scenario(reveal_at_end: bool) -> str:
    line = "  reveal_at_end: true\n"
    assert line in SCENARIO
    return SCENARIO.replace(line, f"  reveal_at_end: {str(reveal_at_end).lower()}\n")


class Game:
    """One game on the shared server: bearer clients for commands, browsers for pages."""

    def __init__(self, server: Server, account: httpx.Client, reveal_at_end: bool) -> None:
        r = account.post(f"{API}/games", json={"scenario": scenario(reveal_at_end)})
        assert r.status_code == 201, r.text
        self.table = Table(server, r.json())
        self.server = server
        self.browsers: dict[str, httpx.Client] = {}

    @property
    def id(self) -> str:
        return self.table.game

    def do(self, seat: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        return ok(self.table.client(seat), self.id, body)

    def browser(self, seat: str) -> httpx.Client:
        """A browser that opened the seat's join link (its cookie session)."""
        if seat not in self.browsers:
            self.browsers[seat] = browser(self.server, self.table.token(seat))
        return self.browsers[seat]

    def report(self, seat: str, **params: str) -> httpx.Response:
        return self.browser(seat).get(f"/games/{self.id}/report", params=params, timeout=60)

    def play_a_round(self) -> None:
        """Round 1, in which the United States take two secret actions."""
        self.do("control", {"type": "start_game"})
        self.do("control", {"type": "open_round", "number": 1})
        free = self.do(
            "team:usa",
            {
                "type": "submit_action",
                "action": "free",
                "description": SECRET_DESCRIPTION,
                "instrument": "economic",
                "secret": True,
            },
        )
        channel = self.do(
            "team:usa",
            {
                "type": "submit_action",
                "action": "back_channel",
                "target": "russia",
                "rationale": SECRET_RATIONALE,
            },
        )
        for uid in (free[0]["uid"], channel[0]["uid"]):
            self.do("adjudicator", {"type": "assess", "uid": uid, "probability": 0.6})
            self.do("adjudicator", {"type": "roll", "uid": uid})
            self.do("adjudicator", {"type": "publish_outcome", "uid": uid})
        self.do("control", {"type": "close_round", "number": 1})

    def end(self) -> None:
        self.do("control", {"type": "end_game"})

    def close(self) -> None:
        self.table.close()
        for c in self.browsers.values():
            c.close()


@pytest.fixture
def games(shared_server, account) -> Iterator[Any]:
    made: list[Game] = []

    def make(reveal_at_end: bool = True) -> Game:
        game = Game(shared_server, account, reveal_at_end)
        made.append(game)
        return game

    yield make
    for game in made:
        game.close()


def secrets_in(text: str) -> set[str]:
    return {s for s in (SECRET_DESCRIPTION, SECRET_RATIONALE) if s in text}


def csp(response: httpx.Response) -> dict[str, str]:
    """The Content-Security-Policy header as directive -> sources."""
    header = response.headers["content-security-policy"]
    directives = (d.strip().split(" ", 1) for d in header.split(";") if d.strip())
    return {d[0]: (d[1] if len(d) > 1 else "") for d in directives}


def pdf_text(pdf: bytes, tmp: Path) -> str:
    """The PDF's text as poppler's pdftotext reads it, whitespace removed (a marker may be
    broken across lines)."""
    return re.sub(r"\s+", "", report_pdf.text(pdf, tmp))


def test_the_web_offers_the_formats_and_audiences_reports_have() -> None:
    from whitecell.report import AUDIENCES, FORMATS

    assert tuple(reports.REPORT_FORMATS) == FORMATS
    assert reports.REPORT_AUDIENCES == AUDIENCES


# -- control -----------------------------------------------------------------------------


def test_control_reads_the_full_report_at_any_time(games) -> None:
    game = games()
    game.play_a_round()  # the game goes on
    r = game.report("control")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "content-disposition" not in r.headers  # shown in the browser
    assert secrets_in(r.text) == {SECRET_DESCRIPTION, SECRET_RATIONALE}
    assert SECRET_LABEL in r.text
    # the control account reads the same report
    account = game.server.control()
    try:
        again = account.get(f"/games/{game.id}/report", params={"lang": "en"}, timeout=60)
    finally:
        account.close()
    assert again.status_code == 200
    assert secrets_in(again.text) == {SECRET_DESCRIPTION, SECRET_RATIONALE}


def test_the_report_has_its_own_policy_inline_style_and_no_script(games) -> None:
    game = games()
    game.play_a_round()
    r = game.report("control")
    assert r.status_code == 200
    policy = csp(r)
    assert policy["default-src"] == "'none'"
    assert policy["style-src"] == "'unsafe-inline'"  # the report's own <style>
    assert policy["frame-ancestors"] == "'none'"
    assert "script-src" not in policy and "'self'" not in r.headers["content-security-policy"]
    assert "<style" in r.text and "<script" not in r.text.lower()
    # the other security headers still come from the app
    assert r.headers["x-content-type-options"] == "nosniff"
    # the rooms keep the app's strict policy
    room = game.browser("control").get(f"/games/{game.id}")
    assert csp(room)["style-src"] == "'self'"


def test_the_report_is_in_the_users_language_unless_asked_otherwise(games) -> None:
    game = games()
    game.play_a_round()
    control = game.browser("control")
    ja = control.get(f"/games/{game.id}/report", headers={"Accept-Language": "ja"}, timeout=60)
    assert ja.status_code == 200
    assert "アンカラの停戦" in ja.text
    en = control.get(
        f"/games/{game.id}/report",
        params={"lang": "en"},
        headers={"Accept-Language": "ja"},
        timeout=60,
    )
    assert en.status_code == 200
    assert "Ceasefire in Ankara" in en.text and "アンカラの停戦" not in en.text


# -- the other seats -----------------------------------------------------------------------


def test_the_other_seats_read_the_public_report_only_once_the_game_has_ended(games) -> None:
    game = games()  # the bundled scenario: everything is revealed at the end
    game.play_a_round()
    for seat in ("team:russia", "team:usa", "adjudicator", "observer"):
        r = game.report(seat)
        assert r.status_code == 403, (seat, r.text)
        assert r.json()["error"]["code"] == "report_not_yet"
    page = game.browser("team:russia").get(f"/games/{game.id}/report", headers=HTML)
    assert page.status_code == 403
    assert "報告書はゲームが終了すると閲覧できるようになります" in page.text
    assert "<style" not in page.text  # the app's own error page, under its own policy

    game.end()
    for seat in ("team:russia", "team:usa", "adjudicator", "observer"):
        r = game.report(seat)
        assert r.status_code == 200, (seat, r.text)
        assert r.headers["content-type"].startswith("text/html")
        # this scenario reveals everything at the end, so the debrief shows the secrets
        assert secrets_in(r.text) == {SECRET_DESCRIPTION, SECRET_RATIONALE}, seat
        # the public version keeps every secret even so: a version to hand out
        public = game.report(seat, audience="public")
        assert public.status_code == 200 and secrets_in(public.text) == set(), seat
    # the full report stays control's
    for seat in ("team:russia", "adjudicator", "observer"):
        r = game.report(seat, audience="control")
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "control_only"


def test_without_a_reveal_the_public_report_keeps_each_teams_secrets(games, tmp_path) -> None:
    game = games(reveal_at_end=False)
    game.play_a_round()
    game.end()
    for fmt in ("html", "md", "pdf"):
        full = game.report("control", format=fmt, lang="en")
        preview = game.report("control", format=fmt, lang="en", audience="public")
        public = game.report("team:russia", format=fmt, lang="en")
        texts = [
            pdf_text(r.content, tmp_path) if fmt == "pdf" else r.content.decode()
            for r in (full, preview, public)
        ]
        assert [r.status_code for r in (full, preview, public)] == [200, 200, 200]
        assert secrets_in(texts[0]) == {SECRET_DESCRIPTION, SECRET_RATIONALE}, fmt
        assert secrets_in(texts[1]) == set(), f"control's public preview ({fmt})"
        assert secrets_in(texts[2]) == set(), f"the public report ({fmt})"
        label = re.sub(r"\s+", "", SECRET_LABEL) if fmt == "pdf" else SECRET_LABEL
        assert label in texts[0] and label not in texts[2], fmt
    # nothing is revealed yet: no debrief for the players
    early = game.report("team:russia", lang="en", audience="debrief")
    assert early.status_code == 403 and early.json()["error"]["code"] == "debrief_not_yet"
    # the white cell reveals everything for the debrief: the players' report shows it now,
    # and the public version still keeps the secrets
    game.do("control", {"type": "reveal_all"})
    revealed = game.report("team:russia", lang="en")
    assert revealed.status_code == 200
    assert secrets_in(revealed.text) == {SECRET_DESCRIPTION, SECRET_RATIONALE}
    kept = game.report("team:russia", lang="en", audience="public")
    assert kept.status_code == 200 and secrets_in(kept.text) == set()


def test_pdf_and_markdown_are_downloads(games) -> None:
    game = games()
    game.play_a_round()
    game.end()
    pdf = game.report("team:china", format="pdf", lang="ja")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"] == (
        f'attachment; filename="{game.id}-debrief-report-ja.pdf"'  # revealed at the end
    )
    md = game.report("control", format="md", lang="en")
    assert md.status_code == 200
    assert md.headers["content-type"].startswith("text/markdown")
    assert md.headers["content-disposition"] == f'attachment; filename="{game.id}-report-en.md"'
    text = md.content.decode("utf-8")
    assert "<html" not in text.lower() and "Ceasefire in Ankara" in text


# -- refusals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("format", "docx", "html, md, pdf"),
        ("format", "", "html, md, pdf"),
        ("lang", "fr", "en, ja"),
        ("audience", "everyone", "control, debrief, public"),
    ],
)
def test_an_unknown_option_is_refused_with_what_is_allowed(
    games, name: str, value: str, allowed: str
) -> None:
    game = games()
    for seat in ("control", "team:usa"):
        r = game.report(seat, **{name: value})
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "bad_option"
        assert allowed in error["message"] and allowed in error["messages"]["ja"]
        assert "次のいずれかを選んでください" in error["messages"]["ja"]
    page = game.browser("control").get(
        f"/games/{game.id}/report", params={name: value}, headers=HTML
    )
    assert page.status_code == 422 and allowed in page.text


def test_the_report_answers_callers_like_the_other_routes(shared_server, games) -> None:
    game, other = games(), games()
    with httpx.Client(base_url=shared_server.url, timeout=10) as anonymous:
        assert anonymous.get(f"/games/{game.id}/report").status_code == 401
    assert other.report("control", format="bogus").status_code == 422  # its own game
    elsewhere = other.browser("control").get(f"/games/{game.id}/report")
    nowhere = other.browser("control").get("/games/nosuchgame/report")
    assert elsewhere.status_code == nowhere.status_code == 404
    assert elsewhere.json()["error"]["code"] == nowhere.json()["error"]["code"] == "no_game"


def test_making_a_report_does_not_hold_up_the_server(games, monkeypatch) -> None:
    """The report is made in a worker thread: a slow one leaves every other request be."""
    game = games()
    real = reports.make_report
    started = threading.Event()

    def slow(*args: Any) -> bytes:
        started.set()
        time.sleep(2.0)  # blocking, as matplotlib and WeasyPrint are
        return real(*args)

    monkeypatch.setattr(reports, "make_report", slow)
    answers: list[httpx.Response] = []
    worker = threading.Thread(target=lambda: answers.append(game.report("control", format="md")))
    worker.start()
    try:
        assert started.wait(10)
        before = time.monotonic()
        me = game.table.client("team:usa").get(f"{API}/me")
        clock = game.browser("observer").get(f"/games/{game.id}/panel/clock")
        took = time.monotonic() - before
    finally:
        worker.join(30)
    assert me.status_code == 200 and clock.status_code == 200
    assert took < 1.0, f"other requests waited {took:.1f}s for the report"
    assert answers and answers[0].status_code == 200


# -- links -------------------------------------------------------------------------------


def test_the_rooms_link_to_the_report(games) -> None:
    game = games()
    game.do("control", {"type": "start_game"})
    controls = game.browser("control").get(f"/games/{game.id}/panel/controls?lang=en")
    assert controls.status_code == 200
    for href in (
        f"/games/{game.id}/report?lang=en",
        f"/games/{game.id}/report?lang=en&amp;format=pdf",
        f"/games/{game.id}/report?lang=en&amp;format=md",
        f"/games/{game.id}/report?lang=en&amp;audience=public",
        f"/games/{game.id}/report?lang=en&amp;audience=public&amp;format=pdf",
        f"/games/{game.id}/report?lang=en&amp;audience=debrief",
    ):
        assert f'href="{href}"' in controls.text, href
    assert ">Public report (secrets kept)<" in controls.text
    for seat in ("team:usa", "observer", "adjudicator"):
        clock = game.browser(seat).get(f"/games/{game.id}/panel/clock?lang=ja")
        assert clock.status_code == 200 and "/report" not in clock.text, seat
    game.end()
    for seat in ("team:usa", "observer", "adjudicator"):
        clock = game.browser(seat).get(f"/games/{game.id}/panel/clock?lang=ja")
        # the bundled scenario reveals everything at the end: the debrief and the public
        assert f'href="/games/{game.id}/report?lang=ja&amp;audience=debrief"' in clock.text
        assert f'href="/games/{game.id}/report?lang=ja&amp;audience=public"' in clock.text
        assert "デブリーフィング報告書" in clock.text
        assert "audience=control" not in clock.text
