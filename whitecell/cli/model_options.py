"""The language-model options that play, ensemble and serve share, and the settings that
play and ensemble build from them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

AgentOption = Annotated[
    list[str] | None,
    typer.Option(
        "--agent",
        help="Who plays a team: TEAM=heuristic or TEAM=llm; TEAM '*' is every other team.",
    ),
]
AdjudicatorOption = Annotated[str, typer.Option(help="rules (default), matrix or llm.")]
BaseUrlOption = Annotated[
    str | None, typer.Option(help="An OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1.")
]
ModelOption = Annotated[str | None, typer.Option(help="The model's name on that server.")]
KeyEnvOption = Annotated[
    str, typer.Option(help="The environment variable holding the API key (never logged).")
]
TimeoutOption = Annotated[
    float, typer.Option(min=0.1, help="Seconds to wait for one answer before retrying.")
]


def _model_settings(
    agent: list[str] | None,
    adjudicator: str,
    llm_base_url: str | None,
    llm_model: str | None,
    llm_api_key_env: str,
    max_tokens: int | None,
    llm_replay: Path | None,
    llm_timeout: float,
) -> Any:
    """One ModelSettings from the command's options, so play and ensemble read them alike."""
    from whitecell.llm.settings import ModelSettings

    return ModelSettings(
        agents=tuple(agent or ()),
        adjudicator=adjudicator,
        base_url=llm_base_url,
        model=llm_model,
        api_key_env=llm_api_key_env,
        max_tokens_per_game=max_tokens,
        replay=llm_replay,
        timeout=llm_timeout,
    )
