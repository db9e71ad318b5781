"""The report command: the after-action report of a game log, or the report of an ensemble
summary, as HTML, Markdown or PDF."""

from __future__ import annotations

import json
import os
import secrets
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from whitecell.cli.common import Lang, _fail, _load, app, err, out
from whitecell.engine.state import MAX_SEED
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
    quick: Annotated[
        bool,
        typer.Option(
            "--quick",
            help="Skip the debrief's forks (turning points, forecast line, typicality): "
            "rank what decided the game by effect size instead.",
        ),
    ] = False,
    forks: Annotated[
        int,
        typer.Option(min=10, max=100_000, help="Debrief: most forks a side for one event."),
    ] = 400,
    typical_runs: Annotated[
        int,
        typer.Option(
            min=100, max=1_000_000, help="Debrief: automated plays of the scenario to compare."
        ),
    ] = 10_000,
    seed: Annotated[
        int | None,
        typer.Option(min=0, max=MAX_SEED, help="Debrief: seed of the forks (drawn if not given)."),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=256, help="Debrief: worker processes.")] = 1,
) -> None:
    """Write the after-action report of a game, or the report of an ensemble. A finished
    game's report carries its debrief: what decided it (each roll and signature played both
    ways in forks), the forecast over the rounds, and how typical it was."""
    from whitecell.report import ReportError
    from whitecell.report.source import UnreadableSource, read_source

    try:
        kind, data = read_source(source)
    except UnreadableSource as exc:
        raise _fail(str(exc)) from None
    started = time.perf_counter()
    found = None
    if kind == "game" and not quick and _ended(data):
        found = _debrief(data, forks, typical_runs, seed, workers)
    try:
        with err.status(f"Writing the {fmt.value.upper()} report…", spinner="dots"):
            body = _make_report(kind, data, fmt.value, lang.value, audience.value, scenario, found)
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


def _ended(log: Any) -> bool:
    return any(e.type == "game_ended" for e in log.events)


def _debrief(log: Any, most: int, typical_runs: int, seed: int | None, workers: int) -> Any:
    """The debrief's forks, with a progress bar; the scenario's ensemble from the cache."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from whitecell.debrief import debrief
    from whitecell.ensemble.executors import ExecutorError
    from whitecell.forkpool import ForkPool

    drawn = seed if seed is not None else secrets.randbits(48)
    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    try:
        with Progress(*columns, TimeElapsedColumn(), console=err, transient=True) as bar:
            ensemble = _scenario_ensemble(log.scenario, typical_runs, workers, bar)
            tasks: dict[str, Any] = {}

            def progress(what: str, done: int, planned: int) -> None:
                if what not in tasks:
                    tasks[what] = bar.add_task(what, total=None)
                bar.update(tasks[what], completed=done, total=planned)

            with ForkPool(workers) as pool:
                return debrief(
                    log.scenario, log.events, drawn, ensemble, pool, most=most,
                    on_progress=progress,
                )  # fmt: skip
    except ExecutorError as exc:
        raise _fail(str(exc)) from None


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "whitecell" / "ensembles"


def _scenario_ensemble(sc: Scenario, runs: int, workers: int, bar: Any) -> dict[str, Any] | None:
    """The scenario's ensemble of ``runs`` automated plays (seed 0), cached by digest: every
    game of one scenario is compared with the same plays. None if it cannot be had."""
    from whitecell.ensemble.driver import run_ensemble, summary
    from whitecell.ensemble.executors import executor

    path = _cache_dir() / f"{sc.digest[:32]}-{runs}.json"
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        if cached.get("scenario_digest") == sc.digest and cached.get("runs") == runs:
            return dict(cached)
    except (OSError, ValueError):
        pass  # not cached yet, or unreadable: play it again
    task = bar.add_task("automated plays of the scenario", total=runs)
    where = executor("local", workers)
    result = run_ensemble(sc, runs, 0, where, lambda chunk: bar.advance(task, len(chunk.outcomes)))
    made = summary(sc, 0, where, [([], sc, result)])
    made["scenario_digest"] = sc.digest
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(made), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        err.print(f"note: cannot cache the scenario's ensemble in {path.parent}: {exc}")
    return made


def _make_report(
    kind: str,
    data: Any,
    fmt: str,
    lang: str,
    audience: str,
    scenario_ref: str | None,
    found: Any = None,
) -> bytes:
    from whitecell.report import ensemble_report, game_report

    if kind == "game":
        if scenario_ref is not None:
            raise _fail("--scenario is for ensemble summaries: a game log embeds its scenario")
        return game_report(data, fmt=fmt, lang=lang, audience=audience, debrief=found)
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
