"""The studio's form view of a scenario: every value of the YAML text as a form field,
typed from the format's own models, and edits written back into the text in place.

Generated, not hand-written: the walk follows ``schema.ScenarioFile`` beside the YAML
nodes, so a new field in the format appears in the form by itself. Each value keeps its
span in the text; a changed value replaces only its own span, so comments, key order,
blank lines and every untouched value stay byte for byte (and a form saved unchanged is
the same file). A missing translation is an empty field; filling it adds that language
beside the others. Entries of a list written as blocks can be copied (with a new id),
removed and moved up or down, whole lines at a time, comments kept in place; an id changed
in the form is renamed everywhere it is used (not in prose or comments). What the form
does not do: add fields the text leaves out (the source view does, with suggestions).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from whitecell.scenario import schema as s
from whitecell.scenario.yamlsrc import Path, format_path

Kind = Literal["number", "integer", "bool", "choice", "date", "line", "long", "expr"]
LONG = ("brief", "summary", "success", "failure", "text", "body", "description")
# text safe to write plain even inside {en: ..., ja: ...}: no flow, comment or mapping
# characters, no leading indicator, one line without edge spaces
NOT_PLAIN = re.compile(r"[,\[\]{}#&*!|>'\"%@`:\n\t]|^[-?\s]|\s$")


@dataclass(frozen=True)
class FormField:
    key: str  # the value's path, as problems name it: actions[3].base_probability
    path: Path
    kind: Kind
    value: str  # as the field shows it (the scalar's text, unquoted)
    raw: str  # as the YAML text writes it
    start: int  # the value's span in the text; -1: a missing translation, not yet written
    end: int
    choices: tuple[str, ...] = ()
    lo: float | None = None
    hi: float | None = None
    hint: str = ""
    lang: str | None = None  # the language of one entry of a bilingual text
    insert: tuple[int, str, bool] | None = None  # where a missing translation goes


@dataclass
class Row:
    """What one label names: a value, or one text in each language side by side."""

    label: str
    fields: list[FormField] = field(default_factory=list)


@dataclass
class Item:
    """One entry of a section (a team, an action...) or the section itself."""

    key: str
    title: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Section:
    name: str
    items: list[Item] = field(default_factory=list)


def _unwrap(tp: Any) -> tuple[list[Any], list[FieldInfo]]:
    """The alternatives an annotation allows, and the field infos found on the way."""
    infos: list[FieldInfo] = []
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(tp)
        infos += [x for x in extra if isinstance(x, FieldInfo)]
        inner, more = _unwrap(base)
        return inner, infos + more
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(tp):
            alternatives, more = _unwrap(arg)
            out += alternatives
            infos += more
        return out, infos
    return [tp], infos


def _bounds(infos: list[FieldInfo]) -> tuple[float | None, float | None, str]:
    lo = hi = None
    hint = ""
    for info in infos:
        hint = hint or (info.description or "")
        for m in info.metadata:
            lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else lo
            hi = getattr(m, "le", None) if getattr(m, "le", None) is not None else hi
    return lo, hi, hint


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


class _Walk:
    def __init__(self, text: str, languages: list[str], teams: list[str]) -> None:
        self.text = text
        self.languages = languages
        self.teams = teams
        self.found: list[FormField] = []

    def node(self, n: yaml.Node, tp: Any, path: Path, infos: list[FieldInfo]) -> None:
        alternatives, more = _unwrap(tp)
        infos = infos + more
        if isinstance(n, yaml.MappingNode):
            if s.Text in alternatives:
                self.bilingual(n, path, infos)
                return
            model = next((a for a in alternatives if _is_model(a)), None)
            mapping = next((a for a in alternatives if typing.get_origin(a) is dict), None)
            for key_node, value_node in n.value:
                key = str(key_node.value)
                if model is not None:
                    info = model.model_fields.get(key)
                    if info is None:
                        continue  # not in the format: the validator says so
                    self.node(value_node, info.annotation, (*path, key), [info])
                elif mapping is not None:
                    self.node(value_node, typing.get_args(mapping)[1], (*path, key), [])
            if mapping is not None and model is None and path[-1:] == ("initial",):
                self.per_team(n, path)  # a value per team: the teams without one
        elif isinstance(n, yaml.SequenceNode):
            listed = next((a for a in alternatives if typing.get_origin(a) is list), None)
            if listed is None:
                return
            for i, item in enumerate(n.value):
                self.node(item, typing.get_args(listed)[0], (*path, i), [])
        elif isinstance(n, yaml.ScalarNode):
            self.scalar(n, alternatives, path, infos)

    def scalar(self, n: yaml.ScalarNode, alternatives: list[Any], path: Path, infos: Any) -> None:
        lo, hi, hint = _bounds(infos)
        value = str(n.value)
        kind: Kind = "line"
        choices: tuple[str, ...] = ()
        literals = [
            x for a in alternatives if typing.get_origin(a) is Literal for x in typing.get_args(a)
        ]
        plain = not n.style  # None (Python loader) or "" (libyaml)
        if literals and all(isinstance(x, str) for x in literals) and len(alternatives) == 1:
            kind, choices = "choice", tuple(str(x) for x in literals)
        elif bool in alternatives and plain and value.lower() in ("true", "false", "yes", "no"):
            kind = "bool"
        elif str in alternatives and (float in alternatives or bool in alternatives):
            kind = "expr"  # an expression, or a constant where one is allowed
        elif float in alternatives and plain:
            kind = "number"
        elif int in alternatives and plain:
            kind = "integer"
        elif dt.date in alternatives:
            kind = "date"
        elif (isinstance(path[-1], str) and path[-1] in LONG) or "\n" in value:
            kind = "long"
        start, end = n.start_mark.index, n.end_mark.index
        raw = self.text[start:end]
        self.found.append(
            FormField(format_path(path), path, kind, value, raw, start, end, choices, lo, hi, hint)
        )

    def per_team(self, n: yaml.MappingNode, path: Path) -> None:
        """A per-team variable's starting values: a team without one is an empty field
        (as a missing translation is), written in beside the others once filled."""
        present = {str(k.value) for k, _ in n.value}
        for team in self.teams:
            if team not in present:
                key = format_path((*path, team))
                self.found.append(
                    FormField(
                        key,
                        (*path, team),
                        "number",
                        "",
                        "",
                        -1,
                        -1,
                        hint="the starting value for this team",
                        insert=self.insertion(n),
                    )
                )

    def bilingual(self, n: yaml.MappingNode, path: Path, infos: list[FieldInfo]) -> None:
        """A text in every language: the ones written, then the declared ones missing."""
        _, _, hint = _bounds(infos)
        long = any(isinstance(p, str) and p in LONG for p in path[-2:])
        present = {}
        for key_node, value_node in n.value:
            lang = str(key_node.value)
            if not isinstance(value_node, yaml.ScalarNode):
                continue
            present[lang] = value_node
        for lang in [*self.languages, *(x for x in present if x not in self.languages)]:
            node = present.get(lang)
            key = format_path((*path, lang))
            if node is not None:
                value = str(node.value)
                kind: Kind = "long" if long or "\n" in value else "line"
                start, end = node.start_mark.index, node.end_mark.index
                raw = self.text[start:end]
                found = FormField(key, (*path, lang), kind, value, raw, start, end, hint=hint)
            else:
                found = FormField(
                    key,
                    (*path, lang),
                    "long" if long else "line",
                    "",
                    "",
                    -1,
                    -1,
                    hint=hint,
                    insert=self.insertion(n),
                )
            self.found.append(_with_lang(found, lang))

    def insertion(self, n: yaml.MappingNode) -> tuple[int, str, bool]:
        """Where a new language goes in this mapping: (index, indentation, flow style)."""
        if n.flow_style:
            return (n.end_mark.index - 1, "", True)
        last = n.value[-1][1]
        indent = " " * n.value[0][0].start_mark.column
        return (last.end_mark.index, indent, False)


def _with_lang(f: FormField, lang: str) -> FormField:
    return FormField(
        f.key,
        f.path,
        f.kind,
        f.value,
        f.raw,
        f.start,
        f.end,
        f.choices,
        f.lo,
        f.hi,
        f.hint,
        lang,
        f.insert,
    )


LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the same marks, faster


def _teams(root: yaml.MappingNode) -> list[str]:
    """The ids of the teams the text declares."""
    for key, value in root.value:
        if key.value == "teams" and isinstance(value, yaml.SequenceNode):
            return [
                str(v.value)
                for item in value.value
                if isinstance(item, yaml.MappingNode)
                for k, v in item.value
                if k.value == "id" and isinstance(v, yaml.ScalarNode)
            ]
    return []


def _languages(root: yaml.MappingNode) -> list[str]:
    """The languages the scenario declares (``meta.languages``), English and Japanese if
    it does not say."""
    for key, value in root.value:
        if key.value != "meta" or not isinstance(value, yaml.MappingNode):
            continue
        for k, v in value.value:
            if k.value == "languages" and isinstance(v, yaml.SequenceNode):
                return [str(x.value) for x in v.value if isinstance(x, yaml.ScalarNode)]
    return ["en", "ja"]


def fields(text: str) -> list[FormField]:
    """Every value of a scenario's text the form can edit, in the order of the text."""
    root = yaml.compose(text, Loader=LOADER)
    if not isinstance(root, yaml.MappingNode):
        return []
    walk = _Walk(text, _languages(root), _teams(root))
    walk.node(root, s.ScenarioFile, (), [])
    return walk.found


def sections(found: list[FormField]) -> list[Section]:
    """The fields by section and entry, each entry titled by its id where it has one."""
    out: list[Section] = []
    for f in found:
        name = str(f.path[0])
        if not out or out[-1].name != name:
            out.append(Section(name))
        section = out[-1]
        entry = f.path[:1]
        if len(f.path) > 2 and isinstance(f.path[1], int):  # teams[2]
            entry = f.path[:2]
        elif len(f.path) > 3 and isinstance(f.path[2], int):  # negotiation.clauses[0]
            entry = f.path[:3]
        key = format_path(entry)
        if not section.items or section.items[-1].key != key:
            section.items.append(Item(key, key))
        item = section.items[-1]
        if f.path == (*entry, "id"):
            item.title = f"{key} · {f.value}"
        owner = f.path[:-1] if f.lang is not None else f.path
        label = format_path(owner[len(entry) :]) if len(owner) > len(entry) else key
        if f.lang is not None and item.rows and item.rows[-1].fields[-1].path[:-1] == owner:
            item.rows[-1].fields.append(f)
        else:
            item.rows.append(Row(label, [f]))
    return out


def scalar(value: str, kind: Kind) -> str:
    """A value as YAML writes it: numbers and booleans plain, plain words plain, any other
    text double-quoted (JSON's quoting is YAML's too)."""
    v = value.strip() if kind in ("number", "integer", "bool", "date", "choice") else value
    if kind in ("number", "integer"):
        try:
            float(v)
        except ValueError:
            return json.dumps(v, ensure_ascii=False)
        return v
    if kind == "bool" and v.lower() in ("true", "false", "yes", "no"):
        return v
    if v and not NOT_PLAIN.search(v) and yaml.safe_load(v) == v:
        return v
    return json.dumps(v, ensure_ascii=False)


def apply(text: str, changes: dict[str, str]) -> str:
    """The text with each changed value (by key) written in its place, nothing else moved.
    Values that did not change, and keys the text does not have, are left alone."""
    by_key = {f.key: f for f in fields(text)}
    edits: list[tuple[int, int, str]] = []
    for key, wanted in changes.items():
        f = by_key.get(key)
        if f is None:
            continue
        wanted = wanted.replace("\r\n", "\n")
        if f.start < 0:
            if not wanted.strip() or f.insert is None:
                continue
            at, indent, flow = f.insert
            entry = f"{f.path[-1]}: {scalar(wanted, f.kind)}"
            if flow:
                edits.append((at, at, f", {entry}"))
            elif text[at - 1 : at] == "\n":
                edits.append((at, at, f"{indent}{entry}\n"))
            else:
                edits.append((at, at, f"\n{indent}{entry}"))
            continue
        if wanted == f.value or (f.kind == "bool" and wanted == f.raw):
            continue
        written = scalar(wanted, f.kind)
        tail = f.raw[len(f.raw.rstrip("\n")) :]  # a block scalar's closing line breaks
        edits.append((f.start, f.end, written + tail))
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + new + text[end:]
    return text


__all__ = [
    "Entry",
    "FormField",
    "Item",
    "Row",
    "Section",
    "apply",
    "copy",
    "entries",
    "fields",
    "move",
    "remove",
    "rename",
    "scalar",
    "sections",
]


# -- entries of a list: copy, remove, move -------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One entry of a list written as a block (``- id: ...`` lines): its lines in the text
    (first, last, 0-based), and its id if it has one."""

    key: str  # teams[2], negotiation.clauses[0]
    first: int
    last: int
    ident: str | None
    id_span: tuple[int, int] | None  # the id's characters in the text


def _last_line(lines: list[str], first: int, end: yaml.Mark) -> int:
    """The entry's last line with content: not the blank lines or comments before the next."""
    last = min(end.line, len(lines) - 1)
    if not lines[last][: end.column].strip():  # the mark is where the next thing begins
        last -= 1
    while last > first and (not lines[last].strip() or lines[last].lstrip().startswith("#")):
        last -= 1
    return last


def entries(text: str) -> dict[str, Entry]:
    """Every entry of the block lists of mappings, at the top level and one level down."""
    root = yaml.compose(text, Loader=LOADER)
    if not isinstance(root, yaml.MappingNode):
        return {}
    lines = text.split("\n")
    out: dict[str, Entry] = {}

    def collect(seq: yaml.Node, path: Path) -> None:
        if not isinstance(seq, yaml.SequenceNode) or seq.flow_style:
            return
        for i, item in enumerate(seq.value):
            if not isinstance(item, yaml.MappingNode) or item.flow_style:
                continue
            first = item.start_mark.line
            ident, span = None, None
            for k, v in item.value:
                if k.value == "id" and isinstance(v, yaml.ScalarNode):
                    ident, span = str(v.value), (v.start_mark.index, v.end_mark.index)
            key = format_path((*path, i))
            out[key] = Entry(key, first, _last_line(lines, first, item.end_mark), ident, span)

    for k, v in root.value:
        collect(v, (str(k.value),))
        if isinstance(v, yaml.MappingNode):
            for k2, v2 in v.value:
                collect(v2, (str(k.value), str(k2.value)))
    return out


def _lines(text: str) -> list[str]:
    return text.split("\n")


def remove(text: str, key: str) -> str:
    found = entries(text).get(key)
    if found is None:
        return text
    lines = _lines(text)
    return "\n".join(lines[: found.first] + lines[found.last + 1 :])


def copy(text: str, key: str) -> str:
    """The entry written again just after itself, with a new id (``ID_2``, ``ID_3``...)."""
    all_entries = entries(text)
    found = all_entries.get(key)
    if found is None:
        return text
    lines = _lines(text)
    block = "\n".join(lines[found.first : found.last + 1])
    if found.ident is not None and found.id_span is not None:
        taken = {e.ident for e in all_entries.values()}
        n = 2
        while f"{found.ident}_{n}" in taken:
            n += 1
        line_start = sum(len(x) + 1 for x in lines[: found.first])
        start, end = found.id_span[0] - line_start, found.id_span[1] - line_start
        block = block[:start] + f"{found.ident}_{n}" + block[end:]
    return "\n".join([*lines[: found.last + 1], block, *lines[found.last + 1 :]])


def move(text: str, key: str, step: int) -> str:
    """The entry swapped with the one before (``step`` -1) or after (+1) it; anything
    between them (a comment, a blank line) stays where it was."""
    all_entries = entries(text)
    found = all_entries.get(key)
    if found is None:
        return text
    prefix, _, index = key.rpartition("[")
    other = all_entries.get(f"{prefix}[{int(index.rstrip(']')) + step}]")
    if other is None:
        return text
    a, b = (found, other) if found.first < other.first else (other, found)
    lines = _lines(text)
    return "\n".join(
        lines[: a.first]
        + lines[b.first : b.last + 1]
        + lines[a.last + 1 : b.first]
        + lines[a.first : a.last + 1]
        + lines[b.last + 1 :]
    )


# -- an id renamed everywhere it is used ----------------------------------------------------


def _references(n: yaml.Node, tp: Any, out: list[yaml.Node]) -> None:
    """Every scalar and mapping key where an id may be used: all but the prose (a text in
    each language) and the comments."""
    alternatives, _ = _unwrap(tp)
    if isinstance(n, yaml.MappingNode):
        if s.Text in alternatives:
            return
        model = next((a for a in alternatives if _is_model(a)), None)
        mapping = next((a for a in alternatives if typing.get_origin(a) is dict), None)
        for key_node, value_node in n.value:
            key = str(key_node.value)
            if model is not None:
                info = model.model_fields.get(key)
                if info is not None:
                    _references(value_node, info.annotation, out)
            elif mapping is not None:
                out.append(key_node)  # a variable's or a team's id as a key
                _references(value_node, typing.get_args(mapping)[1], out)
    elif isinstance(n, yaml.SequenceNode):
        listed = next((a for a in alternatives if typing.get_origin(a) is list), None)
        for item in n.value:
            _references(item, typing.get_args(listed)[0] if listed else Any, out)
    elif isinstance(n, yaml.ScalarNode):
        out.append(n)


def rename(text: str, old: str, new: str) -> tuple[str, int]:
    """The text with the id ``old`` written ``new`` wherever it is used (as a whole name:
    ``north`` in ``resolve.north`` and in ``actor == north``, not in ``northern``), and
    how many places changed. Prose and comments are left as they are."""
    if not old or old == new:
        return text, 0
    root = yaml.compose(text, Loader=LOADER)
    if not isinstance(root, yaml.MappingNode):
        return text, 0
    found: list[yaml.Node] = []
    _references(root, s.ScenarioFile, found)
    token = re.compile(rf"(?<![\w]){re.escape(old)}(?![\w])")
    edits = []
    for node in found:
        start, end = node.start_mark.index, node.end_mark.index
        raw = text[start:end]
        changed = token.sub(new, raw)
        if changed != raw:
            edits.append((start, end, changed))
    for start, end, changed in sorted(edits, reverse=True):
        text = text[:start] + changed + text[end:]
    return text, len(edits)
