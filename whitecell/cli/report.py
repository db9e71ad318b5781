"""The report command: the after-action report of a game log, or the report of an ensemble
summary, as HTML, Markdown or PDF."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from whitecell.cli.common import Lang, _fail, _load, app, err, out
from whitecell.scenario import Scenario


class ReportFormat(StrEnum):
    html = "html"
    md = "md"
    pdf = "pdf"


class Audience(StrEnum):
    control = "control"
    debrief = "debrief"
    public = "public"


@app.command()
def report(
    source: Annotated[
        Path, typer.Argument(help="A game log (JSON Lines) or an ensemble summary (--json).")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Write the report here.")],
    fmt: Annotated[ReportFormat, typer.Option("--format", help="html, md or pdf.")] = (
        ReportFormat.html
    ),
    lang: Annotated[Lang, typer.Option(help="Language of the report.")] = Lang.en,
    audience: Annotated[
        Audience,
        typer.Option(
            help="control: everything; debrief: what players may read once everything is "
            "revealed; public: each team's secrets stay hidden, even after a reveal."
        ),
    ] = Audience.control,
    scenario: Annotated[
        str | None,
        typer.Option(help="For an ensemble of a scenario file: the file, for its labels."),
    ] = None,
) -> None:
    """Write the after-action report of a game, or the report of an ensemble."""
    from whitecell.report import ReportError
    from whitecell.report.source import UnreadableSource, read_source

    try:
        kind, data = read_source(source)
    except UnreadableSource as exc:
        raise _fail(str(exc)) from None
    started = time.perf_counter()
    try:
        with err.status(f"Writing the {fmt.value.upper()} report…", spinner="dots"):
            body = _make_report(kind, data, fmt.value, lang.value, audience.value, scenario)
    except ReportError as exc:
        raise _fail(str(exc)) from None
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp = output.with_name(f".{output.name}.tmp")
        tmp.write_bytes(body)
        tmp.replace(output)
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None
    took = time.perf_counter() - started
    what = "ensemble report" if kind == "ensemble" else f"{audience.value} report"
    out.print(f"Wrote the {what} to {escape(str(output))} ({len(body):,} bytes, {took:.1f} s)")


def _make_report(
    kind: str, data: Any, fmt: str, lang: str, audience: str, scenario_ref: str | None
) -> bytes:
    from whitecell.report import ensemble_report, game_report

    if kind == "game":
        if scenario_ref is not None:
            raise _fail("--scenario is for ensemble summaries: a game log embeds its scenario")
        return game_report(data, fmt=fmt, lang=lang, audience=audience)
    if audience != "control":
        raise _fail("--audience is for game logs: an ensemble has no secrets to keep")
    return ensemble_report(
        data, fmt=fmt, lang=lang, scenario=_ensemble_scenario(data, scenario_ref)
    )


def _ensemble_scenario(summary: dict[str, Any], ref: str | None) -> Scenario | None:
    """The scenario whose labels an ensemble report uses: given, bundled, or none (ids)."""
    from whitecell.scenario.library import bundled_ids, load_bundled

    if ref is not None:
        sc = _load(ref)
        if sc.id != summary.get("scenario"):
            raise _fail(
                f"{ref} is scenario '{sc.id}', the summary is of '{summary.get('scenario')}'"
            )
        return sc
    scenario_id = summary.get("scenario")
    return load_bundled(scenario_id) if scenario_id in bundled_ids() else None
