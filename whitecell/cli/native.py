"""The compile command: the compiled core (whitecell.native) built for this machine."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from whitecell.cli.common import _fail, app, err, out

DEFAULT_BUILD = Path("build/native")


@app.command("compile")
def compile_core(
    directory: Annotated[
        Path, typer.Argument(help="Where to put the build (replaced only when it is complete).")
    ] = DEFAULT_BUILD,
) -> None:
    """Compile the engine, the automated players and the play loop with mypyc (about half a
    minute), for ensembles, forecasts and benchmarks that play many games: set
    WHITECELL_NATIVE to the build to use it. Without it the same code runs as Python."""
    from whitecell.native import CORE, ENV
    from whitecell.native.build import BuildError, build

    try:
        with err.status(f"compiling {len(CORE)} modules with mypyc into {directory} ..."):
            manifest = build(directory)
    except BuildError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot write {directory}: {exc.strerror or exc}") from None
    where = directory.resolve()
    out.print(
        f"compiled {len(CORE)} modules in {manifest['built_in_s']} s into {escape(str(where))}"
    )
    out.print(f"use it:  export {ENV}={escape(str(where))}")
    if os.environ.get(ENV) and Path(os.environ[ENV]).resolve() != where:
        err.print(f"note: {ENV} names another build now ({escape(os.environ[ENV])})")
