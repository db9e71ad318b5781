"""The scenario studio's pages: the shelf of a control account's scenarios beside the
bundled ones, where a designer starts a new scenario (from the skeleton, or as a variant of
another), imports a YAML file and exports a saved version."""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

import yaml
from anyio import to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from rich.text import Text
from starlette.datastructures import UploadFile

from whitecell.agents.language_model import ModelUnavailable
from whitecell.engine.game import Game
from whitecell.narrate import narrate
from whitecell.play import play_game
from whitecell.scenario import form as scenario_form
from whitecell.scenario.compiled import Scenario, localize
from whitecell.scenario.form import FormField
from whitecell.scenario.library import bundled_ids, load_bundled
from whitecell.scenario.load import load_scenario_text
from whitecell.scenario.outline import declared, field_names
from whitecell.store.shelf import Shelf, Version
from whitecell.web import service, studio, translate, trials
from whitecell.web.auth import Caller
from whitecell.web.context import Context, Ctx, lang_of, require_account
from whitecell.web.errors import N_, ApiError
from whitecell.web.glance import glance
from whitecell.web.i18n import translations
from whitecell.web.render import checked_form, page
from whitecell.web.reports import REPORT_CSP, REPORTS, make_report
from whitecell.web.studio import SKELETON, NewScenario, SaveVersion
from whitecell.web.trials import TrialRequest

router = APIRouter()

NEEDS_MODEL = N_(
    "Drafting translations needs a model server: start whitecell with --llm-base-url and "
    "--llm-model."
)
NOTHING_MISSING = N_("Nothing is missing in this section: every text is in every language.")
DRAFTED = N_(
    "%(n)s translations drafted by the model: read each one, change it or tick Confirmed, "
    "then save. Until confirmed, a text stays marked as the model's."
)
DROPPED = N_("%(n)s answers were set aside (a placeholder lost, or nothing to say).")
MODEL_FAILED = N_("The model server did not answer (%(reason)s); nothing was changed.")


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
    tried = await to_thread.run_sync(trials.latest_by_scenario, ctx, account)
    return page(
        ctx, request, "studio.html", status, bundled=bundled, saved=latest, tried=tried, **values
    )


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
    digests = [v.document_digest for v in versions if v.document_digest]
    games = await to_thread.run_sync(shelf.games_of, digests)
    compared = await to_thread.run_sync(
        trials.side_by_side, tried, by_number[old], by_number[new], lang_of(request)
    )
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
        games=games,
        compared=compared,
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
    names = await to_thread.run_sync(declared, text)
    suggest = {"fields": field_names(), "names": names}
    return page(
        ctx,
        request,
        "editor.html",
        status,
        suggest=json.dumps(suggest, ensure_ascii=False),
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


def _renamed_everywhere(before: str, posted: dict[str, str], text: str) -> tuple[str, list[str]]:
    """Each entry id the form changed, renamed wherever it is used; what was renamed."""
    said = []
    for f in scenario_form.fields(before):
        new = posted.get(f.key, f.value).strip()
        if f.path[-1] == "id" and len(f.path) > 2 and new and new != f.value:
            text, places = scenario_form.rename(text, f.value, new)
            said.append(f"{f.value} → {new} ({places})")
    return text, said


def _what_changed(before: str, after: str) -> str:
    """The values a save changed, by their keys (the first few)."""
    old = {f.key: f.value for f in scenario_form.fields(before)}
    new = {f.key: f.value for f in scenario_form.fields(after)}
    keys = [k for k in new if old.get(k) != new[k]]
    return ", ".join(keys[:3]) + (" …" if len(keys) > 3 else "")


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
    just = saved if saved in {v.number for v in versions} else None
    return await _form_page(
        ctx, request, scenario, origin, versions[-1].number, found, section, saved_as=just
    )


async def _form_page(
    ctx: Context,
    request: Request,
    scenario: str,
    origin: Version,
    base: int,
    found: list[FormField],
    section: str,
    status: int = 200,
    values: dict[str, str] | None = None,
    drafted: dict[str, str] | None = None,
    **notes: Any,
) -> HTMLResponse:
    """A section of the form: ``values`` are what the designer has typed (when the page
    comes back after an action), ``drafted`` the texts a model drafted just now."""
    values = values or {}
    drafted = drafted or {}
    parts = scenario_form.sections(found)
    current = next((s for s in parts if s.name == section), parts[0])
    text = await to_thread.run_sync(scenario_form.apply, origin.yaml, values)
    problems = await to_thread.run_sync(_form_problems, found, text)
    lang = lang_of(request)
    title = origin.title.get(lang) or origin.title.get("en") or scenario
    for part in parts:
        part.missing = sum(  # type: ignore[attr-defined]
            f.start < 0 for item in part.items for row in item.rows for f in row.fields
        )
    # a text is the model's until confirmed: drafted now, or saved as a draft before
    marked = {k: values.get(k, "") for k in origin.drafts} | drafted
    shown = {f.key: values.get(f.key, f.value) for f in found} | drafted
    for key in origin.drafts:
        marked[key] = shown.get(key, "")
    defaults: dict[str, Any] = {"saved_as": None, "notice": "", "refused": ""}
    return page(
        ctx,
        request,
        "form.html",
        status,
        scenario=scenario,
        title=title,
        sections=parts,
        current=current,
        section=current.name,
        ids={f.key: i for i, f in enumerate(found)},
        origin=origin.number,
        base=base,
        problems=problems,
        entries=await to_thread.run_sync(scenario_form.entries, origin.yaml),
        shown=shown,
        marked=marked,
        can_translate=ctx.model is not None,
        **(defaults | notes),
    )


@router.post("/studio/{scenario}/form/translate", response_class=HTMLResponse)
async def form_translate(request: Request, ctx: Ctx, scenario: str) -> HTMLResponse:
    """Fill the section's missing translations with a model's drafts (not saved: the
    designer reads them, changes or confirms them, then saves)."""
    scenario = scenario[:32]
    form, origin, _text = await _form_values(ctx, request, scenario)
    section = str(form.get("section") or "meta")[:40]
    try:
        base = int(str(form.get("base", "")))
    except ValueError:
        base = origin.number
    values = {k[2:]: str(v) for k, v in form.items() if k.startswith("f:")}
    found = await to_thread.run_sync(scenario_form.fields, origin.yaml)
    lang = lang_of(request)
    gettext = translations(lang).gettext
    if ctx.model is None:
        return await _form_page(
            ctx,
            request,
            scenario,
            origin,
            base,
            found,
            section,
            422,
            values,
            refused=gettext(NEEDS_MODEL),
        )
    asked = translate.wanted(found, section, values)
    if not asked:
        return await _form_page(
            ctx,
            request,
            scenario,
            origin,
            base,
            found,
            section,
            200,
            values,
            notice=gettext(NOTHING_MISSING),
        )
    title = origin.title.get("en") or scenario
    try:
        drafted, dropped = await to_thread.run_sync(translate.draft, ctx.model.model, title, asked)
    except ModelUnavailable as exc:
        return await _form_page(
            ctx,
            request,
            scenario,
            origin,
            base,
            found,
            section,
            503,
            values,
            refused=gettext(MODEL_FAILED) % {"reason": str(exc)[:300]},
        )
    notice = gettext(DRAFTED) % {"n": len(drafted)}
    if dropped:
        notice += " " + gettext(DROPPED) % {"n": dropped}
    return await _form_page(
        ctx,
        request,
        scenario,
        origin,
        base,
        found,
        section,
        200,
        values,
        drafted,
        notice=notice,
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
    posted = {k[2:]: str(v).replace("\r\n", "\n") for k, v in form.items() if k.startswith("f:")}
    marks = {k[6:]: str(v).replace("\r\n", "\n") for k, v in form.items() if k.startswith("draft:")}
    confirmed = {k[8:] for k in form if k.startswith("confirm:")}
    drafts = {k for k in origin.drafts if k not in posted}  # other sections: untouched
    drafts |= {k for k, v in marks.items() if posted.get(k) == v and v and k not in confirmed}
    kept: tuple[str, ...] | None = tuple(sorted(drafts))
    text, renamed = await to_thread.run_sync(_renamed_everywhere, origin.yaml, posted, text)
    if renamed:
        kept = None  # drafts that still hold their text stay drafts
        message = message or "; ".join(renamed)
    if not message:  # say what changed, so that the list of versions reads as a history
        message = await to_thread.run_sync(_what_changed, origin.yaml, text)
    what, _, key = str(form.get("op") or "").partition(":")
    operation = ENTRY_OPS.get(what)
    if operation is not None and key:  # copy, remove or move an entry, then save
        changed = await to_thread.run_sync(operation, text, key[:200])
        message = message or f"{what} {key[:200]}"
        if changed != text:
            text, kept = changed, None  # drafts that still hold their text stay drafts
    try:
        made = await studio.save(
            ctx,
            account,
            who.person,
            scenario,
            base + 1,
            SaveVersion(yaml=text, message=message),
            kept,
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


ENTRY_OPS: dict[str, Any] = {
    "copy": scenario_form.copy,
    "remove": scenario_form.remove,
    "up": lambda text, key: scenario_form.move(text, key, -1),
    "down": lambda text, key: scenario_form.move(text, key, +1),
}


def _story(lines: list[str]) -> list[dict[str, str]]:
    """The narration (written for a terminal, in Rich markup) as lines for the page: the
    text alone, and what kind of line it is (a round's heading, a success, a failure, a
    detail)."""
    out = []
    for line in lines:
        plain = Text.from_markup(line).plain.strip()
        if not plain:
            continue
        kind = "plain"
        if line.startswith("[bold cyan]"):
            kind, plain = "round", re.sub(r"^\W+", "", plain)  # no rule drawn in dashes
        elif "[green]" in line:
            kind = "ok"
        elif "[red]" in line:
            kind = "no"
        elif line.startswith("[dim]"):
            kind = "muted"
        out.append({"text": plain, "kind": kind})
    return out


def _played(text: str, seed: int) -> tuple[Scenario, Game]:
    scenario = trials.compiled(text)
    return scenario, play_game(scenario, seed)


@router.get("/studio/{scenario}/play", response_class=HTMLResponse)
async def play_one(
    request: Request,
    ctx: Ctx,
    scenario: str,
    version: int | None = Query(default=None, ge=1),
    seed: int | None = Query(default=None, ge=0, le=2**63 - 1),
) -> Response:
    """Play one: a single automated game of a saved version, told as its story, with how
    it ended and its full report one click away. The seed is in the address, so the same
    game can be shown to someone else."""
    _who, account = _designer(ctx, request)
    scenario = scenario[:32]
    found = await to_thread.run_sync(trials.pick_version, ctx, account, scenario, version)
    if seed is None:
        drawn = secrets.randbits(48)
        return RedirectResponse(f"/studio/{scenario}/play?version={found.number}&seed={drawn}", 303)
    sc, game = await to_thread.run_sync(_played, found.yaml, seed)
    lang = lang_of(request)
    outcomes = [
        {"label": localize(o.label, lang) or o.id, "value": (game.state.outcomes or {}).get(o.id)}
        for o in sc.outcomes
    ]
    return page(
        ctx,
        request,
        "play_one.html",
        scenario=scenario,
        title=localize(sc.title, lang),
        version=found.number,
        seed=seed,
        outcomes=outcomes,
        story=_story(narrate(sc, game.events, lang)),
        events=len(game.events),
    )


@router.get("/studio/{scenario}/play/report", response_class=HTMLResponse)
async def play_one_report(
    request: Request,
    ctx: Ctx,
    scenario: str,
    version: int = Query(ge=1, le=1_000_000),
    seed: int = Query(ge=0, le=2**63 - 1),
) -> Response:
    """The full after-action report of that one game (the white cell's), made again from
    its seed."""
    _who, account = _designer(ctx, request)
    scenario = scenario[:32]
    found = await to_thread.run_sync(trials.pick_version, ctx, account, scenario, version)
    sc, game = await to_thread.run_sync(_played, found.yaml, seed)
    source = f"studio {scenario} version {found.number} seed {seed}"
    lang = lang_of(request)
    async with REPORTS.limiter:  # one report at a time on the server, as in the rooms
        body = await to_thread.run_sync(
            make_report, sc, game.events, source, "html", lang, "control"
        )
    headers = {"Content-Security-Policy": REPORT_CSP, "Cache-Control": "private, no-store"}
    return HTMLResponse(body.decode("utf-8"), headers=headers)


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
