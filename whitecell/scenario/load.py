"""Loading scenarios: YAML text or files to a compiled Scenario, or precise errors.

Structural errors (pydantic) and reference errors (``build``) are collected
together so an author sees every problem in one run, each as
``FILE:LINE:COLUMN: field.path: what is wrong (what is allowed)``.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from pathlib import Path as FsPath
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from whitecell.scenario import schema as s
from whitecell.scenario.build import build_scenario, canonical_document, document_digest
from whitecell.scenario.builder import Parts
from whitecell.scenario.compiled import Scenario
from whitecell.scenario.yamlsrc import (
    Path,
    Pos,
    Positions,
    Problem,
    YamlError,
    format_path,
    parse_yaml,
)


@dataclasses.dataclass(frozen=True)
class Located:
    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.path}: {self.message}"


class ScenarioError(Exception):
    """A scenario that cannot be used, with every problem found."""

    def __init__(self, problems: list[Located]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


# -- pydantic error translation -------------------------------------------


def _unwrap(tp: Any) -> list[Any]:
    """The model classes and containers a field annotation can hold."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(tp):
            out += _unwrap(arg)
        return out
    return [tp]


def _model_at(path: Path) -> tuple[type[BaseModel] | None, Any]:
    """The model class holding the last element of ``path`` and that field's info."""
    current: Any = s.ScenarioFile
    info = None
    for i, part in enumerate(path):
        candidates = _unwrap(current)
        nxt = None
        for cand in candidates:
            is_model = isinstance(cand, type) and issubclass(cand, BaseModel)
            if isinstance(part, str) and is_model and part in cand.model_fields:
                if i == len(path) - 1:
                    return cand, cand.model_fields[part]
                info = cand.model_fields[part]
                nxt = info.annotation
                break
            origin = typing.get_origin(cand)
            if isinstance(part, int) and origin is list:
                nxt = typing.get_args(cand)[0]
                break
            if isinstance(part, str) and origin is dict:
                nxt = typing.get_args(cand)[1]
                break
        if nxt is None:
            return None, info
        current = nxt
    models = [c for c in _unwrap(current) if isinstance(c, type) and issubclass(c, BaseModel)]
    return (models[0] if models else None), info


def _value_model(path: Path) -> type[BaseModel] | None:
    """The model class of the mapping found at ``path`` (for listing its fields)."""
    if not path:
        return s.ScenarioFile
    holder, _ = _model_at(path)
    if holder is not None and isinstance(path[-1], str) and path[-1] in holder.model_fields:
        models = [
            c
            for c in _unwrap(holder.model_fields[path[-1]].annotation)
            if isinstance(c, type) and issubclass(c, BaseModel)
        ]
        return models[0] if models else None
    return holder


def _bounds(info: Any) -> dict[str, float]:
    """The ge/le bounds of a field, also when they sit inside ``X | None``."""
    metadata = list(info.metadata) if info else []
    if info is not None:
        for arg in typing.get_args(info.annotation):
            if typing.get_origin(arg) is typing.Annotated:
                for extra in typing.get_args(arg)[1:]:
                    metadata += list(getattr(extra, "metadata", [extra]))
    out: dict[str, float] = {}
    for item in metadata:
        for name in ("ge", "le"):
            if getattr(item, name, None) is not None:
                out[name] = getattr(item, name)
    return out


def _data_path(loc: tuple[Any, ...], data: Any) -> Path:
    """Drop pydantic's union-branch tags from ``loc`` by following the real data."""
    out: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            out.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and i == len(loc) - 1:
            out.append(part)  # a missing field
            node = None
        elif part == "root":
            continue
    return tuple(out)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    return type(value).__name__


_EXPECT = {
    "float_parsing": "a number",
    "float_type": "a number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_type": "a date (YYYY-MM-DD)",
    "model_attributes_type": "a mapping",
}


def _message(err: Mapping[str, Any], path: Path) -> tuple[str, bool]:
    """Our wording for one pydantic error; the flag says it points at a key."""
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    owner, info = _model_at(path)
    if kind == "missing":
        return "required field is missing", False
    if kind == "extra_forbidden":
        parent = _value_model(path[:-1])
        allowed = ", ".join(parent.model_fields) if parent else "see the schema"
        return f"unknown field '{path[-1]}' (allowed: {allowed})", True
    if kind == "literal_error":
        return f"{value!r} is not allowed (allowed: {ctx.get('expected', '')})", False
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        if _bounds(info) == {"ge": 0.0, "le": 1.0}:
            return f"probability {value!r} is outside [0, 1] (allowed: 0 to 1)", False
        sym = {
            "greater_than_equal": ">=",
            "less_than_equal": "<=",
            "greater_than": ">",
            "less_than": "<",
        }[kind]
        limit = next(iter(ctx.values()), "")
        return f"{value!r} is out of range (allowed: {sym} {limit})", False
    if kind == "string_pattern_mismatch":
        desc = (
            info.description if info and info.description else f"the pattern {ctx.get('pattern')}"
        )
        return f"{value!r} is not of the expected form (allowed: {desc})", False
    if kind == "string_too_long":
        return f"{value!r} is too long (allowed: at most {ctx.get('max_length')} characters)", False
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"needs at least {n} item{'s' if n != 1 else ''}", False
    if kind == "too_long":
        return f"has too many items (allowed: at most {ctx.get('max_length')})", False
    if kind == "value_error":
        return str(ctx.get("error", err["msg"])), False
    if kind in _EXPECT:
        if owner is s.Text or (path and path[-1] in ("label", "name", "title", "summary", "brief")):
            return (
                f"expected text in each language such as {{en: ..., ja: ...}}, got {_kind(value)}",
                False,
            )
        return f"expected {_EXPECT[kind]}, got {_kind(value)} {value!r}"[:200], False
    return err["msg"][0].lower() + err["msg"][1:], False


def _structural_problems(exc: ValidationError, data: Any) -> list[Problem]:
    grouped: dict[Path, list[Mapping[str, Any]]] = {}
    for found in exc.errors():
        grouped.setdefault(_data_path(found["loc"], data), []).append(found)
    problems = []
    for path, errs in grouped.items():
        if len(errs) > 1 and all(e["type"] != "missing" for e in errs):
            kinds = {e["type"] for e in errs}
            if kinds <= set(_EXPECT) | {"literal_error", "string_pattern_mismatch"}:
                _, info = _model_at(path)
                allowed = info.description if info and info.description else "see the schema"
                value = errs[0].get("input")
                problems.append(
                    Problem(
                        path,
                        f"{_kind(value)} {value!r} is not valid here (allowed: {allowed})"[:300],
                    )
                )
                continue
        seen = set()
        for err in errs:
            msg, on_key = _message(err, path)
            if msg not in seen:
                seen.add(msg)
                problems.append(Problem(path, msg, on_key=on_key))
    return problems


# -- salvage: keep what is valid so reference checks still run ------------

_LISTS = {
    "teams": s.Team,
    "roles": s.Role,
    "variables": s.Variable,
    "rounds": s.Round,
    "actions": s.Action,
    "injects": s.Inject,
    "outcomes": s.Outcome,
    "dynamics": s.Dynamic,
    "cards": s.Card,
}


def _ids(items: Any) -> frozenset[str]:
    if not isinstance(items, list):
        return frozenset()
    return frozenset(x["id"] for x in items if isinstance(x, dict) and isinstance(x.get("id"), str))


Section = TypeVar("Section", bound=BaseModel)


def _salvage(data: dict[str, Any]) -> Parts:
    def valid(model: type[Section], raw: Any) -> Section | None:
        try:
            return model.model_validate(raw)
        except ValidationError:
            return None

    def items(name: str, model: type[BaseModel], raw: Any) -> list[tuple[int, Any]]:
        if not isinstance(raw, list):
            return []
        return [(i, ok) for i, x in enumerate(raw) if (ok := valid(model, x)) is not None]

    found = data.get("negotiation")
    neg: dict[str, Any] = found if isinstance(found, dict) else {}
    mediator = neg.get("mediator") if isinstance(neg.get("mediator"), str) else None
    meta = valid(s.Meta, data.get("meta"))
    raw_ids = {name: _ids(data.get(name)) for name in _LISTS}
    raw_ids["clauses"] = _ids(neg.get("clauses"))
    raw_ids["agreements"] = _ids(neg.get("agreements"))
    found_ladder = data.get("escalation")
    ladder: dict[str, Any] = found_ladder if isinstance(found_ladder, dict) else {}
    raw_ids["escalation"] = _ids(ladder.get("levels"))
    if "negotiation" in data:
        raw_ids["negotiation"] = frozenset({"present"})
    languages: tuple[str, ...] | None = None
    if meta is None and isinstance(data.get("meta"), dict):
        try:
            languages = tuple(
                TypeAdapter(list[typing.Literal["en", "ja"]]).validate_python(
                    data["meta"].get("languages", ["en", "ja"])
                )
            )
        except ValidationError:
            languages = None
    return Parts(
        meta=meta,
        teams=items("teams", s.Team, data.get("teams")),
        roles=items("roles", s.Role, data.get("roles", [])),
        variables=items("variables", s.Variable, data.get("variables")),
        rounds=items("rounds", s.Round, data.get("rounds")),
        actions=items("actions", s.Action, data.get("actions")),
        clauses=items("clauses", s.Clause, neg.get("clauses")),
        agreements=items("agreements", s.Agreement, neg.get("agreements")),
        mediator=mediator,
        has_negotiation=bool(neg),
        injects=items("injects", s.Inject, data.get("injects", [])),
        outcomes=items("outcomes", s.Outcome, data.get("outcomes", [])),
        dynamics=items("dynamics", s.Dynamic, data.get("dynamics", [])),
        cards=items("cards", s.Card, data.get("cards", [])),
        adjudication=valid(s.Adjudication, data.get("adjudication", {})) or s.Adjudication(),
        automation=valid(s.Automation, data.get("automation", {})) or s.Automation(),
        escalation=valid(s.Escalation, found_ladder) if found_ladder is not None else None,
        raw_ids=raw_ids,
        complete=False,
        languages=languages,
    )


# -- public API -------------------------------------------------------------


def _locate(problems: list[Problem], positions: Positions, filename: str) -> list[Located]:
    out = []
    for p in problems:
        pos = p.pos or positions.locate(p.path, p.on_key)
        col = pos.column
        if p.column_offset and p.path in positions.text_offset and p.pos is None:
            col += positions.text_offset[p.path] + p.column_offset
        out.append(Located(filename, pos.line, col, format_path(p.path), p.message))
    out.sort(key=lambda x: (x.line, x.column))
    return out


def parse_scenario(
    data: Any, positions: Positions | None = None, filename: str = "<scenario>"
) -> Scenario:
    """Validate and compile already-parsed scenario data."""
    positions = positions or Positions()
    if not isinstance(data, dict):
        raise ScenarioError(
            _locate(
                [Problem((), f"expected a scenario mapping at the top level, got {_kind(data)}")],
                positions,
                filename,
            )
        )
    problems: list[Problem] = []
    try:
        doc = s.ScenarioFile.model_validate(data)
        parts = Parts.of(doc)
    except ValidationError as exc:
        doc = None
        problems += _structural_problems(exc, data)
        parts = _salvage(data)
    scenario, more = build_scenario(parts)
    problems += more
    if problems or scenario is None or doc is None:
        raise ScenarioError(
            _locate(problems, positions, filename)
            or [Located(filename, 1, 1, "(document)", "the scenario is not valid")]
        )
    document = canonical_document(doc)
    return dataclasses.replace(scenario, document=document, digest=document_digest(document))


def load_scenario_text(text: str, filename: str = "<scenario>") -> Scenario:
    """Parse YAML text into a Scenario, raising :class:`ScenarioError` with every problem."""
    try:
        data, positions = parse_yaml(text)
    except YamlError as exc:
        pos = exc.problem.pos or Pos(1, 1)
        raise ScenarioError(
            [
                Located(
                    filename,
                    pos.line,
                    pos.column,
                    format_path(exc.problem.path),
                    exc.problem.message,
                )
            ]
        ) from None
    return parse_scenario(data, positions, filename)


def load_scenario_file(path: str | FsPath) -> Scenario:
    """Read a scenario file; unreadable files become a ScenarioError too."""
    p = FsPath(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([Located(str(p), 1, 1, "(file)", "no such file")]) from None
    except IsADirectoryError:
        raise ScenarioError(
            [Located(str(p), 1, 1, "(file)", "is a directory, not a file")]
        ) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            [Located(str(p), 1, 1, "(file)", f"not UTF-8 text (byte {exc.start})")]
        ) from None
    except OSError as exc:
        raise ScenarioError([Located(str(p), 1, 1, "(file)", exc.strerror or str(exc))]) from None
    return load_scenario_text(text, str(p))


def scenario_from_document(document: Mapping[str, Any], source: str = "<log>") -> Scenario:
    """Rebuild a scenario embedded in a log (JSON data, no positions)."""
    return parse_scenario(dict(document), None, source)
