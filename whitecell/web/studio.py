"""The scenario studio's use cases: a control account's shelf of scenarios, each saved as
numbered versions of its YAML text (kept as written, comments and all, so an export is
the very file that was imported), with what the validator found in each.

Only the account that made a scenario reaches it; to anyone else it does not exist.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import yaml
from anyio import to_thread
from pydantic import BaseModel, Field

from whitecell.scenario.compiled import localize
from whitecell.scenario.form import fields as form_fields
from whitecell.scenario.library import bundled_ids, bundled_path, load_bundled
from whitecell.scenario.load import Located, ScenarioError, load_scenario_text
from whitecell.scenario.problems_ja import in_japanese
from whitecell.scenario.skeleton import skeleton
from whitecell.store.shelf import Draft, Shelf, Version
from whitecell.store.sql import Conflict
from whitecell.web.context import Context
from whitecell.web.errors import ApiError
from whitecell.web.i18n import LANGUAGES
from whitecell.web.service import MAX_SCENARIO_BYTES

SKELETON = "skeleton"  # where a new scenario starts unless it names another
FILENAME = "scenario.yaml"  # how problems name the document


class NewScenario(BaseModel):
    """A scenario for the shelf: its YAML text, or where to start from (``skeleton``, a
    bundled scenario's id, or one of the account's own scenarios)."""

    yaml: str | None = Field(default=None, max_length=MAX_SCENARIO_BYTES)
    from_: str | None = Field(default=None, alias="from", max_length=64)
    message: str = Field(default="", max_length=500)


class Unsaved(BaseModel):
    """A scenario's text to check, not saved."""

    yaml: str = Field(max_length=MAX_SCENARIO_BYTES)


class SaveVersion(BaseModel):
    yaml: str = Field(max_length=MAX_SCENARIO_BYTES)
    message: str = Field(default="", max_length=500)


@dataclass(frozen=True)
class Checked:
    valid: bool
    title: dict[str, str]  # by language
    problems: list[Located]
    digest: str | None = None  # the compiled document's, as a game made from it records it


def check(text: str) -> Checked:
    """What the validator finds in a scenario's text, and its English title if it has one."""
    try:
        scenario = load_scenario_text(text, FILENAME)
    except ScenarioError as exc:
        return Checked(False, {}, exc.problems)
    titles = {lang: localize(scenario.title, lang) for lang in LANGUAGES}
    return Checked(True, titles, [], scenario.digest)


def problems_of(checked: Checked) -> list[dict[str, Any]]:
    return [
        {
            "line": p.line,
            "column": p.column,
            "path": p.path,
            "message": {"en": p.message, "ja": in_japanese(p.message)},
        }
        for p in checked.problems
    ]


def saved(scenario: str, number: int, checked: Checked) -> dict[str, Any]:
    """The answer to a save: which version it made, and what the validator found in it."""
    problems = problems_of(checked)
    return {"id": scenario, "version": number, "valid": checked.valid, "problems": problems}


def bundled() -> list[dict[str, Any]]:
    """The bundled scenarios, as the shelf lists them beside the account's own."""
    out = []
    for scenario_id in bundled_ids():
        sc = load_bundled(scenario_id)
        out.append(
            {
                "id": scenario_id,
                "title": {lang: localize(sc.title, lang) for lang in LANGUAGES},
                "teams": len(sc.teams),
                "rounds": len(sc.rounds),
            }
        )
    return out


def owned(ctx: Context, account_id: str, scenario: str) -> Shelf:
    """The shelf, once ``scenario`` is known to be the account's (404 otherwise: another
    account's scenario is not there for this one)."""
    shelf = Shelf(ctx.store)
    if shelf.owner(scenario) != account_id:
        raise ApiError(404, "no_scenario", f"no scenario {scenario!r} on your shelf")
    return shelf


def origin_text(ctx: Context, account_id: str, origin: str) -> str:
    """The text a new scenario starts from."""
    if origin == SKELETON:
        return skeleton("new-scenario", FILENAME)
    if origin in bundled_ids():
        return bundled_path(origin).read_text(encoding="utf-8")
    versions = owned(ctx, account_id, origin).versions(origin)
    return versions[-1].yaml


def version_view(v: Version, with_text: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "number": v.number,
        "digest": v.digest,
        "document_digest": v.document_digest,
        "machine_drafted": list(v.drafts),
        "valid": v.valid,
        "title": v.title,
        "author": v.author,
        "message": v.message,
        "created_at": v.created_at,
    }
    if with_text:
        out["yaml"] = v.yaml
    return out


async def create(ctx: Context, account_id: str, author: str, body: NewScenario) -> dict[str, Any]:
    if (body.yaml is None) == (body.from_ is None):
        raise ApiError(422, "scenario_source", "give either yaml or from")
    text = body.yaml if body.yaml is not None else origin_text(ctx, account_id, body.from_ or "")
    checked = await to_thread.run_sync(check, text)
    draft = Draft(text, checked.valid, checked.title, author, body.message, checked.digest)
    scenario = await to_thread.run_sync(Shelf(ctx.store).add, account_id, draft)
    return saved(scenario, 1, checked)


def kept_drafts(before: Version, text: str) -> tuple[str, ...]:
    """The machine-drafted texts of ``before`` still there, word for word, in ``text``: a
    draft stays a draft until a person confirms or changes it."""
    if not before.drafts:
        return ()
    try:
        old = {f.key: f.value for f in form_fields(before.yaml)}
        new = {f.key: f.value for f in form_fields(text)}
    except yaml.YAMLError:
        return ()
    return tuple(k for k in before.drafts if k in new and new[k] == old.get(k))


async def save(
    ctx: Context,
    account_id: str,
    author: str,
    scenario: str,
    number: int,
    body: SaveVersion,
    drafts: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Version ``number``: one more than the version the designer started from. If someone
    saved that number first, nothing is overwritten: 409, with what changed since.
    ``drafts``: the texts a model drafted that no person confirmed (None: those of the
    version before that are unchanged)."""
    shelf = owned(ctx, account_id, scenario)
    versions = shelf.versions(scenario)
    if number != versions[-1].number + 1:
        raise conflict(versions, number)
    checked = await to_thread.run_sync(check, body.yaml)
    if drafts is None:
        drafts = await to_thread.run_sync(kept_drafts, versions[-1], body.yaml)
    draft = Draft(
        body.yaml, checked.valid, checked.title, author, body.message, checked.digest, drafts
    )
    try:
        await to_thread.run_sync(shelf.save, scenario, number, draft)
    except Conflict:
        raise conflict(shelf.versions(scenario), number) from None
    return saved(scenario, number, checked)


def diff(old: Version | None, new: Version) -> str:
    """What changed from one version's text to another's, as a unified diff."""
    return "".join(
        difflib.unified_diff(
            (old.yaml if old else "").splitlines(keepends=True),
            new.yaml.splitlines(keepends=True),
            f"version {old.number}" if old else "nothing",
            f"version {new.number}",
        )
    )


def conflict(versions: list[Version], number: int) -> ApiError:
    """Someone else saved first: what they changed since the version this save began from."""
    latest = versions[-1]
    base = next((v for v in versions if v.number == number - 1), None)
    return ApiError(
        409,
        "version_conflict",
        f"version {number} cannot be saved: the newest is {latest.number}, saved by "
        f"{latest.author}; start from it (what changed since:\n{diff(base, latest)})",
        latest=latest.number,
    )


__all__ = [
    "NewScenario",
    "SaveVersion",
    "Unsaved",
    "bundled",
    "check",
    "create",
    "diff",
    "owned",
    "save",
    "version_view",
]
