"""The serve command: the web app for live games, on one process or several, optionally
with a language model for model players and the adjudicator desk."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from rich.markup import escape

from whitecell.cli.common import _fail, app, out
from whitecell.cli.model_options import BaseUrlOption, KeyEnvOption, ModelOption, TimeoutOption


def _serve_model(
    base_url: str | None,
    model: str | None,
    api_key_env: str,
    max_tokens: int | None,
    timeout: float,
    advisor_tokens: int | None = None,
) -> Any:
    """The server's language model (one client for every game), or None without one. The
    API key is read from ``$api_key_env`` by the client and never printed."""
    if base_url is None and model is None:
        return None
    if not base_url or not model:
        raise _fail("a language model needs both --llm-base-url and --llm-model")
    from whitecell.live.model_seats import ADVISOR_TOKENS, ModelConfig
    from whitecell.llm.settings import ModelSettings, SettingsError, open_model

    settings = ModelSettings(
        base_url=base_url,
        model=model,
        api_key_env=api_key_env,
        max_tokens_per_game=max_tokens,
        timeout=timeout,
    )
    try:
        client = open_model(settings)
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    key = "" if os.environ.get(api_key_env) else f" (no API key: ${api_key_env} is not set)"
    limit = f", at most {max_tokens:,} tokens a game" if max_tokens else ""
    out.print(f"language model: {escape(model)} at {escape(base_url)}{limit}{escape(key)}")
    advisors = advisor_tokens or ADVISOR_TOKENS
    out.print(f"advisors: at most {advisors:,} tokens a team per game")
    return ModelConfig(client, max_tokens, advisors)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    db: Annotated[str, typer.Option(help="Database URL.")] = "sqlite:///whitecell.db",
    demo: Annotated[
        bool, typer.Option(help="Also create a demo game and print its links.")
    ] = False,
    control_password_env: Annotated[
        str | None,
        typer.Option(help="Set the first control password from this environment variable."),
    ] = None,
    llm_base_url: BaseUrlOption = None,
    llm_model: ModelOption = None,
    llm_api_key_env: KeyEnvOption = "OPENAI_API_KEY",
    llm_max_tokens_per_game: Annotated[
        int | None,
        typer.Option(
            min=1, help="Tokens the models may spend per game; then heuristic players finish."
        ),
    ] = None,
    llm_timeout: TimeoutOption = 60.0,
    advisor_tokens_per_team: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Tokens each team's model advisors may spend per game (default 50,000); "
            "then a team's free-text questions are refused (the three best moves still work).",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(min=1, max=64, help="Server processes (more than one needs PostgreSQL)."),
    ] = 1,
    forecast_runs: Annotated[
        int,
        typer.Option(
            min=0,
            max=100_000,
            help="Automated plays of the forecast made in the background each time a round "
            "closes, for the control room (0: none; control may still recompute one).",
        ),
    ] = 1000,
    debrief_runs: Annotated[
        int,
        typer.Option(
            min=0,
            max=100_000,
            help="Automated plays of a scenario that a finished game's debrief compares it "
            "with, played once per scenario in the background (0: no debriefs; the reports "
            "then rank what decided a game by effect size).",
        ),
    ] = 2000,
    warm_reports: Annotated[
        bool,
        typer.Option(
            "--warm-reports",
            help="Make a finished game's report as the game ends, so the first reader "
            "finds it made (costs the server a second of CPU a game, for games nobody "
            "may read too).",
        ),
    ] = False,
) -> None:
    """Serve the web app: control room, adjudicator desk, team rooms, live updates. With
    --llm-base-url and --llm-model, control may seat language-model players and the
    adjudicator desk may draft odds with the model."""
    import anyio
    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from whitecell.store.sql import Store
    from whitecell.web.app import create_app
    from whitecell.web.auth import hash_password
    from whitecell.web.context import Context
    from whitecell.web.service import CreateGame, create_game

    model = _serve_model(
        llm_base_url,
        llm_model,
        llm_api_key_env,
        llm_max_tokens_per_game,
        llm_timeout,
        advisor_tokens_per_team,
    )
    try:
        store = Store(db)
        store.migrate()
    except (SQLAlchemyError, ValueError) as exc:
        raise _fail(f"cannot open the database {db}: {exc}") from None
    if workers > 1 and not store.shared:
        raise _fail(
            "several server processes need PostgreSQL (--db postgresql://...): "
            "a SQLite file is served by one process"
        )
    base = f"http://{host}:{port}"
    if store.account_count() == 0:
        password = os.environ.get(control_password_env or "", "") if control_password_env else ""
        if control_password_env and len(password) < 10:
            raise _fail(f"${control_password_env} must hold a password of at least 10 characters")
        if not password and demo:
            import secrets

            password = secrets.token_urlsafe(12)
            out.print(
                f"control account: name [bold]control[/bold], password [bold]{password}[/bold]"
            )
        if password:
            store.create_account("control", hash_password(password))
        else:
            out.print(f"First start: open {base}/ to set the control password.")
    from whitecell.live.workshop import DebriefPlan

    plan = DebriefPlan(typical_runs=debrief_runs) if debrief_runs > 0 else None
    app_ = create_app(
        store, model, forecast_runs=forecast_runs, debrief=plan, warm_reports=warm_reports
    )
    if demo:
        ctx = app_.state.ctx
        assert isinstance(ctx, Context)

        async def make_demo() -> dict[str, Any]:
            # no title: each reader sees the scenario's own, in their language
            body = CreateGame(scenario="ukraine-ceasefire-2025")
            return await create_game(ctx, body, None)

        created = anyio.run(make_demo)
        out.print(f"demo game {created['game']}: one link per seat")
        for link in created["links"]:
            typer.echo(f"{link['seat']} {base}{link['link']}")
    if workers == 1:
        out.print(f"serving on {base} (Ctrl-C stops)")
        uvicorn.run(app_, host=host, port=port, log_level="warning")
        return
    store.close()
    os.environ["WHITECELL_DB"] = store.url
    os.environ["WHITECELL_FORECAST_RUNS"] = str(forecast_runs)
    os.environ["WHITECELL_DEBRIEF_RUNS"] = str(debrief_runs)
    os.environ["WHITECELL_WARM_REPORTS"] = "1" if warm_reports else "0"
    if model is not None:
        os.environ["WHITECELL_LLM_BASE_URL"] = llm_base_url or ""
        os.environ["WHITECELL_LLM_MODEL"] = llm_model or ""
        os.environ["WHITECELL_LLM_API_KEY_ENV"] = llm_api_key_env
        os.environ["WHITECELL_LLM_TIMEOUT"] = str(llm_timeout)
        if llm_max_tokens_per_game:
            os.environ["WHITECELL_LLM_MAX_TOKENS"] = str(llm_max_tokens_per_game)
        if advisor_tokens_per_team:
            os.environ["WHITECELL_ADVISOR_TOKENS"] = str(advisor_tokens_per_team)
    out.print(f"serving on {base} with {workers} processes (Ctrl-C stops)")
    _serve_processes(host, port, workers)


def _serve_processes(host: str, port: int, workers: int) -> None:
    """uvicorn's supervisor over ``workers`` processes sharing one listening socket. The
    socket gets TCP_NODELAY before the processes inherit it: a socket handed to a worker
    otherwise answers every second request on a connection 40 ms late (Nagle's algorithm
    meets the client's delayed acknowledgement)."""
    import socket

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        "whitecell.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )
    sock = config.bind_socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(config, sockets=[sock]).run()
