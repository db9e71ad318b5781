"""``whitecell turning-points``: which rolls and signatures decided a finished game."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from whitecell.cli.common import (
    Executor,
    ExecutorName,
    ForkSeed,
    Lang,
    RayAddress,
    Workers,
    _fail,
    _write,
    app,
    err,
    out,
)

SHOWN = 10


@app.command("turning-points")
def turning_points(
    log: Annotated[Path, typer.Argument(help="The log (JSON Lines) of a finished game.")],
    n: Annotated[
        int,
        typer.Option(
            "-n", min=10, max=100_000, help="Most forks a side for one event (the top swings)."
        ),
    ] = 400,
    screen: Annotated[
        int, typer.Option(min=5, max=10_000, help="Forks a side to screen every event with.")
    ] = 40,
    seed: ForkSeed = None,
    workers: Workers = 1,
    executor_name: Executor = ExecutorName.local,
    ray_address: RayAddress = None,
    lang: Annotated[Lang, typer.Option(help="Language of the table.")] = Lang.en,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write every event's swings here.")
    ] = None,
) -> None:
    """Each roll and signature's swing on the headline outcomes: the outcome's chance with
    the event forced one way minus the other way, from forks of the game just before it."""
    from whitecell.engine.log import LogError, parse_log
    from whitecell.ensemble.executors import ExecutorError
    from whitecell.forkpool import ForkPool
    from whitecell.turning import TurningPointsError
    from whitecell.turning import turning_points as find

    if screen > n:
        raise _fail(f"--screen {screen} is more than -n {n}: screening cannot exceed the most")
    try:
        parsed = parse_log(log.read_text(encoding="utf-8"), str(log))
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read {log}: {getattr(exc, 'strerror', None) or exc}") from None
    except LogError as exc:
        raise _fail(str(exc)) from None
    drawn = seed if seed is not None else secrets.randbits(48)
    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    try:
        with (
            ForkPool(workers, executor_name.value, ray_address) as pool,
            Progress(*columns, TimeElapsedColumn(), console=err, transient=True) as bar,
        ):
            job = bar.add_task("forks", total=None)

            def progress(done: int, planned: int) -> None:
                bar.update(job, completed=done, total=planned)

            report = find(
                parsed.scenario,
                parsed.events,
                drawn,
                pool,
                screen=screen,
                most=n,
                on_progress=progress,
            )
    except TurningPointsError as exc:
        raise _fail(f"{log}: {exc}") from None
    except ExecutorError as exc:
        raise _fail(str(exc)) from None
    out.print(_table(parsed.scenario, parsed.events, report, lang.value))
    if json_out is not None:
        _write(json_out, json.dumps(report, ensure_ascii=False, indent=1))


def _table(sc: Any, events: Any, report: dict[str, Any], lang: str) -> Table:
    from whitecell.turning import describe, swing_text

    title = (
        f"{sc.id}: turning points — {report['candidates']} events, "
        f"{report['forks']:,} forks, seed {report['seed']}"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("round", justify="right")
    table.add_column("event")
    table.add_column("swing")
    seen: set[int] = set()
    for entry in report["turning_points"]:
        if entry["seq"] in seen:
            continue  # an event's largest swing only
        seen.add(entry["seq"])
        table.add_row(
            str(len(seen)),
            str(entry["round"]),
            describe(sc, events, entry, lang),
            swing_text(sc, entry, lang),
        )
        if len(seen) == SHOWN:
            break
    return table
