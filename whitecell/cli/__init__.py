"""The ``whitecell`` command line: one Typer app, its commands registered group by group by
the modules below. I/O lives here; the work is done by the pure core."""

from typer.main import get_command_name
from typer.models import CommandInfo

from whitecell.cli import (
    ensemble,
    forecast,
    native,
    play,
    report,
    scenarios,
    serve,
    store,
    turning,
)
from whitecell.cli.common import app, main

__all__ = ["app", "main"]

# Each module registers its commands on `app` when imported (version is in common).
GROUPS = (scenarios, play, ensemble, forecast, turning, report, serve, store, native)

# Importing registers the commands module by module; `whitecell --help` lists them in this
# order instead, the one it has always had.
HELP_ORDER = (
    "scenarios",
    "validate",
    "schema",
    "play",
    "verify",
    "selftest",
    "ensemble",
    "forecast",
    "turning-points",
    "report",
    "serve",
    "export",
    "import",
    "backup",
    "compile",
    "version",
    "new-scenario",
)


def _help_position(info: CommandInfo) -> int:
    """A command missing from HELP_ORDER is listed last rather than breaking the CLI."""
    name = info.name or get_command_name(getattr(info.callback, "__name__", ""))
    return HELP_ORDER.index(name) if name in HELP_ORDER else len(HELP_ORDER)


app.registered_commands.sort(key=_help_position)
