"""After-action reports: a game's debrief or an ensemble's findings, as HTML, Markdown or PDF.

``game_report`` and ``ensemble_report`` are the whole public surface; the CLI and
the web app call them and write or serve the bytes they return.
"""

from __future__ import annotations

from whitecell.report.render import (
    AUDIENCES,
    FORMATS,
    ReportError,
    ensemble_report,
    game_report,
)

__all__ = ["AUDIENCES", "FORMATS", "ReportError", "ensemble_report", "game_report"]
