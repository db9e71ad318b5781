"""Who plays which seat, from the command line: ``--agent usa=llm --agent '*=heuristic'``,
``--adjudicator rules|llm`` and the model server's settings, checked before a game
starts, with a message that says what is allowed."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from whitecell.agents.heuristic import HeuristicAgent
from whitecell.agents.language_model import Budget, LanguageModel
from whitecell.agents.llm import ModelAdjudicator, ModelPlayer
from whitecell.agents.seating import Cast
from whitecell.engine import events as ev
from whitecell.scenario.compiled import Scenario

SEAT_KINDS = ("heuristic", "llm")
ADJUDICATORS = ("rules", "matrix", "llm")


class SettingsError(ValueError):
    """Settings that cannot seat the players asked for, and why."""


@dataclass(frozen=True)
class ModelSettings:
    agents: tuple[str, ...] = ()
    adjudicator: str = "rules"
    base_url: str | None = None
    model: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    max_tokens_per_game: int | None = None
    replay: Path | None = None
    timeout: float = 60.0
    attempts: int = 4

    @property
    def wanted(self) -> bool:
        return self.adjudicator == "llm" or any(s.split("=", 1)[-1] == "llm" for s in self.agents)


def seat_kinds(sc: Scenario, specs: Sequence[str]) -> dict[str, str]:
    """Each team's kind of player: later specs win, ``*`` names every team."""
    kinds = dict.fromkeys(sc.team_ids, "heuristic")
    explicit: dict[str, str] = {}
    default = None
    for spec in specs:
        team, sep, kind = spec.partition("=")
        if not sep or not team or kind not in SEAT_KINDS:
            raise SettingsError(
                f"--agent {spec!r}: write TEAM=KIND, KIND one of {', '.join(SEAT_KINDS)} "
                "(TEAM may be '*' for every other team)"
            )
        if team == "*":
            default = kind
        elif team not in sc.team:
            raise SettingsError(
                f"--agent {spec!r}: no team '{team}' in {sc.id} (teams: {', '.join(sc.team_ids)})"
            )
        else:
            explicit[team] = kind
    for team in kinds:
        kinds[team] = explicit.get(team, default or "heuristic")
    return kinds


def open_model(settings: ModelSettings) -> LanguageModel:
    """The model the settings name: a recorded game's answers, or a server."""
    if settings.replay is not None:
        from whitecell.engine.log import LogError, parse_log
        from whitecell.llm.replay import ReplayModel

        try:
            text = settings.replay.read_text(encoding="utf-8")
            log = parse_log(text, str(settings.replay))
        except OSError as exc:
            raise SettingsError(f"cannot read {settings.replay}: {exc.strerror or exc}") from None
        except LogError as exc:
            raise SettingsError(str(exc)) from None
        model = ReplayModel(log.events, str(settings.replay))
        if not model.recorded:
            raise SettingsError(f"{settings.replay} holds no recorded model answers to replay")
        return model
    if not settings.base_url or not settings.model:
        raise SettingsError(
            "a language-model seat needs --llm-base-url and --llm-model (or --llm-replay LOG)"
        )
    from whitecell.llm.client import OpenAIModel

    return OpenAIModel(
        settings.base_url,
        settings.model,
        api_key=os.environ.get(settings.api_key_env),
        timeout=settings.timeout,
        attempts=settings.attempts,
    )


def build_cast(
    sc: Scenario, settings: ModelSettings, seed: int, lang: str, model: LanguageModel | None = None
) -> tuple[Cast | None, Budget]:
    """The cast for one game; ``model`` shares one client between games (ensembles)."""
    from whitecell.play import agent_rng

    budget = Budget(settings.max_tokens_per_game)
    if settings.adjudicator not in ADJUDICATORS:
        raise SettingsError(
            f"--adjudicator {settings.adjudicator!r} (allowed: {', '.join(ADJUDICATORS)})"
        )
    kinds = seat_kinds(sc, settings.agents)
    if not settings.wanted:
        return (Cast(lang=lang, matrix=True) if settings.adjudicator == "matrix" else None), budget
    model = model or open_model(settings)
    players = {
        team: ModelPlayer(
            team, model, HeuristicAgent(sc, team, agent_rng(seed, team)), budget, lang
        )
        for team, kind in kinds.items()
        if kind == "llm"
    }
    adjudicator = ModelAdjudicator(model, budget, lang) if settings.adjudicator == "llm" else None
    matrix = settings.adjudicator == "matrix"
    return Cast(players=players, adjudicator=adjudicator, lang=lang, matrix=matrix), budget


@dataclass
class Usage:
    calls: int = 0
    retries: int = 0
    fallbacks: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


def usage(events: Sequence[ev.Event]) -> dict[str, Usage]:
    """Model calls, retries, fallbacks and tokens per seat, from a game's log."""
    out: dict[str, Usage] = {}
    for e in events:
        if isinstance(e, ev.ModelCalled):
            u = out.setdefault(e.subject, Usage())
            u.calls += 1
            u.retries += e.attempt > 1
            u.prompt_tokens += e.prompt_tokens
            u.completion_tokens += e.completion_tokens
        elif isinstance(e, ev.ModelFellBack):
            out.setdefault(e.subject, Usage()).fallbacks += 1
    return out
