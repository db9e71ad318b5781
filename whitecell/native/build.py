"""Building the compiled core with mypyc: C from the typed sources, then one extension per
module and a shared library for the group, with a manifest of the sources they came from.

The build goes to a fresh directory beside the target and replaces it only when complete,
so a failed build leaves the previous one (or none) as it was.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from whitecell.native import CORE, MANIFEST, SOURCE_ROOT, python_tag, source_digest, source_path


class BuildError(Exception):
    """What the machine lacks, or what the compiler said, in words a user can act on."""


def requirements() -> list[str]:
    """What this machine lacks to build (empty when it can)."""
    lacking = []
    if importlib.util.find_spec("mypyc") is None:
        lacking.append("mypyc, which comes with mypy: pip install mypy")
    if importlib.util.find_spec("setuptools") is None:
        lacking.append("setuptools: pip install setuptools")
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        lacking.append(f"a C compiler ({compiler}): on Debian, apt-get install gcc")
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not headers.is_file():
        lacking.append(f"Python's C headers ({headers}): on Debian, apt-get install python3-dev")
    return lacking


@contextlib.contextmanager
def _in(directory: Path) -> Iterator[None]:
    """mypyc names modules after their paths from the current directory."""
    before = Path.cwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(before)


def build(target: Path) -> dict[str, object]:
    """Compile the core into ``target``; returns the manifest written there."""
    lacking = requirements()
    if lacking:
        raise BuildError("cannot compile the core here; it needs " + "; ".join(lacking))
    from mypyc.build import mypycify
    from setuptools import Distribution

    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    digests = {m: source_digest(m) for m in CORE}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=".native-", dir=target.parent) as work:
        staging = Path(work) / "build"
        sources = [str(source_path(m).relative_to(SOURCE_ROOT)) for m in CORE]
        log = Path(work) / "compiler.log"
        with _in(SOURCE_ROOT), _quiet(log):
            try:
                # the project's mypy settings, less the note that the other modules' are
                # unused; a cache of its own, so a build writes nothing beside the sources
                cache = f"--cache-dir={Path(work) / 'mypy-cache'}"
                options = ["--no-warn-unused-configs", cache, *sources]
                extensions = mypycify(options, opt_level="3", target_dir=str(Path(work) / "c"))
                dist = Distribution({"name": "whitecell-native", "ext_modules": extensions})
                command = dist.get_command_obj("build_ext")
                command.build_lib = str(staging)
                command.build_temp = str(Path(work) / "objects")
                command.parallel = os.cpu_count() or 1
                dist.run_command("build_ext")
            except (SystemExit, Exception) as exc:
                said = log.read_text(encoding="utf-8", errors="replace")
                tail = "\n".join(said.strip().splitlines()[-15:])
                raise BuildError(f"mypyc could not compile the core ({exc})\n{tail}") from None
        manifest = _manifest(staging, digests, time.perf_counter() - started)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if target.exists():
            retired = Path(work) / "retired"
            target.replace(retired)
        staging.replace(target)
    return manifest


def _manifest(staging: Path, digests: dict[str, str], seconds: float) -> dict[str, object]:
    suffix = python_tag()
    modules: dict[str, dict[str, str]] = {}
    for module in CORE:
        file = Path(*module.split(".")).with_suffix("")
        path = staging / f"{file}{suffix}"
        if not path.is_file():
            raise BuildError(f"the build made no {path.name} for {module}")
        modules[module] = {"file": str(path.relative_to(staging)), "source_sha256": digests[module]}
    if digests != {m: source_digest(m) for m in CORE}:
        raise BuildError("the sources changed while they were compiled: build again")
    return {
        "about": "whitecell's compiled core; see whitecell/native/__init__.py",
        "python": suffix,
        "built_in_s": round(seconds, 1),
        "modules": modules,
    }


@contextlib.contextmanager
def _quiet(log: Path) -> Iterator[None]:
    """The compiler's hundreds of lines go to a log, shown only if the build fails."""
    sys.stdout.flush()
    sys.stderr.flush()
    with log.open("w", encoding="utf-8") as sink:
        saved = os.dup(1), os.dup(2)
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
