"""Commands: what a seat asks the game to do. ``decide`` turns them into events or refuses.

Each command class carries its wire name (``type``), the one name it has everywhere: in
the JSON API, in rule cases and in the docs. :data:`COMMANDS` is the vocabulary built from
those names; the web API, the rule-case runner and ``decide``'s dispatch table are all
checked against it (tests/engine/test_vocabulary.py).

Like events, commands are slotted but not frozen dataclasses, for speed; the
engine never assigns to one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from whitecell.engine.seats import Seat


@dataclass(slots=True, kw_only=True)
class Command:
    type: ClassVar[str] = "command"
    seat: Seat
    by: str | None = None  # the person at the seat, when known


# -- lifecycle: the game and its rounds ------------------------------------------


@dataclass(slots=True, kw_only=True)
class StartGame(Command):
    """Publish the seed commitment; nothing else may happen before."""

    type: ClassVar[str] = "start_game"


@dataclass(slots=True, kw_only=True)
class OpenRound(Command):
    type: ClassVar[str] = "open_round"
    number: int
    deadline: str | None = None  # when the white cell means to close it, for the round clock
    at: str | None = None  # set by the server: a round opened while paused keeps its clock still


@dataclass(slots=True, kw_only=True)
class CloseRound(Command):
    type: ClassVar[str] = "close_round"
    number: int


@dataclass(slots=True, kw_only=True)
class PauseGame(Command):
    """Stop the game, and the round clock with the time it has left."""

    type: ClassVar[str] = "pause_game"
    at: str | None = None  # set by the server from its clock (ISO 8601); None: no clock


@dataclass(slots=True, kw_only=True)
class ResumeGame(Command):
    """Start the game again; the round clock runs on with the time that was left."""

    type: ClassVar[str] = "resume_game"
    at: str | None = None  # set by the server


@dataclass(slots=True, kw_only=True)
class ExtendRound(Command):
    """Give the open round more time on its clock (also once its time is up)."""

    type: ClassVar[str] = "extend_round"
    minutes: int
    at: str | None = None  # set by the server


MAX_EXTENSION = 24 * 60  # minutes one extension may add


@dataclass(slots=True, kw_only=True)
class EndGame(Command):
    """Compute the outcomes and reveal the seed.

    With a round open the white cell says what becomes of its open actions:
    ``resolve`` (by the rules; free-form ones are voided) or ``void``; the round then
    closes as ``close_round`` closes it, and the game ends."""

    type: ClassVar[str] = "end_game"
    open_actions: str | None = None  # resolve | void


OPEN_ACTIONS = ("resolve", "void")


@dataclass(slots=True, kw_only=True)
class RevealAll(Command):
    """The debrief: after the end, every seat may read everything."""

    type: ClassVar[str] = "reveal_all"


# -- actions: from a team's move to its published outcome -----------------------


@dataclass(slots=True, kw_only=True)
class SubmitAction(Command):
    type: ClassVar[str] = "submit_action"
    action: str  # a catalogue id, or FREE for a free-form action
    target: str | None = None
    rationale: str = ""
    description: str = ""  # what a free-form action attempts
    instrument: str | None = None  # for a free-form action
    secret: bool | None = None  # for a free-form action; a catalogue action's is fixed
    draft: str | None = None  # the team's own action draft it submits (the draft goes)
    at: str | None = None  # set by the server: an action after the round's deadline is late


@dataclass(slots=True, kw_only=True)
class DraftAction(Command):
    """An action a team works on before submitting it; checked like one, seen by the team."""

    type: ClassVar[str] = "draft_action"
    action: str
    target: str | None = None
    rationale: str = ""
    description: str = ""
    instrument: str | None = None
    secret: bool | None = None


@dataclass(slots=True, kw_only=True)
class Assess(Command):
    type: ClassVar[str] = "assess"
    uid: str
    probability: float
    rationale: str = ""
    method: str = "human"
    modifiers: tuple[tuple[int, float], ...] = ()
    suggested: float | None = None  # the rule-based odds shown to the adjudicator
    rung: str | None = None  # a free-form action's rung on the scenario's ladder


@dataclass(slots=True, kw_only=True)
class EstimateOdds(Command):
    """One adjudicator's blind estimate, before anyone rules."""

    type: ClassVar[str] = "estimate_odds"
    uid: str
    probability: float


@dataclass(slots=True, kw_only=True)
class AssignAction(Command):
    type: ClassVar[str] = "assign_action"
    uid: str
    adjudicator: str  # the person at the adjudicator seat who should rule on it


@dataclass(slots=True, kw_only=True)
class Argue(Command):
    """Matrix adjudication: a team argues for its own action or against another's, before
    the action is assessed; the adjudicator then counts the strong arguments."""

    type: ClassVar[str] = "argue"
    uid: str
    side: str  # for | against
    text: str


@dataclass(slots=True, kw_only=True)
class Roll(Command):
    type: ClassVar[str] = "roll"
    uid: str


@dataclass(slots=True, kw_only=True)
class WithdrawAction(Command):
    """A team takes back its own action before the dice are rolled."""

    type: ClassVar[str] = "withdraw_action"
    uid: str
    at: str | None = None  # set by the server: once time is up, the round's actions stand


@dataclass(slots=True, kw_only=True)
class VoidAction(Command):
    """The white cell sets aside an action not yet applied, saying why."""

    type: ClassVar[str] = "void_action"
    uid: str
    reason: str


MAX_REASON = 500  # characters of a void's reason: a short text


@dataclass(slots=True, kw_only=True)
class ResolveByRules(Command):
    """Finish every open catalogue action of the open round by the rules: assess at the
    rules' odds, roll the game's dice, publish the catalogue's outcome. Free-form actions
    have no rules' odds and are left to an adjudicator."""

    type: ClassVar[str] = "resolve_by_rules"


@dataclass(slots=True, kw_only=True)
class PublishOutcome(Command):
    """Apply a rolled action's effects and publish what happened.

    ``effects`` replaces the catalogue's (variable key to change) when the adjudicator
    edits them; a free-form action has only these. ``public_text`` goes to everyone as
    news, ``private_text`` to the acting team as its result.
    """

    type: ClassVar[str] = "publish_outcome"
    uid: str
    effects: tuple[tuple[str, float], ...] | None = None
    public_text: str = ""
    private_text: str = ""


ASSESSMENT_METHODS = frozenset({"human", "rules", "matrix", "llm"})
INSTRUMENTS = ("diplomatic", "information", "military", "economic")
FREE = "free"
ARGUMENT_SIDES = ("for", "against")
MAX_ARGUMENTS = 3  # per team and action


# -- talks: messages, channels, statements and proposals -------------------------


@dataclass(slots=True, kw_only=True)
class SendMessage(Command):
    """To teams by name (``to``), or into a channel (``channel``); a team's own chat is
    the channel ``team:<id>``."""

    type: ClassVar[str] = "send_message"
    text: str
    to: tuple[str, ...] = ()
    channel: str | None = None
    sender: str | None = None  # control may speak as a role, e.g. the UN mediator


@dataclass(slots=True, kw_only=True)
class OpenChannel(Command):
    type: ClassVar[str] = "open_channel"
    members: tuple[str, ...]  # teams; a team opening it is a member
    name: str = ""


@dataclass(slots=True, kw_only=True)
class PublishStatement(Command):
    type: ClassVar[str] = "publish_statement"
    text: str


@dataclass(slots=True, kw_only=True)
class TableProposal(Command):
    type: ClassVar[str] = "table_proposal"
    agreement: str
    clauses: tuple[str, ...]
    counter_to: str | None = None
    sponsor: str | None = None  # control tables as the mediator or another role
    draft: str | None = None  # the team's own proposal draft it tables (the draft goes)


@dataclass(slots=True, kw_only=True)
class DraftProposal(Command):
    type: ClassVar[str] = "draft_proposal"
    agreement: str
    clauses: tuple[str, ...]


@dataclass(slots=True, kw_only=True)
class AcceptProposal(Command):
    type: ClassVar[str] = "accept_proposal"
    pid: str


@dataclass(slots=True, kw_only=True)
class RejectProposal(Command):
    type: ClassVar[str] = "reject_proposal"
    pid: str
    reason: str = ""


@dataclass(slots=True, kw_only=True)
class SignProposal(Command):
    """A party's signature; the last party's puts the agreement in force."""

    type: ClassVar[str] = "sign_proposal"
    pid: str


# -- the white cell: injects, news, leaks and automated seats --------------------


@dataclass(slots=True, kw_only=True)
class FireInject(Command):
    """A scenario inject by id, or an ad-hoc one (``inject`` None) with the white cell's
    own ``news`` and ``effects``, to everyone or to chosen ``teams``."""

    type: ClassVar[str] = "fire_inject"
    inject: str | None = None
    news: str = ""
    effects: tuple[tuple[str, float], ...] = ()
    teams: tuple[str, ...] | None = None


@dataclass(slots=True, kw_only=True)
class PublishNews(Command):
    type: ClassVar[str] = "publish_news"
    text: str
    about: str | None = None


@dataclass(slots=True, kw_only=True)
class Leak(Command):
    """Pass one event to chosen teams as an intelligence report."""

    type: ClassVar[str] = "leak"
    seq: int
    teams: tuple[str, ...]


@dataclass(slots=True, kw_only=True)
class SeatAgent(Command):
    type: ClassVar[str] = "seat_agent"
    team: str
    seated: bool = True
    kind: str = "heuristic"  # who plays the seat: the heuristic player or a language model


SEAT_KINDS = ("heuristic", "llm")


# -- advisors: a team consults its scenario advisors; control turns them on and off --------


@dataclass(slots=True, kw_only=True)
class AskAdvisors(Command):
    """A team asks its advisors: with no question, for its three best moves (the server
    answers from the team's own view); with a question, one advisor (by its number in the
    team's list) answers it, when the server has a language model."""

    type: ClassVar[str] = "ask_advisors"
    question: str = ""
    advisor: int | None = None
    lang: str = "en"


@dataclass(slots=True, kw_only=True)
class SetAdvisors(Command):
    """Control turns a team's advisors on or off, for one round or (``number`` None) for
    every round; a setting for every round clears the team's settings for single rounds."""

    type: ClassVar[str] = "set_advisors"
    team: str
    enabled: bool
    number: int | None = None


@dataclass(slots=True, kw_only=True)
class RecordAdvice(Command):
    """The server records the answer to a team's question (the seq of its ``ask``)."""

    type: ClassVar[str] = "record_advice"
    question: int
    text: str
    advisor: int | None = None
    source: str = "heuristic"  # heuristic | model | unavailable
    model: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0


ADVICE_SOURCES = ("heuristic", "model", "unavailable")
MAX_QUESTION = 1000  # characters of a question to an advisor


# -- model records: what a language model in a seat was asked and answered ------


@dataclass(slots=True, kw_only=True)
class RecordModelCall(Command):
    """Keep a language model's prompt and answer in the log (control only)."""

    type: ClassVar[str] = "record_model_call"
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

    type: ClassVar[str] = "record_fallback"
    subject: str
    purpose: str
    reason: str


MODEL_PURPOSES = frozenset({"act", "respond", "assess"})
MAX_PROMPT = 200_000  # characters of one recorded exchange: a prompt is large, not unbounded

MAX_TEXT = 4000


# -- the vocabulary ---------------------------------------------------------------

# Listed by hand, family by family, rather than read from ``Command.__subclasses__()``:
# the list is the vocabulary's table of contents, its order is the order the docs and the
# dispatch table follow, and a subclass defined elsewhere (a test's stand-in for an
# unknown command) cannot slip into it. test_vocabulary checks that no class is left out.
COMMANDS: dict[str, type[Command]] = {
    cls.type: cls
    for cls in (
        # lifecycle
        StartGame,
        OpenRound,
        CloseRound,
        PauseGame,
        ResumeGame,
        ExtendRound,
        EndGame,
        RevealAll,
        # actions
        SubmitAction,
        DraftAction,
        Assess,
        EstimateOdds,
        AssignAction,
        Argue,
        Roll,
        PublishOutcome,
        WithdrawAction,
        VoidAction,
        ResolveByRules,
        # talks
        SendMessage,
        OpenChannel,
        PublishStatement,
        TableProposal,
        DraftProposal,
        AcceptProposal,
        RejectProposal,
        SignProposal,
        # white cell
        FireInject,
        PublishNews,
        Leak,
        SeatAgent,
        # advisors
        AskAdvisors,
        SetAdvisors,
        RecordAdvice,
        # model records
        RecordModelCall,
        RecordFallback,
    )
}

# Commands that carry the server's time (``at``, ISO 8601 UTC) for the round clock: the
# server sets it from its own clock, never from a client's body; automated play leaves it
# None, and then nothing about clocks is checked.
CLOCKED: frozenset[str] = frozenset(
    {
        OpenRound.type,
        PauseGame.type,
        ResumeGame.type,
        ExtendRound.type,
        SubmitAction.type,
        WithdrawAction.type,
    }
)

# Commands only the server itself gives (when a language model plays a seat); the JSON
# API has no body for them.
INTERNAL: frozenset[str] = frozenset({RecordModelCall.type, RecordFallback.type, RecordAdvice.type})

# Deprecated: earlier names, still accepted for backward compatibility (old rule-case
# folders, old API clients). New code and files use the names in COMMANDS.
ALIASES: dict[str, str] = {
    "start": StartGame.type,
    "apply_outcome": PublishOutcome.type,
    "sign_agreement": SignProposal.type,
}
