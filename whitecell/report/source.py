"""Reading what a report is made from: a game log or an ensemble summary, told apart by content.

A summary is one JSON object whose ``format`` is ``whitecell-ensemble``; a log is
JSON Lines whose header's ``format`` is ``whitecell-log``. Every way a file can be
wrong (missing, not UTF-8, truncated, tampered, too new) becomes one message.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from whitecell.engine.log import LOG_FORMAT, LogError, parse_log
from whitecell.report.ensemble import SUMMARY_FORMAT, SummaryError, check_header


class UnreadableSource(Exception):
    """A file that is neither a readable game log nor a readable ensemble summary."""


def read_source(path: Path) -> tuple[str, Any]:
    """("game", GameLog) or ("ensemble", summary dict)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UnreadableSource(f"{path}: not UTF-8 text (a log or a summary is JSON)") from None
    except OSError as exc:
        raise UnreadableSource(f"cannot read {path}: {exc.strerror or exc}") from None
    stripped = text.lstrip()
    if not stripped:
        raise UnreadableSource(f"{path}: the file is empty")
    first = stripped.split("\n", 1)[0]
    if _is_log_header(first):
        try:
            return "game", parse_log(text, str(path))
        except LogError as exc:
            raise UnreadableSource(str(exc)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if path.suffix == ".jsonl" or (stripped.startswith("{") and "\n" not in stripped.strip()):
            raise UnreadableSource(
                f"{path}:1: not a whitecell log: the first line is not JSON"
            ) from None
        raise UnreadableSource(
            f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}); "
            "is the summary truncated?"
        ) from None
    if isinstance(data, dict) and data.get("format") == SUMMARY_FORMAT:
        try:
            check_header(data)
        except SummaryError as exc:
            raise UnreadableSource(f"{path}: {exc}") from None
        return "ensemble", data
    raise UnreadableSource(
        f"{path}: neither a game log (first line a '{LOG_FORMAT}' header) "
        f'nor an ensemble summary (\'"format": "{SUMMARY_FORMAT}"\')'
    )


def _is_log_header(line: str) -> bool:
    try:
        header = json.loads(line)
    except json.JSONDecodeError:
        return False
    return isinstance(header, dict) and header.get("format") == LOG_FORMAT
