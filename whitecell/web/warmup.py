"""A finished game's report made in the background as the game ends, so that whoever opens
it first (often every seat at once, as control closes the game) finds it made.

Most of a report's cost is drawing its charts; once drawn they are kept
(``whitecell.report.charts.DRAWN``) for every audience, format and later event count
that shows the same data. The report is made through ``REPORTS``, the server's one queue
of reports (in a worker thread, one at a time), for control in each language the web
offers. Warming is a courtesy: if it fails, the report is made when asked for, as before;
and when many games end at once (a class closing every table), only a few wait to be
warmed, so that background reports cannot pile up behind the live games.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from whitecell.live.hub import LiveGame
from whitecell.web import debriefs, service
from whitecell.web.context import Context
from whitecell.web.i18n import LANGUAGES
from whitecell.web.reports import REPORTS

log = logging.getLogger(__name__)
AUDIENCE = "control"  # the fullest report: the others' charts are a subset of its
WAITING = 2  # games warmed or waiting to be at most; a game ending beyond them is not
_warming: set[str] = set()


async def warm(ctx: Context, live: LiveGame) -> None:
    """Make the ended game's HTML report for control in each language, as a request would."""
    if live.id in _warming or len(_warming) >= WAITING:
        log.info("game %s: its report will be made when asked for (others are warming)", live.id)
        return
    _warming.add(live.id)
    try:
        events = await service.events_now(live)
        found = await debriefs.current(ctx, live)
        for lang in LANGUAGES:
            await REPORTS.get(live, events, "html", lang, AUDIENCE, found)
    except Exception:  # a courtesy: the report is made when asked for instead
        log.exception("could not make the report of game %s in advance", live.id)
    finally:
        _warming.discard(live.id)


def after_end(ctx: Context, then: Callable[[LiveGame], None]) -> Callable[[LiveGame], None]:
    """The hub's hook when a game ends: ``then`` (the debrief's hook), and the report made
    in the background."""

    def ended(live: LiveGame) -> None:
        then(live)
        ctx.hub.spawn(warm(ctx, live))

    return ended
