"""The package's import graph: it has no cycle, and the core (scenarios, the engine,
adjudication, automated players) imports nothing from what serves, stores, reports or
calls a model.

The graph is read from the source with :mod:`ast`, not by importing: every ``import``
counts, at module level or inside a function (a lazy import is still a dependency), and
relative imports are resolved. An edge goes to the module imported, or, for ``from pkg
import name`` where ``name`` is not a module, to the package's ``__init__``; so what a
package's ``__init__`` re-exports counts as its edges. Importing ``a.b.c`` from outside
package ``a.b`` also runs ``a/b/__init__.py``, so that is an edge too; from inside the
package it is not (the package is already being imported).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

import whitecell

ROOT = Path(whitecell.__file__).parent
CORE = ("whitecell.scenario", "whitecell.engine", "whitecell.adjudication", "whitecell.agents")
OUTER = (
    "whitecell.web",
    "whitecell.live",
    "whitecell.store",
    "whitecell.report",
    "whitecell.llm",
    "whitecell.cli",
)


def inside(module: str, packages: Iterable[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def module_files(root: Path = ROOT) -> dict[str, tuple[Path, bool]]:
    """Every module under ``root``: dotted name -> (file, whether it is a package)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        out[".".join(parts)] = (path, is_package)
    return out


def imported_modules(source: str, module: str, is_package: bool, known: Iterable[str]) -> set[str]:
    """The modules of ``known`` that ``module`` (whose text is ``source``) imports."""
    known = set(known)
    package = module if is_package else module.rpartition(".")[0]

    def existing(name: str) -> str | None:
        """``name``, or its closest enclosing module we know."""
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    targets: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets.update(filter(None, (existing(alias.name) for alias in node.names)))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            for alias in node.names:
                full = f"{origin}.{alias.name}"
                found = full if full in known else existing(origin)
                if found:
                    targets.add(found)
    # importing a.b.c from outside package a.b runs a/b/__init__.py first
    for target in list(targets):
        parent = target.rpartition(".")[0]
        while parent and not inside(module, [parent]):
            if parent in known:
                targets.add(parent)
            parent = parent.rpartition(".")[0]
    targets.discard(module)
    return targets


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    files = module_files(root)
    return {
        name: imported_modules(path.read_text(encoding="utf-8"), name, is_package, files)
        for name, (path, is_package) in files.items()
    }


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Each cycle as a path through one strongly connected component (first = last)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(v: str) -> None:  # Tarjan; the graph is a few hundred modules deep at most
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_path_through(graph, component) for component in components]


def _path_through(graph: Mapping[str, Iterable[str]], component: set[str]) -> list[str]:
    """A shortest cycle from the component's first module back to itself."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph.get(v, ())):
            if w == start:
                return [*paths[v], start]
            if w in component and w not in paths:
                paths[w] = [*paths[v], w]
                queue.append(w)
    return sorted(component)  # not reached: a component of two or more has a cycle


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def test_the_package_import_graph_has_no_cycle(graph: dict[str, set[str]]) -> None:
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


@pytest.mark.parametrize("core", CORE)
def test_the_core_imports_nothing_from_the_outer_layers(
    graph: dict[str, set[str]], core: str
) -> None:
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if inside(module, [core])
        for target in targets
        if inside(target, OUTER)
    )
    assert not wrong, "\n".join(wrong)


# the web package's layers, bottom first, as its ``__init__`` lists them: a module may
# import those in its own layer's predecessors only
WEB_LAYERS = (
    ("i18n", "drain"),
    ("errors", "auth"),
    ("context",),
    ("commands",),
    ("service", "studio", "trials", "translate"),
    ("stream", "forecasts", "debriefs", "background"),
    (
        "rooms.base",
        "rooms.world",
        "rooms.story",
        "rooms.actions",
        "rooms.talks",
        "rooms.desk",
        "rooms.advisors",
        "rooms.control",
        "rooms.room",
        "rooms",
        "forms",
        "exports",
        "reports",
        "warmup",
    ),
    ("feedback", "render", "glance"),
    ("api", "pages", "studio_api", "studio_pages"),
    ("security", "ratelimit", "app"),
)


def test_the_web_package_is_layered_from_errors_up_to_the_app(
    graph: dict[str, set[str]],
) -> None:
    modules = {m for m in graph if m.startswith("whitecell.web.")}
    layer = {f"whitecell.web.{name}": n for n, names in enumerate(WEB_LAYERS) for name in names}
    assert modules == set(layer), "every web module has a place in WEB_LAYERS"
    wrong = sorted(
        f"{module} imports {target}"
        for module in modules
        for target in graph[module]
        if target in layer and layer[target] > layer[module]
    )
    assert not wrong, "\n".join(wrong)


def test_the_live_games_know_nothing_of_the_web(graph: dict[str, set[str]]) -> None:
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if inside(module, ["whitecell.live"])
        for target in targets
        if inside(target, ["whitecell.web", "whitecell.cli"])
    )
    assert not wrong, "\n".join(wrong)


# -- the graph reader itself ------------------------------------------------------------

KNOWN = {"pkg", "pkg.a", "pkg.b", "pkg.sub", "pkg.sub.c", "pkg.sub.d", "other"}


def test_function_level_and_relative_imports_count() -> None:
    source = "from . import b\ndef f():\n    from .sub import c\n    import other\n"
    found = imported_modules(source, "pkg.a", False, KNOWN)
    assert found == {"pkg.b", "pkg.sub", "pkg.sub.c", "other"}


def test_an_imported_name_that_is_not_a_module_points_at_its_package() -> None:
    source = "from pkg.sub import SOMETHING\n"
    assert imported_modules(source, "pkg.a", False, KNOWN) == {"pkg.sub"}


def test_a_package_init_imports_what_it_re_exports() -> None:
    source = "from .c import C\nfrom pkg.sub.d import D\n"
    assert imported_modules(source, "pkg.sub", True, KNOWN) == {"pkg.sub.c", "pkg.sub.d"}


def test_importing_into_another_package_runs_its_init() -> None:
    assert imported_modules("import pkg.sub.c\n", "other", False, KNOWN) == {
        "pkg",
        "pkg.sub",
        "pkg.sub.c",
    }


def test_a_cycle_is_reported_as_a_path_through_its_modules() -> None:
    found = cycles({"x": {"y"}, "y": {"z"}, "z": {"x"}, "w": {"x"}})
    assert found == [["x", "y", "z", "x"]]
