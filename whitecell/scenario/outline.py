"""What the source view suggests as the designer types: the field names the format allows
at each place of a scenario file (from the format's own models), and the ids a text
declares (teams, variables, clauses...), which other fields refer to.

Pure: a text in, names out; a text that does not parse yet still gives what it can.
"""

from __future__ import annotations

import types
import typing
from functools import cache
from typing import Any

import yaml
from pydantic import BaseModel

from whitecell.scenario import schema as s

# where ids are declared: the kind of name, and the list that holds them
DECLARED = {
    "teams": ("teams",),
    "variables": ("variables",),
    "actions": ("actions",),
    "roles": ("roles",),
    "clauses": ("negotiation", "clauses"),
    "agreements": ("negotiation", "agreements"),
    "injects": ("injects",),
    "cards": ("cards",),
    "outcomes": ("outcomes",),
}


def _alternatives(tp: Any) -> list[Any]:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _alternatives(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [a for arg in typing.get_args(tp) for a in _alternatives(arg)]
    return [tp]


@cache
def field_names() -> dict[str, list[str]]:
    """The field names allowed at each place, by a pattern of the place: ``""`` the top,
    ``actions[]`` an action, ``actions[].modifiers[]`` one of its modifiers."""
    out: dict[str, list[str]] = {}

    def walk(model: type[BaseModel], where: str) -> None:
        if where in out or model is s.Text:
            return
        out[where] = list(model.model_fields)
        for name, info in model.model_fields.items():
            here = f"{where}.{name}" if where else name
            for alt in _alternatives(info.annotation):
                if typing.get_origin(alt) is list:
                    for item in _alternatives(typing.get_args(alt)[0]):
                        if isinstance(item, type) and issubclass(item, BaseModel):
                            walk(item, f"{here}[]")
                elif isinstance(alt, type) and issubclass(alt, BaseModel):
                    walk(alt, here)

    walk(s.ScenarioFile, "")
    return out


def declared(text: str) -> dict[str, list[str]]:
    """The ids the text declares, by kind (what it can, if it does not parse)."""
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return {}
    if not isinstance(data, dict):
        return {}
    out: dict[str, list[str]] = {}
    for kind, path in DECLARED.items():
        found: Any = data
        for part in path:
            found = found.get(part) if isinstance(found, dict) else None
        if isinstance(found, list):
            ids = [str(x["id"]) for x in found if isinstance(x, dict) and "id" in x]
            if ids:
                out[kind] = ids
    return out


__all__ = ["declared", "field_names"]
