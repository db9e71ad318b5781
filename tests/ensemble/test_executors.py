"""The same seed gives the same summary wherever the runs are played.

Real worker processes and a real local Ray instance: 200 runs in chunks of 16, so
thirteen chunks come back in whatever order the workers finish them.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from whitecell.ensemble.driver import run_ensemble, summary
from whitecell.ensemble.executors import Executor, InProcess, LocalProcesses, executor
from whitecell.ensemble.run import Chunk
from whitecell.scenario.compiled import Scenario

SEED, RUNS, CHUNK = 2024, 200, 16
WHERE = ("executor", "workers")


def played(scenario: Scenario, where: Executor) -> tuple[dict[str, Any], list[int]]:
    """The summary (without where it ran) and the order the chunks arrived in."""
    arrived: list[int] = []

    def on_chunk(chunk: Chunk) -> None:
        arrived.append(chunk.start)

    result = run_ensemble(scenario, RUNS, SEED, where, on_chunk, chunk=CHUNK)
    assert not result.interrupted
    report = summary(scenario, SEED, where, [([], scenario, result)])
    assert (report["executor"], report["workers"]) == (where.name, where.workers)
    return {k: v for k, v in report.items() if k not in WHERE}, arrived


@pytest.fixture(scope="module")
def reference(ukraine: Scenario) -> dict[str, Any]:
    report, arrived = played(ukraine, InProcess())
    assert arrived == list(range(0, RUNS, CHUNK))
    assert report["runs"] == RUNS
    assert report["distinct_paths"] > 1, "a summary worth comparing has several paths"
    return report


def test_two_local_worker_processes_give_the_in_process_summary(ukraine, reference):
    report, arrived = played(ukraine, LocalProcesses(2))
    assert sorted(arrived) == list(range(0, RUNS, CHUNK))
    assert report == reference


def test_the_local_executor_with_one_worker_plays_in_this_process(ukraine, reference):
    one = executor("local", 1)
    assert isinstance(one, InProcess)
    report, _ = played(ukraine, one)
    assert report == reference


@pytest.fixture(scope="module")
def ray_instance() -> Iterator[Any]:
    """One real local Ray instance (2 CPUs) for the whole module."""
    try:
        import ray
    except ImportError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Ray must be installed in CI (pip install -e '.[dev]'): {exc}")
        message = f"RAY IS NOT INSTALLED: the Ray executor is NOT tested here ({exc})"
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()


def test_ray_gives_the_in_process_summary(ukraine, reference, ray_instance):
    on_ray = executor("ray", 2)
    assert on_ray.name == "ray"
    report, arrived = played(ukraine, on_ray)
    assert sorted(arrived) == list(range(0, RUNS, CHUNK))
    assert report == reference
    assert ray_instance.is_initialized(), "an executor must not stop a Ray it did not start"
