"""``whitecell compile``, run as a real subprocess: what a machine lacks, or a place it
cannot write, is a message and exit status 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def compile_command(directory: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **env}
    return subprocess.run(
        [sys.executable, "-m", "whitecell", "compile", str(directory)],
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
    )


def test_a_machine_without_a_compiler_is_told_what_to_install(tmp_path: Path) -> None:
    done = compile_command(tmp_path / "native", PATH="")  # no compiler can be found
    assert done.returncode == 2, done.stderr
    assert "cannot compile the core here; it needs" in done.stderr
    assert "apt-get install gcc" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "native").exists()


def test_a_place_it_cannot_write_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    done = compile_command(blocker / "native")
    assert done.returncode == 2, done.stderr
    assert f"cannot write {blocker / 'native'}" in done.stderr.replace("\n", "")
    assert "Traceback" not in done.stderr
