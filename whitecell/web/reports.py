"""The after-action report in the web app: its options, its refusals in the user's
language, and making it off the event loop, once per state of the game and of its
debrief (a finished game's debrief is worked out in the background: until it is in, the
report says how far it has got)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection
from typing import Any

from anyio import CapacityLimiter, to_thread
from fastapi import Request

from whitecell.engine import events as ev
from whitecell.engine.log import GameLog, log_header
from whitecell.live.hub import LiveGame
from whitecell.report import ReportError, game_report
from whitecell.scenario.compiled import Scenario
from whitecell.web.debriefs import Debrief, note, noted_html, noted_markdown
from whitecell.web.errors import BAD_OPTION, REPORT_FAILED, Refusal

# the after-action report: its formats (media type, served inline?) and audiences
REPORT_FORMATS = {
    "html": ("text/html; charset=utf-8", True),
    "md": ("text/markdown; charset=utf-8", False),
    "pdf": ("application/pdf", False),
}
REPORT_AUDIENCES = ("control", "debrief", "public")
# a report is one self-contained document: its own inline style and SVG, and no script
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


def report_option(request: Request, name: str, allowed: Collection[str], default: str) -> str:
    """A report option from the query string: one of ``allowed``, else a 422 naming them."""
    value = request.query_params.get(name)
    if value is None:
        return default
    if value not in allowed:
        raise Refusal(
            422,
            "bad_option",
            BAD_OPTION,
            name=name,
            value=repr(value[:40]),
            allowed=", ".join(allowed),
        )
    return value


def make_report(
    scenario: Scenario,
    events: list[ev.Event],
    game: str,
    fmt: str,
    lang: str,
    audience: str,
    debrief: dict[str, Any] | None = None,
    noted: str | None = None,
) -> bytes:
    """The report of a game's log (CPU-bound: run it in a worker thread), with its
    ``debrief`` (``whitecell.debrief``; the report shows each audience only its part), or
    with ``noted``: what the report says of a debrief on its way or failed. A PDF with a
    note is made from the noted HTML, as the report makes any PDF."""
    log = GameLog(scenario=scenario, events=events, header=log_header(scenario), source=game)
    made = "html" if noted is not None and fmt == "pdf" else fmt
    try:
        body = game_report(log, fmt=made, lang=lang, audience=audience, debrief=debrief)
        if noted is None:
            return body
        if fmt == "md":
            return noted_markdown(body.decode(), noted, lang).encode()
        html = noted_html(body.decode(), noted, reload=False)
        return html.encode() if fmt == "html" else _pdf(html)
    except ReportError as exc:  # a damaged log, a missing font: say so rather than crash
        raise Refusal(500, "report_failed", REPORT_FAILED, reason=str(exc)[:500]) from None


def _pdf(html: str) -> bytes:
    from whitecell.report.render import _pdf as pdf_of

    return pdf_of(html)


# game, event count, format, language, audience, the debrief's job, the note inside a PDF
Key = tuple[str, int, str, str, str, str | None, str | None]


class Reports:
    """Reports made in a worker thread, one at a time (the charts' library is not
    thread-safe, and a report takes a second or more of CPU), and remembered by the
    game's event count and its debrief: when every seat opens the report as the game
    ends, it is made once; each new event of the game, and the debrief once it is in,
    makes the next request a new report. While the debrief is on its way the report is
    the one without it, and its note (how far the debrief has got) is added to the HTML
    or Markdown at each request, so a page that reloads itself costs no new report; a
    PDF is made again with each new note (it is a rare download)."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self.limiter = CapacityLimiter(1)
        self.made: OrderedDict[Key, bytes] = OrderedDict()

    async def get(
        self,
        live: LiveGame,
        events: list[ev.Event],
        fmt: str,
        lang: str,
        audience: str,
        debrief: Debrief | None = None,
    ) -> bytes:
        result = debrief.result if debrief is not None else None
        noted = (
            note(debrief, lang, audience, page=fmt == "html")
            if debrief is not None and result is None
            else None
        )
        included = debrief.key if debrief is not None else None
        baked = noted if fmt == "pdf" else None  # the note inside the cached PDF
        key = (live.id, len(events), fmt, lang, audience, included, baked)
        async with self.limiter:  # the same report asked for meanwhile is made only once
            found = self.made.get(key)
            if found is None:
                found = await to_thread.run_sync(
                    make_report,
                    live.scenario,
                    events,
                    live.id,
                    fmt,
                    lang,
                    audience,
                    result,
                    baked,
                )
                self.made[key] = found
                while len(self.made) > self.size:
                    self.made.popitem(last=False)
            self.made.move_to_end(key)
        if noted is None or fmt == "pdf":
            return found
        if fmt == "md":
            return noted_markdown(found.decode(), noted, lang).encode()
        running = debrief is not None and not debrief.failed
        return noted_html(found.decode(), noted, reload=running).encode()


REPORTS = Reports()  # the server's one queue of reports: the rooms' and the studio's
