"""The ``whitecell`` command line. I/O lives here; the work is done by the pure core."""

from __future__ import annotations

import json
import os
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from whitecell import __version__
from whitecell.engine.state import MAX_SEED
from whitecell.i18n import LANGUAGES
from whitecell.scenario import Scenario, ScenarioError, localize

app = typer.Typer(
    name="whitecell",
    help="Run crisis simulations and seminar wargames: scenarios, automated play, verification.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

EXIT_BAD_INPUT = 2
EXIT_STOPPED = 3  # a game cut short (its model server stopped answering); the log is kept


class Lang(StrEnum):
    en = "en"
    ja = "ja"


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(message)}", markup=True, soft_wrap=True)
    return typer.Exit(code)


def _load(ref: str) -> Scenario:
    """A scenario by bundled id or path; bad input becomes a message and exit 2."""
    from whitecell.scenario.library import UnknownScenario, resolve

    try:
        return resolve(ref)
    except UnknownScenario as exc:
        raise _fail(str(exc)) from None
    except ScenarioError as exc:
        for problem in exc.problems:
            err.print(str(problem), markup=False, soft_wrap=True)
        raise _fail(
            f"{ref}: {len(exc.problems)} problem(s); run 'whitecell validate {ref}'"
        ) from None


def _write(path: Path, text: str) -> None:
    """Write atomically: a crash never leaves half a file where a good one was."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise _fail(f"cannot write {path}: {exc.strerror or exc}") from None


@app.command()
def scenarios(lang: Annotated[Lang, typer.Option(help="Language of titles.")] = Lang.en) -> None:
    """List the bundled scenarios."""
    from whitecell.scenario.library import bundled_ids, load_bundled

    table = Table(title="whitecell scenarios")
    table.add_column(
        "id",
        no_wrap=True,
        overflow="ignore",
        min_width=max((len(x) for x in bundled_ids()), default=2),
    )
    for col in ("title", "teams", "rounds"):
        table.add_column(col)
    for sid in bundled_ids():
        sc = load_bundled(sid)
        table.add_row(
            sid,
            localize(sc.title, lang),
            ", ".join(sc.team_ids),
            " ".join(r.kind[0].upper() for r in sc.rounds) + f" ({len(sc.rounds)})",
        )
    out.print(table)


@app.command()
def validate(files: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")]) -> None:
    """Check scenario files: 'ok', or every problem as FILE:LINE:COLUMN: field: message."""
    from whitecell.scenario import load_scenario_file

    bad = 0
    for path in files:
        try:
            load_scenario_file(path)
        except ScenarioError as exc:
            bad += 1
            for problem in exc.problems:
                typer.echo(str(problem))
        else:
            typer.echo(f"{path}: ok")
    if bad:
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion)."""
    from whitecell.scenario.schema import ScenarioFile

    doc = ScenarioFile.model_json_schema()
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["title"] = "whitecell scenario"
    typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))


AgentOption = Annotated[
    list[str] | None,
    typer.Option(
        "--agent",
        help="Who plays a team: TEAM=heuristic or TEAM=llm; TEAM '*' is every other team.",
    ),
]
AdjudicatorOption = Annotated[str, typer.Option(help="rules (default), matrix or llm.")]
BaseUrlOption = Annotated[
    str | None, typer.Option(help="An OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1.")
]
ModelOption = Annotated[str | None, typer.Option(help="The model's name on that server.")]
KeyEnvOption = Annotated[
    str, typer.Option(help="The environment variable holding the API key (never logged).")
]
TimeoutOption = Annotated[
    float, typer.Option(min=0.1, help="Seconds to wait for one answer before retrying.")
]


def _model_settings(
    agent: list[str] | None,
    adjudicator: str,
    llm_base_url: str | None,
    llm_model: str | None,
    llm_api_key_env: str,
    max_tokens: int | None,
    llm_replay: Path | None,
    llm_timeout: float,
) -> Any:
    from whitecell.llm.settings import ModelSettings

    return ModelSettings(
        agents=tuple(agent or ()),
        adjudicator=adjudicator,
        base_url=llm_base_url,
        model=llm_model,
        api_key_env=llm_api_key_env,
        max_tokens_per_game=max_tokens,
        replay=llm_replay,
        timeout=llm_timeout,
    )


@app.command()
def play(
    scenario: Annotated[str, typer.Argument(help="A bundled scenario id or a YAML file.")],
    seed: Annotated[
        int, typer.Option(min=0, max=MAX_SEED, help="Seed of the game: same seed, same game.")
    ] = 0,
    lang: Annotated[Lang, typer.Option(help="Language of the narrative.")] = Lang.en,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write a JSON summary here.")
    ] = None,
    log: Annotated[Path | None, typer.Option(help="Write the event log (JSON Lines) here.")] = None,
    quiet: Annotated[bool, typer.Option(help="No narrative.")] = False,
    agent: AgentOption = None,
    adjudicator: AdjudicatorOption = "rules",
    llm_base_url: BaseUrlOption = None,
    llm_model: ModelOption = None,
    llm_api_key_env: KeyEnvOption = "OPENAI_API_KEY",
    llm_max_tokens_per_game: Annotated[
        int | None,
        typer.Option(min=1, help="Tokens the models may spend; then heuristic players finish."),
    ] = None,
    llm_replay: Annotated[
        Path | None,
        typer.Option(help="Replay the model answers recorded in this log (no server called)."),
    ] = None,
    llm_timeout: TimeoutOption = 60.0,
) -> None:
    """Play a whole game with automated players and tell it round by round."""
    from whitecell.engine.log import dump_log
    from whitecell.llm.settings import SettingsError, build_cast
    from whitecell.narrate import narrate
    from whitecell.play import GameStopped, play_game
    from whitecell.summary import game_summary

    sc = _load(scenario)
    if lang.value not in sc.languages:
        raise _fail(
            f"scenario {sc.id} has no '{lang.value}' text (it has: {', '.join(sc.languages)})"
        )
    settings = _model_settings(
        agent,
        adjudicator,
        llm_base_url,
        llm_model,
        llm_api_key_env,
        llm_max_tokens_per_game,
        llm_replay,
        llm_timeout,
    )
    try:
        cast, budget = build_cast(sc, settings, seed, lang.value)
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    stopped = None
    try:
        if cast is not None:
            with err.status("Playing with language models…", spinner="dots"):
                game = play_game(sc, seed, cast=cast)
        else:
            game = play_game(sc, seed)
    except GameStopped as exc:
        game, stopped = exc.game, exc.reason
    text = dump_log(sc, game.events)
    if log is not None:
        _write(log, text)
    if stopped is not None:
        where = f"; the game so far ({len(game.events)} events) is in {log}" if log else ""
        raise _fail(f"the game stopped: {stopped}{where}", code=EXIT_STOPPED)
    if json_out is not None:
        _write(
            json_out,
            json.dumps(game_summary(game.state, text), indent=2, ensure_ascii=False) + "\n",
        )
    if not quiet:
        for line in narrate(sc, game.events, lang.value):
            out.print(line, soft_wrap=True)
        out.print(_final_state_table(sc, game.state.v, lang.value))
    if cast is not None and (cast.players or cast.adjudicator is not None):
        out.print(_usage_table(game.events, budget))
    if log is not None and not quiet:
        err.print(f"[dim]Report: whitecell report {escape(str(log))} -o report.html[/dim]")


def _usage_table(events: list[Any], budget: Any) -> Table:
    from whitecell.llm.settings import usage

    table = Table(title="Language models", title_justify="left")
    for column in ("Seat", "Calls", "Retries", "Fallbacks", "Prompt tokens", "Answer tokens"):
        table.add_column(column, justify="left" if column == "Seat" else "right")
    total = [0, 0, 0, 0, 0]
    for seat, u in sorted(usage(events).items()):
        row = [u.calls, u.retries, u.fallbacks, u.prompt_tokens, u.completion_tokens]
        total = [a + b for a, b in zip(total, row, strict=True)]
        table.add_row(seat, *(f"{x:,}" for x in row))
    table.add_row("all", *(f"{x:,}" for x in total), style="bold")
    if budget.limit is not None:
        table.caption = f"budget {budget.limit:,} tokens, {budget.used:,} used"
    return table


def _final_state_table(sc: Scenario, values: list[float], lang: str) -> Table:
    from whitecell.i18n import t
    from whitecell.narrate import fmt

    table = Table(title=t("game.final_state", lang), title_justify="left")
    table.add_column(t("table.variable", lang))
    table.add_column(t("table.start", lang), justify="right")
    table.add_column(t("table.end", lang), justify="right")
    table.add_column(t("table.unit", lang))
    for var in sc.vars:
        label = localize(var.label, lang)
        if var.team:
            label += f" ({sc.actor_name(var.team, lang)})"
        start, end = var.initial, values[var.index]
        if var.is_flag:
            first, last = (t("game.yes" if x else "game.no", lang) for x in (start, end))
        else:
            first, last = fmt(start), fmt(end)
        style = "" if start == end else ("green" if end > start else "red")
        table.add_row(
            label,
            first,
            f"[{style}]{last}[/]" if style else last,
            localize(var.unit, lang) if var.unit else "",
        )
    return table


@app.command()
def verify(log: Annotated[Path, typer.Argument(help="A game log (JSON Lines).")]) -> None:
    """Re-check every die roll of a finished game against its revealed seed (exit 0 or 1)."""
    from whitecell.engine.log import LogError, parse_log
    from whitecell.verify import verify_log

    try:
        text = log.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read {log}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        parsed = parse_log(text, str(log))
    except LogError as exc:
        raise _fail(str(exc)) from None
    verdict = verify_log(parsed)
    if verdict.ok:
        out.print(f"[green]ok[/green]: {verdict.message}")
        return
    err.print(f"[red]mismatch[/red]: {verdict.message}", soft_wrap=True)
    raise typer.Exit(1)


@app.command()
def selftest(
    cases: Annotated[Path | None, typer.Option(help="A folder of extra rule cases.")] = None,
    verbose: Annotated[bool, typer.Option("-v", help="Show every case.")] = False,
) -> None:
    """Run the engine's rule cases (shipped with whitecell) and report each failure."""
    from whitecell.selftest.runner import CaseError, bundled_cases, load_cases, run_case

    try:
        paths = bundled_cases() + (load_cases(cases) if cases else [])
    except CaseError as exc:
        raise _fail(str(exc)) from None
    failed = 0
    for path in paths:
        try:
            problem = run_case(path)
        except CaseError as exc:
            problem = str(exc)
        if problem is None:
            if verbose:
                out.print(f"[green]pass[/green] {path.stem}")
        else:
            failed += 1
            out.print(f"[red]FAIL[/red] {path.stem}: {problem}", soft_wrap=True)
    colour = "red" if failed else "green"
    out.print(f"[{colour}]{len(paths) - failed} of {len(paths)} rule cases pass[/{colour}]")
    if failed:
        raise typer.Exit(1)


class ExecutorName(StrEnum):
    local = "local"
    ray = "ray"
    inprocess = "inprocess"


@app.command()
def ensemble(
    scenario: Annotated[str, typer.Argument(help="A bundled scenario id or a YAML file.")],
    n: Annotated[int, typer.Option("-n", "--runs-count", min=1, help="Number of runs.")] = 1000,
    seed: Annotated[int, typer.Option(min=0, max=MAX_SEED, help="Seed of the ensemble.")] = 0,
    workers: Annotated[int, typer.Option(min=1, max=256, help="Worker processes.")] = 2,
    executor_name: Annotated[
        ExecutorName, typer.Option("--executor", help="Where to play the runs.")
    ] = ExecutorName.local,
    ray_address: Annotated[
        str | None, typer.Option(help="A Ray cluster to use (default: start a local one).")
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="PATH=VALUE for the whole ensemble.")
    ] = None,
    sweep: Annotated[
        list[str] | None, typer.Option(help="PATH=V1,V2,...: one ensemble per value (a grid).")
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the summary here.")] = None,
    runs_out: Annotated[
        Path | None, typer.Option("--runs", help="Write one row per run here (Parquet).")
    ] = None,
    chunk: Annotated[int, typer.Option(min=1, max=100_000, help="Runs per task.")] = 64,
    agent: AgentOption = None,
    adjudicator: AdjudicatorOption = "rules",
    llm_base_url: BaseUrlOption = None,
    llm_model: ModelOption = None,
    llm_api_key_env: KeyEnvOption = "OPENAI_API_KEY",
    llm_max_tokens_per_game: Annotated[
        int | None, typer.Option(min=1, help="Tokens one run's models may spend.")
    ] = None,
    llm_max_tokens_per_ensemble: Annotated[
        int | None,
        typer.Option(min=1, help="Tokens the whole ensemble may spend (shared out by run)."),
    ] = None,
    llm_timeout: TimeoutOption = 60.0,
) -> None:
    """Play many automated games of one scenario and report outcomes with intervals."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from whitecell.ensemble.driver import run_ensemble, summary
    from whitecell.ensemble.executors import ExecutorError, executor
    from whitecell.ensemble.overrides import (
        SettingError,
        configured,
        grid,
        parse_setting,
        parse_sweep,
    )

    base = _load(scenario)
    models = _ensemble_models(
        base,
        _model_settings(
            agent,
            adjudicator,
            llm_base_url,
            llm_model,
            llm_api_key_env,
            llm_max_tokens_per_game,
            None,
            llm_timeout,
        ),
        n,
        llm_max_tokens_per_ensemble,
    )
    try:
        settings = [parse_setting(s) for s in set_ or []]
        combos = grid([parse_sweep(s) for s in sweep or []])
        scenarios = [configured(base, settings + combo) for combo in combos]
    except SettingError as exc:
        raise _fail(str(exc)) from None
    writer = None
    if runs_out is not None:
        from whitecell.ensemble.output import RunsWriter

        try:
            writer = RunsWriter(runs_out, scenarios[0], dict(combos[0]))
        except OSError as exc:
            raise _fail(f"cannot write {runs_out}: {exc}") from None
    results = []
    run_executor = None
    total = n * len(scenarios)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} runs/s"),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    ) as progress:
        bar = progress.add_task("runs", total=total, rate="…")
        started = time.monotonic()
        done = 0
        for combo, configured_scenario in zip(combos, scenarios, strict=True):
            try:
                run_executor = executor(executor_name.value, workers, ray_address)
            except ExecutorError as exc:
                raise _fail(str(exc)) from None
            if writer is not None:
                writer.extra = {p: v for p, v in combo}

            def on_chunk(c: Any) -> None:
                nonlocal done
                done += c.count
                if writer is not None:
                    writer.add(c)
                rate = done / max(time.monotonic() - started, 1e-9)
                progress.update(bar, advance=c.count, rate=f"{rate:,.0f}")

            stop = _StopOnCtrlC()
            with stop:
                result = run_ensemble(
                    configured_scenario,
                    n,
                    seed,
                    run_executor,
                    on_chunk,
                    chunk,
                    stop.requested,
                    models=models,
                )
            results.append((combo, configured_scenario, result))
            if result.interrupted:
                break
    if writer is not None:
        writer.close()
    assert run_executor is not None
    report = summary(base, seed, run_executor, results, settings)
    if json_out is not None:
        _write(json_out, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    out.print(_outcome_table(base, report))
    for part in report.get("sweep", []):
        out.print(
            _outcome_table(
                base, part, title=", ".join(f"{k}={v}" for k, v in part["values"].items())
            )
        )
    if report.get("models", {}).get("calls"):
        used = report["models"]
        out.print(
            f"Language models: {used['calls']:,} calls, {used['tokens']:,} tokens, "
            f"{used['fallbacks']:,} turns played by the heuristic instead"
        )
    stopped = next((r.stopped for _, _, r in results if r.stopped), None)
    if stopped:
        err.print(f"[red]The model server stopped the ensemble:[/red] {escape(stopped)}")
    if report["interrupted"]:
        err.print(
            f"[yellow]Interrupted: the summary covers the {report['runs']:,} runs that "
            f"finished (of {total:,}).[/yellow]"
        )
    if json_out is not None:
        err.print(f"[dim]Report: whitecell report {escape(str(json_out))} -o ensemble.html[/dim]")
    from whitecell.ensemble.balance import balance_lines

    for line in balance_lines(report):  # does every outcome occur, every move get made?
        out.print(line, soft_wrap=True)
    if report["interrupted"]:
        raise typer.Exit(130)


def _ensemble_models(sc: Scenario, settings: Any, runs: int, per_ensemble: int | None) -> Any:
    """The model settings each run gets (None: heuristic players only), checked up front;
    an ensemble's token budget is shared out evenly among its runs."""
    import dataclasses

    from whitecell.llm.settings import SettingsError, build_cast

    if not settings.wanted:
        try:
            build_cast(sc, settings, 0, sc.languages[0])  # still check the specs
        except SettingsError as exc:
            raise _fail(str(exc)) from None
        return None
    if not settings.base_url or not settings.model:
        raise _fail("a language-model seat needs --llm-base-url and --llm-model")
    if per_ensemble is not None:
        share = max(per_ensemble // runs, 1)
        limit = settings.max_tokens_per_game
        settings = dataclasses.replace(
            settings, max_tokens_per_game=share if limit is None else min(limit, share)
        )
    try:
        from whitecell.llm.settings import seat_kinds

        seat_kinds(sc, settings.agents)
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    return settings


class _StopOnCtrlC:
    """While an ensemble runs, Ctrl-C asks it to stop after the chunk in hand, so the
    summary and the Parquet file always cover the same finished runs."""

    def __init__(self) -> None:
        self.stop = False
        self.previous: Any = None

    def requested(self) -> bool:
        return self.stop

    def _handle(self, signum: int, frame: Any) -> None:
        if self.stop:  # a second Ctrl-C: stop at once
            raise KeyboardInterrupt
        self.stop = True

    def __enter__(self) -> _StopOnCtrlC:
        import signal

        self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        signal.signal(signal.SIGINT, self.previous)


def _outcome_table(sc: Scenario, report: dict[str, Any], title: str | None = None) -> Table:
    table = Table(title=title or f"{sc.id}: {report['runs']:,} runs", title_justify="left")
    for col in ("outcome", "estimate", "95% interval / spread"):
        table.add_column(col)
    labels = {o.id: localize(o.label, "en") for o in sc.outcomes}
    for key, value in report["outcomes"].items():
        if "p" in value:
            table.add_row(
                labels.get(key, key),
                f"{value['p']:.1%}",
                f"{value['ci_low']:.1%} – {value['ci_high']:.1%}",
            )
        elif value.get("mean") is not None:
            table.add_row(
                labels.get(key, key),
                f"{value['mean']:.4g} ± {value['std']:.3g}",
                f"p5 {value['p5']:.4g} · p50 {value['p50']:.4g} · p95 {value['p95']:.4g}",
            )
    return table


class ReportFormat(StrEnum):
    html = "html"
    md = "md"
    pdf = "pdf"


class Audience(StrEnum):
    control = "control"
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
        typer.Option(help="control: everything; public: each team's secrets stay hidden."),
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


def _serve_model(
    base_url: str | None,
    model: str | None,
    api_key_env: str,
    max_tokens: int | None,
    timeout: float,
) -> Any:
    """The server's language model (one client for every game), or None without one. The
    API key is read from ``$api_key_env`` by the client and never printed."""
    if base_url is None and model is None:
        return None
    if not base_url or not model:
        raise _fail("a language model needs both --llm-base-url and --llm-model")
    from whitecell.live.model_seats import ModelConfig
    from whitecell.llm.settings import ModelSettings, SettingsError, open_model

    settings = ModelSettings(
        base_url=base_url,
        model=model,
        api_key_env=api_key_env,
        max_tokens_per_game=max_tokens,
        timeout=timeout,
    )
    try:
        client = open_model(settings)
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    key = "" if os.environ.get(api_key_env) else f" (no API key: ${api_key_env} is not set)"
    limit = f", at most {max_tokens:,} tokens a game" if max_tokens else ""
    out.print(f"language model: {escape(model)} at {escape(base_url)}{limit}{escape(key)}")
    return ModelConfig(client, max_tokens)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    db: Annotated[str, typer.Option(help="Database URL.")] = "sqlite:///whitecell.db",
    demo: Annotated[
        bool, typer.Option(help="Also create a demo game and print its links.")
    ] = False,
    control_password_env: Annotated[
        str | None,
        typer.Option(help="Set the first control password from this environment variable."),
    ] = None,
    llm_base_url: BaseUrlOption = None,
    llm_model: ModelOption = None,
    llm_api_key_env: KeyEnvOption = "OPENAI_API_KEY",
    llm_max_tokens_per_game: Annotated[
        int | None,
        typer.Option(
            min=1, help="Tokens the models may spend per game; then heuristic players finish."
        ),
    ] = None,
    llm_timeout: TimeoutOption = 60.0,
    workers: Annotated[
        int,
        typer.Option(min=1, max=64, help="Server processes (more than one needs PostgreSQL)."),
    ] = 1,
) -> None:
    """Serve the web app: control room, adjudicator desk, team rooms, live updates. With
    --llm-base-url and --llm-model, control may seat language-model players and the
    adjudicator desk may draft odds with the model."""
    import anyio
    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from whitecell.store.sql import Store
    from whitecell.web.app import CreateGame, create_app, create_game_from
    from whitecell.web.auth import hash_password

    model = _serve_model(
        llm_base_url, llm_model, llm_api_key_env, llm_max_tokens_per_game, llm_timeout
    )
    try:
        store = Store(db)
        store.migrate()
    except (SQLAlchemyError, ValueError) as exc:
        raise _fail(f"cannot open the database {db}: {exc}") from None
    if workers > 1 and not store.shared:
        raise _fail(
            "several server processes need PostgreSQL (--db postgresql://...): "
            "a SQLite file is served by one process"
        )
    base = f"http://{host}:{port}"
    if store.account_count() == 0:
        password = os.environ.get(control_password_env or "", "") if control_password_env else ""
        if control_password_env and len(password) < 10:
            raise _fail(f"${control_password_env} must hold a password of at least 10 characters")
        if not password and demo:
            import secrets

            password = secrets.token_urlsafe(12)
            out.print(
                f"control account: name [bold]control[/bold], password [bold]{password}[/bold]"
            )
        if password:
            store.create_account("control", hash_password(password))
        else:
            out.print(f"First start: open {base}/ to set the control password.")
    app_ = create_app(store, model)
    if demo:
        ctx = app_.state.ctx

        async def make_demo() -> dict[str, object]:
            body = CreateGame(scenario="ukraine-ceasefire-2025", title="Demo: Ankara ceasefire")
            return await create_game_from(ctx, body, None)

        created = anyio.run(make_demo)
        out.print(f"demo game {created['game']}: one link per seat")
        for link in created["links"]:  # type: ignore[union-attr]
            typer.echo(f"{link['seat']} {base}{link['link']}")
    if workers == 1:
        out.print(f"serving on {base} (Ctrl-C stops)")
        uvicorn.run(app_, host=host, port=port, log_level="warning")
        return
    store.close()
    os.environ["WHITECELL_DB"] = store.url
    if model is not None:
        os.environ["WHITECELL_LLM_BASE_URL"] = llm_base_url or ""
        os.environ["WHITECELL_LLM_MODEL"] = llm_model or ""
        os.environ["WHITECELL_LLM_API_KEY_ENV"] = llm_api_key_env
        os.environ["WHITECELL_LLM_TIMEOUT"] = str(llm_timeout)
        if llm_max_tokens_per_game:
            os.environ["WHITECELL_LLM_MAX_TOKENS"] = str(llm_max_tokens_per_game)
    out.print(f"serving on {base} with {workers} processes (Ctrl-C stops)")
    _serve_processes(host, port, workers)


def _serve_processes(host: str, port: int, workers: int) -> None:
    """uvicorn's supervisor over ``workers`` processes sharing one listening socket. The
    socket gets TCP_NODELAY before the processes inherit it: a socket handed to a worker
    otherwise answers every second request on a connection 40 ms late (Nagle's algorithm
    meets the client's delayed acknowledgement)."""
    import socket

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        "whitecell.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )
    sock = config.bind_socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(config, sockets=[sock]).run()


DbOption = Annotated[str, typer.Option(help="Database URL.")]


def _store(db: str) -> Any:
    from sqlalchemy.exc import SQLAlchemyError

    from whitecell.store.sql import Store

    try:
        store = Store(db)
        store.migrate()
    except (SQLAlchemyError, ValueError) as exc:
        raise _fail(f"cannot open the database {db}: {exc}") from None
    return store


@app.command("export")
def export_command(
    game: Annotated[str, typer.Argument(help="The game's id (see the web app's game list).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Write the game here.")],
    db: DbOption = "sqlite:///whitecell.db",
) -> None:
    """Write a game with its whole history, to move it to another server."""
    from whitecell.store.transfer import TransferError, export_game

    store = _store(db)
    try:
        text = export_game(store, game)
    except TransferError as exc:
        raise _fail(str(exc)) from None
    finally:
        store.close()
    _write(output, text)
    events = text.count("\n") - 1
    out.print(f"Wrote game {escape(game)} ({events:,} events) to {escape(str(output))}")
    err.print("[dim]It holds the game's seed: keep it as safe as the database.[/dim]")


@app.command("import")
def import_command(
    source: Annotated[Path, typer.Argument(help="A file written by 'whitecell export'.")],
    db: DbOption = "sqlite:///whitecell.db",
    as_: Annotated[
        str | None, typer.Option("--as", help="Store it under this id instead of its own.")
    ] = None,
) -> None:
    """Add an exported game to this server's database, after checking it through."""
    from whitecell.store.transfer import TransferError, import_game

    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read {source}: {getattr(exc, 'strerror', None) or exc}") from None
    store = _store(db)
    try:
        done = import_game(store, text, str(source), as_)
    except TransferError as exc:
        raise _fail(str(exc)) from None
    finally:
        store.close()
    state = "ended" if done.ended else "running"
    out.print(
        f"Imported game {escape(done.game_id)} ({done.events:,} events, {state}); "
        "issue new join links from the control room"
    )


@app.command()
def backup(
    output: Annotated[Path, typer.Option("-o", "--output", help="Write the copy here.")],
    db: DbOption = "sqlite:///whitecell.db",
) -> None:
    """Copy the SQLite database consistently, even while the server runs."""
    from whitecell.store.sql import sqlite_path

    if sqlite_path(db) is None:
        raise _fail(f"backup copies a SQLite file, not {db}: back PostgreSQL up with pg_dump")
    if not sqlite_path(db).exists():  # type: ignore[union-attr]
        raise _fail(f"no database at {sqlite_path(db)}")
    store = _store(db)
    try:
        store.backup(output)
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None
    finally:
        store.close()
    out.print(f"Backed up {escape(db)} to {escape(str(output))}")


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(f"whitecell {__version__} (languages: {', '.join(LANGUAGES)})")


@app.command("new-scenario")
def new_scenario(
    scenario_id: Annotated[
        str, typer.Argument(metavar="ID", help="The new scenario's id, e.g. my-crisis.")
    ],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write it here (default ID.yaml; '-' for stdout)."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
    schema_file: Annotated[
        bool,
        typer.Option(
            "--schema/--no-schema",
            help="Also write scenario.schema.json beside it (if absent) for editor completion.",
        ),
    ] = True,
) -> None:
    """Write a commented skeleton of a scenario that validates, to start a new one from."""
    from whitecell.scenario.skeleton import SCHEMA_FILE, skeleton

    target = output or Path(f"{scenario_id}.yaml")
    to_stdout = str(target) == "-"
    try:
        text = skeleton(scenario_id, "SCENARIO.yaml" if to_stdout else target.name)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if to_stdout:
        typer.echo(text, nl=False)
        return
    if target.exists() and not force:
        raise _fail(f"{target} already exists (pass --force to overwrite it)")
    _write(target, text)
    out.print(
        f"Wrote {escape(str(target))}; check it with: whitecell validate {escape(str(target))}"
    )
    beside = target.parent / SCHEMA_FILE
    if schema_file and not beside.exists():
        from whitecell.scenario.schema import ScenarioFile

        doc = ScenarioFile.model_json_schema()
        doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        doc["title"] = "whitecell scenario"
        _write(beside, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        out.print(f"Wrote {escape(str(beside))}, the JSON Schema its first line points editors at")


def main() -> None:
    """Entry point: expected problems are handled in the commands; anything else is a bug,
    reported in one line (set WHITECELL_DEBUG=1 for the traceback)."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("WHITECELL_DEBUG"):
            raise
        err.print(
            f"[red]internal error:[/red] {type(exc).__name__}: {exc}",
            soft_wrap=True,
            markup=True,
            highlight=False,
        )
        err.print("This is a bug in whitecell; run again with WHITECELL_DEBUG=1 to see where.")
        sys.exit(70)


if __name__ == "__main__":
    main()
