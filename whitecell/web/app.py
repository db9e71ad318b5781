"""The web application: JSON API, live streams and pages over one Hub.

Every route resolves its caller (join-link token, session cookie or control
account) and every read goes through the engine's ``view`` for the caller's seat.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from anyio import to_thread
from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from whitecell.engine import events as ev
from whitecell.engine.log import dump_log
from whitecell.engine.seats import CONTROL, Seat
from whitecell.i18n import LANGUAGES, catalogue, t
from whitecell.live.broadcast import Listener
from whitecell.live.hub import Hub
from whitecell.live.model_seats import ModelConfig
from whitecell.scenario.library import UnknownScenario, resolve
from whitecell.scenario.load import ScenarioError, load_scenario_text
from whitecell.store.sql import SeatRow, Store, token_hash
from whitecell.web.auth import ACCOUNT_COOKIE, SEAT_COOKIE, Caller, Signer
from whitecell.web.commands import (
    MEMBER_TYPES,
    AssessBody,
    CommandBody,
    RuleByMatrixBody,
    SeatAgentBody,
    matrix_command,
    matrix_mismatch,
    to_command,
)
from whitecell.web.ratelimit import RateLimit

API = "/api/v1"
COMMANDS: TypeAdapter[Any] = TypeAdapter(CommandBody)
SECURITY_HEADERS = {
    # scripts and styles only from our own files: no inline code can run
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # join links carry their token in the path: never send it onwards
    "Referrer-Policy": "no-referrer",
}
STREAM_KEEPALIVE_S = 15.0


class SecurityHeaders:
    """Adds the security headers to every response, as plain ASGI: no extra task per
    request and nothing in the way of a long-lived event stream."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ApiError(Exception):
    """A request refused at the edge, with its message in every interface language."""

    def __init__(self, status: int, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.params = status, code, message, params

    def text(self, lang: str) -> str:
        key = f"web.{self.code}"
        return t(key, lang, **self.params) if key in catalogue() else self.message

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "messages": {lang: self.text(lang) for lang in LANGUAGES},
            }
        }


def error(status: int, code: str, message: str, **params: Any) -> ApiError:
    return ApiError(status, code, message, **params)


class Context:
    """What the routes share: the store, the hub, the signing key."""

    def __init__(self, store: Store, model: ModelConfig | None = None) -> None:
        self.store = store
        self.model = model
        self.hub = Hub(store, model)
        self.signer = Signer(store.secret())
        self.revoked: set[str] = set()  # seat rows revoked while streams are open
        self._rows: dict[str, SeatRow] = {}
        self._hashes: dict[str, str] = {}
        self._accounts: set[str] = set()
        self.replaced: set[str] = set()  # sessions of links that were reissued
        self.hub.on_seat = self.seat_changed

    def shut_out(self, who: Caller) -> bool:
        """Whether an open stream's caller lost its link since it connected."""
        return who.seat_id in self.revoked or (who.session or "") in self.replaced

    async def reissue(self, row: Any) -> str:
        """A new link for a seat row; the old link and every session it opened stop."""
        token = self.store.reissue(row.id)
        self.forget(row.id)
        self.replaced.add(row.session)
        await self.hub.poke(row.game_id)
        return token

    def seat_changed(self, seat_id: str) -> None:
        """Another server process revoked or reissued a link: shut out what it opened here."""
        old = self._rows.get(seat_id)
        if old is not None:
            self.replaced.add(old.session)
        self.forget(seat_id)

        async def recheck() -> None:
            fresh = await to_thread.run_sync(self.store.seat, seat_id)
            if fresh is not None and fresh.revoked:
                self.revoked.add(seat_id)
            if fresh is not None:
                await self.hub.poke(fresh.game_id)

        self.hub.spawn(recheck())

    # -- callers ---------------------------------------------------------------
    # -- seat rows, remembered: every request looks its caller up -------------------------
    def row_by_token(self, token: str) -> SeatRow | None:
        seat_id = self._hashes.get(token_hash(token))
        if seat_id is not None and seat_id in self._rows:
            return self._rows[seat_id]
        row = self.store.seat_by_token(token)
        if row is not None:
            self._remember(row)
        return row

    def row(self, seat_id: str) -> SeatRow | None:
        found = self._rows.get(seat_id)
        if found is None:
            found = self.store.seat(seat_id)
            if found is not None:
                self._remember(found)
        return found

    def _remember(self, row: SeatRow) -> None:
        self._rows[row.id] = row
        self._hashes[row.token_hash] = row.id

    def forget(self, seat_id: str) -> None:
        """A link changed (revoked, reissued): read it from the store next time."""
        row = self._rows.pop(seat_id, None)
        if row is not None:
            self._hashes.pop(row.token_hash, None)

    def cached(self, token: str | None, session: str | None) -> bool:
        """Whether the caller can be resolved without touching the database."""
        if token is not None:
            seat_id = self._hashes.get(token_hash(token))
            return seat_id is not None and seat_id in self._rows
        return session is None or session.split(":", 1)[0] in self._rows

    def caller_from_token(self, token: str) -> Caller:
        row = self.row_by_token(token)
        if row is None:
            raise error(401, "unknown_token", "this link or token is not valid")
        if row.revoked:
            raise error(401, "revoked", "this link was revoked by the white cell")
        return _seat_caller(row)

    def caller_from_cookies(self, request: Request) -> Caller | None:
        session = self.signer.unsign(request.cookies.get(SEAT_COOKIE))
        if session:
            row = self.row(session.split(":", 1)[0])
            if row is not None and not row.revoked and row.session == session:
                return _seat_caller(row)
        account_id = self.signer.unsign(request.cookies.get(ACCOUNT_COOKIE))
        if account_id and (account_id in self._accounts or self.store.account_exists(account_id)):
            self._accounts.add(account_id)
            return Caller(CONTROL, "control", True, None, account_id=account_id)
        return None

    def session_value(self, request: Request) -> str:
        return request.cookies.get(SEAT_COOKIE) or request.cookies.get(ACCOUNT_COOKIE) or ""


def _seat_caller(row: SeatRow) -> Caller:
    return Caller(
        Seat.parse(row.seat),
        row.person,
        row.lead,
        row.game_id,
        seat_id=row.id,
        session=row.session,
    )


def ctx_of(request: Request) -> Context:
    return request.app.state.ctx  # type: ignore[no-any-return]


async def caller(request: Request, authorization: Annotated[str | None, Header()] = None) -> Caller:
    """The caller by bearer token or, for pages and browser scripts, by session cookie.
    Known callers resolve from memory; only a first visit reads the database."""
    ctx = ctx_of(request)
    if authorization:
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise error(401, "bad_authorization", "send 'Authorization: Bearer <token>'")
        if ctx.cached(token, None):
            return ctx.caller_from_token(token)
        return await to_thread.run_sync(ctx.caller_from_token, token)
    session = ctx.signer.unsign(request.cookies.get(SEAT_COOKIE))
    if ctx.cached(None, session):
        found = ctx.caller_from_cookies(request)
    else:
        found = await to_thread.run_sync(ctx.caller_from_cookies, request)
    if found is None:
        raise error(401, "not_signed_in", "open your join link, or sign in as control")
    if request.method not in ("GET", "HEAD"):
        sent = request.headers.get("x-csrf-token", "")
        if sent != ctx.signer.csrf(ctx.session_value(request)):
            raise error(403, "csrf", "missing or wrong X-CSRF-Token for a cookie session")
    return found


Caller_ = Annotated[Caller, Depends(caller)]


def live_game(request: Request, game: str, who: Caller) -> Any:
    live = ctx_of(request).hub.games.get(game)
    if live is None and who.may_enter(game):
        live = ctx_of(request).hub.find(game)  # created by another server process
    if live is None or not who.may_enter(game):
        raise error(404, "no_game", f"no game '{game}' for this seat")
    if ctx_of(request).shut_out(who):
        raise error(401, "revoked", "this link was revoked by the white cell")
    return live


def require_control(who: Caller) -> None:
    if who.seat.kind != "control":
        raise error(403, "control_only", "only the white cell's control seat may do this")


class CreateGame(BaseModel):
    scenario: str = Field(description="A bundled scenario id, or a scenario's YAML text.")
    title: str = Field(default="", max_length=200)
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)
    people_per_team: int = Field(default=1, ge=1, le=12)
    adjudicators: int = Field(default=1, ge=1, le=6)


class NewSeat(BaseModel):
    seat: str = Field(max_length=80)
    person: str = Field(min_length=1, max_length=200)
    lead: bool = False


def create_app(
    store: Store, model: ModelConfig | None = None, *, rate_limits: bool = True
) -> FastAPI:
    """The app over ``store``; ``model`` is the language model automated seats and the
    adjudicator desk's drafts may use (None: no model, only heuristic players);
    ``rate_limits`` guards the doors (signing in, join links) against guessing."""
    ctx = Context(store, model)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        listener = None
        if store.shared:  # several server processes: hear what the others store
            listener = Listener(store.url, ctx.hub.notice, asyncio.get_running_loop())
            listener.start()
            await to_thread.run_sync(listener.ready.wait, 10)
        await to_thread.run_sync(ctx.hub.load_all)
        # what is loaded now lives as long as the server: keep it out of every collection
        gc.collect()
        gc.freeze()
        # the hot path makes many small objects and few cycles: collect less often, so a
        # full collection does not stall every stream in the middle of a class
        gc.set_threshold(50_000, 20, 100)
        yield
        await ctx.hub.shutdown()
        if listener is not None:
            await to_thread.run_sync(listener.stop)

    app = FastAPI(
        title="whitecell",
        summary="Crisis simulations and seminar wargames: the white cell's server.",
        version="1",
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]

    app.add_middleware(SecurityHeaders)
    if rate_limits:
        app.add_middleware(RateLimit)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        if request.url.path.startswith(API) or "text/html" not in request.headers.get("accept", ""):
            return JSONResponse(exc.body(), exc.status)
        from whitecell.web.pages import error_page  # pages import this module

        return error_page(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(p) for p in e['loc'] if p != 'body')}: {e['msg']}" for e in exc.errors()
        ]
        return JSONResponse(
            {"error": {"code": "bad_request", "message": "; ".join(problems)[:2000]}}, 422
        )

    # -- who am I --------------------------------------------------------------
    @app.get(f"{API}/me")
    def me(who: Caller_) -> dict[str, Any]:
        return {"game": who.game_id, "seat": str(who.seat), "person": who.person, "lead": who.lead}

    # -- games -----------------------------------------------------------------------
    @app.post(f"{API}/games", status_code=201)
    async def create_game(body: CreateGame, who: Caller_) -> dict[str, Any]:
        if who.account_id is None:
            raise error(403, "account_only", "only a signed-in control account creates games")
        return await create_game_from(ctx, body, who.account_id)

    @app.get(f"{API}/games")
    def list_games(who: Caller_) -> list[dict[str, Any]]:
        return [
            {
                "id": g.id,
                "title": g.title,
                "scenario": g.scenario.id,
                "round": g.state.round,
                "ended": g.state.ended,
            }
            for g in ctx.hub.games.values()
            if who.may_enter(g.id)
        ]

    @app.get(f"{API}/games/{{game}}/view")
    def game_view(request: Request, game: str, who: Caller_, lang: str = "en") -> dict[str, Any]:
        live = live_game(request, game, who)
        view = live.game.view(who.seat)
        data = view.to_dict(lang if lang in ("en", "ja") else "en")
        # matrix adjudication: the arguments made about each action the seat sees
        arguments = {a.uid: a.arguments for a in view.actions()}
        for entry in data["actions"]:
            entry["arguments"] = [
                {"team": team, "side": side, "text": text}
                for team, side, text in arguments.get(entry["uid"], ())
            ]
        data["game"] = live.id
        data["title"] = live.title
        data["person"] = who.person
        data["lead"] = who.lead
        return data

    @app.get(f"{API}/games/{{game}}/stream")
    async def stream(
        request: Request,
        game: str,
        who: Caller_,
        last_event_id: Annotated[str | None, Header()] = None,
        after: int | None = None,
    ) -> StreamingResponse:
        live = live_game(request, game, who)
        start = after if after is not None else _last_id(last_event_id)
        return StreamingResponse(
            _events(request, ctx, live, who, start),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @app.post(f"{API}/games/{{game}}/commands")
    async def command(
        request: Request,
        game: str,
        who: Caller_,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        live = live_game(request, game, who)
        if not idempotency_key or len(idempotency_key) > 200:
            raise error(
                400,
                "idempotency_key",
                "send an Idempotency-Key header (at most 200 "
                "characters) with every command, and the same one when you retry",
            )
        try:
            raw = await request.json()
        except ValueError:
            raise error(400, "bad_json", "the body is not JSON") from None
        outcome = await run_command(ctx, live, who, raw, idempotency_key)
        return JSONResponse(outcome.body, outcome.status)

    # -- seats and links (control) ------------------------------------------------
    @app.get(f"{API}/games/{{game}}/seats")
    def list_seats(request: Request, game: str, who: Caller_) -> list[dict[str, Any]]:
        live_game(request, game, who)
        require_control(who)
        return [
            {"id": s.id, "seat": s.seat, "person": s.person, "lead": s.lead, "revoked": s.revoked}
            for s in store.seats(game)
        ]

    @app.post(f"{API}/games/{{game}}/seats", status_code=201)
    def add_seat(request: Request, game: str, body: NewSeat, who: Caller_) -> dict[str, Any]:
        live = live_game(request, game, who)
        require_control(who)
        valid = {"control", "adjudicator", "observer"} | {
            f"team:{t}" for t in live.scenario.team_ids
        }
        if body.seat not in valid:
            raise error(
                422, "bad_seat", f"no seat {body.seat!r} (seats: {', '.join(sorted(valid))})"
            )
        seat_id, token = store.add_seat(game, body.seat, body.person, body.lead)
        return {"id": seat_id, "token": token, "link": f"/join/{token}"}

    @app.post(f"{API}/games/{{game}}/seats/{{seat_id}}/revoke")
    async def revoke(request: Request, game: str, seat_id: str, who: Caller_) -> dict[str, Any]:
        live_game(request, game, who)
        require_control(who)
        row = store.seat(seat_id)
        if row is None or row.game_id != game:
            raise error(404, "no_seat", f"no seat link {seat_id!r} in this game")
        store.revoke(seat_id)
        ctx.forget(seat_id)
        ctx.revoked.add(seat_id)
        await ctx.hub.poke(game)
        return {"id": seat_id, "revoked": True}

    @app.post(f"{API}/games/{{game}}/seats/{{seat_id}}/reissue")
    async def reissue(request: Request, game: str, seat_id: str, who: Caller_) -> dict[str, Any]:
        live_game(request, game, who)
        require_control(who)
        row = store.seat(seat_id)
        if row is None or row.game_id != game:
            raise error(404, "no_seat", f"no seat link {seat_id!r} in this game")
        token = await ctx.reissue(row)
        return {"id": seat_id, "token": token, "link": f"/join/{token}"}

    @app.post(f"{API}/games/{{game}}/actions/{{uid}}/draft")
    async def model_draft(request: Request, game: str, uid: str, who: Caller_) -> JSONResponse:
        """The language model's draft odds and rationale for an action, for an adjudicator
        (or control) to accept as they are or change; the exchange is kept in the log."""
        live = live_game(request, game, who)
        outcome = await draft_for(ctx, live, who, uid)
        return JSONResponse(outcome.body, outcome.status)

    @app.get(f"{API}/games/{{game}}/log")
    def log(request: Request, game: str, who: Caller_) -> Response:
        live = live_game(request, game, who)
        require_control(who)
        return Response(
            dump_log(live.scenario, live.state.events),
            media_type="application/x-ndjson",
            headers={"Content-Disposition": f'attachment; filename="{game}.jsonl"'},
        )

    from whitecell.web.pages import add_pages  # pages share this module's helpers

    add_pages(app, ctx)
    return app


def _last_id(header: str | None) -> int:
    try:
        return max(int(header or 0), 0)
    except ValueError:
        return 0


async def _events(
    request: Request, ctx: Context, live: Any, who: Caller, after: int
) -> AsyncIterator[str]:
    """Server-Sent Events for the caller's view: id is the event number, so a page that
    reconnects with Last-Event-ID misses nothing and sees nothing twice."""
    last = after
    yield "retry: 1000\n\n"
    while True:
        if ctx.shut_out(who) or await request.is_disconnected():
            return
        upto = live.state.seq  # events added while we are sending go out next time
        view = live.game.view(who.seat)
        for e in view.events(since=last):
            if e.seq > upto:
                break
            data = json.dumps(ev.event_to_dict(e), ensure_ascii=False)
            yield f"id: {e.seq}\nevent: {e.type}\ndata: {data}\n\n"
        last = upto
        if not await ctx.hub.wait(live.id, last, STREAM_KEEPALIVE_S):
            yield ": still here\n\n"


async def run_command(ctx: Context, live: Any, who: Caller, raw: Any, key: str) -> Any:
    """Validate a JSON command, check the caller may give it, and execute it once."""
    from whitecell.live.hub import Outcome

    try:
        body = COMMANDS.validate_python(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'type'}: {e['msg']}" for e in exc.errors()
        )
        refusal = error(422, "bad_command", problems[:2000], detail=problems[:2000])
        return Outcome(refusal.status, refusal.body())
    if who.seat.kind == "team" and not who.lead and body.type not in MEMBER_TYPES:
        refusal = error(403, "lead_only", "only your team's lead may do this; draft it instead")
        return Outcome(refusal.status, refusal.body())
    deadline = None
    minutes = getattr(body, "minutes", None)
    if minutes:
        deadline = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)).isoformat(
            timespec="seconds"
        )
    kind = "heuristic"
    if isinstance(body, SeatAgentBody):
        kind = body.kind
        if body.seated and kind == "llm" and ctx.model is None:
            return Outcome(422, no_model().body())
    if isinstance(body, AssessBody) and (odds := matrix_mismatch(live.state, body)) is not None:
        from whitecell.web.reports import Refusal

        refusal = Refusal(409, "matrix_odds", MATRIX_ODDS, odds=f"{odds:.6g}")
        return Outcome(refusal.status, refusal.body())
    if isinstance(body, RuleByMatrixBody):
        command = matrix_command(live.state, body, who.seat, who.person)
    else:
        command = to_command(body, who.seat, who.person, deadline)
    return await ctx.hub.execute(live.id, command, who.principal, key, kind)


def N_(message: str) -> str:
    """Marks interface text for the web catalogue (``locales/``); see ``reports.Refusal``."""
    return message


NO_MODEL = N_(
    "This server has no language model: start it with --llm-base-url and --llm-model "
    "to seat model players or draft odds with a model."
)
UMPIRE_ONLY = N_("Only an adjudicator or the white cell may do this.")
MATRIX_ODDS = N_(
    "Matrix odds are the base odds moved by the scenario's step for each strong "
    "argument: %(odds)s here."
)


def no_model() -> ApiError:
    from whitecell.web.reports import Refusal

    return Refusal(422, "no_model", NO_MODEL)


async def draft_for(ctx: Context, live: Any, who: Caller, uid: str) -> Any:
    """Ask the model for a draft assessment of ``uid`` on behalf of an umpire."""
    from whitecell.engine import commands as cmd
    from whitecell.engine.decide import decide
    from whitecell.engine.errors import RuleViolation
    from whitecell.live.hub import Outcome, rule_violation

    if who.seat.kind not in ("control", "adjudicator"):
        from whitecell.web.reports import Refusal

        refusal = Refusal(403, "umpire_only", UMPIRE_ONLY)
        return Outcome(refusal.status, refusal.body())
    if ctx.model is None:
        return Outcome(422, no_model().body())
    try:  # whether the action could be assessed now, by the rules' own words
        decide(live.state, cmd.Assess(seat=who.seat, uid=uid, probability=0.5))
    except RuleViolation as exc:
        return rule_violation(exc)
    draft = await ctx.hub.draft(live.id, uid, who.person)
    return Outcome(200, draft.to_dict())


async def create_game_from(
    ctx: Context, body: CreateGame, account_id: str | None, filename: str = "uploaded scenario"
) -> dict[str, Any]:
    """Create a game and its join links: control, adjudicators, team members, observer."""
    try:
        scenario = await to_thread.run_sync(_scenario_from, body.scenario, filename)
    except ScenarioError as exc:
        raise error(422, "bad_scenario", "\n".join(str(p) for p in exc.problems[:50])) from None
    except UnknownScenario as exc:
        raise error(422, "unknown_scenario", str(exc)) from None
    live = await ctx.hub.create(
        scenario, body.title or scenario.title.get("en", scenario.id), account_id, body.seed
    )
    links = []
    plan: list[tuple[str, str, bool]] = [("control", "White cell", True)]
    plan += [("adjudicator", f"Adjudicator {i + 1}", True) for i in range(body.adjudicators)]
    for team in scenario.team_ids:
        plan += [(f"team:{team}", f"{team} {i + 1}", i == 0) for i in range(body.people_per_team)]
    plan.append(("observer", "Observer", False))
    for seat, person, lead in plan:
        seat_id, token = await to_thread.run_sync(ctx.store.add_seat, live.id, seat, person, lead)
        links.append(
            {
                "id": seat_id,
                "seat": seat,
                "person": person,
                "lead": lead,
                "token": token,
                "link": f"/join/{token}",
            }
        )
    return {"game": live.id, "title": live.title, "links": links}


def _scenario_from(text: str, name: str = "uploaded scenario") -> Any:
    stripped = text.strip()
    if "\n" not in stripped and ":" not in stripped:
        return resolve(stripped)
    return load_scenario_text(text, name)


__all__ = ["ApiError", "Context", "create_app", "create_game_from", "run_command"]


def app_from_environment() -> FastAPI:
    """The app for one of several server processes (``serve --workers``): the parent
    passes the database in WHITECELL_DB and has already migrated it."""
    import os

    store = Store(os.environ["WHITECELL_DB"])
    model = None
    if os.environ.get("WHITECELL_LLM_BASE_URL"):
        from whitecell.llm.settings import ModelSettings, open_model

        limit = os.environ.get("WHITECELL_LLM_MAX_TOKENS")
        settings = ModelSettings(
            base_url=os.environ["WHITECELL_LLM_BASE_URL"],
            model=os.environ["WHITECELL_LLM_MODEL"],
            api_key_env=os.environ.get("WHITECELL_LLM_API_KEY_ENV", "OPENAI_API_KEY"),
            max_tokens_per_game=int(limit) if limit else None,
            timeout=float(os.environ.get("WHITECELL_LLM_TIMEOUT", "60")),
        )
        model = ModelConfig(open_model(settings), settings.max_tokens_per_game)
    return create_app(store, model)


ERROR_STATUSES = {
    "401": "No valid session or token, or a revoked link",
    "403": "Not for this seat, or a missing CSRF token",
    "404": "No such game (or not one this seat may enter)",
    "409": "A rule of the game refuses it",
    "422": "A malformed request",
    "429": "Too many attempts",
}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "messages": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, with the errors the JSON API really answers: one shape for all."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(
            title=app.title, version=app.version, summary=app.summary, routes=app.routes
        )
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        }
        for path, operations in schema.get("paths", {}).items():
            if not path.startswith(API):
                continue
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, text in ERROR_STATUSES.items():
                    responses[status] = {"description": text, **error}
        app.openapi_schema = schema
    return app.openapi_schema
