"""Commands for scenario files: list the bundled ones, validate, print the JSON Schema, and
start a new one from a skeleton."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from whitecell.cli.common import EXIT_BAD_INPUT, Lang, _fail, _write, app, out
from whitecell.scenario import ScenarioError, localize


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
