"""Running an ensemble: cut it into tasks, fold the chunks as they come back, stop cleanly.

Pure apart from the executor it is given: the caller supplies what happens to each
chunk (a progress bar, a Parquet file) through ``on_chunk``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from whitecell.agents.language_model import ModelUnavailable
from whitecell.ensemble.executors import Executor
from whitecell.ensemble.run import Chunk, Task
from whitecell.ensemble.stats import Aggregate, compare
from whitecell.scenario.compiled import Scenario

FORMAT = "whitecell-ensemble"
VERSION = 1
CHUNK = 64  # runs per task: about 130 ms of play, so a task is never mostly overhead


@dataclass
class Result:
    aggregate: Aggregate
    requested: int
    interrupted: bool
    stopped: str | None = None  # why the models' server stopped the ensemble, if it did
    models: dict[str, int] = field(default_factory=dict)  # calls, tokens, fallbacks


def tasks_for(
    scenario: Scenario,
    runs: int,
    seed: int,
    chunk: int = CHUNK,
    *,
    ship: bool = True,
    models: Any = None,
) -> Iterator[Task]:
    document = dict(scenario.document) if ship else None
    for start in range(0, runs, chunk):
        yield Task(document, scenario.digest, seed, start, min(chunk, runs - start), models)


def run_ensemble(
    scenario: Scenario,
    runs: int,
    seed: int,
    executor: Executor,
    on_chunk: Callable[[Chunk], None] | None = None,
    chunk: int = CHUNK,
    should_stop: Callable[[], bool] | None = None,
    models: Any = None,
) -> Result:
    """Play ``runs`` games. ``should_stop`` (checked between chunks) or Ctrl-C stops early,
    keeping every finished chunk."""
    aggregate = Aggregate(scenario)
    interrupted = False
    stopped: str | None = None
    models_used: dict[str, int] = {}
    try:
        executor.prepare(dict(scenario.document))
        tasks = tasks_for(scenario, runs, seed, chunk, ship=executor.ships_document, models=models)
        for done in executor.run(tasks):
            if on_chunk is not None:
                on_chunk(done)  # first the caller's copy (a file), then the statistics
            aggregate.add(done)
            for key, value in (
                ("calls", done.model_calls),
                ("tokens", done.model_tokens),
                ("fallbacks", done.model_fallbacks),
            ):
                models_used[key] = models_used.get(key, 0) + value
            if should_stop is not None and should_stop():
                interrupted = True
                break
    except KeyboardInterrupt:
        interrupted = True
    except ModelUnavailable as exc:  # the model server is gone: keep what finished
        interrupted, stopped = True, str(exc)
    finally:
        executor.close(interrupted=interrupted)
    return Result(aggregate, runs, interrupted, stopped, models_used)


def summary(
    base: Scenario,
    seed: int,
    executor: Executor,
    results: list[tuple[list[tuple[str, Any]], Scenario, Result]],
    settings: list[tuple[str, Any]] | None = None,
) -> dict[str, Any]:
    """The JSON summary of one ensemble, or of a sweep (one ensemble per combination);
    ``settings`` are the --set values every ensemble played with."""
    first_values, first_scenario, first = results[0]
    head = first.aggregate.summary()
    out: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "scenario": base.id,
        "scenario_digest": first_scenario.digest,
        "base_digest": base.digest,
        "seed": seed,
        "requested_runs": first.requested,
        "interrupted": any(r.interrupted for _, _, r in results),
        "executor": executor.name,
        "workers": executor.workers,
        "settings": {p: v for p, v in settings or []},
        **head,
    }
    used: dict[str, int] = {}
    for _, _, result in results:
        for key, value in result.models.items():
            used[key] = used.get(key, 0) + value
    if used:
        out["models"] = used
    if len(results) > 1 or first_values:
        sweep = []
        for values, scenario, result in results:
            part = result.aggregate.summary()
            sweep.append(
                {
                    "values": {p: v for p, v in values},
                    "scenario_digest": scenario.digest,
                    "interrupted": result.interrupted,
                    **part,
                    "change": compare(head, part),
                }
            )
        out["sweep"] = sweep
    return out
