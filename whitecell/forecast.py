"""Forecasts: from where a game stood at some event, how likely each outcome was, over many
forks played to the end with fresh dice (``fork``), in the ensemble summary's shape.

Run ``i`` of a forecast seeded ``seed`` forks with ``run_seed(seed, i)``: the forecast is
reproducible, shared out among workers in any way, and independent of the game's own
(secret) seed, which it never reads.
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from whitecell.engine.events import Event, RoundClosed, RoundOpened
from whitecell.engine.state import State
from whitecell.ensemble.executors import ExecutorError, start_ray
from whitecell.ensemble.run import learn, scenario_by, sorted_outcomes, worker_setup
from whitecell.ensemble.seeds import run_seed
from whitecell.ensemble.stats import wilson
from whitecell.fork import fork, play_on
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
    """The outcomes of each fork of the task, one row per fork (booleans as 0/1)."""
    scenario = scenario_by(task.digest, task.document)
    rows = np.empty((task.count, len(scenario.outcomes)), dtype=np.float64)
    for row in range(task.count):
        seed = run_seed(task.seed, task.start + row)
        game = play_on(fork(scenario, task.events, seed), seed)
        rows[row] = [float(v) for _, v in sorted_outcomes(scenario, game.state.outcomes)]
    return rows


def tasks(scenario: Scenario, events: Sequence[Event], runs: int, seed: int) -> Iterator[ForkTask]:
    document = dict(scenario.document)
    kept = tuple(events)
    for start in range(0, runs, CHUNK):
        yield ForkTask(document, scenario.digest, kept, seed, start, min(CHUNK, runs - start))


def _on_ray(chunks: list[ForkTask], workers: int, address: str | None) -> list[np.ndarray]:
    """The chunks played as Ray tasks (a cluster at ``address``, the Ray already running
    here, or a local one started for them and stopped after)."""
    try:
        import ray
    except ImportError:
        raise ExecutorError("forecasts on Ray need Ray: pip install 'whitecell[ray]'") from None
    started = start_ray(ray, workers, address)
    try:
        remote = ray.remote(num_cpus=1)(run_forks)
        return list(ray.get([remote.remote(task) for task in chunks]))
    finally:
        if started:
            ray.shutdown()


def play_forks(
    scenario: Scenario,
    events: Sequence[Event],
    runs: int,
    seed: int,
    workers: int = 1,
    executor: str = "local",
    address: str | None = None,
) -> np.ndarray:
    """Every fork's outcomes, in run order: here (1 worker), on ``workers`` local
    processes, or on Ray (``executor="ray"``)."""
    parts: dict[int, np.ndarray] = {}
    if executor == "ray":
        chunks = list(tasks(scenario, events, runs, seed))
        for task, rows in zip(chunks, _on_ray(chunks, workers, address), strict=True):
            parts[task.start] = rows
    elif workers <= 1 or executor == "inprocess":
        learn(dict(scenario.document))
        for task in tasks(scenario, events, runs, seed):
            parts[task.start] = run_forks(task)
    else:
        context = multiprocessing.get_context("spawn")
        with context.Pool(workers, initializer=worker_setup) as pool:
            chunks = list(tasks(scenario, events, runs, seed))
            for task, rows in zip(chunks, pool.imap(run_forks, chunks), strict=True):
                parts[task.start] = rows
    if not parts:
        return np.empty((0, len(scenario.outcomes)))
    return np.concatenate([parts[k] for k in sorted(parts)])


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
    "where",
]
