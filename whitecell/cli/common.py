"""What every command group shares: the one Typer app, the consoles, failing with an exit
code, loading a scenario, writing a file; and ``main()`` and the version command."""

# Imports inside the commands are deliberate: `whitecell --help` and every command pay at
# start-up for whatever the CLI's modules import at module level, so heavy libraries (numpy,
# uvicorn, sqlalchemy, weasyprint, matplotlib, ray) and the parts of whitecell that a single
# command needs are imported inside that command.

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from whitecell import __version__
from whitecell.engine.state import MAX_SEED
from whitecell.i18n import LANGUAGES
from whitecell.scenario import Scenario, ScenarioError

app = typer.Typer(
    name="whitecell",
    help="Run crisis simulations and seminar wargames: scenarios, automated play, verification.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class ExecutorName(StrEnum):
    local = "local"
    ray = "ray"
    inprocess = "inprocess"


# the options every command that plays many games shares (ensemble, forecast, turning points)
Workers = Annotated[int, typer.Option(min=1, max=256, help="Worker processes.")]
Executor = Annotated[ExecutorName, typer.Option("--executor", help="Where to play the games.")]
RayAddress = Annotated[
    str | None, typer.Option(help="A Ray cluster to use (default: start a local one).")
]
ForkSeed = Annotated[
    int | None,
    typer.Option(min=0, max=MAX_SEED, help="Seed of the forks (drawn if not given)."),
]

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

EXIT_BAD_INPUT = 2
EXIT_STOPPED = 3  # a game cut short (its model server stopped answering); the log is kept


class Lang(StrEnum):
    en = "en"
    ja = "ja"


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    """Returned, not raised, so callers write ``raise _fail(...)`` and the flow visibly ends."""
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
def version() -> None:
    """Print the version."""
    import whitecell.play  # noqa: F401 (loads the core, compiled if WHITECELL_NATIVE says so)
    from whitecell.native import core_name

    typer.echo(f"whitecell {__version__} (languages: {', '.join(LANGUAGES)}; core: {core_name()})")


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
