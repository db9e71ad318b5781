"""The pages: the front door, signing in, and a room for each seat.

A room is a set of panels (:data:`~whitecell.web.rooms.PANELS`). The page subscribes to
``/games/{id}/live``; every event the seat may see sends a ``changed`` message and each
panel fetches its own fragment again, so what a page shows is always a fresh rendering
of the seat's view. Forms post commands through the same use case as the JSON API.
"""

from __future__ import annotations

import secrets
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.datastructures import UploadFile

from whitecell.live.hub import LiveGame
from whitecell.scenario.compiled import localize
from whitecell.scenario.library import bundled_ids, load_bundled
from whitecell.store.shelf import Shelf
from whitecell.web import background, debriefs, forecasts, service
from whitecell.web.auth import (
    ACCOUNT_COOKIE,
    SEAT_COOKIE,
    Caller,
    check_password,
    hash_password,
)
from whitecell.web.context import (
    Context,
    Ctx,
    lang_of,
    live_game,
    require_account,
    require_control,
    require_umpire,
    resume_after,
    signed_in,
)
from whitecell.web.errors import (
    DEBRIEF_NOT_YET,
    DRAFT_FAILED,
    LINK_MADE,
    LINK_REVOKED,
    N_,
    NAMED,
    REPORT_NOT_YET,
    ApiError,
    Refusal,
    error_text,
)
from whitecell.web.exports import FORMATS, attachment, export
from whitecell.web.feedback import said
from whitecell.web.forms import form_command
from whitecell.web.i18n import LANGUAGES, translations
from whitecell.web.render import checked_form, digest, page
from whitecell.web.reports import (
    REPORT_AUDIENCES,
    REPORT_CSP,
    REPORT_FORMATS,
    REPORTS,
    report_option,
)
from whitecell.web.rooms import PANELS, Room, Seating
from whitecell.web.stream import changed_frame, sse, stream

router = APIRouter()
RECOMPUTING = N_("A new forecast is being made from the game as it stands.")
PUBLISHED = N_("Published to %(teams)s: %(text)s")
EVERYONE = N_("everyone")
CANCELLED_WORK = N_("Cancelled: what it had found so far is kept.")
reports = REPORTS
SESSION_DAYS = 30
ACCOUNT_DAYS = 7


# -- helpers for this module's routes ---------------------------------------------------


STUDIO = "studio:"  # a choice of the front page's list that names a studio scenario


def _scenarios(lang: str) -> list[tuple[str, str]]:
    return [(s, localize(load_bundled(s).title, lang)) for s in bundled_ids()]


def _studio_scenarios(ctx: Context, who: Caller | None, lang: str) -> list[tuple[str, str]]:
    """The account's studio scenarios a game can be made of (newest version, valid)."""
    if who is None or who.account_id is None:
        return []
    return [
        (f"{STUDIO}{v.scenario}", f"{v.title.get(lang) or v.title.get('en', '')} (v{v.number})")
        for v in Shelf(ctx.store).latest(who.account_id)
        if v.valid
    ]


GAMES_PER_PAGE = 50


def _games(ctx: Context, request: Request) -> dict[str, Any]:
    """A page of the games, newest first, from the store (no game is loaded to list it)."""
    lang, number = lang_of(request), _page(request)
    listed, total = ctx.store.game_list(number * GAMES_PER_PAGE, GAMES_PER_PAGE)
    return {
        "rows": [
            {
                "id": g.id,
                "title": g.title or localize(g.scenario_title, lang),
                "round": g.round,
                "ended": g.ended,
            }
            for g in listed
        ],
        "page": number,
        "pages": max(1, -(-total // GAMES_PER_PAGE)),
        "total": total,
    }


def _entered(ctx: Context, request: Request, game: str) -> tuple[LiveGame, Caller]:
    who = signed_in(ctx, request)
    return live_game(ctx, game, who), who


def _flash(
    ctx: Context, request: Request, ok: bool, message: str = "", link: str = ""
) -> HTMLResponse:
    response = page(ctx, request, "flash.html", ok=ok, message=message, link=link)
    if ok:
        response.headers["X-Command-Ok"] = "1"
    return response


def _seating(ctx: Context, live: LiveGame, who: Caller, log_page: int = 0) -> Seating:
    """What the room needs beside the seat's view (links and model seats are control's)."""
    control = who.seat.kind == "control"
    models = live.models
    return Seating(
        log_page=log_page,
        unnamed=who.seat_id is not None and service.unnamed(str(who.seat), who.person),
        game=live.id,
        title=live.title,
        person=who.person,
        lead=who.lead,
        agent_kinds={t: ctx.hub.seat_kind(live, t) for t in live.state.agents},
        model=ctx.model.name if ctx.model is not None else None,
        links=ctx.store.seats(live.id) if control else (),
        thinking=tuple(models.thinking) if control else (),
        notices=tuple(models.notices) if control else (),
        drafts=dict(models.drafts),
    )


def _signed_in_as(ctx: Context, account_id: str) -> Response:
    response = RedirectResponse("/", 303)
    response.set_cookie(
        ACCOUNT_COOKIE,
        ctx.signer.sign(account_id),
        httponly=True,
        samesite="lax",
        max_age=ACCOUNT_DAYS * 86400,
    )
    response.delete_cookie(SEAT_COOKIE)
    return response


# -- the front door ---------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request, ctx: Ctx) -> Response:
    who = ctx.caller_from_cookies(request)
    if who is not None and who.game_id is not None:
        return RedirectResponse(f"/games/{who.game_id}", 303)
    return page(
        ctx,
        request,
        "home.html",
        who=who,
        games=_games(ctx, request) if who is not None else None,
        needs_setup=ctx.store.account_count() == 0,
        scenarios=_scenarios(lang_of(request)),
        studio=_studio_scenarios(ctx, who, lang_of(request)),
    )


@router.post("/setup")
async def setup(request: Request, ctx: Ctx) -> Response:
    form = await request.form()
    if ctx.store.account_count() > 0:
        raise ApiError(409, "already_set_up", "control already has a password")
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    if not name or len(password) < 10:
        return page(
            ctx,
            request,
            "home.html",
            status=422,
            who=None,
            games=[],
            needs_setup=True,
            scenarios=[],
            studio=[],
            message="name_and_password",
        )
    return _signed_in_as(ctx, ctx.store.create_account(name, hash_password(password)))


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, ctx: Ctx) -> HTMLResponse:
    return page(ctx, request, "login.html", failed=False)


@router.post("/login")
async def login(request: Request, ctx: Ctx) -> Response:
    form = await request.form()
    found = ctx.store.account(str(form.get("name", "")))
    if found is None or not check_password(found[1], str(form.get("password", ""))):
        return page(ctx, request, "login.html", status=401, failed=True)
    return _signed_in_as(ctx, found[0])


@router.post("/logout")
async def logout(request: Request, ctx: Ctx) -> Response:
    await checked_form(ctx, request)
    response = RedirectResponse("/", 303)
    response.delete_cookie(SEAT_COOKIE)
    response.delete_cookie(ACCOUNT_COOKIE)
    return response


@router.post("/games")
async def new_game(request: Request, ctx: Ctx) -> Response:
    who = ctx.caller_from_cookies(request)
    if who is None:
        raise ApiError(401, "not_signed_in", "sign in as control to create games")
    form = await checked_form(ctx, request)
    account_id = require_account(who)
    upload = form.get("file")
    text = str(form.get("scenario", ""))
    filename = "uploaded scenario"
    if isinstance(upload, UploadFile):
        raw = await upload.read()
        if raw:
            filename = str(upload.filename or filename)[:200]
            text = service.scenario_upload(raw, filename)
    studio = text.removeprefix(STUDIO) if text.startswith(STUDIO) else None
    try:
        body = service.CreateGame(
            scenario="" if studio else text,
            studio=studio,
            title=str(form.get("title", ""))[:200],
            people_per_team=int(str(form.get("people_per_team") or 1)),
            adjudicators=int(str(form.get("adjudicators") or 1)),
        )
    except (ValueError, TypeError) as exc:
        raise ApiError(422, "bad_form", str(exc)[:500]) from None
    try:
        created = await service.create_game(ctx, body, account_id, filename)
    except ApiError as exc:
        return page(
            ctx,
            request,
            "home.html",
            status=exc.status,
            who=who,
            games=_games(ctx, request),
            needs_setup=False,
            scenarios=_scenarios(lang_of(request)),
            studio=_studio_scenarios(ctx, who, lang_of(request)),
            problems=exc.message.split("\n"),
        )
    return page(ctx, request, "links.html", created=created, base=str(request.base_url))


@router.get("/join/{token}")
def join(request: Request, token: str, ctx: Ctx) -> Response:
    try:
        who = ctx.caller_from_token(token)
    except ApiError as exc:
        return page(ctx, request, "message.html", status=exc.status, message=exc.code)
    response = RedirectResponse(f"/games/{who.game_id}", 303)
    response.set_cookie(
        SEAT_COOKIE,
        ctx.signer.sign(who.session or ""),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=SESSION_DAYS * 86400,
    )
    return response


# -- the rooms --------------------------------------------------------------------------


@router.get("/games/{game}", response_class=HTMLResponse)
def game_room(request: Request, game: str, ctx: Ctx) -> HTMLResponse:
    try:
        live, who = _entered(ctx, request, game)
    except ApiError as exc:
        return page(ctx, request, "message.html", status=exc.status, message=exc.code)
    room = Room(live.game.view(who.seat), _seating(ctx, live, who), lang_of(request))
    return page(ctx, request, "room.html", r=room)


# not panels of their own: the announcements above every room, the phase of the game
# under the room's heading, and the room's whole layout (fetched again when the phase of
# the game changes what comes first)
WHOLE = {"announce": "panels/announce.html", "phase": "phase.html", "room": "layout.html"}


@router.get("/games/{game}/panel/{name}", response_class=HTMLResponse)
def panel(request: Request, game: str, name: str, ctx: Ctx) -> HTMLResponse:
    live, who = _entered(ctx, request, game)
    if name not in PANELS[who.seat.kind] and name not in WHOLE:
        raise ApiError(404, "no_panel", f"no panel '{name}' for this seat")
    log_page = _page(request)
    room = Room(live.game.view(who.seat), _seating(ctx, live, who, log_page), lang_of(request))
    extra: dict[str, Any] = {}
    if name == "forecast":  # control's alone (PANELS): the game's forecasts, from the store
        extra["fc"] = forecasts.board(
            live.scenario, forecasts.forecasts_of(ctx, live.id), room.lang
        )
        extra["work"] = background.queue_of(ctx, live.id)
    response = page(ctx, request, WHOLE.get(name, f"panels/{name}.html"), r=room, **extra)
    response.headers["X-Panel-Digest"] = digest(bytes(response.body).decode())
    return response


def _page(request: Request) -> int:
    try:
        return max(0, min(int(request.query_params.get("page", 0)), 10_000))
    except ValueError:
        return 0


@router.get("/games/{game}/live")
async def live_changes(request: Request, game: str, ctx: Ctx) -> StreamingResponse:
    live, who = _entered(ctx, request, game)
    start = resume_after(request.headers.get("last-event-id"))
    return sse(stream(request, ctx, live, who, start, changed_frame, people=True))


@router.post("/games/{game}/do", response_class=HTMLResponse)
async def do(request: Request, game: str, ctx: Ctx) -> HTMLResponse:
    live, who = _entered(ctx, request, game)
    form = await checked_form(ctx, request)
    lang = lang_of(request)
    key = str(form.get("idempotency_key") or secrets.token_urlsafe(12))
    try:
        raw = form_command(form)
    except ApiError as exc:
        return _flash(ctx, request, False, exc.text(lang))
    outcome = await service.run_command(ctx, live, who, raw, key)
    if outcome.status != 200:
        return _flash(ctx, request, False, error_text(outcome.body["error"], lang))
    room = Room(live.game.view(who.seat), _seating(ctx, live, who), lang)
    if raw.get("type") == "ask_advisors":
        return _advice(ctx, request, room, outcome.body["events"])
    return _flash(ctx, request, True, said(room, str(raw.get("type", "")), outcome.body["events"]))


def _advice(
    ctx: Context, request: Request, room: Room, events: list[dict[str, Any]]
) -> HTMLResponse:
    """The answer next to the form that asked: the advice itself when it came at once (the
    three best moves), else word that the advisor is thinking (a model's answer is shown
    in the list below when it comes)."""
    answer = next((e for e in events if e.get("type") == "advice_given"), None)
    asked = next((e for e in events if e.get("type") == "advisors_asked"), {})
    team = room.sc.team.get(room.team or "")
    advisors = team.advisors if team is not None else ()
    index = asked.get("advisor")
    name = localize(advisors[index].name, room.lang) if index is not None else ""
    lines = [x for x in str(answer["text"]).splitlines() if x.strip()] if answer else []
    response = page(
        ctx,
        request,
        "advice_answer.html",
        lines=lines,
        failed=bool(answer and answer.get("source") == "unavailable"),
        advisor=name,
    )
    response.headers["X-Command-Ok"] = "1"
    return response


@router.post("/games/{game}/forecast", response_class=HTMLResponse)
async def recompute(request: Request, game: str, ctx: Ctx) -> HTMLResponse:
    """The Forecast panel's "Recompute now": a forecast from the game as it stands,
    superseding one still running."""
    live, who = _entered(ctx, request, game)
    await checked_form(ctx, request)
    require_control(who)
    await forecasts.begin(ctx, live, forecasts.DEMAND)
    return _flash(ctx, request, True, translations(lang_of(request)).gettext(RECOMPUTING))


@router.post("/games/{game}/background/{job}/cancel", response_class=HTMLResponse)
async def cancel_work(request: Request, game: str, job: str, ctx: Ctx) -> HTMLResponse:
    """Cancel one of the game's own background jobs, from the Forecast panel's queue."""
    live, who = _entered(ctx, request, game)
    await checked_form(ctx, request)
    require_control(who)
    lang = lang_of(request)
    try:
        await background.cancel(ctx, live, job[:32])
    except ApiError as exc:
        return _flash(ctx, request, False, exc.text(lang))
    return _flash(ctx, request, True, translations(lang).gettext(CANCELLED_WORK))


@router.post("/games/{game}/forecast/publish", response_class=HTMLResponse)
async def publish_forecast(request: Request, game: str, ctx: Ctx) -> HTMLResponse:
    """Tell everyone, or the chosen teams, the newest forecast of one outcome in words."""
    live, who = _entered(ctx, request, game)
    form = await checked_form(ctx, request)
    require_control(who)
    lang = lang_of(request)
    key = str(form.get("idempotency_key") or secrets.token_urlsafe(12))
    # teams ticked narrow it to them, whatever the audience says: never told more widely
    ticked = [str(t) for t in form.getlist("teams") if t]
    teams = ticked if ticked or form.get("audience") == "teams" else None
    try:
        outcome, text = await forecasts.publish(
            ctx,
            live,
            who,
            str(form.get("outcome", ""))[:64],
            teams,
            key,
            lang,
            str(form.get("forecast", ""))[:32] or None,
        )
    except ApiError as exc:
        return _flash(ctx, request, False, exc.text(lang))
    if outcome.status != 200:
        return _flash(ctx, request, False, error_text(outcome.body["error"], lang))
    gettext = translations(lang).gettext
    room = Room(live.game.view(who.seat), _seating(ctx, live, who), lang)
    whom = ", ".join(room.names.get(t, t) for t in teams) if teams else gettext(EVERYONE)
    return _flash(ctx, request, True, gettext(PUBLISHED) % {"text": text, "teams": whom})


@router.post("/games/{game}/name", response_class=HTMLResponse)
async def name(request: Request, game: str, ctx: Ctx) -> HTMLResponse:
    """The name a person gives when they first open their link."""
    _live, who = _entered(ctx, request, game)
    form = await checked_form(ctx, request)
    lang = lang_of(request)
    try:
        person = await service.rename(ctx, who, str(form.get("person", "")))
    except ApiError as exc:
        return _flash(ctx, request, False, exc.text(lang))
    response = _flash(ctx, request, True, translations(lang).gettext(NAMED) % {"person": person})
    response.headers["HX-Refresh"] = "true"  # the header and the room show the new name
    return response


@router.post("/games/{game}/draft", response_class=HTMLResponse)
async def draft(request: Request, game: str, ctx: Ctx) -> HTMLResponse:
    """The desk's "Draft with the model": the model's odds and rationale for an action,
    shown on the desk to accept or change (the request waits for the model; the
    server does not)."""
    live, who = _entered(ctx, request, game)
    form = await checked_form(ctx, request)
    require_umpire(who)
    outcome = await service.draft_odds(ctx, live, who, str(form.get("uid", ""))[:64])
    lang = lang_of(request)
    if outcome.status != 200:
        return _flash(ctx, request, False, error_text(outcome.body["error"], lang))
    fallback = outcome.body["fallback"]
    message = (
        "" if fallback is None else translations(lang).gettext(DRAFT_FAILED) % {"reason": fallback}
    )
    response = page(ctx, request, "flash.html", ok=fallback is None, message=message, link="")
    # the desk shows the draft: refresh the panel the form is in
    response.headers["HX-Trigger"] = "wc:refresh"
    return response


@router.post("/games/{game}/links", response_class=HTMLResponse)
async def links(request: Request, game: str, ctx: Ctx) -> HTMLResponse:
    live, who = _entered(ctx, request, game)
    form = await checked_form(ctx, request)
    if who.seat.kind != "control":
        raise ApiError(403, "control_only", "only control manages links")
    action = str(form.get("action", ""))
    seat_id = str(form.get("seat_id", ""))
    lang = lang_of(request)
    gettext = translations(lang).gettext
    made = None
    try:
        if action == "revoke":
            await service.revoke_link(ctx, game, seat_id)
            row = ctx.store.seat(seat_id)
            whose = row.person if row is not None else ""
            return _flash(ctx, request, True, gettext(LINK_REVOKED) % {"person": whose})
        if action == "reissue":
            made = await service.reissue_link(ctx, game, seat_id)
        elif action == "add":
            made = await service.add_link(
                ctx,
                live,
                str(form.get("seat", "")),
                str(form.get("person", "")),
                form.get("lead") == "on",
            )
    except ApiError as exc:
        return _flash(ctx, request, False, exc.text(lang))
    if made is None:
        raise ApiError(422, "bad_form", "choose add, revoke or reissue")
    seat = Room(live.game.view(who.seat), _seating(ctx, live, who), lang).seat_name(made.seat)
    message = gettext(LINK_MADE) % {"person": made.person, "seat": seat}
    link = f"{str(request.base_url).rstrip('/')}/join/{made.token}"
    return page(ctx, request, "flash.html", ok=True, message=message, link=link)


@router.get("/games/{game}/export.{fmt}")
def export_log(request: Request, game: str, fmt: str, ctx: Ctx) -> Response:
    live, who = _entered(ctx, request, game)
    if who.seat.kind != "control":
        raise ApiError(403, "control_only", "only control exports the log")
    if fmt not in FORMATS:
        raise ApiError(404, "no_format", "export as csv, xlsx or jsonl")
    return Response(
        export(live.scenario, live.state.events, fmt),
        media_type=FORMATS[fmt],
        headers=attachment(game, fmt),
    )


@router.get("/games/{game}/report")
async def report(request: Request, game: str, ctx: Ctx) -> Response:
    """The after-action report: control's in full at any time (or the public version,
    to preview it), every other seat's the public version once the game has ended."""
    # a first visit reads the caller from the store: not on the event loop
    live, who = await to_thread.run_sync(_entered, ctx, request, game)
    control = who.seat.kind == "control"
    fmt = report_option(request, "format", REPORT_FORMATS, "html")
    lang = report_option(request, "lang", LANGUAGES, lang_of(request))
    # players read the debrief once everything is revealed, else the secret-keeping version
    shown = "debrief" if live.game.view(who.seat).revealed else "public"
    audience = report_option(request, "audience", REPORT_AUDIENCES, "control" if control else shown)
    if not control:
        if audience == "control":
            require_control(who)
        if not live.state.ended:
            raise Refusal(403, "report_not_yet", REPORT_NOT_YET)
        if audience == "debrief" and not live.game.view(who.seat).revealed:
            raise Refusal(403, "debrief_not_yet", DEBRIEF_NOT_YET)
    events = await service.events_now(live)
    found = await debriefs.current(ctx, live)  # a finished game's debrief, or how far it is
    body = await reports.get(live, events, fmt, lang, audience, found)
    media_type, inline = REPORT_FORMATS[fmt]
    headers = {"Content-Security-Policy": REPORT_CSP, "Cache-Control": "private, no-store"}
    if not inline:
        name = f"{game}-report" if audience == "control" else f"{game}-{audience}-report"
        headers |= attachment(f"{name}-{lang}", fmt)
    return Response(body, media_type=media_type, headers=headers)


__all__ = ["router"]
