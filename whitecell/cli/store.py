"""Commands for the server's database: export a game, import one, back the SQLite file up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from whitecell.cli.common import _fail, _write, app, err, out

DbOption = Annotated[str, typer.Option(help="Database URL.")]


def _store(db: str) -> Any:
    """The database, migrated: a bad URL is one line and exit 2, not a traceback."""
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

    path = sqlite_path(db)
    if path is None:
        raise _fail(f"backup copies a SQLite file, not {db}: back PostgreSQL up with pg_dump")
    if not path.exists():
        raise _fail(f"no database at {path}")
    store = _store(db)
    try:
        store.backup(output)
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None
    finally:
        store.close()
    out.print(f"Backed up {escape(db)} to {escape(str(output))}")
