"""Commands for single games: play one with automated players, verify its log, and run the
engine's rule cases (selftest)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from whitecell.cli.common import EXIT_STOPPED, Lang, _fail, _load, _write, app, err, out
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
