"""YAML text to plain data, remembering where every value and key stood.

PyYAML forgets positions once it builds Python objects, and silently keeps
the last of two duplicate keys. Scenario authors need ``FILE:LINE:COLUMN`` for
every error, so we walk the node tree ourselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Pos:
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class Problem:
    """One thing wrong with a scenario, located by its path in the document."""

    path: Path
    message: str
    pos: Pos | None = None
    on_key: bool = False
    column_offset: int = 0


@dataclass
class Positions:
    values: dict[Path, Pos] = field(default_factory=dict)
    keys: dict[Path, Pos] = field(default_factory=dict)
    # where a single-line scalar's text starts relative to its node (1 if quoted)
    text_offset: dict[Path, int] = field(default_factory=dict)

    def locate(self, path: Path, on_key: bool = False) -> Pos:
        """The position of ``path``, or of its nearest ancestor that exists."""
        if on_key and path in self.keys:
            return self.keys[path]
        p = path
        while p:
            if p in self.values:
                return self.values[p]
            p = p[:-1]
        return self.values.get((), Pos(1, 1))


class YamlError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _pos(mark: yaml.Mark) -> Pos:
    return Pos(mark.line + 1, mark.column + 1)


def parse_yaml(text: str) -> tuple[Any, Positions]:
    """Parse one YAML document; raise :class:`YamlError` with a position on bad YAML."""
    positions = Positions()
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise YamlError(Problem((), "the file is empty (expected a scenario mapping)"))
            data = _build(loader, node, (), positions)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _pos(mark) if mark else Pos(1, 1)
        what = " ".join(x for x in (exc.context, exc.problem) if x) or "bad YAML"
        raise YamlError(Problem((), f"not valid YAML: {what}", where)) from None
    except yaml.YAMLError as exc:
        raise YamlError(Problem((), f"not valid YAML: {exc}", Pos(1, 1))) from None
    return data, positions


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: Path, out: Positions) -> Any:
    out.values[path] = _pos(node.start_mark)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                raise YamlError(
                    Problem(path, "mapping keys must be plain text", _pos(key_node.start_mark))
                )
            key = str(key) if not isinstance(key, str) else key
            child = (*path, key)
            if key in result:
                raise YamlError(
                    Problem(
                        child,
                        f"duplicate key '{key}' (each key may appear once in a mapping)",
                        _pos(key_node.start_mark),
                    )
                )
            out.keys[child] = _pos(key_node.start_mark)
            result[key] = _build(loader, value_node, child, out)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, (*path, i), out) for i, item in enumerate(node.value)]
    if (
        isinstance(node, yaml.ScalarNode)
        and node.start_mark.line == node.end_mark.line
        and node.style in (None, "'", '"')
    ):
        out.text_offset[path] = 0 if node.style is None else 1
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as exc:  # a date that is no date: 2025-13-01
        raise YamlError(
            Problem(path, f"{node.value!r} cannot be read ({exc})", _pos(node.start_mark))
        ) from None


def format_path(path: Path) -> str:
    """``('actions', 3, 'base_probability')`` -> ``actions[3].base_probability``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + part
    return text or "(document)"
