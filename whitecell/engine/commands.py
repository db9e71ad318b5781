"""Commands: what a seat asks the game to do. ``decide`` turns them into events or refuses.

Like events, commands are slotted but not frozen dataclasses, for speed; the
engine never assigns to one.
"""

from __future__ import annotations

from dataclasses import dataclass

from whitecell.engine.seats import Seat


@dataclass(slots=True, kw_only=True)
class Command:
    seat: Seat
    by: str | None = None  # the person at the seat, when known


@dataclass(slots=True, kw_only=True)
class StartGame(Command):
    """Publish the seed commitment; nothing else may happen before."""


@dataclass(slots=True, kw_only=True)
class OpenRound(Command):
    number: int


@dataclass(slots=True, kw_only=True)
class CloseRound(Command):
    number: int


@dataclass(slots=True, kw_only=True)
class SubmitAction(Command):
    action: str
    target: str | None = None


@dataclass(slots=True, kw_only=True)
class Assess(Command):
    uid: str
    probability: float
    rationale: str = ""
    method: str = "human"
    modifiers: tuple[tuple[int, float], ...] = ()


@dataclass(slots=True, kw_only=True)
class Roll(Command):
    uid: str


@dataclass(slots=True, kw_only=True)
class ApplyOutcome(Command):
    uid: str


@dataclass(slots=True, kw_only=True)
class SendMessage(Command):
    to: tuple[str, ...]
    text: str
    sender: str | None = None  # control may speak as a role, e.g. the UN mediator


@dataclass(slots=True, kw_only=True)
class TableProposal(Command):
    agreement: str
    clauses: tuple[str, ...]
    counter_to: str | None = None
    sponsor: str | None = None  # control tables as the mediator or another role


@dataclass(slots=True, kw_only=True)
class AcceptProposal(Command):
    pid: str


@dataclass(slots=True, kw_only=True)
class RejectProposal(Command):
    pid: str
    reason: str = ""


@dataclass(slots=True, kw_only=True)
class SignProposal(Command):
    pid: str


@dataclass(slots=True, kw_only=True)
class FireInject(Command):
    inject: str


@dataclass(slots=True, kw_only=True)
class EndGame(Command):
    """Compute the outcomes and reveal the seed."""


ASSESSMENT_METHODS = frozenset({"human", "rules", "matrix", "llm"})
MAX_TEXT = 4000
