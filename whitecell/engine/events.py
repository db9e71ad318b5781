"""Events: the immutable facts of a game, numbered and addressed to an audience.

Events are plain slotted dataclasses, not ``frozen`` ones: a frozen dataclass
takes four times as long to build (1.5 against 0.37 microseconds for a roll),
and automated play builds a hundred thousand a second. Nothing in whitecell
assigns to an event after ``decide`` creates it; views make redacted copies with
``dataclasses.replace``.

An event's ``audience`` says who may read it: ``"*"`` for everyone, team ids
for those teams (the white cell reads everything but ``"control"``-only
records). Events carry results (new values, rolls), never instructions, so
folding them cannot fail.
"""

from __future__ import annotations

import types
import typing
from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar

from whitecell.engine.fastinit import constructor

Change = tuple[str, float, float]  # variable key, old value, new value
Changes = tuple[Change, ...]


@dataclass(slots=True, kw_only=True)
class Event:
    type: ClassVar[str] = "event"
    seq: int
    round: int
    audience: tuple[str, ...]
    actor: str
    by: str | None = None


@dataclass(slots=True, kw_only=True)
class GameStarted(Event):
    type: ClassVar[str] = "game_started"
    scenario_id: str
    scenario_digest: str
    seed_commitment: str
    start_date: str


@dataclass(slots=True, kw_only=True)
class RoundOpened(Event):
    type: ClassVar[str] = "round_opened"
    kind: str
    date: str
    deadline: str | None  # wall-clock time the white cell means to close it (ISO 8601)


@dataclass(slots=True, kw_only=True)
class RoundClosed(Event):
    type: ClassVar[str] = "round_closed"
    date: str


@dataclass(slots=True, kw_only=True)
class ActionSubmitted(Event):
    type: ClassVar[str] = "action_submitted"
    uid: str
    team: str
    action: str  # a catalogue id, or "free"
    target: str | None
    secret: bool
    instrument: str
    description: str  # what a free-form action attempts ("" for catalogue actions)
    rationale: str
    draft: str | None = None  # the team's draft it submits (logs before drafts were: none)


@dataclass(slots=True, kw_only=True)
class ActionWithdrawn(Event):
    """A team takes back its own action before the dice are rolled."""

    type: ClassVar[str] = "action_withdrawn"
    uid: str
    team: str


@dataclass(slots=True, kw_only=True)
class ActionVoided(Event):
    """The white cell sets an action aside before its outcome is applied; it never applies.
    Only the acting team (and the white cell) reads the reason."""

    type: ClassVar[str] = "action_voided"
    uid: str
    team: str
    reason: str


GAME_ENDED = "the game ended"  # the reason of the voids that ending the game mid-round makes


@dataclass(slots=True, kw_only=True)
class ActionsResolved(Event):
    """The summary of a ruling by the rules: what was resolved, what free-form actions are
    left for an adjudicator (the white cell's record; teams read each action's events)."""

    type: ClassVar[str] = "actions_resolved"
    resolved: tuple[str, ...]
    left: tuple[str, ...]


@dataclass(slots=True, kw_only=True)
class ActionAssessed(Event):
    type: ClassVar[str] = "action_assessed"
    uid: str
    probability: float
    method: str
    rationale: str
    modifiers: tuple[tuple[int, float], ...]  # (modifier index in the catalogue, odds added)
    suggested: float | None  # the rule-based odds the adjudicator was shown, if any
    # a free-form action's rung on the scenario's ladder, as the adjudicator judged it (a
    # catalogue action's is the scenario's; logs from before ladders: none)
    rung: str | None = None


@dataclass(slots=True, kw_only=True)
class DiceRolled(Event):
    type: ClassVar[str] = "dice_rolled"
    index: int
    purpose: str  # action | hazard | inject | intel | dynamic
    subject: str
    value: float
    threshold: float
    success: bool


@dataclass(slots=True, kw_only=True)
class OutcomeApplied(Event):
    type: ClassVar[str] = "outcome_applied"
    uid: str
    success: bool
    changes: Changes
    edited: bool  # the adjudicator changed the catalogue's effects


@dataclass(slots=True, kw_only=True)
class IntelligenceReport(Event):
    type: ClassVar[str] = "intelligence_report"
    team: str
    source: str
    estimates: tuple[tuple[str, float, bool], ...]  # key, value, exact


@dataclass(slots=True, kw_only=True)
class MessageSent(Event):
    type: ClassVar[str] = "message_sent"
    sender: str
    to: tuple[str, ...]
    channel: str | None
    text: str


@dataclass(slots=True, kw_only=True)
class ChannelOpened(Event):
    type: ClassVar[str] = "channel_opened"
    channel: str
    name: str
    members: tuple[str, ...]


@dataclass(slots=True, kw_only=True)
class NewsPublished(Event):
    type: ClassVar[str] = "news_published"
    text: str
    about: str | None  # the action the story reports, if any


@dataclass(slots=True, kw_only=True)
class StatementPublished(Event):
    type: ClassVar[str] = "statement_published"
    team: str
    text: str


@dataclass(slots=True, kw_only=True)
class ResultReported(Event):
    type: ClassVar[str] = "result_reported"
    uid: str
    team: str
    text: str


@dataclass(slots=True, kw_only=True)
class OddsEstimated(Event):
    type: ClassVar[str] = "odds_estimated"
    uid: str
    probability: float


@dataclass(slots=True, kw_only=True)
class ActionAssigned(Event):
    type: ClassVar[str] = "action_assigned"
    uid: str
    adjudicator: str


@dataclass(slots=True, kw_only=True)
class AgentSeated(Event):
    type: ClassVar[str] = "agent_seated"
    team: str
    seated: bool
    kind: str = "heuristic"  # heuristic | llm (logs written before it existed read heuristic)


@dataclass(slots=True, kw_only=True)
class IntelligenceLeaked(Event):
    type: ClassVar[str] = "intelligence_leaked"
    source: int  # the number of the leaked event
    teams: tuple[str, ...]
    leaked: str  # the leaked event as JSON


@dataclass(slots=True, kw_only=True)
class ActionDrafted(Event):
    type: ClassVar[str] = "action_drafted"
    draft: str
    team: str
    action: str
    target: str | None
    secret: bool
    instrument: str
    description: str
    rationale: str


@dataclass(slots=True, kw_only=True)
class ProposalDrafted(Event):
    type: ClassVar[str] = "proposal_drafted"
    draft: str
    team: str
    agreement: str
    clauses: tuple[str, ...]


@dataclass(slots=True, kw_only=True)
class GamePaused(Event):
    type: ClassVar[str] = "game_paused"
    remaining: float | None = None  # seconds left on the round clock (None: no clock ran)


@dataclass(slots=True, kw_only=True)
class GameResumed(Event):
    type: ClassVar[str] = "game_resumed"
    deadline: str | None = None  # the round clock restarted with the time that was left


@dataclass(slots=True, kw_only=True)
class ClockSet(Event):
    """The white cell moves the round clock: a new deadline, or, while the game is paused,
    more time left on the stopped clock."""

    type: ClassVar[str] = "clock_set"
    deadline: str | None
    remaining: float | None = None


@dataclass(slots=True, kw_only=True)
class GameRevealed(Event):
    type: ClassVar[str] = "game_revealed"


@dataclass(slots=True, kw_only=True)
class ProposalTabled(Event):
    type: ClassVar[str] = "proposal_tabled"
    pid: str
    sponsor: str
    agreement: str
    clauses: tuple[str, ...]
    parties: tuple[str, ...]
    counter_to: str | None
    draft: str | None = None  # the sponsor's draft it tables (logs before drafts were: none)


@dataclass(slots=True, kw_only=True)
class ProposalAccepted(Event):
    type: ClassVar[str] = "proposal_accepted"
    pid: str
    team: str


@dataclass(slots=True, kw_only=True)
class ProposalRejected(Event):
    type: ClassVar[str] = "proposal_rejected"
    pid: str
    team: str
    reason: str


@dataclass(slots=True, kw_only=True)
class ProposalSigned(Event):
    type: ClassVar[str] = "proposal_signed"
    pid: str
    team: str


@dataclass(slots=True, kw_only=True)
class AgreementSigned(Event):
    type: ClassVar[str] = "agreement_signed"
    uid: str
    pid: str
    agreement: str
    clauses: tuple[str, ...]
    parties: tuple[str, ...]
    changes: Changes


@dataclass(slots=True, kw_only=True)
class AgreementBroken(Event):
    type: ClassVar[str] = "agreement_broken"
    uid: str
    agreement: str
    cause: str  # action | inject | hazard
    source: str  # action uid, inject id or roll index
    culprit: str | None
    changes: Changes


@dataclass(slots=True, kw_only=True)
class UpkeepApplied(Event):
    type: ClassVar[str] = "upkeep_applied"
    changes: Changes


@dataclass(slots=True, kw_only=True)
class DynamicApplied(Event):
    """A scenario's dynamics rule applied at a round's close (for one team, or once)."""

    type: ClassVar[str] = "dynamic_applied"
    rule: str
    team: str | None  # the team it applied to (its "actor"), None for a rule applied once
    changes: Changes


@dataclass(slots=True, kw_only=True)
class InjectFired(Event):
    type: ClassVar[str] = "inject_fired"
    inject: str  # a scenario inject id, or "adhoc" for one the white cell wrote
    manual: bool
    news: str  # the white cell's own text for an ad-hoc inject ("" for scenario injects)
    changes: Changes


@dataclass(slots=True, kw_only=True)
class GameEnded(Event):
    type: ClassVar[str] = "game_ended"
    seed: int
    outcomes: tuple[tuple[str, float | bool], ...]


@dataclass(slots=True, kw_only=True)
class GameForked(Event):
    """The game continues from here as a fork: automated players, the dice of a fresh seed
    (committed to here, revealed at the fork's end), some rolls forced to one side. The
    parent's seed is given only when the parent game has ended and revealed it."""

    type: ClassVar[str] = "game_forked"
    seed_commitment: str
    parent_seed: int | None
    forced: tuple[tuple[str, str, int, bool], ...]  # purpose, subject, round, success
    replaced: str | None = None  # the counterfactual command the fork began with


@dataclass(slots=True, kw_only=True)
class ArgumentMade(Event):
    type: ClassVar[str] = "argument_made"
    uid: str
    team: str
    side: str  # for | against
    text: str


@dataclass(slots=True, kw_only=True)
class ModelCalled(Event):
    """A language model's prompt and answer, kept so the game can be replayed and reported
    without calling the model again. Control reads these alone: a prompt holds one team's
    brief and secrets."""

    type: ClassVar[str] = "model_called"
    subject: str  # the seat the model played ("team:ID", "adjudicator")
    purpose: str  # act | respond | assess
    model: str
    attempt: int  # 1, or 2 for the retry that showed the model its error
    messages: tuple[tuple[str, str], ...]  # (role, content)
    response: str
    prompt_tokens: int
    completion_tokens: int
    error: str  # why the answer was not used ("" when it was)


@dataclass(slots=True, kw_only=True)
class ModelFellBack(Event):
    """A turn the model did not play: its output was rejected twice, its server failed,
    or its token budget ran out; the heuristic player (or rule adjudicator) took over."""

    type: ClassVar[str] = "model_fell_back"
    subject: str
    purpose: str
    reason: str


@dataclass(slots=True, kw_only=True)
class AdvisorsAsked(Event):
    """A team's question to its advisors ("" asks for its three best moves); the team
    and control read it, nobody else, not even at the debrief."""

    type: ClassVar[str] = "advisors_asked"
    team: str
    question: str
    advisor: int | None  # the advisor's number in the team's list (None: whoever fits)
    lang: str


@dataclass(slots=True, kw_only=True)
class AdviceGiven(Event):
    """The answer to question ``question`` (its seq), for the team and control alone."""

    type: ClassVar[str] = "advice_given"
    team: str
    question: int
    advisor: int | None
    text: str
    source: str  # heuristic | model | unavailable (the model server did not answer)
    model: str
    prompt_tokens: int
    completion_tokens: int


@dataclass(slots=True, kw_only=True)
class AdvisorsSet(Event):
    """Control turned a team's advisors on or off, for round ``number`` or (None) all."""

    type: ClassVar[str] = "advisors_set"
    team: str
    enabled: bool
    number: int | None


# Events a team's advisors make: only that team and control read them (adjudicators and
# observers never, and a debrief's reveal does not open them to the other teams).
TEAM_ONLY: frozenset[type[Event]] = frozenset({AdvisorsAsked, AdviceGiven, AdvisorsSet})


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        GameStarted,
        RoundOpened,
        RoundClosed,
        ActionSubmitted,
        ActionWithdrawn,
        ActionVoided,
        ActionsResolved,
        ActionAssessed,
        DiceRolled,
        OutcomeApplied,
        IntelligenceReport,
        MessageSent,
        ProposalTabled,
        ProposalAccepted,
        ProposalRejected,
        ProposalSigned,
        AgreementSigned,
        AgreementBroken,
        UpkeepApplied,
        DynamicApplied,
        InjectFired,
        GameEnded,
        GameForked,
        ChannelOpened,
        NewsPublished,
        StatementPublished,
        ResultReported,
        OddsEstimated,
        ActionAssigned,
        AgentSeated,
        IntelligenceLeaked,
        ActionDrafted,
        ProposalDrafted,
        GamePaused,
        GameResumed,
        ClockSet,
        GameRevealed,
        ModelCalled,
        ModelFellBack,
        ArgumentMade,
        AdvisorsAsked,
        AdviceGiven,
        AdvisorsSet,
    )
}

# each event type's fast constructor (see whitecell.engine.fastinit): what decide and the
# log reader build events with; ``NEW[cls](...)`` builds exactly what ``cls(...)`` builds
NEW: dict[type[Event], typing.Callable[..., Event]] = {
    cls: constructor(cls) for cls in EVENT_TYPES.values()
}

_FIELDS: dict[type[Event], tuple[str, ...]] = {
    cls: tuple(f.name for f in fields(cls)) for cls in EVENT_TYPES.values()
}
# fields an older log may lack: they have defaults (``by``, and fields added since)
_DEFAULTED: dict[type[Event], frozenset[str]] = {
    cls: frozenset(f.name for f in fields(cls) if f.default is not MISSING)
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


def _condition(tp: Any, var: str, depth: int = 0) -> str:
    """Python source that checks the JSON value ``var`` against field type ``tp``."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(f"({_condition(a, var, depth)})" for a in typing.get_args(tp))
    if tp is type(None):
        return f"{var} is None"
    if tp in (bool, int, str):
        return f"{var}.__class__ is {tp.__name__}"
    if tp is float:
        return f"({var}.__class__ is float or {var}.__class__ is int)"
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item = f"x{depth}"
            return (
                f"{var}.__class__ is list and all({_condition(args[0], item, depth + 1)} "
                f"for {item} in {var})"
            )
        parts = [f"{var}.__class__ is list", f"len({var}) == {len(args)}"]
        parts += [f"({_condition(a, f'{var}[{i}]', depth + 1)})" for i, a in enumerate(args)]
        return " and ".join(parts)
    return "True"


def _conversion(tp: Any, var: str, depth: int = 0) -> str:
    """Python source turning the JSON value ``var`` into the field's value (lists to tuples)."""
    if typing.get_origin(tp) is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis and typing.get_origin(args[0]) is tuple:
            item = f"x{depth}"
            # a list comprehension, not a generator: half the cost for a short list
            return f"tuple([{_conversion(args[0], item, depth + 1)} for {item} in {var}])"
        return f"tuple({var})"
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return var  # unions here are of scalars
    return var


def _check_lines(tp: Any, var: str, indent: str, depth: int = 0) -> list[str]:
    """Statements that ``return None`` unless ``var`` fits ``tp``; lists are checked item by
    item in plain loops (a generator per field would double the cost of reading a log)."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = f"x{depth}"
        return [
            f"{indent}if {var}.__class__ is not list:",
            f"{indent}    return None",
            f"{indent}for {item} in {var}:",
            *_check_lines(args[0], item, indent + "    ", depth + 1),
        ]
    return [f"{indent}if not ({_condition(tp, var, depth)}):", f"{indent}    return None"]


def _reader(cls: type[Event]) -> typing.Callable[[dict[str, Any]], Event | None]:
    """A fast reader for one event type, generated from its fields: it returns None when
    anything is off, and the slow path below then says exactly what."""
    hints = {k: v for k, v in typing.get_type_hints(cls).items() if k != "type"}
    lines = [
        "def read(d):",
        f"    if len(d) != {len(hints) + 1}:",
        "        return None",
        "    try:",
    ]
    lines += [f"        f_{name} = d[{name!r}]" for name in hints]
    lines += ["    except KeyError:", "        return None"]
    for name, tp in hints.items():
        lines += _check_lines(tp, f"f_{name}", "    ")
    args = ", ".join(f"{name}={_conversion(tp, f'f_{name}')}" for name, tp in hints.items())
    lines.append(f"    return cls({args})")
    namespace: dict[str, Any] = {"cls": NEW[cls]}
    exec(compile("\n".join(lines), f"<event reader {cls.type}>", "exec"), namespace)
    read: typing.Callable[[dict[str, Any]], Event | None] = namespace["read"]
    return read


# each event type's fast reader; the log reader calls them straight, a line at a time
READERS: dict[str, typing.Callable[[dict[str, Any]], Event | None]] = {
    kind: _reader(cls) for kind, cls in EVENT_TYPES.items()
}


def event_from_dict(data: dict[str, Any]) -> Event:
    """Rebuild an event; raises :class:`EventFormatError` naming what is wrong."""
    if not isinstance(data, dict):
        raise EventFormatError("an event must be a JSON object")
    kind = data.get("type")
    reader = READERS.get(kind) if kind.__class__ is str else None
    if reader is not None:
        event = reader(data)
        if event is not None:
            return event
    return _explain(data)


def _explain(data: dict[str, Any]) -> Event:
    """The slow path: find what is wrong with ``data`` and say it (or build the event)."""
    kind = data.get("type")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise EventFormatError(f"unknown event type {kind!r}")
    names = _FIELDS[cls]
    extra = set(data) - set(names) - {"type"}
    if extra:
        raise EventFormatError(f"{kind}: unknown field(s) {', '.join(sorted(extra))}")
    missing = [n for n in names if n not in data and n not in _DEFAULTED[cls]]
    if missing:
        raise EventFormatError(f"{kind}: missing field(s) {', '.join(missing)}")
    hints = typing.get_type_hints(cls)
    for name, value in data.items():
        if name == "type":
            continue
        ok = eval(compile(_condition(hints[name], "v"), "<check>", "eval"), {}, {"v": value})
        if not ok:
            raise EventFormatError(f"{kind}: field {name} has a wrong type ({value!r})"[:300])
    return cls(**{k: _tupled(v) for k, v in data.items() if k != "type"})
