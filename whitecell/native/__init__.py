"""The compiled core: the engine, the automated players and the play loop built with mypyc.

Automated play (ensembles, forecasts, turning points, a studio's trials) spends its time in
a dozen pure modules. Compiled to C with mypyc they play the same games, byte for byte, in
about 0.6 of the time. The build is optional and separate from the sources: a directory
made by ``whitecell compile`` (or ``make native``) and named in ``WHITECELL_NATIVE``. When
the variable is unset, when the build is for another Python, or when any of its sources has
changed since it was built, whitecell runs those modules as Python, which pass the same
tests: a build never stands in for code newer than itself.

The modules are compiled as one group that calls itself directly, so a build is used whole
or not at all.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

# the modules automated play spends its time in. Seats stay Python: a compiled seat (frozen,
# with a field set after __init__) cannot be unpickled in a worker process. Events and
# commands stay Python too: mypyc takes their ClassVar ``type`` for a field (mypyc#1122).
CORE: tuple[str, ...] = (
    "whitecell.scenario.expr",
    "whitecell.scenario.compiled",
    "whitecell.engine.errors",
    "whitecell.engine.dice",
    "whitecell.engine.state",
    "whitecell.engine.view",
    "whitecell.engine.evolve",
    "whitecell.engine.decide",
    "whitecell.engine.game",
    "whitecell.adjudication.rules",
    "whitecell.agents.heuristic",
    "whitecell.agents.mediator",
    "whitecell.play",
)
MANIFEST = "manifest.json"
ENV = "WHITECELL_NATIVE"
SOURCE_ROOT = Path(__file__).resolve().parents[2]  # the directory that holds ``whitecell/``


def source_path(module: str) -> Path:
    return SOURCE_ROOT.joinpath(*module.split(".")).with_suffix(".py")


def source_digest(module: str) -> str:
    return hashlib.sha256(source_path(module).read_bytes()).hexdigest()


def python_tag() -> str:
    """Which interpreters can load a build: its extension suffix names Python and platform."""
    return importlib.machinery.EXTENSION_SUFFIXES[0]


@dataclass(frozen=True)
class Build:
    """A usable build: each core module's extension file."""

    directory: Path
    files: dict[str, Path]


class Unusable(Exception):
    """Why a build cannot stand in for the sources (said in one line)."""


def check(directory: Path) -> Build:
    """The build in ``directory`` if it matches this Python and today's sources, else
    :class:`Unusable` saying why."""
    directory = directory.resolve()  # a later change of directory must not lose it
    manifest = directory / MANIFEST
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Unusable(f"{manifest} does not exist: build it with 'whitecell compile'") from None
    except (OSError, ValueError) as exc:
        raise Unusable(f"{manifest} cannot be read ({exc}): build it again") from None
    if not isinstance(data, dict) or not isinstance(data.get("modules"), dict):
        raise Unusable(f"{manifest} is not a whitecell build manifest: build it again")
    if data.get("python") != python_tag():
        raise Unusable(
            f"{directory} was built for {data.get('python')!r}, this Python loads "
            f"{python_tag()!r}: build it again with this Python"
        )
    modules: dict[str, object] = data["modules"]
    missing = [m for m in CORE if m not in modules]
    if missing:
        raise Unusable(f"{directory} lacks {', '.join(missing)}: build it again")
    files: dict[str, Path] = {}
    for module in CORE:
        entry = modules[module]
        if not isinstance(entry, dict):
            raise Unusable(f"{manifest}: the entry of {module} is not an object: build it again")
        try:
            changed = entry.get("source_sha256") != source_digest(module)
        except OSError as exc:
            raise Unusable(f"the source of {module} cannot be read: {exc}") from None
        if changed:
            raise Unusable(
                f"{source_path(module).relative_to(SOURCE_ROOT)} changed since {directory} was "
                "built: build it again ('whitecell compile')"
            )
        path = directory / str(entry.get("file", ""))
        if not path.is_file():
            raise Unusable(f"{path} is missing: build it again")
        files[module] = path
    return Build(directory, files)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds the core modules in a build; every other module is found as usual."""

    def __init__(self, build: Build) -> None:
        self.build = build

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        found = self.build.files.get(fullname)
        if found is None:
            return None
        return importlib.util.spec_from_file_location(fullname, found)


def use(build: Build) -> None:
    """Load the core from ``build`` from now on. Call before any core module is imported."""
    loaded = [m for m in CORE if m in sys.modules]
    if loaded:
        raise RuntimeError(f"the compiled core must be chosen before {loaded[0]} is imported")
    # the group's shared library is imported by its top-level name, from the build
    sys.path.append(str(build.directory))
    sys.meta_path.insert(0, _Finder(build))


def use_from_environment() -> None:
    """``WHITECELL_NATIVE``'s build if it is usable; otherwise one line on stderr and the
    sources, so a stale or broken build costs speed, never a game."""
    named = os.environ.get(ENV, "").strip()
    if not named:
        return
    try:
        use(check(Path(named)))
    except Unusable as exc:
        print(f"whitecell: running the core as Python: {exc}", file=sys.stderr)
        # worker processes inherit the verdict instead of saying it again, one line each
        os.environ[ENV] = ""


def compiled() -> list[str]:
    """The core modules that are running compiled now."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    return [
        m
        for m in CORE
        if (mod := sys.modules.get(m)) is not None
        and str(getattr(mod, "__file__", "")).endswith(suffixes)
    ]


def core_name() -> str:
    """``compiled`` when the whole core runs from a build, else ``Python`` (for ``version``
    and benchmarks); the core's modules must be imported already."""
    return "compiled" if len(compiled()) == len(CORE) else "Python"
