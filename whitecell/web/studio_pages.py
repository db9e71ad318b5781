"""The scenario studio's pages: the shelf of a control account's scenarios beside the
bundled ones, where a designer starts a new scenario (from the skeleton, or as a variant of
another), imports a YAML file and exports a saved version."""

from __future__ import annotations

import re
from typing import Any

import yaml
from anyio import to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from whitecell.scenario import form as scenario_form
from whitecell.scenario.compiled import localize
from whitecell.scenario.form import FormField
from whitecell.scenario.library import bundled_ids, load_bundled
from whitecell.scenario.load import load_scenario_text
from whitecell.store.shelf import Shelf, Version
from whitecell.web import service, studio, trials
from whitecell.web.auth import Caller
from whitecell.web.context import Context, Ctx, lang_of, require_account
from whitecell.web.errors import ApiError
from whitecell.web.glance import glance
from whitecell.web.render import checked_form, page
from whitecell.web.studio import SKELETON, NewScenario, SaveVersion
from whitecell.web.trials import TrialRequest

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


@router.get("/studio/{scenario}", response_class=HTMLResponse)
async def history(
    request: Request,
    ctx: Ctx,
    scenario: str,
    old: int | None = Query(default=None, alias="from", ge=1),
    new: int | None = Query(default=None, alias="to", ge=1),
) -> HTMLResponse:
    """A scenario's versions, newest first, what changed between two of them, and its
    trials."""
    _who, account = _designer(ctx, request)
    await ctx.workshop.warm()  # Try it is on this page
    return await _history_page(ctx, request, account, scenario[:32], old, new)


async def _history_page(
    ctx: Context,
    request: Request,
    account: str,
    scenario: str,
    old: int | None = None,
    new: int | None = None,
    status: int = 200,
    refused: str = "",
) -> HTMLResponse:
    shelf = studio.owned(ctx, account, scenario)
    versions = await to_thread.run_sync(shelf.versions, scenario)
    by_number = {v.number: v for v in versions}
    newest = versions[-1]
    new = new if new in by_number else newest.number
    old = old if old in by_number else max(new - 1, 1)
    lines = studio.diff(by_number[old], by_number[new]).splitlines()[2:]  # no file header
    tried = await to_thread.run_sync(trials.trials_of, ctx, account, scenario)
    return page(
        ctx,
        request,
        "versions.html",
        status,
        scenario=scenario,
        versions=list(reversed(versions)),
        newest=newest,
        old=old,
        new=new,
        lines=lines,
        trials=tried,
        default_runs=trials.DEFAULT_RUNS,
        max_runs=trials.MAX_RUNS,
        refused=refused,
    )


@router.get("/studio/{scenario}/edit", response_class=HTMLResponse)
async def edit(
    request: Request,
    ctx: Ctx,
    scenario: str,
    version: int | None = Query(default=None, ge=1),
    saved: int | None = Query(default=None, ge=1),
) -> HTMLResponse:
    """The source view: a version's YAML (the newest unless named) to edit, checked as the
    designer types; saving makes a new version on top of the newest."""
    _who, account = _designer(ctx, request)
    shelf = studio.owned(ctx, account, scenario[:32])
    versions = await to_thread.run_sync(shelf.versions, scenario)
    newest = versions[-1]
    shown = next((v for v in versions if v.number == version), newest)
    just = next((v for v in versions if v.number == saved), None)
    return await _editor_page(
        ctx,
        request,
        scenario,
        shown.yaml,
        base=newest.number,
        saved_as=just.number if just else None,
        saved_valid=bool(just and just.valid),
    )


async def _editor_page(
    ctx: Context,
    request: Request,
    scenario: str,
    text: str,
    base: int,
    status: int = 200,
    **values: Any,
) -> HTMLResponse:
    checked = await to_thread.run_sync(studio.check, text)
    lang = lang_of(request)
    title = checked.title.get(lang) or checked.title.get("en") or scenario
    defaults: dict[str, Any] = {
        "message": "",
        "refused": "",
        "conflict_lines": [],
        "saved_as": None,
    }
    values = defaults | {"saved_valid": False} | values
    return page(
        ctx,
        request,
        "editor.html",
        status,
        scenario=scenario,
        title=title,
        text=text,
        base=base,
        problems=studio.problems_of(checked),
        **values,
    )


@router.post("/studio/{scenario}/edit")
async def save_edit(request: Request, ctx: Ctx, scenario: str) -> Response:
    """Save the edited text as the next version, then back to the editor with it. If
    someone saved first, nothing is overwritten and nothing typed is lost: the editor
    comes back with the text as it was, what they changed, and their version as the
    base, so that saving again is a choice made having seen it."""
    who, account = _designer(ctx, request)
    form = await checked_form(ctx, request)
    scenario = scenario[:32]
    text = str(form.get("yaml") or "")
    message = str(form.get("message") or "")[:500]
    try:
        base = int(str(form.get("base", "")))
        body = SaveVersion(yaml=text, message=message)
    except (ValueError, ValidationError):
        bad = ApiError(413, "too_large", "a scenario file is at most 2 MB")
        if len(text) <= service.MAX_SCENARIO_BYTES:
            bad = ApiError(422, "bad_form", "the form is not filled in correctly")
        newest = studio.owned(ctx, account, scenario).versions(scenario)[-1].number
        return await _editor_page(
            ctx,
            request,
            scenario,
            text[: service.MAX_SCENARIO_BYTES],
            newest,
            bad.status,
            refused=bad.text(lang_of(request)),
            message=message,
        )
    try:
        made = await studio.save(ctx, account, who.person, scenario, base + 1, body)
    except ApiError as exc:
        if exc.code != "version_conflict":
            raise
        shelf = studio.owned(ctx, account, scenario)
        versions = await to_thread.run_sync(shelf.versions, scenario)
        start = next((v for v in versions if v.number == base), None)
        lines = studio.diff(start, versions[-1]).splitlines()[2:]
        return await _editor_page(
            ctx,
            request,
            scenario,
            text,
            versions[-1].number,
            409,
            refused=exc.text(lang_of(request)),
            conflict_lines=lines,
            message=message,
        )
    return RedirectResponse(f"/studio/{scenario}/edit?saved={made['version']}", 303)


def _form_problems(found: list[FormField], text: str) -> list[dict[str, Any]]:
    """The validator's problems in ``text``, each with the field (its number) and section
    it is about, when the form has one."""
    ids = {f.key: i for i, f in enumerate(found)}
    out = []
    for p in studio.problems_of(studio.check(text)):
        key = p["path"]
        field = ids.get(key)
        if field is None:  # a problem about a whole entry: its first field
            field = next((i for k, i in ids.items() if k.startswith(key)), None)
        section = re.split(r"[.\[]", key, maxsplit=1)[0]
        out.append(p | {"field": field, "section": section})
    return out


async def _form_values(ctx: Ctx, request: Request, scenario: str) -> tuple[Any, Version, str]:
    """The posted form, the version it was made from, and that version's text with the
    form's changes written in."""
    _who, account = _designer(ctx, request)
    form = await checked_form(ctx, request)
    shelf = studio.owned(ctx, account, scenario)
    try:
        origin = shelf.version(scenario, int(str(form.get("origin", ""))))
    except ValueError:
        origin = None
    if origin is None:
        raise ApiError(404, "no_version", f"scenario {scenario!r} has no such version")
    changes = {k[2:]: str(v) for k, v in form.items() if k.startswith("f:")}
    text = await to_thread.run_sync(scenario_form.apply, origin.yaml, changes)
    return form, origin, text


@router.get("/studio/{scenario}/form", response_class=HTMLResponse)
async def form_view(
    request: Request,
    ctx: Ctx,
    scenario: str,
    section: str = Query(default="meta", max_length=40),
    version: int | None = Query(default=None, ge=1),
    saved: int | None = Query(default=None, ge=1),
) -> Response:
    """The form view: every value of one section of a version as a typed field, with a
    missing translation marked; checked as the designer types, saved as a new version."""
    _who, account = _designer(ctx, request)
    scenario = scenario[:32]
    shelf = studio.owned(ctx, account, scenario)
    versions = await to_thread.run_sync(shelf.versions, scenario)
    origin = next((v for v in versions if v.number == version), versions[-1])
    try:
        found = await to_thread.run_sync(scenario_form.fields, origin.yaml)
    except yaml.YAMLError:
        found = []
    if not found:  # not YAML the form can read: the source view can
        return RedirectResponse(f"/studio/{scenario}/edit?version={origin.number}", 303)
    parts = scenario_form.sections(found)
    current = next((s for s in parts if s.name == section), parts[0])
    problems = await to_thread.run_sync(_form_problems, found, origin.yaml)
    lang = lang_of(request)
    title = origin.title.get(lang) or origin.title.get("en") or scenario
    for part in parts:
        part.missing = sum(  # type: ignore[attr-defined]
            f.start < 0 for item in part.items for row in item.rows for f in row.fields
        )
    return page(
        ctx,
        request,
        "form.html",
        scenario=scenario,
        title=title,
        sections=parts,
        current=current,
        section=current.name,
        ids={f.key: i for i, f in enumerate(found)},
        origin=origin.number,
        base=versions[-1].number,
        problems=problems,
        saved_as=saved if saved in {v.number for v in versions} else None,
    )


@router.post("/studio/{scenario}/form/check", response_class=HTMLResponse)
async def form_check(request: Request, ctx: Ctx, scenario: str) -> HTMLResponse:
    """What the validator finds once the form's changes are written in (htmx asks after
    each pause in typing)."""
    scenario = scenario[:32]
    form, origin, text = await _form_values(ctx, request, scenario)
    found = await to_thread.run_sync(scenario_form.fields, origin.yaml)
    problems = await to_thread.run_sync(_form_problems, found, text)
    return page(
        ctx,
        request,
        "form_check.html",
        scenario=scenario,
        origin=origin.number,
        problems=problems,
        section=str(form.get("section", "")),
    )


@router.post("/studio/{scenario}/form")
async def form_save(request: Request, ctx: Ctx, scenario: str) -> Response:
    """Save the form: the version's text with the changes written in, as the next version.
    If someone saved first, the source view opens with that text (nothing typed is lost)
    and what they changed."""
    who, account = _designer(ctx, request)
    scenario = scenario[:32]
    form, origin, text = await _form_values(ctx, request, scenario)
    message = str(form.get("message") or "")[:500]
    section = str(form.get("section") or "meta")[:40]
    try:
        base = int(str(form.get("base", "")))
    except ValueError:
        base = origin.number
    try:
        made = await studio.save(
            ctx, account, who.person, scenario, base + 1, SaveVersion(yaml=text, message=message)
        )
    except ApiError as exc:
        if exc.code != "version_conflict":
            raise
        shelf = studio.owned(ctx, account, scenario)
        versions = await to_thread.run_sync(shelf.versions, scenario)
        start = next((v for v in versions if v.number == base), None)
        return await _editor_page(
            ctx,
            request,
            scenario,
            text,
            versions[-1].number,
            409,
            refused=exc.text(lang_of(request)),
            conflict_lines=studio.diff(start, versions[-1]).splitlines()[2:],
            message=message,
        )
    number = made["version"]
    return RedirectResponse(
        f"/studio/{scenario}/form?section={section}&version={number}&saved={number}", 303
    )


@router.post("/studio/{scenario}/trials")
async def try_it(request: Request, ctx: Ctx, scenario: str) -> Response:
    """Try it: a trial of a saved version, then its page, where the figures arrive."""
    _who, account = _designer(ctx, request)
    form = await checked_form(ctx, request)
    scenario = scenario[:32]
    try:
        values = {k: str(form.get(k) or "").strip() for k in ("runs", "version", "seed")}
        body = TrialRequest.model_validate({k: v for k, v in values.items() if v})
    except ValidationError:
        bad = ApiError(422, "bad_runs", "runs: from 1 to 20,000", max=trials.MAX_RUNS)
        refused = bad.text(lang_of(request))
        return await _history_page(ctx, request, account, scenario, status=422, refused=refused)
    try:
        job = await trials.start(ctx, account, scenario, body)
    except ApiError as exc:
        if exc.status == 404:
            raise
        refused = exc.text(lang_of(request))
        return await _history_page(
            ctx, request, account, scenario, status=exc.status, refused=refused
        )
    return RedirectResponse(f"/studio/jobs/{job['id']}", 303)


@router.get("/studio/jobs/{job}", response_class=HTMLResponse)
async def trial_page(request: Request, ctx: Ctx, job: str) -> HTMLResponse:
    """A trial: its progress bar while it runs, its figures as they arrive, each beside
    the version before's. htmx asks again for the figures alone until it ends."""
    _who, account = _designer(ctx, request)
    found = await to_thread.run_sync(trials.mine, ctx, account, job[:32])
    lang = lang_of(request)
    version = await to_thread.run_sync(
        Shelf(ctx.store).version, found.params["scenario"], int(found.params["version"])
    )
    assert version is not None  # versions are never deleted
    sc = await to_thread.run_sync(trials.compiled, version.yaml)
    before = await to_thread.run_sync(trials.previous, ctx, account, found)
    shown = (
        trials.figures(sc, found.result, before.result if before else None, lang)
        if found.result
        else None
    )
    values: dict[str, Any] = {
        "job": found,
        "figures": shown,
        "before": before,
        "title": localize(sc.title, lang),
    }
    part = "trial_body.html" if request.headers.get("HX-Request") else "trial.html"
    return page(ctx, request, part, **values)


@router.post("/studio/jobs/{job}/cancel")
async def cancel_trial(request: Request, ctx: Ctx, job: str) -> Response:
    """Cancel a trial that has not finished; its page keeps what it found so far."""
    _who, account = _designer(ctx, request)
    await checked_form(ctx, request)
    try:
        await to_thread.run_sync(trials.cancel, ctx, account, job[:32])
    except ApiError as exc:
        if exc.code != "job_finished":  # finished meanwhile: its page says how it ended
            raise
    return RedirectResponse(f"/studio/jobs/{job[:32]}", 303)


@router.post("/studio/{scenario}/restore")
async def restore(request: Request, ctx: Ctx, scenario: str) -> Response:
    """Go back to a version: its text saved again as the newest version."""
    who, account = _designer(ctx, request)
    form = await checked_form(ctx, request)
    shelf = studio.owned(ctx, account, scenario[:32])
    try:
        number = int(str(form.get("number", "")))
    except ValueError:
        raise ApiError(422, "no_version", "choose a version") from None
    found = shelf.version(scenario, number)
    if found is None:
        raise ApiError(404, "no_version", f"scenario {scenario!r} has no version {number}")
    newest = shelf.versions(scenario)[-1].number
    body = SaveVersion(yaml=found.yaml, message=f"↩ {number}")
    await studio.save(ctx, account, who.person, scenario, newest + 1, body)
    return RedirectResponse(f"/studio/{scenario}", 303)


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
