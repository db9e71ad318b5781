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
    deadline: str | None = None  # when the white cell means to close it, for the round clock


@dataclass(slots=True, kw_only=True)
class CloseRound(Command):
    number: int


@dataclass(slots=True, kw_only=True)
class SubmitAction(Command):
    action: str  # a catalogue id, or FREE for a free-form action
    target: str | None = None
    rationale: str = ""
    description: str = ""  # what a free-form action attempts
    instrument: str | None = None  # for a free-form action
    secret: bool | None = None  # for a free-form action; a catalogue action's is fixed


@dataclass(slots=True, kw_only=True)
class Assess(Command):
    uid: str
    probability: float
    rationale: str = ""
    method: str = "human"
    modifiers: tuple[tuple[int, float], ...] = ()
    suggested: float | None = None  # the rule-based odds shown to the adjudicator


@dataclass(slots=True, kw_only=True)
class Roll(Command):
    uid: str


@dataclass(slots=True, kw_only=True)
class ApplyOutcome(Command):
    """Apply a rolled action's effects and publish what happened.

    ``effects`` replaces the catalogue's (variable key to change) when the adjudicator
    edits them; a free-form action has only these. ``public_text`` goes to everyone as
    news, ``private_text`` to the acting team as its result.
    """

    uid: str
    effects: tuple[tuple[str, float], ...] | None = None
    public_text: str = ""
    private_text: str = ""


@dataclass(slots=True, kw_only=True)
class SendMessage(Command):
    """To teams by name (``to``), or into a channel (``channel``); a team's own chat is
    the channel ``team:<id>``."""

    text: str
    to: tuple[str, ...] = ()
    channel: str | None = None
    sender: str | None = None  # control may speak as a role, e.g. the UN mediator


@dataclass(slots=True, kw_only=True)
class OpenChannel(Command):
    members: tuple[str, ...]  # teams; a team opening it is a member
    name: str = ""


@dataclass(slots=True, kw_only=True)
class PublishNews(Command):
    text: str
    about: str | None = None


@dataclass(slots=True, kw_only=True)
class PublishStatement(Command):
    text: str


@dataclass(slots=True, kw_only=True)
class EstimateOdds(Command):
    """One adjudicator's blind estimate, before anyone rules."""

    uid: str
    probability: float


@dataclass(slots=True, kw_only=True)
class AssignAction(Command):
    uid: str
    adjudicator: str  # the person at the adjudicator seat who should rule on it


@dataclass(slots=True, kw_only=True)
class SeatAgent(Command):
    team: str
    seated: bool = True
    kind: str = "heuristic"  # who plays the seat: the heuristic player or a language model


SEAT_KINDS = ("heuristic", "llm")


@dataclass(slots=True, kw_only=True)
class Leak(Command):
    """Pass one event to chosen teams as an intelligence report."""

    seq: int
    teams: tuple[str, ...]


@dataclass(slots=True, kw_only=True)
class DraftAction(Command):
    action: str
    target: str | None = None
    rationale: str = ""
    description: str = ""
    instrument: str | None = None
    secret: bool | None = None


@dataclass(slots=True, kw_only=True)
class DraftProposal(Command):
    agreement: str
    clauses: tuple[str, ...]


@dataclass(slots=True, kw_only=True)
class PauseGame(Command):
    pass


@dataclass(slots=True, kw_only=True)
class ResumeGame(Command):
    pass


@dataclass(slots=True, kw_only=True)
class RevealAll(Command):
    """The debrief: after the end, every seat may read everything."""


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
    """A scenario inject by id, or an ad-hoc one (``inject`` None) with the white cell's
    own ``news`` and ``effects``, to everyone or to chosen ``teams``."""

    inject: str | None = None
    news: str = ""
    effects: tuple[tuple[str, float], ...] = ()
    teams: tuple[str, ...] | None = None


@dataclass(slots=True, kw_only=True)
class EndGame(Command):
    """Compute the outcomes and reveal the seed."""


@dataclass(slots=True, kw_only=True)
class Argue(Command):
    """Matrix adjudication: a team argues for its own action or against another's, before
    the action is assessed; the adjudicator then counts the strong arguments."""

    uid: str
    side: str  # for | against
    text: str


ARGUMENT_SIDES = ("for", "against")
MAX_ARGUMENTS = 3  # per team and action


@dataclass(slots=True, kw_only=True)
class RecordModelCall(Command):
    """Keep a language model's prompt and answer in the log (control only)."""

    subject: str
    purpose: str
    model: str
    attempt: int
    messages: tuple[tuple[str, str], ...]
    response: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error: str = ""


@dataclass(slots=True, kw_only=True)
class RecordFallback(Command):
    """Record that the heuristic player or rule adjudicator played a model's turn, and why."""

    subject: str
    purpose: str
    reason: str


MODEL_PURPOSES = frozenset({"act", "respond", "assess"})
MAX_PROMPT = 200_000  # characters of one recorded exchange: a prompt is large, not unbounded


ASSESSMENT_METHODS = frozenset({"human", "rules", "matrix", "llm"})
INSTRUMENTS = ("diplomatic", "information", "military", "economic")
FREE = "free"
MAX_TEXT = 4000
