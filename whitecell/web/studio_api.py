"""The scenario studio's JSON API, ``/api/v1/scenarios``: a control account's shelf of
scenarios and their versions. Only a signed-in control account reaches it (a seat's token,
even control's, gets 403): scenarios belong to accounts, not to games."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Path
from fastapi.responses import Response

from whitecell.store.shelf import Shelf
from whitecell.web import studio
from whitecell.web.context import CallerDep, Ctx, require_account
from whitecell.web.errors import ApiError
from whitecell.web.studio import NewScenario, SaveVersion

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


@router.get("/{scenario}/versions")
def versions(who: CallerDep, ctx: Ctx, scenario: str = ScenarioId) -> dict[str, Any]:
    shelf = studio.owned(ctx, require_account(who), scenario)
    return {"versions": [studio.version_view(v) for v in shelf.versions(scenario)]}


@router.get("/{scenario}/versions/{number}")
def version(
    who: CallerDep, ctx: Ctx, scenario: str = ScenarioId, number: int = Number
) -> dict[str, Any]:
    found = studio.owned(ctx, require_account(who), scenario).version(scenario, number)
    if found is None:
        raise ApiError(404, "no_version", f"scenario {scenario!r} has no version {number}")
    return studio.version_view(found, with_text=True)


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
