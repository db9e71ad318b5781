"""The JSON API, ``/api/v1``: every route a seat's token (or a browser's session) may call.

Each route resolves its caller, enters the game through :func:`live_game` (a game the
caller may not enter is a 404), and reads through the engine's ``view`` for the
caller's seat; what changes the game goes through :mod:`whitecell.web.service`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from whitecell.scenario.compiled import localize
from whitecell.web import background, forecasts, service
from whitecell.web import stream as live_stream
from whitecell.web.context import (
    CallerDep,
    Ctx,
    live_game,
    require_account,
    require_control,
    resume_after,
)
from whitecell.web.errors import ApiError
from whitecell.web.exports import FORMATS, attachment, export
from whitecell.web.service import CreateGame, NewSeat
from whitecell.web.stream import event_frames, sse

API = "/api/v1"
router = APIRouter(prefix=API)


@router.get("/me")
def me(who: CallerDep) -> dict[str, Any]:
    return {"game": who.game_id, "seat": str(who.seat), "person": who.person, "lead": who.lead}


# -- games ------------------------------------------------------------------------------


@router.post("/games", status_code=201)
async def create_game(body: CreateGame, who: CallerDep, ctx: Ctx) -> dict[str, Any]:
    return await service.create_game(ctx, body, require_account(who))


@router.get("/games")
def list_games(
    who: CallerDep,
    ctx: Ctx,
    response: Response,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """The games the caller may enter, newest first, a page at a time (the total in the
    ``X-Total-Count`` header): read from the store, no game is loaded to list it."""
    only = None if who.game_id is None else [who.game_id]
    listed, total = ctx.store.game_list(offset, limit, only)
    response.headers["X-Total-Count"] = str(total)
    return [
        {
            "id": g.id,
            "title": g.title or localize(g.scenario_title, "en"),
            "scenario": g.scenario_id,
            "round": g.round,
            "ended": g.ended,
        }
        for g in listed
    ]


@router.get("/games/{game}/view")
def game_view(game: str, who: CallerDep, ctx: Ctx, lang: str = "en") -> dict[str, Any]:
    live = live_game(ctx, game, who)
    view = live.game.view(who.seat)
    lang = lang if lang in ("en", "ja") else "en"
    data = view.to_dict(lang)
    # matrix adjudication: the arguments made about each action the seat sees
    arguments = {a.uid: a.arguments for a in view.actions()}
    for entry in data["actions"]:
        entry["arguments"] = [
            {"team": team, "side": side, "text": text}
            for team, side, text in arguments.get(entry["uid"], ())
        ]
    data["game"] = live.id
    data["title"] = live.title or localize(
        live.scenario.title, lang if lang in ("en", "ja") else "en"
    )
    data["person"] = who.person
    data["lead"] = who.lead
    return data


@router.get("/games/{game}/stream")
async def stream(
    request: Request,
    game: str,
    who: CallerDep,
    ctx: Ctx,
    last_event_id: Annotated[str | None, Header()] = None,
    after: int | None = None,
) -> StreamingResponse:
    live = live_game(ctx, game, who)
    start = after if after is not None else resume_after(last_event_id)
    return sse(live_stream.stream(request, ctx, live, who, start, event_frames))


@router.post("/games/{game}/commands")
async def command(
    request: Request,
    game: str,
    who: CallerDep,
    ctx: Ctx,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    live = live_game(ctx, game, who)
    key = service.check_key(idempotency_key)
    try:
        raw = await request.json()
    except ValueError:
        raise ApiError(400, "bad_json", "the body is not JSON") from None
    outcome = await service.run_command(ctx, live, who, raw, key)
    return JSONResponse(outcome.body, outcome.status)


@router.post("/games/{game}/actions/{uid}/draft")
async def model_draft(game: str, uid: str, who: CallerDep, ctx: Ctx) -> JSONResponse:
    """The language model's draft odds and rationale for an action, for an adjudicator
    (or control) to accept as they are or change; the exchange is kept in the log."""
    live = live_game(ctx, game, who)
    outcome = await service.draft_odds(ctx, live, who, uid)
    return JSONResponse(outcome.body, outcome.status)


@router.get("/games/{game}/log")
def log(game: str, who: CallerDep, ctx: Ctx) -> Response:
    live = live_game(ctx, game, who)
    require_control(who)
    return Response(
        export(live.scenario, live.state.events, "jsonl"),
        media_type=FORMATS["jsonl"],
        headers=attachment(game, "jsonl"),
    )


# -- forecasts (control) ----------------------------------------------------------------


@router.get("/games/{game}/forecast")
def forecast(game: str, who: CallerDep, ctx: Ctx) -> dict[str, Any]:
    """Control's forecasts of the game: ``latest`` (the newest finished one: each outcome's
    probability with its Wilson 95% interval, or mean and percentiles, in ``result``),
    ``running`` (one waiting or running, with its ``progress``), and ``rounds`` (each
    round's newest finished forecast, for the line over the rounds). Teams and observers
    are refused: they learn a figure only when control publishes it."""
    live = live_game(ctx, game, who)
    require_control(who)
    return forecasts.api_view(forecasts.forecasts_of(ctx, live.id))


@router.post("/games/{game}/forecast", status_code=202)
async def recompute_forecast(game: str, who: CallerDep, ctx: Ctx) -> dict[str, Any]:
    """A forecast from the game as it stands now, in the background (1,000 forks with a
    freshly drawn seed), superseding one still waiting or running; follow it here with
    GET."""
    live = live_game(ctx, game, who)
    require_control(who)
    job = await forecasts.begin(ctx, live, forecasts.DEMAND)
    return forecasts.forecast_view(job)


# -- the server's background work (control) -------------------------------------------


@router.get("/games/{game}/background")
def background_work(game: str, who: CallerDep, ctx: Ctx) -> dict[str, Any]:
    """The server's queue of background work: ``running`` and ``waiting`` (the longest
    waiting first, each with its ``place``), each job's ``kind`` and ``progress``; the
    ids of this game's own jobs (``this_game``), which may be cancelled. Other games' and
    designers' jobs show their kind only. ``paced``: live play is busy and the pool works
    at a fraction of a worker meanwhile."""
    live = live_game(ctx, game, who)
    require_control(who)
    return background.api_view(background.queue_of(ctx, live.id))


@router.delete("/games/{game}/background/{job}")
async def cancel_background_work(game: str, job: str, who: CallerDep, ctx: Ctx) -> dict[str, Any]:
    """Cancel one of this game's jobs (a forecast, its debrief) that has not finished; 404
    for a job of anything else, 409 once it had finished."""
    live = live_game(ctx, game, who)
    require_control(who)
    done = await background.cancel(ctx, live, job[:32])
    return {"id": done.id, "kind": done.kind, "status": done.status}


# -- seats and links (control) ----------------------------------------------------------


@router.get("/games/{game}/seats")
def list_seats(game: str, who: CallerDep, ctx: Ctx) -> list[dict[str, Any]]:
    live_game(ctx, game, who)
    require_control(who)
    return [
        {"id": s.id, "seat": s.seat, "person": s.person, "lead": s.lead, "revoked": s.revoked}
        for s in ctx.store.seats(game)
    ]


@router.post("/games/{game}/seats", status_code=201)
async def add_seat(game: str, body: NewSeat, who: CallerDep, ctx: Ctx) -> dict[str, Any]:
    live = live_game(ctx, game, who)
    require_control(who)
    link = await service.add_link(ctx, live, body.seat, body.person, body.lead)
    return {"id": link.id, "token": link.token, "link": link.path}


@router.post("/games/{game}/seats/{seat_id}/revoke")
async def revoke(game: str, seat_id: str, who: CallerDep, ctx: Ctx) -> dict[str, Any]:
    live_game(ctx, game, who)
    require_control(who)
    await service.revoke_link(ctx, game, seat_id)
    return {"id": seat_id, "revoked": True}


@router.post("/games/{game}/seats/{seat_id}/reissue")
async def reissue(game: str, seat_id: str, who: CallerDep, ctx: Ctx) -> dict[str, Any]:
    live_game(ctx, game, who)
    require_control(who)
    link = await service.reissue_link(ctx, game, seat_id)
    return {"id": seat_id, "token": link.token, "link": link.path}


__all__ = ["API", "router"]
