"""The web application: middleware, error handlers, the API and page routers, OpenAPI;
the map of the package is in its ``__init__``."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from whitecell.live.broadcast import Listener
from whitecell.live.model_seats import ADVISOR_TOKENS, ModelConfig
from whitecell.live.workshop import DebriefPlan
from whitecell.llm.settings import ModelSettings, open_model
from whitecell.store.sql import Store
from whitecell.web import api, debriefs, forecasts, pages, studio_api, studio_pages, warmup
from whitecell.web.context import Context
from whitecell.web.errors import ApiError
from whitecell.web.ratelimit import RateLimit
from whitecell.web.render import error_page
from whitecell.web.security import SecurityHeaders

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


def create_app(
    store: Store,
    model: ModelConfig | None = None,
    *,
    rate_limits: bool = True,
    forecast_runs: int = forecasts.RUNS,
    debrief: DebriefPlan | None = DebriefPlan(),  # noqa: B008 (frozen: shared safely)
    warm_reports: bool = False,
) -> FastAPI:
    """The app over ``store``; ``model`` is the language model automated seats and the
    adjudicator desk's drafts may use (None: no model, only heuristic players);
    ``rate_limits`` guards the doors (signing in, join links) against guessing;
    ``forecast_runs``: the forks of the forecast made each time a round closes (0: none);
    ``debrief``: the work a finished game's debrief may take (None: no debriefs, the
    reports rank what decided a game by effect size); ``warm_reports``: a finished
    game's report made in the server's process before anyone asks (off by default: where
    many games end that nobody reads, such as games played through the API, it costs the
    live games CPU and memory for nothing)."""
    ctx = Context(store, model)
    if forecast_runs > 0:
        ctx.forecast_runs = forecast_runs
        ctx.hub.on_round_closed = forecasts.after_close(ctx)  # a forecast after each round
    ctx.debrief = debrief
    # when a game ends: its debrief, and (if asked) its report made before anyone asks
    ended = debriefs.after_end(ctx)
    ctx.hub.on_game_ended = warmup.after_end(ctx, ended) if warm_reports else ended

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        listener = None
        if store.shared:  # several server processes: hear what the others store
            listener = Listener(store.url, ctx.hub.notice, asyncio.get_running_loop())
            listener.start()
            await to_thread.run_sync(listener.ready.wait, 10)
        await to_thread.run_sync(ctx.hub.load_all)
        await ctx.hub.answer_pending()  # questions to advisors a stop left unanswered
        # what is loaded now lives as long as the server: keep it out of every collection
        gc.collect()
        gc.freeze()
        # the hot path makes many small objects and few cycles: collect less often, so a
        # full collection does not stall every stream in the middle of a class
        gc.set_threshold(50_000, 20, 100)
        yield
        await ctx.workshop.close()
        await ctx.hub.shutdown()
        if listener is not None:
            await to_thread.run_sync(listener.stop)

    app = _App(
        title="whitecell",
        summary="Crisis simulations and seminar wargames: the white cell's server.",
        version="1",
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    app.add_middleware(SecurityHeaders)
    if rate_limits:
        app.add_middleware(RateLimit)
    app.add_exception_handler(ApiError, _refused)
    app.add_exception_handler(RequestValidationError, _malformed)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(studio_api.router)
    app.include_router(studio_api.jobs)
    app.include_router(studio_pages.router)
    static = resources.files("whitecell.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    return app


class _App(FastAPI):
    def openapi(self) -> dict[str, Any]:
        """FastAPI's schema, with the errors the JSON API really answers: one shape for
        all (made on the first request for it, like FastAPI's own)."""
        if self.openapi_schema is None:
            self.openapi_schema = _openapi(self)
        return self.openapi_schema


async def _refused(request: Request, exc: Exception) -> Response:
    """A refusal: JSON for the API and for scripts, a page for a browser."""
    assert isinstance(exc, ApiError)
    if request.url.path.startswith(api.API) or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse(exc.body(), exc.status)
    return error_page(request, exc)


async def _malformed(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        f"{'.'.join(str(p) for p in e['loc'] if p != 'body')}: {e['msg']}" for e in exc.errors()
    ]
    return JSONResponse(
        {"error": {"code": "bad_request", "message": "; ".join(problems)[:2000]}}, 422
    )


def _openapi(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title, version=app.version, summary=app.summary, routes=app.routes
    )
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith(api.API):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, text in ERROR_STATUSES.items():
                responses[status] = {"description": text, **error}
    return schema


def app_from_environment() -> FastAPI:
    """The app for one of several server processes (``serve --workers``): the parent
    passes the database in WHITECELL_DB and has already migrated it."""
    store = Store(os.environ["WHITECELL_DB"])
    model = None
    if os.environ.get("WHITECELL_LLM_BASE_URL"):
        limit = os.environ.get("WHITECELL_LLM_MAX_TOKENS")
        settings = ModelSettings(
            base_url=os.environ["WHITECELL_LLM_BASE_URL"],
            model=os.environ["WHITECELL_LLM_MODEL"],
            api_key_env=os.environ.get("WHITECELL_LLM_API_KEY_ENV", "OPENAI_API_KEY"),
            max_tokens_per_game=int(limit) if limit else None,
            timeout=float(os.environ.get("WHITECELL_LLM_TIMEOUT", "60")),
        )
        advisors = os.environ.get("WHITECELL_ADVISOR_TOKENS")
        model = ModelConfig(
            open_model(settings),
            settings.max_tokens_per_game,
            int(advisors) if advisors else ADVISOR_TOKENS,
        )
    runs = os.environ.get("WHITECELL_FORECAST_RUNS")
    plays = int(os.environ.get("WHITECELL_DEBRIEF_RUNS") or DebriefPlan.typical_runs)
    return create_app(
        store,
        model,
        forecast_runs=int(runs) if runs else forecasts.RUNS,
        debrief=DebriefPlan(typical_runs=plays) if plays > 0 else None,
        warm_reports=os.environ.get("WHITECELL_WARM_REPORTS") == "1",
    )


__all__ = ["app_from_environment", "create_app"]
