"""``--set`` and ``--sweep``: changing a scenario's values for a whole ensemble.

A path walks the scenario document: mapping keys by name, list items by their
``id`` (``teams.usa.preferences.us_aid``) or by position. The changed document is
validated like any scenario, so a bad path or value gets the usual precise message.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from whitecell.scenario.compiled import Scenario
from whitecell.scenario.load import ScenarioError, scenario_from_document


class SettingError(Exception):
    """A --set or --sweep that cannot be applied, and why."""


def parse_value(text: str) -> Any:
    try:
        return yaml.safe_load(text) if text.strip() else ""
    except yaml.YAMLError:
        return text


def parse_setting(text: str) -> tuple[str, Any]:
    """``path=value``."""
    path, sep, value = text.partition("=")
    if not sep or not path.strip():
        raise SettingError(f"--set {text!r}: write PATH=VALUE, e.g. automation.temperature=0.2")
    return path.strip(), parse_value(value)


def parse_sweep(text: str) -> tuple[str, list[Any]]:
    """``path=v1,v2,...``."""
    path, sep, values = text.partition("=")
    parts = [v for v in values.split(",") if v.strip()]
    if not sep or not path.strip() or not parts:
        raise SettingError(
            f"--sweep {text!r}: write PATH=V1,V2,..., e.g. automation.temperature=0.05,0.1,0.2"
        )
    return path.strip(), [parse_value(v) for v in parts]


def _describe(node: Any) -> str:
    if isinstance(node, Mapping):
        return "fields: " + (", ".join(sorted(node)) or "none")
    if isinstance(node, list):
        ids = [str(x["id"]) for x in node if isinstance(x, Mapping) and "id" in x]
        return "ids: " + ", ".join(ids) if ids else f"positions 0 to {len(node) - 1}"
    return "a plain value"


# Mappings keyed by variable names, which may themselves contain dots.
_VARIABLE_MAPS = frozenset({"preferences", "change", "set"})


def _segments(document: dict[str, Any], raw: list[str]) -> list[str]:
    """Rejoin dotted keys: ``preferences.cohesion.russia`` names the key ``cohesion.russia``
    of ``preferences``. At a mapping, the longest run of parts that is a key wins; in a
    map keyed by variables, a new key takes the rest of the path as its name."""
    out: list[str] = []
    node: Any = document
    i = 0
    while i < len(raw):
        step = 1
        if isinstance(node, dict):
            for j in range(len(raw), i + 1, -1):
                if ".".join(raw[i:j]) in node:
                    step = j - i
                    break
            else:
                if out and out[-1] in _VARIABLE_MAPS and raw[i] not in node:
                    step = len(raw) - i
        part = ".".join(raw[i : i + step])
        out.append(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list):
            found = next((x for x in node if isinstance(x, Mapping) and x.get("id") == part), None)
            if found is None and part.isdigit() and int(part) < len(node):
                found = node[int(part)]
            node = found
        else:
            node = None
        i += step
    return out


def set_path(document: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` in ``document`` (in place)."""
    parts = _segments(document, path.split("."))
    node: Any = document
    walked: list[str] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        where = ".".join(walked) or "the scenario"
        if isinstance(node, dict):
            if last:
                node[part] = value
                return
            if part not in node:
                raise SettingError(f"{path}: no '{part}' under {where} ({_describe(node)})")
            node = node[part]
        elif isinstance(node, list):
            found = next((x for x in node if isinstance(x, Mapping) and x.get("id") == part), None)
            if found is None and part.isdigit() and int(part) < len(node):
                found_index = int(part)
                if last:
                    node[found_index] = value
                    return
                node = node[found_index]
            elif found is None:
                raise SettingError(f"{path}: no item '{part}' in {where} ({_describe(node)})")
            else:
                if last:
                    raise SettingError(f"{path}: name a field of item '{part}', not the item")
                node = found
        else:
            raise SettingError(f"{path}: {where} is a plain value; it has no '{part}'")
        walked.append(part)


def configured(base: Scenario, settings: Sequence[tuple[str, Any]]) -> Scenario:
    """``base`` with ``settings`` applied, validated and compiled."""
    if not settings:
        return base
    document = copy.deepcopy(dict(base.document))
    for path, value in settings:
        set_path(document, path, value)
    try:
        return scenario_from_document(document, "--set")
    except ScenarioError as exc:
        shown = "; ".join(f"{p.path}: {p.message}" for p in exc.problems[:5])
        names = ", ".join(f"{p}={v!r}" for p, v in settings)
        raise SettingError(f"{names}: {shown}") from None


def grid(sweeps: Sequence[tuple[str, list[Any]]]) -> list[list[tuple[str, Any]]]:
    """Every combination of the swept values (one empty combination without sweeps)."""
    if not sweeps:
        return [[]]
    paths = [p for p, _ in sweeps]
    return [
        list(zip(paths, combo, strict=True))
        for combo in itertools.product(*(values for _, values in sweeps))
    ]
