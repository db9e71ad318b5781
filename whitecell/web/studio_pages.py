"""The scenario studio's pages: the shelf of a control account's scenarios beside the
bundled ones, where a designer starts a new scenario (from the skeleton, or as a variant of
another), imports a YAML file and exports a saved version."""

from __future__ import annotations

from anyio import to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from whitecell.scenario.compiled import localize
from whitecell.scenario.library import bundled_ids, load_bundled
from whitecell.scenario.load import load_scenario_text
from whitecell.store.shelf import Shelf
from whitecell.web import service, studio
from whitecell.web.auth import Caller
from whitecell.web.context import Context, Ctx, lang_of, require_account
from whitecell.web.errors import ApiError
from whitecell.web.glance import glance
from whitecell.web.render import checked_form, page
from whitecell.web.studio import SKELETON, NewScenario

router = APIRouter()


def _designer(ctx: Context, request: Request) -> tuple[Caller, str]:
    who = ctx.caller_from_cookies(request)
    if who is None:
        raise ApiError(401, "not_signed_in", "sign in as control to use the studio")
    return who, require_account(who)


async def _shelf_page(
    ctx: Context, request: Request, account: str, status: int = 200, **values: object
) -> HTMLResponse:
    latest = await to_thread.run_sync(Shelf(ctx.store).latest, account)
    lang = lang_of(request)
    bundled = [b | {"label": b["title"][lang]} for b in studio.bundled()]
    values.setdefault("made", "")
    return page(ctx, request, "studio.html", status, bundled=bundled, saved=latest, **values)


@router.get("/studio", response_class=HTMLResponse)
async def library(request: Request, ctx: Ctx, made: str = "") -> HTMLResponse:
    _who, account = _designer(ctx, request)
    return await _shelf_page(ctx, request, account, made=made[:32])


@router.get("/studio/odds", response_class=HTMLResponse)
async def odds(
    request: Request, ctx: Ctx, scenario: str = Query(max_length=64), version: int | None = None
) -> HTMLResponse:
    """The odds at a glance of a bundled scenario or of a valid saved version."""
    _who, account = _designer(ctx, request)
    number = None
    if scenario in bundled_ids():
        sc = load_bundled(scenario)
    else:
        body = service.CreateGame(studio=scenario[:32], version=version)
        text, name = await to_thread.run_sync(service.shelved_text, ctx, account, body)
        sc = await to_thread.run_sync(load_scenario_text, text, name)
        number = name.rsplit(" ", 1)[-1]
    lang = lang_of(request)
    title = localize(sc.title, lang)
    return page(ctx, request, "odds.html", title=title, version=number, teams=glance(sc, lang))


@router.post("/studio/scenarios")
async def shelve(request: Request, ctx: Ctx) -> Response:
    """New, Duplicate or Import: a scenario on the shelf, then back to the shelf with it
    marked (a reload does not make it twice)."""
    who, account = _designer(ctx, request)
    form = await checked_form(ctx, request)
    upload = form.get("file")
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            filename = str(upload.filename)[:200]
            text = service.scenario_upload(await upload.read(), filename)
            body = NewScenario(yaml=text, message=filename)
        else:
            body = NewScenario.model_validate({"from": str(form.get("from") or SKELETON)[:64]})
        made = await studio.create(ctx, account, who.person, body)
    except ApiError as exc:
        refused = exc.text(lang_of(request))
        return await _shelf_page(ctx, request, account, exc.status, refused=refused)
    return RedirectResponse(f"/studio?made={made['id']}", 303)
