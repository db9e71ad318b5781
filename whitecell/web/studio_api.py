"""The scenario studio's JSON API, ``/api/v1/scenarios``: a control account's shelf of
scenarios and their versions. Only a signed-in control account reaches it (a seat's token,
even control's, gets 403): scenarios belong to accounts, not to games."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from whitecell.scenario.outline import declared
from whitecell.store.jobs import Jobs
from whitecell.store.shelf import Shelf
from whitecell.web import studio, trials
from whitecell.web.context import CallerDep, Ctx, require_account
from whitecell.web.errors import ApiError
from whitecell.web.studio import NewScenario, SaveVersion, Unsaved
from whitecell.web.trials import TrialRequest

router = APIRouter(prefix="/api/v1/scenarios", tags=["studio"])

ScenarioId = Path(max_length=32, description="A scenario on the account's shelf")
Number = Path(ge=1, le=1_000_000, description="A version's number, from 1")


@router.get("")
async def shelf(who: CallerDep, ctx: Ctx) -> dict[str, Any]:
    """The bundled scenarios and the account's own, each at its newest version."""
    account = require_account(who)
    latest = await to_thread.run_sync(Shelf(ctx.store).latest, account)
    own = [{"id": v.scenario, "version": v.number} | studio.version_view(v) for v in latest]
    return {"bundled": studio.bundled(), "saved": own}


@router.post("", status_code=201)
async def create(body: NewScenario, who: CallerDep, ctx: Ctx) -> dict[str, Any]:
    """A new scenario from YAML text, the skeleton, a bundled one or one of the account's."""
    return await studio.create(ctx, require_account(who), who.person if who else "", body)


@router.post("/validate")
async def validate(body: Unsaved, who: CallerDep) -> dict[str, Any]:
    """What the validator finds in a scenario's text, saved or not: every problem with its
    line, column, path and words in each language. 200 whether or not it is valid. With
    them, ``names``: the ids the text declares by kind (teams, variables, clauses...), which
    the source view suggests."""
    require_account(who)
    checked = await to_thread.run_sync(studio.check, body.yaml)
    names = await to_thread.run_sync(declared, body.yaml)
    return {"ok": checked.valid, "problems": studio.problems_of(checked), "names": names}


@router.get("/{scenario}/versions")
def versions(who: CallerDep, ctx: Ctx, scenario: str = ScenarioId) -> dict[str, Any]:
    shelf = studio.owned(ctx, require_account(who), scenario)
    found = shelf.versions(scenario)
    games = shelf.games_of([v.document_digest for v in found if v.document_digest])
    return {
        "versions": [
            studio.version_view(v) | {"games": games.get(v.document_digest or "", 0)} for v in found
        ]
    }


@router.get("/{scenario}/versions/{number}")
def version(
    who: CallerDep, ctx: Ctx, scenario: str = ScenarioId, number: int = Number
) -> dict[str, Any]:
    found = studio.owned(ctx, require_account(who), scenario).version(scenario, number)
    if found is None:
        raise ApiError(404, "no_version", f"scenario {scenario!r} has no version {number}")
    return studio.version_view(found, with_text=True)


@router.get("/{scenario}/diff")
def compare(
    who: CallerDep,
    ctx: Ctx,
    scenario: str = ScenarioId,
    old: int = Query(alias="from", ge=1, le=1_000_000),
    new: int = Query(alias="to", ge=1, le=1_000_000),
) -> dict[str, Any]:
    """What changed from version ``from`` to version ``to``, as a unified diff."""
    shelf = studio.owned(ctx, require_account(who), scenario)
    a, b = shelf.version(scenario, old), shelf.version(scenario, new)
    if a is None or b is None:
        missing = old if a is None else new
        raise ApiError(404, "no_version", f"scenario {scenario!r} has no version {missing}")
    return {"from": old, "to": new, "diff": studio.diff(a, b)}


@router.put("/{scenario}/versions/{number}", status_code=201)
async def save(
    body: SaveVersion, who: CallerDep, ctx: Ctx, scenario: str = ScenarioId, number: int = Number
) -> dict[str, Any]:
    """Save version ``number`` (one more than the version the edit started from); 409 with
    what changed if someone saved that number first."""
    account = require_account(who)
    return await studio.save(ctx, account, who.person if who else "", scenario, number, body)


@router.get(
    "/{scenario}/versions/{number}/yaml",
    response_class=Response,
    responses={200: {"content": {"application/yaml": {}}}},
)
def export(who: CallerDep, ctx: Ctx, scenario: str = ScenarioId, number: int = Number) -> Response:
    """The version's YAML, byte for byte as it was saved (comments and all)."""
    found = studio.owned(ctx, require_account(who), scenario).version(scenario, number)
    if found is None:
        raise ApiError(404, "no_version", f"scenario {scenario!r} has no version {number}")
    name = f"scenario-{scenario}-v{number}.yaml"
    return Response(
        found.yaml.encode("utf-8"),
        media_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/{scenario}/trials", status_code=202)
async def trial(
    body: TrialRequest, who: CallerDep, ctx: Ctx, scenario: str = ScenarioId
) -> dict[str, Any]:
    """Try a saved version (the newest unless ``version`` names one): ``runs`` automated
    plays in the background. The answer is the job; follow it at ``/api/v1/jobs/{id}``."""
    return await trials.start(ctx, require_account(who), scenario, body)


jobs = APIRouter(prefix="/api/v1/jobs", tags=["studio"])
JobId = Path(max_length=32, description="A background job of the account's")


@jobs.get("")
def job_list(who: CallerDep, ctx: Ctx) -> dict[str, Any]:
    """The account's background jobs, the newest first: what runs, what waits, what ended."""
    found = Jobs(ctx.store).of(require_account(who))
    return {"jobs": [trials.job_view(j) for j in found]}


@jobs.get("/{job}")
def job(who: CallerDep, ctx: Ctx, job: str = JobId) -> dict[str, Any]:
    """How far a job has got (``progress`` from 0 to 1), and its ``result``: for a trial,
    the ensemble summary so far (``outcomes``, ``balance``, ``paths``), complete once
    ``status`` is ``done``."""
    return trials.job_view(trials.mine(ctx, require_account(who), job))


@jobs.delete("/{job}")
def cancel(who: CallerDep, ctx: Ctx, job: str = JobId) -> dict[str, Any]:
    """Cancel a job that has not finished; what it found so far stays in its ``result``.
    409 if it had already finished."""
    return trials.job_view(trials.cancel(ctx, require_account(who), job))
