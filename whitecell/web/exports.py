"""The game's log for control to take away: JSON Lines (the whole record, with its seed),
CSV and XLSX (a row per event with its round and channel, a sheet per round)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from whitecell.engine import events as ev
from whitecell.engine.log import dump_log
from whitecell.scenario.compiled import Scenario

EXPORT_HEADER = ["seq", "round", "channel", "type", "actor", "by", "audience", "summary"]
FORMATS = {
    "jsonl": "application/x-ndjson",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
Row = list[Any]


def export_rows(events: Sequence[ev.Event]) -> list[Row]:
    """The log as rows with the round and the channel (who could read it) of each event."""
    rows: list[Row] = [EXPORT_HEADER]
    for e in events:
        data = ev.event_to_dict(e)
        channel = getattr(e, "channel", None) or (
            "public" if "*" in e.audience else "+".join(e.audience)
        )
        summary = {
            k: v
            for k, v in data.items()
            if k not in ("type", "seq", "round", "audience", "actor", "by")
        }
        rows.append(
            [
                e.seq,
                e.round,
                channel,
                e.type,
                e.actor,
                e.by or "",
                " ".join(e.audience),
                json.dumps(summary, ensure_ascii=False),
            ]
        )
    return rows


def export_csv(rows: list[Row]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def export_xlsx(rows: list[Row]) -> bytes:
    """One sheet for the whole log and one per round."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "log"
    for row in rows:
        sheet.append(row)
    for number in sorted({r[1] for r in rows[1:]}):
        per = book.create_sheet(f"round {number}")
        per.append(rows[0])
        for row in rows[1:]:
            if row[1] == number:
                per.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export(scenario: Scenario, events: Sequence[ev.Event], fmt: str) -> bytes:
    """The log in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "jsonl":
        return dump_log(scenario, events).encode("utf-8")
    rows = export_rows(events)
    return export_csv(rows) if fmt == "csv" else export_xlsx(rows)


def attachment(name: str, fmt: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}


__all__ = ["EXPORT_HEADER", "FORMATS", "attachment", "export", "export_rows"]
