"""Events: the immutable facts of a game, numbered and addressed to an audience.

An event's ``audience`` says who may read it: ``"*"`` for everyone, team ids
for those teams (the white cell reads everything but ``"control"``-only
records). Events carry results (new values, rolls), never instructions, so
folding them cannot fail.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, fields
from typing import Any, ClassVar

Change = tuple[str, float, float]  # variable key, old value, new value
Changes = tuple[Change, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    type: ClassVar[str] = "event"
    seq: int
    round: int
    audience: tuple[str, ...]
    actor: str
    by: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class GameStarted(Event):
    type: ClassVar[str] = "game_started"
    scenario_id: str
    scenario_digest: str
    seed_commitment: str
    start_date: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RoundOpened(Event):
    type: ClassVar[str] = "round_opened"
    kind: str
    date: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RoundClosed(Event):
    type: ClassVar[str] = "round_closed"
    date: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionSubmitted(Event):
    type: ClassVar[str] = "action_submitted"
    uid: str
    team: str
    action: str
    target: str | None
    secret: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionAssessed(Event):
    type: ClassVar[str] = "action_assessed"
    uid: str
    probability: float
    method: str
    rationale: str
    modifiers: tuple[tuple[int, float], ...]  # (modifier index in the catalogue, odds added)


@dataclass(frozen=True, slots=True, kw_only=True)
class DiceRolled(Event):
    type: ClassVar[str] = "dice_rolled"
    index: int
    purpose: str  # action | hazard | inject | intel
    subject: str
    value: float
    threshold: float
    success: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeApplied(Event):
    type: ClassVar[str] = "outcome_applied"
    uid: str
    success: bool
    changes: Changes


@dataclass(frozen=True, slots=True, kw_only=True)
class IntelligenceReport(Event):
    type: ClassVar[str] = "intelligence_report"
    team: str
    source: str
    estimates: tuple[tuple[str, float, bool], ...]  # key, value, exact


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageSent(Event):
    type: ClassVar[str] = "message_sent"
    sender: str
    to: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProposalTabled(Event):
    type: ClassVar[str] = "proposal_tabled"
    pid: str
    sponsor: str
    agreement: str
    clauses: tuple[str, ...]
    parties: tuple[str, ...]
    counter_to: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProposalAccepted(Event):
    type: ClassVar[str] = "proposal_accepted"
    pid: str
    team: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProposalRejected(Event):
    type: ClassVar[str] = "proposal_rejected"
    pid: str
    team: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProposalSigned(Event):
    type: ClassVar[str] = "proposal_signed"
    pid: str
    team: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementSigned(Event):
    type: ClassVar[str] = "agreement_signed"
    uid: str
    pid: str
    agreement: str
    clauses: tuple[str, ...]
    parties: tuple[str, ...]
    changes: Changes


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementBroken(Event):
    type: ClassVar[str] = "agreement_broken"
    uid: str
    agreement: str
    cause: str  # action | inject | hazard
    source: str  # action uid, inject id or roll index
    culprit: str | None
    changes: Changes


@dataclass(frozen=True, slots=True, kw_only=True)
class UpkeepApplied(Event):
    type: ClassVar[str] = "upkeep_applied"
    changes: Changes


@dataclass(frozen=True, slots=True, kw_only=True)
class InjectFired(Event):
    type: ClassVar[str] = "inject_fired"
    inject: str
    manual: bool
    changes: Changes


@dataclass(frozen=True, slots=True, kw_only=True)
class GameEnded(Event):
    type: ClassVar[str] = "game_ended"
    seed: int
    outcomes: tuple[tuple[str, float | bool], ...]


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        GameStarted, RoundOpened, RoundClosed, ActionSubmitted, ActionAssessed, DiceRolled,
        OutcomeApplied, IntelligenceReport, MessageSent, ProposalTabled, ProposalAccepted,
        ProposalRejected, ProposalSigned, AgreementSigned, AgreementBroken, UpkeepApplied,
        InjectFired, GameEnded,
    )
}

_FIELDS: dict[type[Event], tuple[str, ...]] = {
    cls: tuple(f.name for f in fields(cls)) for cls in EVENT_TYPES.values()
}


def _checker(tp: Any) -> typing.Callable[[Any], bool]:
    """A shallow type check for one field, so a tampered log cannot crash the fold."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        checks = [_checker(a) for a in typing.get_args(tp)]
        return lambda v: any(c(v) for c in checks)
    if tp is type(None):
        return lambda v: v is None
    if tp is bool:
        return lambda v: isinstance(v, bool)
    if tp is int:
        return lambda v: isinstance(v, int) and not isinstance(v, bool)
    if tp is float:
        return lambda v: isinstance(v, int | float) and not isinstance(v, bool)
    if tp is str:
        return lambda v: isinstance(v, str)
    if typing.get_origin(tp) is tuple:
        return lambda v: isinstance(v, tuple)
    return lambda v: True


_CHECKS: dict[type[Event], dict[str, typing.Callable[[Any], bool]]] = {
    cls: {name: _checker(tp) for name, tp in typing.get_type_hints(cls).items() if name != "type"}
    for cls in EVENT_TYPES.values()
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


def _tupled(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tupled(v) for v in value)
    return value


def event_to_dict(event: Event) -> dict[str, Any]:
    """The JSON form of an event: ``type`` first, then its fields in declaration order."""
    out: dict[str, Any] = {"type": event.type}
    for name in _FIELDS[type(event)]:
        out[name] = _jsonable(getattr(event, name))
    return out


class EventFormatError(ValueError):
    """Data that is not an event of a known type."""


def event_from_dict(data: dict[str, Any]) -> Event:
    """Rebuild an event; raises :class:`EventFormatError` naming what is wrong."""
    if not isinstance(data, dict):
        raise EventFormatError("an event must be a JSON object")
    kind = data.get("type")
    cls = EVENT_TYPES.get(kind)  # type: ignore[arg-type]
    if cls is None:
        raise EventFormatError(f"unknown event type {kind!r}")
    names = _FIELDS[cls]
    extra = set(data) - set(names) - {"type"}
    if extra:
        raise EventFormatError(f"{kind}: unknown field(s) {', '.join(sorted(extra))}")
    values = {k: _tupled(v) for k, v in data.items() if k != "type"}
    missing = [n for n in names if n not in values and n != "by"]
    if missing:
        raise EventFormatError(f"{kind}: missing field(s) {', '.join(missing)}")
    checks = _CHECKS[cls]
    for name, value in values.items():
        if not checks[name](value):
            raise EventFormatError(f"{kind}: field {name} has a wrong type ({value!r})")
    return cls(**values)
