"""The same seed gives the same summary wherever the runs are played.

Real worker processes and a real local Ray instance: 200 runs in chunks of 16, so
thirteen chunks come back in whatever order the workers finish them.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from whitecell.ensemble.driver import run_ensemble, summary
from whitecell.ensemble.executors import (
    Executor,
    ExecutorError,
    InProcess,
    LocalProcesses,
    executor,
)
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


def test_ray_gives_the_in_process_summary(ukraine, reference, ray_instance):
    on_ray = executor("ray", 2)
    assert on_ray.name == "ray"
    report, arrived = played(ukraine, on_ray)
    assert sorted(arrived) == list(range(0, RUNS, CHUNK))
    assert report == reference
    assert ray_instance.is_initialized(), "an executor must not stop a Ray it did not start"


def closed_port() -> int:
    """A local port nothing listens on: bound once to learn it, then let go."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("address", "said"),
    [
        (lambda: f"127.0.0.1:{closed_port()}", "Connection refused"),
        (lambda: "a-cluster-without-a-port", "expected HOST:PORT"),
    ],
)
def test_a_ray_address_nobody_answers_at_fails_at_once(address, said) -> None:
    """Ray alone retries an unreachable cluster for minutes; the player hears in seconds."""
    where = address()
    started = time.monotonic()
    with pytest.raises(ExecutorError, match=f"cannot reach Ray at {where}: .*{said}"):
        executor("ray", 1, where)
    assert time.monotonic() - started < 10


# the server's background pool, from a process that is then killed without a chance to
# shut its pool down (SIGKILL): its workers must not outlive it
SERVER = """
import os, signal, sys
from whitecell.ensemble.executors import shared_pool
pool = shared_pool(1, nice=5)
print(pool.submit(os.getpid).result(), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is gone but for its entry


def test_a_background_worker_leaves_when_its_server_is_killed() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SERVER], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == -9, done.stderr
    worker = int(done.stdout.split()[0])
    deadline = time.monotonic() + 15
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(worker), f"worker {worker} outlived its server"
