"""``whitecell forecast``: from where a logged game stood, how likely each outcome was."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from whitecell.cli.common import (
    Executor,
    ExecutorName,
    ForkSeed,
    RayAddress,
    Workers,
    _fail,
    _write,
    app,
    out,
)
from whitecell.cli.ensemble import _outcome_table


@app.command()
def forecast(
    log: Annotated[Path, typer.Argument(help="A game log (JSON Lines), finished or not.")],
    at_round: Annotated[
        int | None,
        typer.Option(min=0, help="Fork after round N closed (0: the game as it began)."),
    ] = None,
    at_event: Annotated[
        int | None, typer.Option(min=0, help="Fork just after event number SEQ.")
    ] = None,
    each_round: Annotated[
        bool, typer.Option("--each-round", help="A forecast after every round, side by side.")
    ] = False,
    n: Annotated[int, typer.Option("-n", min=1, max=1_000_000, help="Forks to play.")] = 2000,
    seed: ForkSeed = None,
    workers: Workers = 1,
    executor_name: Executor = ExecutorName.local,
    ray_address: RayAddress = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the forecast here.")
    ] = None,
) -> None:
    """Each outcome's probability with its 95% interval, conditional on the game as it
    stood, from automated plays of the rest with fresh dice (never the game's own)."""
    from whitecell.engine.log import LogError, parse_log
    from whitecell.ensemble.executors import ExecutorError
    from whitecell.forecast import closed_rounds

    if sum((at_round is not None, at_event is not None, each_round)) > 1:
        raise _fail("give at most one of --at-round, --at-event and --each-round")
    try:
        parsed = parse_log(log.read_text(encoding="utf-8"), str(log))
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read {log}: {getattr(exc, 'strerror', None) or exc}") from None
    except LogError as exc:
        raise _fail(str(exc)) from None
    events = parsed.events
    closed = closed_rounds(events)
    drawn = seed if seed is not None else secrets.randbits(48)
    if at_round is not None and at_round not in (0, *closed):
        done = ", ".join(map(str, closed)) or "none"
        raise _fail(f"round {at_round} has not closed in {log} (closed rounds: {done})")
    last = events[-1].seq if events else 0
    if at_event is not None and not (events and events[0].seq - 1 <= at_event <= last):
        raise _fail(f"{log} has events 1 to {last}: --at-event {at_event} is not among them")
    sc = parsed.scenario
    where_to = (workers, executor_name.value, ray_address)
    try:
        report = _forecasts(sc, events, closed, at_round, at_event, each_round, n, drawn, where_to)
    except ExecutorError as exc:
        raise _fail(str(exc)) from None
    if json_out is not None:
        _write(json_out, json.dumps(report, ensure_ascii=False, indent=1))


def _forecasts(
    sc: Any,
    events: Any,
    closed: list[int],
    at_round: int | None,
    at_event: int | None,
    each_round: bool,
    n: int,
    drawn: int,
    where_to: tuple[int, str, str | None],
) -> dict[str, Any]:
    from whitecell.forecast import cut_after, cut_at_round
    from whitecell.forecast import forecast as run

    workers, executor_name, ray_address = where_to
    if each_round:
        points = [(r, cut_at_round(events, r)) for r in (0, *closed)]
        results = [
            (r, run(sc, cut, n, drawn, workers, executor_name, ray_address)) for r, cut in points
        ]
        out.print(_each_round_table(sc, results))
        report: dict[str, Any] = {"seed": drawn, "each_round": [r for _, r in results]}
    else:
        if at_round is not None:
            cut = cut_at_round(events, at_round)
        elif at_event is not None:
            cut = cut_after(events, at_event)
        else:
            cut = list(events)
        report = run(sc, cut, n, drawn, workers, executor_name, ray_address)
        where = report["fork"]
        title = (
            f"{sc.id}: {report['runs']:,} forks after event {where['after_seq']} "
            f"({where['after_event']}, round {where['round']}), seed {drawn}"
        )
        out.print(_outcome_table(sc, report, title))
    return report


def _each_round_table(sc: Any, results: list[tuple[int, dict[str, Any]]]) -> Table:
    from whitecell.scenario import localize

    table = Table(title=f"{sc.id}: forecast after each round", title_justify="left")
    table.add_column("outcome")
    for number, _ in results:
        table.add_column("start" if number == 0 else f"after r{number}", justify="right")
    for o in sc.outcomes:
        cells = []
        for _, r in results:
            got = r["outcomes"][o.id]
            if "p" in got:
                cells.append(f"{got['p']:.0%} [{got['ci_low']:.0%}–{got['ci_high']:.0%}]")
            else:
                cells.append(f"{got['mean']:.3g}" if got.get("mean") is not None else "—")
        table.add_row(localize(o.label, "en"), *cells)
    totals = [(r.get("escalation") or {}).get("total") for _, r in results]
    if any(totals):
        table.add_row(
            "Escalation index (all teams, whole game)",
            *(f"{x['mean']:.4g} [{x['p5']:.4g}–{x['p95']:.4g}]" if x else "—" for x in totals),
        )
    return table
