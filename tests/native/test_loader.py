"""A compiled core is used only when it is the build of today's sources for this Python;
otherwise whitecell says why in one line and runs the same modules as Python.

These tests need no compiler: they give the loader builds made of a manifest and empty
files (test_compiled_core.py builds the real thing)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from whitecell.native import (
    CORE,
    ENV,
    MANIFEST,
    Unusable,
    check,
    python_tag,
    source_digest,
    use,
)
from whitecell.native.build import requirements

ROOT = Path(__file__).resolve().parents[2]


def fake_build(directory: Path, **changes: object) -> Path:
    """A build's manifest and (empty) files for today's sources; ``changes`` alter it."""
    modules = {}
    for module in CORE:
        file = Path(*module.split(".")).with_suffix("")
        path = directory / f"{file}{python_tag()}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
        modules[module] = {
            "file": str(path.relative_to(directory)),
            "source_sha256": source_digest(module),
        }
    manifest: dict[str, object] = {"python": python_tag(), "modules": modules}
    manifest.update(changes)
    (directory / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return directory


def test_the_build_of_todays_sources_for_this_python_is_used_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_build(tmp_path / "native")
    monkeypatch.chdir(tmp_path)
    build = check(Path("native"))  # named from here, found from anywhere
    assert sorted(build.files) == sorted(CORE)
    assert all(path.is_absolute() for path in build.files.values())
    assert all(path.is_file() and path.name.endswith(python_tag()) for path in build.files.values())


def test_a_build_is_not_used_once_any_of_its_sources_has_changed(tmp_path: Path) -> None:
    fake_build(tmp_path)
    manifest = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    manifest["modules"]["whitecell.engine.decide"]["source_sha256"] = "0" * 64
    (tmp_path / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(
        Unusable, match=r"whitecell/engine/decide\.py changed since .* build it again"
    ):
        check(tmp_path)


def test_a_build_for_another_python_is_not_used(tmp_path: Path) -> None:
    fake_build(tmp_path, python=".cpython-39-x86_64-linux-gnu.so")
    with pytest.raises(Unusable, match=r"was built for '\.cpython-39-x86_64-linux-gnu\.so'"):
        check(tmp_path)


def test_a_missing_garbled_or_incomplete_build_says_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(
        Unusable, match=r"manifest\.json does not exist: build it with 'whitecell compile'"
    ):
        check(tmp_path)
    (tmp_path / MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(Unusable, match="cannot be read"):
        check(tmp_path)
    (tmp_path / MANIFEST).write_text("[]", encoding="utf-8")
    with pytest.raises(Unusable, match="is not a whitecell build manifest"):
        check(tmp_path)
    fake_build(tmp_path)
    next(iter(tmp_path.rglob(f"*{python_tag()}"))).unlink()
    with pytest.raises(Unusable, match="is missing: build it again"):
        check(tmp_path)
    manifest = json.loads((fake_build(tmp_path) / MANIFEST).read_text(encoding="utf-8"))
    del manifest["modules"]["whitecell.play"]
    (tmp_path / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(Unusable, match=r"lacks whitecell\.play"):
        check(tmp_path)


def test_the_core_is_chosen_before_it_is_imported_or_not_at_all(tmp_path: Path) -> None:
    import whitecell.play  # noqa: F401 (the core is loaded in this process)

    with pytest.raises(RuntimeError, match="must be chosen before"):
        use(check(fake_build(tmp_path)))


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != ENV} | env
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environ,
        cwd=ROOT,
        timeout=120,
    )


PLAY_ONE = (
    "import subprocess, sys\n"
    "import whitecell.native as n\n"
    "from whitecell.play import play_game\n"
    "from whitecell.scenario.library import load_bundled\n"
    "print(len(play_game(load_bundled('ukraine-ceasefire-2025'), 7).events), len(n.compiled()))\n"
    "# a worker process, as an ensemble starts one\n"
    "subprocess.run([sys.executable, '-c', 'import whitecell.play'], check=True)\n"
)


def test_a_stale_build_costs_speed_and_one_line_not_one_per_worker(tmp_path: Path) -> None:
    fake_build(tmp_path)
    manifest = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    manifest["modules"]["whitecell.agents.heuristic"]["source_sha256"] = "f" * 64
    (tmp_path / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    done = run_python(PLAY_ONE, **{ENV: str(tmp_path)})
    assert done.returncode == 0, done.stderr
    events, compiled_modules = map(int, done.stdout.split())
    assert events > 100 and compiled_modules == 0
    said = done.stderr.strip().splitlines()
    assert said == [
        "whitecell: running the core as Python: whitecell/agents/heuristic.py changed since "
        f"{tmp_path} was built: build it again ('whitecell compile')"
    ]


def test_without_the_variable_the_core_runs_as_python_and_says_nothing() -> None:
    done = run_python(PLAY_ONE)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.split()[1] == "0"


def test_a_machine_without_a_c_compiler_is_told_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "")  # nothing can be found on it: no compiler
    lacking = requirements()
    assert any("a C compiler" in item and "apt-get install gcc" in item for item in lacking), (
        lacking
    )
