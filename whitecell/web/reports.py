"""The after-action report in the web app: its options, its refusals in the user's
language, and making it off the event loop, once per state of the game."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection

from anyio import CapacityLimiter, to_thread
from fastapi import Request

from whitecell.engine import events as ev
from whitecell.engine.log import GameLog, log_header
from whitecell.live.hub import LiveGame
from whitecell.report import ReportError, game_report
from whitecell.scenario.compiled import Scenario
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
    scenario: Scenario, events: list[ev.Event], game: str, fmt: str, lang: str, audience: str
) -> bytes:
    """The report of a game's log (CPU-bound: run it in a worker thread)."""
    log = GameLog(scenario=scenario, events=events, header=log_header(scenario), source=game)
    try:
        return game_report(log, fmt=fmt, lang=lang, audience=audience)
    except ReportError as exc:  # a damaged log, a missing font: say so rather than crash
        raise Refusal(500, "report_failed", REPORT_FAILED, reason=str(exc)[:500]) from None


class Reports:
    """Reports made in a worker thread, one at a time (the charts' library is not
    thread-safe, and a report takes a second or more of CPU), and remembered by the
    game's event count: when every seat opens the report as the game ends, it is made
    once, and each new event of the game makes the next request a new report."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self.limiter = CapacityLimiter(1)
        self.made: OrderedDict[tuple[str, int, str, str, str], bytes] = OrderedDict()

    async def get(
        self, live: LiveGame, events: list[ev.Event], fmt: str, lang: str, audience: str
    ) -> bytes:
        key = (live.id, len(events), fmt, lang, audience)
        async with self.limiter:  # the same report asked for meanwhile is made only once
            found = self.made.get(key)
            if found is None:
                found = await to_thread.run_sync(
                    make_report, live.scenario, events, live.id, fmt, lang, audience
                )
                self.made[key] = found
                while len(self.made) > self.size:
                    self.made.popitem(last=False)
            self.made.move_to_end(key)
        return found


REPORTS = Reports()  # the server's one queue of reports: the rooms' and the studio's
