"""The ensemble command: many automated games of one scenario, with settings and sweeps,
summarised as outcome estimates with intervals."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from whitecell.cli.common import (
    Executor,
    ExecutorName,
    RayAddress,
    Workers,
    _fail,
    _load,
    _write,
    app,
    err,
    out,
)
from whitecell.cli.model_options import (
    AdjudicatorOption,
    AgentOption,
    BaseUrlOption,
    KeyEnvOption,
    ModelOption,
    TimeoutOption,
    _model_settings,
)
from whitecell.engine.state import MAX_SEED
from whitecell.scenario import Scenario, localize


@app.command()
def ensemble(
    scenario: Annotated[str, typer.Argument(help="A bundled scenario id or a YAML file.")],
    n: Annotated[int, typer.Option("-n", "--runs-count", min=1, help="Number of runs.")] = 1000,
    seed: Annotated[int, typer.Option(min=0, max=MAX_SEED, help="Seed of the ensemble.")] = 0,
    workers: Workers = 2,
    executor_name: Executor = ExecutorName.local,
    ray_address: RayAddress = None,
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
    total = (report.get("escalation") or {}).get("total") or {}
    if total.get("mean") is not None:
        table.add_row(
            "Escalation index (all teams, whole game)",
            f"{total['mean']:.4g}",
            f"p5 {total['p5']:.4g} · p50 {total['p50']:.4g} · p95 {total['p95']:.4g}",
        )
    return table
