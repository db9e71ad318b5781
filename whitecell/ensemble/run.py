"""Playing a chunk of an ensemble's runs: the work a worker does.

A task names the scenario (as its document, which workers compile once and keep),
the ensemble seed and a range of run indices. The result is compact arrays, not
games: outcomes, the variables after every round, the path each game took.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Any

import numpy as np

from whitecell.agents.language_model import ModelUnavailable
from whitecell.engine.game import Game
from whitecell.ensemble.seeds import run_seed
from whitecell.escalation import catalogue_weights, round_totals
from whitecell.play import GameStopped, play_game
from whitecell.scenario.compiled import Scenario
from whitecell.scenario.expr import TAKEN
from whitecell.scenario.load import scenario_from_document


@dataclass(frozen=True)
class Task:
    """Runs ``start`` .. ``start + count - 1`` of the scenario with ``digest``. The document
    travels with a task only when the worker cannot already have it (in-process)."""

    document: dict[str, Any] | None
    digest: str
    ensemble_seed: int
    start: int
    count: int
    models: Any = None  # ModelSettings when models play some seats (each run has its budget)


@dataclass
class Chunk:
    """The runs ``start`` .. ``start + count - 1``: arrays with one row per run."""

    start: int
    seeds: np.ndarray  # uint64 (n,)
    outcomes: np.ndarray  # float64 (n, outcomes); booleans as 0/1
    rounds: np.ndarray  # float32 (n, rounds, variables): values after each round closes
    paths: list[str]
    model_calls: int = 0
    model_tokens: int = 0
    model_fallbacks: int = 0
    # for the balance check: how often each catalogue action was taken and each clause signed
    actions: np.ndarray | None = None  # int32 (n, actions)
    clauses: np.ndarray | None = None  # int32 (n, clauses)
    # the escalation index of each round and team (see whitecell.escalation), and who
    # played each team: "heuristic" or "model" (the same in every run of an ensemble)
    escalation: np.ndarray | None = None  # float32 (n, rounds, teams)
    players: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.paths)


_SCENARIOS: dict[str, Scenario] = {}


def learn(document: dict[str, Any]) -> Scenario:
    """Compile a scenario once per process and keep it by digest."""
    scenario = scenario_from_document(document, "ensemble")
    _SCENARIOS[scenario.digest] = scenario
    return scenario


def scenario_of(task: Task) -> Scenario:
    return scenario_by(task.digest, task.document)


def scenario_by(digest: str, document: dict[str, Any] | None) -> Scenario:
    """The scenario with ``digest``, compiled once per process from ``document``."""
    found = _SCENARIOS.get(digest)
    if found is None:
        if document is None:
            raise RuntimeError(f"this worker was not given scenario {digest[:12]}")
        found = learn(document)
    return found


def game_path(game: Game) -> str:
    """The story of the agreements in one game: what was signed and broken, and when."""
    steps = []
    for rec in game.state.agreements.values():
        steps.append((rec.signed_round, 0, f"{rec.agreement} signed r{rec.signed_round}"))
        if not rec.in_force:
            steps.append((rec.broken_round or 0, 1, f"{rec.agreement} broken r{rec.broken_round}"))
    return " / ".join(text for _, _, text in sorted(steps)) or "no agreement"


def run_chunk(task: Task) -> Chunk:
    """Play the task's runs and return their results."""
    scenario = scenario_of(task)
    n, rounds, width = task.count, len(scenario.rounds), len(scenario.vars)
    seeds = np.empty(n, dtype=np.uint64)
    outcomes = np.empty((n, len(scenario.outcomes)), dtype=np.float64)
    values = np.empty((n, rounds, width), dtype=np.float32)
    paths: list[str] = []
    taken = np.zeros((n, len(scenario.actions)), dtype=np.int32)
    signed = np.zeros((n, len(scenario.clauses)), dtype=np.int32)
    action_ids = [a.id for a in scenario.actions]
    clause_column = {c: j for j, c in enumerate(scenario.clauses)}
    usage = [0, 0, 0]
    weights = catalogue_weights(scenario)
    team_column = {team: j for j, team in enumerate(scenario.team_ids)}
    escalation: list[list[float]] = []
    models: frozenset[str] = frozenset()
    for row in range(n):
        seed = run_seed(task.ensemble_seed, task.start + row)
        seeds[row] = seed
        snapshots: list[list[float]] = []

        def snapshot(g: Game, into: list[list[float]] = snapshots) -> None:
            into.append(list(g.state.v))

        cast = _cast(scenario, task.models, seed, usage) if task.models is not None else None
        try:
            game = play_game(scenario, seed, after_round=snapshot, cast=cast)
        except GameStopped as exc:
            raise ModelUnavailable(f"run {task.start + row}: {exc.reason}") from None
        values[row] = snapshots
        outcomes[row] = [float(v) for _, v in sorted_outcomes(scenario, game.state.outcomes)]
        paths.append(game_path(game))
        counts(game, action_ids, clause_column, taken[row], signed[row])
        if weights:
            escalation.append(
                round_totals(weights, team_column, game.state.actions.values(), rounds)
            )
        if cast is not None:
            models = frozenset(cast.players)
            _count(game, usage)
    calls, tokens, fallbacks = usage
    players = tuple("model" if team in models else "heuristic" for team in scenario.team_ids)
    return Chunk(
        task.start,
        seeds,
        outcomes,
        values,
        paths,
        calls,
        tokens,
        fallbacks,
        taken,
        signed,
        np.array(escalation, dtype=np.float32).reshape(n, rounds, len(team_column))
        if weights
        else None,
        players,
    )


def counts(
    game: Game,
    action_ids: list[str],
    clause_column: dict[str, int],
    taken: np.ndarray,
    signed: np.ndarray,
) -> None:
    """Read from the final state: each catalogue action's times taken, each clause's times
    signed (into one row of each array)."""
    action_counts = game.state.action_counts
    for j, action in enumerate(action_ids):
        taken[j] = action_counts[action][TAKEN]
    for rec in game.state.agreements.values():
        for clause in rec.clauses:
            signed[clause_column[clause]] += 1


_MODELS: dict[Any, Any] = {}  # one client per worker process and settings


def _cast(scenario: Scenario, settings: Any, seed: int, usage: list[int]) -> Any:
    """The models' seats for one run; a server that stops answering stops the ensemble
    (as a plain exception the parent can receive), keeping the runs already finished."""
    from whitecell.llm.settings import build_cast, open_model

    model = _MODELS.get(settings)
    if model is None:
        model = _MODELS[settings] = open_model(settings)
    cast, _ = build_cast(scenario, settings, seed, scenario.languages[0], model=model)
    return cast


def _count(game: Game, usage: list[int]) -> None:
    from whitecell.engine import events as ev

    for e in game.events:
        if isinstance(e, ev.ModelCalled):
            usage[0] += 1
            usage[1] += e.prompt_tokens + e.completion_tokens
        elif isinstance(e, ev.ModelFellBack):
            usage[2] += 1


def sorted_outcomes(scenario: Scenario, outcomes: dict[str, Any] | None) -> list[tuple[str, Any]]:
    """Outcomes in the scenario's order (how every array of an ensemble is laid out)."""
    got = outcomes or {}
    return [(o.id, got[o.id]) for o in scenario.outcomes]


def worker_setup(document: dict[str, Any] | None = None) -> None:
    """In each worker: leave Ctrl-C to the parent, learn the scenario once, and collect
    garbage less often (a game makes many short-lived objects and few cycles)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if document is not None:
        learn(document)
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
