"""The compiled core is today's sources built with mypyc, and it passes the core's own
tests: the same rules, the same byte-identical logs for 1,000 seeds of both bundled
scenarios, the same forks, forecasts, ensembles and environment.

The build is real (mypyc and the machine's C compiler, about half a minute); the core's
tests run against it in a child process, as a user who sets WHITECELL_NATIVE would run.
A machine without a compiler skips these loudly, never under CI=true."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from whitecell.native import CORE, ENV, MANIFEST, check, python_tag, source_digest
from whitecell.native.build import build, requirements

ROOT = Path(__file__).resolve().parents[2]

# the core's tests: rules, identity of the logs, players, forks and what plays many games
CORE_TESTS = (
    "tests/engine",
    "tests/agents",
    "tests/adjudication",
    "tests/scenario/test_expr_reference.py",
    "tests/test_play.py",
    "tests/test_play_assessor.py",
    "tests/test_fork.py",
    "tests/test_turning.py",
    "tests/test_forecast.py",
    "tests/ensemble",
    "tests/env",
    "tests/selftest",
)


@pytest.fixture(scope="module")
def compiled_core(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lacking = requirements()
    if lacking:
        message = "the compiled core cannot be built here: " + "; ".join(lacking)
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI installs them: .ci/run)")
        pytest.skip(message)
    target = tmp_path_factory.mktemp("native") / "build"
    build(target)
    return target


def child_env(directory: Path) -> dict[str, str]:
    return {**os.environ, ENV: str(directory)}


def test_the_build_is_of_todays_sources_for_this_python(compiled_core: Path) -> None:
    manifest = json.loads((compiled_core / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["python"] == python_tag()
    assert {m: e["source_sha256"] for m, e in manifest["modules"].items()} == {
        m: source_digest(m) for m in CORE
    }
    assert sorted(check(compiled_core).files) == sorted(CORE)


def test_with_the_variable_set_every_core_module_runs_compiled(compiled_core: Path) -> None:
    code = (
        "import json, whitecell.play, whitecell.native as n\n"
        "from whitecell.cli.common import version\n"
        "print(json.dumps(n.compiled())); version()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=child_env(compiled_core),
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    listed, said = done.stdout.splitlines()
    assert json.loads(listed) == list(CORE)
    assert said.endswith("core: compiled)")


def test_the_compiled_core_passes_the_cores_tests(compiled_core: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *CORE_TESTS],
        capture_output=True,
        text=True,
        env=child_env(compiled_core),
        cwd=ROOT,
        timeout=1200,
    )
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert " passed" in summary and "skipped" not in summary, summary
    assert "running the core as Python" not in done.stderr  # it really ran compiled
