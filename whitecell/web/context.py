"""Who is asking, in which game, in which language: what every route resolves first.

:class:`Context` is the server's shared state (store, hub, signing key, and a memory of
seat rows so that a known caller costs no database read). The functions below are the
request-level dependencies the API and the pages share.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from anyio import to_thread
from fastapi import Depends, Header, Request

from whitecell.engine.seats import CONTROL, Seat
from whitecell.live.hub import Hub, LiveGame
from whitecell.live.model_seats import ModelConfig
from whitecell.live.pace import noted
from whitecell.live.workshop import DebriefPlan, Workshop
from whitecell.store.jobs import Jobs
from whitecell.store.sql import SeatRow, Store, token_hash
from whitecell.web.auth import ACCOUNT_COOKIE, LANG_COOKIE, SEAT_COOKIE, Caller, Signer
from whitecell.web.drain import Drain
from whitecell.web.errors import UMPIRE_ONLY as UMPIRE_ONLY_TEXT
from whitecell.web.errors import ApiError, Refusal
from whitecell.web.i18n import pick

UMPIRES = ("control", "adjudicator")
ROWS_KEPT = 4096  # seat rows remembered: a few hundred classes' seats


class Context:
    """What the routes share: the store, the hub, the workshop, the signing key, and seat
    rows."""

    def __init__(self, store: Store, model: ModelConfig | None = None) -> None:
        self.store = store
        self.model = model
        self.hub = Hub(store, model)
        self.workshop = Workshop(Jobs(store))  # background work: trials and forecasts
        self.hub.listeners.append(noted(self.workshop.pace))  # it gives way to busy play
        self.forecast_runs = 1000  # forks of a live game's forecast (create_app sets it)
        self.debrief: DebriefPlan | None = None  # a finished game's debrief (None: off)
        self.debriefing = asyncio.Lock()  # a game's debrief looked for and begun at once
        # rounds closed whose forecasts are still to begin, and games ended whose debriefs
        # are (``web.forecasts``, ``web.debriefs``: set when those hooks are on)
        self.closes: Drain[str, Any] | None = None
        self.ends: Drain[str, Any] | None = None
        self.signer = Signer(store.secret())
        self.revoked: set[str] = set()  # seat rows revoked while streams are open
        self._rows: dict[str, SeatRow] = {}
        self._hashes: dict[str, str] = {}
        self._accounts: set[str] = set()
        self.replaced: set[str] = set()  # sessions of links that were reissued
        self.hub.on_seat = self.seat_changed
        self.hub.on_person = self.person_changed

    def shut_out(self, who: Caller) -> bool:
        """Whether an open stream's caller lost its link since it connected."""
        return who.seat_id in self.revoked or (who.session or "") in self.replaced

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

    def person_changed(self, seat_id: str) -> None:
        """A person named themselves in another server process: read their row again and
        tell the game's rooms here."""
        self.forget(seat_id)

        async def tell() -> None:
            fresh = await to_thread.run_sync(self.store.seat, seat_id)
            if fresh is not None:
                await self.hub.poke(fresh.game_id)

        self.hub.spawn(tell())

    # -- seat rows, remembered: every request looks its caller up -------------------------
    def row_by_token(self, token: str) -> SeatRow | None:
        seat_id = self._hashes.get(token_hash(token))
        if seat_id is not None and seat_id in self._rows:
            return self._rows[seat_id]
        row = self.store.seat_by_token(token)
        if row is not None:
            self.remember(row)
        return row

    def row(self, seat_id: str) -> SeatRow | None:
        found = self._rows.get(seat_id)
        if found is None:
            found = self.store.seat(seat_id)
            if found is not None:
                self.remember(found)
        return found

    def remember(self, row: SeatRow) -> None:
        """Keep ``row``; beyond ROWS_KEPT the row remembered longest ago is let go (it is
        read from the store again when its seat comes back), so a server that has seen
        years of classes does not keep every seat it ever served."""
        self.forget(row.id)
        self._rows[row.id] = row
        self._hashes[row.token_hash] = row.id
        while len(self._rows) > ROWS_KEPT:
            self.forget(next(iter(self._rows)))

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

    # -- callers ------------------------------------------------------------------------
    def caller_from_token(self, token: str) -> Caller:
        row = self.row_by_token(token)
        if row is None:
            raise ApiError(401, "unknown_token", "this link or token is not valid")
        if row.revoked:
            raise ApiError(401, "revoked", "this link was revoked by the white cell")
        return seat_caller(row)

    def caller_from_cookies(self, request: Request) -> Caller | None:
        session = self.signer.unsign(request.cookies.get(SEAT_COOKIE))
        if session:
            row = self.row(session.split(":", 1)[0])
            if row is not None and not row.revoked and row.session == session:
                return seat_caller(row)
        account_id = self.signer.unsign(request.cookies.get(ACCOUNT_COOKIE))
        if account_id and (account_id in self._accounts or self.store.account_exists(account_id)):
            self._accounts.add(account_id)
            return Caller(CONTROL, "control", True, None, account_id=account_id)
        return None

    def session_value(self, request: Request) -> str:
        return request.cookies.get(SEAT_COOKIE) or request.cookies.get(ACCOUNT_COOKIE) or ""

    def csrf_ok(self, request: Request, sent: object) -> bool:
        return sent == self.signer.csrf(self.session_value(request))


def seat_caller(row: SeatRow) -> Caller:
    return Caller(
        Seat.parse(row.seat),
        row.person,
        row.lead,
        row.game_id,
        seat_id=row.id,
        session=row.session,
    )


def context_of(request: Request) -> Context:
    ctx = request.app.state.ctx
    assert isinstance(ctx, Context)
    return ctx


async def _context(request: Request) -> Context:
    # async on purpose: FastAPI runs a plain ``def`` dependency in a worker thread, and
    # that hop would cost every request more than everything else here
    return context_of(request)


Ctx = Annotated[Context, Depends(_context)]


async def caller(request: Request, authorization: Annotated[str | None, Header()] = None) -> Caller:
    """The caller by bearer token or, for pages and browser scripts, by session cookie.
    Known callers resolve from memory; only a first visit reads the database."""
    ctx = context_of(request)
    if authorization:
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, "bad_authorization", "send 'Authorization: Bearer <token>'")
        if ctx.cached(token, None):
            return ctx.caller_from_token(token)
        return await to_thread.run_sync(ctx.caller_from_token, token)
    session = ctx.signer.unsign(request.cookies.get(SEAT_COOKIE))
    if ctx.cached(None, session):
        found = ctx.caller_from_cookies(request)
    else:
        found = await to_thread.run_sync(ctx.caller_from_cookies, request)
    if found is None:
        raise ApiError(401, "not_signed_in", "open your join link, or sign in as control")
    if request.method not in ("GET", "HEAD") and not ctx.csrf_ok(
        request, request.headers.get("x-csrf-token", "")
    ):
        raise ApiError(403, "csrf", "missing or wrong X-CSRF-Token for a cookie session")
    return found


CallerDep = Annotated[Caller, Depends(caller)]


def signed_in(ctx: Context, request: Request) -> Caller:
    """A page's caller, by session cookie only (pages never carry a bearer token)."""
    who = ctx.caller_from_cookies(request)
    if who is None:
        raise ApiError(401, "not_signed_in", "open your join link, or sign in as control")
    return who


def live_game(ctx: Context, game: str, who: Caller) -> LiveGame:
    """The game the caller asks for, if the caller may enter it (404 otherwise, so a seat
    cannot tell another game's id from a wrong one)."""
    # loaded from the store if it is not in memory (finished and let go, or created by
    # another server process)
    live = ctx.hub.find(game) if who.may_enter(game) else None
    if live is None:
        raise ApiError(404, "no_game", f"no game '{game}' for this seat")
    if ctx.shut_out(who):
        raise ApiError(401, "revoked", "this link was revoked by the white cell")
    return live


def require_control(who: Caller) -> None:
    if who.seat.kind != "control":
        raise ApiError(403, "control_only", "only the white cell's control seat may do this")


def require_umpire(who: Caller) -> None:
    if who.seat.kind not in UMPIRES:
        raise Refusal(403, "umpire_only", UMPIRE_ONLY_TEXT)


def require_account(who: Caller | None) -> str:
    """The control account's id: only a signed-in account creates games."""
    if who is None:
        raise ApiError(401, "not_signed_in", "sign in as control to create games")
    if who.account_id is None:
        raise ApiError(403, "account_only", "only a signed-in control account creates games")
    return who.account_id


def lang_of(request: Request) -> str:
    """The user's language: ``?lang=``, else the remembered choice, else the browser's."""
    return pick(
        request.query_params.get("lang") or request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def resume_after(header: str | None) -> int:
    """Where a reconnecting stream resumes (SSE's Last-Event-ID); nonsense starts over."""
    try:
        return max(int(header or 0), 0)
    except ValueError:
        return 0


__all__: list[str] = [
    "CallerDep",
    "Context",
    "Ctx",
    "caller",
    "context_of",
    "lang_of",
    "live_game",
    "require_account",
    "require_control",
    "require_umpire",
    "resume_after",
    "signed_in",
]
