"""A fast constructor builds exactly what calling the class builds, and refuses what the
class refuses: every event type, every command type and the state's records."""

from __future__ import annotations

import dataclasses
import sys
import typing
from importlib.machinery import EXTENSION_SUFFIXES
from typing import Any

import pytest

from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.engine.fastinit import constructor
from whitecell.engine.seats import CONTROL, Seat
from whitecell.engine.state import ActionRecord, AgreementRecord, Channel, ProposalRecord
from whitecell.scenario.compiled import VarRef


def compiled_class(cls: type) -> bool:
    """A class of the compiled core (whitecell.native), if that is what runs."""
    module = sys.modules[cls.__module__]
    return str(getattr(module, "__file__", "")).endswith(tuple(EXTENSION_SUFFIXES))


SAMPLES: dict[Any, Any] = {
    int: 7,
    float: 0.25,
    bool: True,
    str: "x",
    Seat: CONTROL,
}


def sample(tp: Any) -> Any:
    """A value of field type ``tp`` (the first branch of a union, a tuple of samples)."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, type(int | None)):
        return sample(args[0])
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return (sample(args[0]),)
        return tuple(sample(a) for a in args)
    if origin in (dict, list):
        return origin()
    return SAMPLES.get(tp, "x")


def required(cls: type) -> dict[str, Any]:
    """Every field without a default, with a sample value."""
    hints = typing.get_type_hints(cls)
    return {
        f.name: sample(hints[f.name])
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }


def full(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: sample(hints[f.name]) for f in dataclasses.fields(cls)}


CLASSES = [
    *ev.EVENT_TYPES.values(),
    *cmd.COMMANDS.values(),
    ActionRecord,
    ProposalRecord,
    AgreementRecord,
    Channel,
]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_a_constructor_builds_what_the_class_builds(cls: type) -> None:
    new: Any = constructor(cls)
    if compiled_class(cls):  # mypyc builds it natively: the class is its own fast constructor
        assert new is cls
        return
    assert new is not cls, f"{cls.__name__} should get a fast constructor"
    for kwargs in (required(cls), full(cls)):
        built, expected = new(**kwargs), cls(**kwargs)
        assert type(built) is cls
        assert built == expected
        assert repr(built) == repr(expected)
        for f in dataclasses.fields(cls):
            assert getattr(built, f.name) == getattr(expected, f.name)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_a_constructor_refuses_what_the_class_refuses(cls: type) -> None:
    new: Any = constructor(cls)
    kwargs = required(cls)
    with pytest.raises(TypeError):
        new(**kwargs, not_a_field=1)
    if kwargs:
        missing = dict(kwargs)
        missing.pop(next(iter(missing)))
        with pytest.raises(TypeError):
            new(**missing)
    if all(f.kw_only for f in dataclasses.fields(cls)) and kwargs:
        with pytest.raises(TypeError):
            new(*kwargs.values())  # keyword-only, as the class wants


def test_default_factories_give_each_object_its_own() -> None:
    new = constructor(ActionRecord)
    a = new("a1", 1, "red", "patrol", None, False)
    b = new("a2", 1, "red", "patrol", None, False)
    assert a == ActionRecord("a1", 1, "red", "patrol", None, False)
    a.estimates["x"] = 0.5
    a.arguments.append(("red", "for", "because"))
    assert b.estimates == {} and b.arguments == []


def test_classes_it_cannot_mirror_are_left_as_they_are() -> None:
    assert constructor(Seat) is Seat  # frozen, with __post_init__
    assert constructor(VarRef) is VarRef  # frozen

    class Plain:
        pass

    assert constructor(Plain) is Plain


# every field of the records whose __init__ is written out, in order, none at its default
# (written here, not sampled from type hints, which a compiled class does not give)
WRITTEN: dict[type, dict[str, Any]] = {
    ActionRecord: {
        "uid": "a1",
        "round": 2,
        "team": "red",
        "action": "patrol",
        "target": "blue",
        "secret": True,
        "instrument": "military",
        "description": "a patrol",
        "rationale": "because",
        "status": "assessed",
        "probability": 0.4,
        "method": "rules",
        "roll": 0.3,
        "success": False,
        "adjudicator": "ana",
        "estimates": {"ana": 0.5},
        "arguments": [("red", "for", "it works")],
        "rung": "grey",
    },
    ProposalRecord: {
        "pid": "p1",
        "round": 3,
        "sponsor": "red",
        "agreement": "ceasefire",
        "clauses": ("line",),
        "parties": ("red", "blue"),
        "counter_to": "p0",
        "audience": ("red", "blue"),
        "status": "signed",
        "accepted": ["red"],
        "signed": ["blue"],
        "rejected_by": "blue",
    },
}


@pytest.mark.parametrize("cls", list(WRITTEN), ids=lambda c: c.__name__)
def test_a_written_init_takes_the_fields_in_order_with_their_defaults(cls: type) -> None:
    """The records whose ``__init__`` is written out (for the compiled core's sake) build
    what the dataclass's own ``__init__`` would: fields in order, defaults, fresh lists."""
    fields = dataclasses.fields(cls)
    values = WRITTEN[cls]
    assert list(values) == [f.name for f in fields]
    by_position, by_name = cls(*values.values()), cls(**values)
    for f in fields:
        assert getattr(by_position, f.name) == values[f.name]
        assert getattr(by_name, f.name) == values[f.name]
        assert values[f.name] not in (f.default, None), "a sample must differ from the default"
    needed = {
        f.name: values[f.name]
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    bare, other = cls(**needed), cls(**needed)
    for f in fields:
        if f.default is not dataclasses.MISSING:
            assert getattr(bare, f.name) == f.default
        elif f.default_factory is not dataclasses.MISSING:
            assert getattr(bare, f.name) == f.default_factory()
            assert getattr(bare, f.name) is not getattr(other, f.name)
    assert dataclasses.replace(by_name) == by_name
    with pytest.raises(TypeError):
        cls(*values.values(), "one too many")
