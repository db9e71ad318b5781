"""Forecasts: from where a game stood at some event, how likely each outcome was, over many
forks played to the end with fresh dice (``fork``), in the ensemble summary's shape.

Run ``i`` of a forecast seeded ``seed`` forks with ``run_seed(seed, i)``: the forecast is
reproducible, shared out among workers in any way, and independent of the game's own
(secret) seed, which it never reads.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from whitecell.engine.events import Event, RoundClosed, RoundOpened
from whitecell.engine.state import State
from whitecell.ensemble.run import scenario_by, sorted_outcomes
from whitecell.ensemble.seeds import run_seed
from whitecell.ensemble.stats import wilson
from whitecell.escalation import escalation_index
from whitecell.fork import fork, play_on
from whitecell.forkpool import ForkPool, Forks
from whitecell.scenario.compiled import Scenario

FORMAT = "whitecell-forecast"
VERSION = 1
CHUNK = 50


@dataclass(frozen=True)
class ForkTask:
    """Forks ``start`` .. ``start + count - 1`` after ``events`` (the scenario by digest;
    its document travels with the task, learnt once per worker)."""

    document: dict[str, Any]
    digest: str
    events: tuple[Event, ...]
    seed: int
    start: int
    count: int


def run_forks(task: ForkTask) -> np.ndarray:
    """The outcomes of each fork of the task, one row per fork (booleans as 0/1), then, for
    a scenario with an escalation ladder, all teams' escalation index of each round (the
    rounds before the fork included: see :func:`escalation_columns`)."""
    scenario = scenario_by(task.digest, task.document)
    width = len(scenario.outcomes)
    extra = len(scenario.rounds) if scenario.scores_escalation else 0
    rows = np.empty((task.count, width + extra), dtype=np.float64)
    for row in range(task.count):
        seed = run_seed(task.seed, task.start + row)
        game = play_on(fork(scenario, task.events, seed), seed)
        rows[row, :width] = [float(v) for _, v in sorted_outcomes(scenario, game.state.outcomes)]
        if extra:
            actions = game.state.actions.values()
            rows[row, width:] = escalation_index(scenario, actions, extra).overall
    return rows


def tasks(scenario: Scenario, events: Sequence[Event], runs: int, seed: int) -> Iterator[ForkTask]:
    document = dict(scenario.document)
    kept = tuple(events)
    for start in range(0, runs, CHUNK):
        yield ForkTask(document, scenario.digest, kept, seed, start, min(CHUNK, runs - start))


def play_forks(
    scenario: Scenario,
    events: Sequence[Event],
    runs: int,
    seed: int,
    workers: int = 1,
    executor: str = "local",
    address: str | None = None,
    pool: Forks | None = None,
) -> np.ndarray:
    """Every fork's outcomes, in run order: here (1 worker), on ``workers`` local
    processes, or on Ray (``executor="ray"``); or on an open ``pool``."""
    chunks = list(tasks(scenario, events, runs, seed))
    if pool is None:
        with ForkPool(workers, executor, address) as own:
            parts = own.map(run_forks, chunks)
    else:
        parts = pool.map(run_forks, chunks)
    if not parts:
        return np.empty((0, len(scenario.outcomes)))
    return np.concatenate(parts)


def _r(x: float) -> float:
    return x if math.isnan(x) else round(x, 6)


def summarise(scenario: Scenario, rows: np.ndarray) -> dict[str, Any]:
    """Each yes/no outcome's probability with its Wilson 95% interval; numbers' mean and
    5/50/95 percentiles."""
    out: dict[str, Any] = {}
    n = len(rows)
    for j, outcome in enumerate(scenario.outcomes):
        column = rows[:, j] if n else np.empty(0)
        if outcome.is_bool:
            yes = int(column.sum())
            p, low, high = wilson(yes, n)
            out[outcome.id] = {"p": _r(p), "ci_low": _r(low), "ci_high": _r(high), "count": yes}
        elif n:
            out[outcome.id] = {
                "mean": _r(float(column.mean())),
                "std": _r(float(column.std(ddof=1))) if n > 1 else 0.0,
                "p5": _r(float(np.percentile(column, 5))),
                "p50": _r(float(np.percentile(column, 50))),
                "p95": _r(float(np.percentile(column, 95))),
            }
        else:
            out[outcome.id] = {"mean": None, "std": None}
    return out


def escalation_columns(scenario: Scenario, rows: np.ndarray) -> np.ndarray | None:
    """The escalation index columns of ``run_forks``' rows (None: the scenario has none)."""
    width, rounds = len(scenario.outcomes), len(scenario.rounds)
    if not scenario.scores_escalation or rows.ndim != 2 or rows.shape[1] != width + rounds:
        return None
    return rows[:, width:]


def summarise_escalation(scenario: Scenario, rows: np.ndarray) -> dict[str, Any]:
    """``{"escalation": ...}``: all teams' escalation index per round over the forks (mean
    and 5/25/50/75/95 percentiles, as ensembles give it) and over the whole game; ``{}``
    when the scenario has no ladder or there are no forks. Rounds before the fork are the
    game's own, the same in every fork."""
    index = escalation_columns(scenario, rows)
    if index is None or not len(index):
        return {}

    def spread(values: np.ndarray) -> dict[str, float]:
        out = {"mean": _r(float(values.mean()))}
        for q in (5, 25, 50, 75, 95):
            out[f"p{q}"] = _r(float(np.percentile(values, q, method="inverted_cdf")))
        return out

    return {
        "escalation": {
            "rounds": [{"round": r + 1, **spread(index[:, r])} for r in range(index.shape[1])],
            "total": spread(index.sum(axis=1)),
        }
    }


ENGINE = "engine"  # the actor of what follows from a command by itself (an inject, a roll)


def cut_after(events: Sequence[Event], seq: int) -> list[Event]:
    """The events up to number ``seq``, and what followed from it by itself (the inject a
    round's close fires, the roll an action's result makes): a fork never starts between
    a command and its consequences."""
    kept = [e for e in events if e.seq <= seq]
    for event in events[len(kept) :]:
        if event.actor != ENGINE:
            break
        kept.append(event)
    return kept


def cut_at_round(events: Sequence[Event], number: int) -> list[Event]:
    """The events up to the close of round ``number`` and its consequences (0: up to the
    opening of round 1, the game as it began); all of them if that round has not closed."""
    for event in events:
        if number == 0 and isinstance(event, RoundOpened):
            return [e for e in events if e.seq < event.seq]
        if isinstance(event, RoundClosed) and event.round == number:
            return cut_after(events, event.seq)
    return list(events)


def closed_rounds(events: Sequence[Event]) -> list[int]:
    return [e.round for e in events if isinstance(e, RoundClosed)]


def where(events: Sequence[Event]) -> dict[str, Any]:
    """Where a fork was made: after which event, in which round."""
    last = events[-1] if events else None
    return {
        "after_seq": last.seq if last is not None else None,
        "after_event": last.type if last is not None else None,
        "round": last.round if last is not None else 0,
        "events": len(events),
    }


def forecast(
    scenario: Scenario,
    events: Sequence[Event],
    runs: int,
    seed: int,
    workers: int = 1,
    executor: str = "local",
    address: str | None = None,
) -> dict[str, Any]:
    """The forecast from just after ``events``, in the ensemble summary's shape."""
    rows = play_forks(scenario, events, runs, seed, workers, executor, address)
    return {
        "format": FORMAT,
        "version": VERSION,
        "scenario": scenario.id,
        "scenario_digest": scenario.digest,
        "seed": seed,
        "runs": len(rows),
        "workers": workers,
        "executor": executor,
        "fork": where(events),
        "outcomes": summarise(scenario, rows),
        **summarise_escalation(scenario, rows),
    }


def forecast_state(state: State, runs: int, seed: int, workers: int = 1) -> dict[str, Any]:
    """The forecast from a live game's state: its events only (its seed stays unread)."""
    return forecast(state.scenario, state.events, runs, seed, workers)


__all__ = [
    "ForkTask",
    "closed_rounds",
    "cut_after",
    "cut_at_round",
    "forecast",
    "forecast_state",
    "play_forks",
    "run_forks",
    "summarise",
    "summarise_escalation",
    "where",
]
