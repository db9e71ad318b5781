"""The state of one game: a fold of its events.

The state is mutable for speed (automated play folds hundreds of events a
millisecond); only ``evolve`` writes to it, and ``decide`` only reads it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from whitecell.engine.dice import Dice
from whitecell.engine.events import ActionDrafted, Event, ProposalDrafted
from whitecell.scenario.compiled import Round, Scenario

# An action's statuses: on its way (UNRESOLVED), then applied, or set aside (SET_ASIDE): a
# withdrawn or voided action does not count against the round's limit, does not block
# closing the round, is never applied, and counts as not taken (``actions.X.taken``).
UNRESOLVED = frozenset({"submitted", "assessed", "rolled"})
SET_ASIDE = frozenset({"withdrawn", "voided"})


# The records automated play makes most have their ``__init__`` written out (``init=False``):
# compiled (whitecell.native), a written one builds a record in a ninth of the time the
# dataclass's generated one takes. Their fields stay dataclass fields, so ``replace`` and
# ``fields`` work as before; tests/engine/test_fastinit.py checks the two agree.


@dataclass(slots=True, init=False)
class ActionRecord:
    uid: str
    round: int
    team: str
    action: str
    target: str | None
    secret: bool
    instrument: str = ""
    description: str = ""
    rationale: str = ""
    status: str = "submitted"  # submitted | assessed | rolled | applied | withdrawn | voided
    probability: float | None = None
    method: str | None = None
    roll: float | None = None
    success: bool | None = None
    adjudicator: str | None = None
    estimates: dict[str, float] = field(default_factory=dict)  # person -> blind estimate
    arguments: list[tuple[str, str, str]] = field(default_factory=list)  # (team, side, text)
    rung: str | None = None  # a free-form action's rung on the ladder, as its adjudicator judged

    def __init__(
        self,
        uid: str,
        round: int,
        team: str,
        action: str,
        target: str | None,
        secret: bool,
        instrument: str = "",
        description: str = "",
        rationale: str = "",
        status: str = "submitted",
        probability: float | None = None,
        method: str | None = None,
        roll: float | None = None,
        success: bool | None = None,
        adjudicator: str | None = None,
        estimates: dict[str, float] | None = None,
        arguments: list[tuple[str, str, str]] | None = None,
        rung: str | None = None,
    ) -> None:
        self.uid, self.round, self.team, self.action = uid, round, team, action
        self.target, self.secret, self.instrument = target, secret, instrument
        self.description, self.rationale, self.status = description, rationale, status
        self.probability, self.method, self.roll = probability, method, roll
        self.success, self.adjudicator, self.rung = success, adjudicator, rung
        self.estimates = {} if estimates is None else estimates
        self.arguments = [] if arguments is None else arguments

    @property
    def taken(self) -> bool:
        """Whether the action counts as taken: a withdrawn or voided one never happened."""
        return self.status not in SET_ASIDE

    @property
    def unresolved(self) -> bool:
        """Whether it still blocks closing its round: not applied, withdrawn or voided."""
        return self.status in UNRESOLVED

    @property
    def audience(self) -> tuple[str, ...]:
        """Who learns that the action was taken and how it turned out."""
        return (self.team,) if self.secret else ("*",)

    @property
    def odds_audience(self) -> tuple[str, ...]:
        """Who learns its odds and roll: the acting team only, since the modifiers that
        applied can tell other teams about variables they cannot see."""
        return (self.team,)


@dataclass(slots=True, init=False)
class ProposalRecord:
    pid: str
    round: int
    sponsor: str
    agreement: str
    clauses: tuple[str, ...]
    parties: tuple[str, ...]
    counter_to: str | None
    audience: tuple[str, ...]
    status: str = "open"  # open | rejected | countered | lapsed | signed
    accepted: list[str] = field(default_factory=list)
    signed: list[str] = field(default_factory=list)
    rejected_by: str | None = None

    def __init__(
        self,
        pid: str,
        round: int,
        sponsor: str,
        agreement: str,
        clauses: tuple[str, ...],
        parties: tuple[str, ...],
        counter_to: str | None,
        audience: tuple[str, ...],
        status: str = "open",
        accepted: list[str] | None = None,
        signed: list[str] | None = None,
        rejected_by: str | None = None,
    ) -> None:
        self.pid, self.round, self.sponsor, self.agreement = pid, round, sponsor, agreement
        self.clauses, self.parties, self.counter_to = clauses, parties, counter_to
        self.audience, self.status, self.rejected_by = audience, status, rejected_by
        self.accepted = [] if accepted is None else accepted
        self.signed = [] if signed is None else signed


@dataclass(slots=True)
class Channel:
    channel: str
    name: str
    members: tuple[str, ...]


@dataclass(slots=True)
class AgreementRecord:
    uid: str
    pid: str
    agreement: str
    clauses: tuple[str, ...]
    parties: tuple[str, ...]
    signed_round: int
    in_force: bool = True
    broken_round: int | None = None
    culprit: str | None = None
    cause: str | None = None


@dataclass(slots=True)
class State:
    scenario: Scenario
    seed: int | None  # secret until the game ends; never shown by a view before
    v: list[float]
    # what scenario expressions count; the positions in the lists (IN_FORCE, SIGNED, BROKEN
    # and TAKEN, SUCCEEDED, FAILED) are defined with the expressions, in scenario.expr
    agreement_counts: dict[str, list[int]]  # agreement kind -> [in force, signed, broken]
    clauses_in_force: dict[str, int]  # clause -> agreements in force including it (none: absent)
    action_counts: dict[str, list[int]]  # catalogue action -> [taken, succeeded, failed]
    inj: set[str] = field(default_factory=set)
    seq: int = 0
    round: int = 0
    round_open: bool = False
    started: bool = False
    ended: bool = False
    paused: bool = False
    revealed: bool = False  # the white cell revealed everything to everyone
    deadline: str | None = None  # when the round clock runs out (None: no clock, or paused)
    remaining: float | None = None  # seconds left on the clock while the game is paused
    channels: dict[str, Channel] = field(default_factory=dict)
    agents: set[str] = field(default_factory=set)  # teams played by automated agents
    drafts: dict[str, ActionDrafted | ProposalDrafted] = field(default_factory=dict)
    date: dt.date | None = None
    rolls: int = 0
    actions: dict[str, ActionRecord] = field(default_factory=dict)
    submitted: dict[tuple[int, str], int] = field(default_factory=dict)
    proposals: dict[str, ProposalRecord] = field(default_factory=dict)
    agreements: dict[str, AgreementRecord] = field(default_factory=dict)
    intel: dict[str, dict[str, tuple[float, bool, int]]] = field(default_factory=dict)
    outcomes: dict[str, float | bool] | None = None
    revealed_seed: int | None = None
    # advisors: control's settings by (team, round; None: every round), on unless set off;
    # questions not yet answered (seq -> team); tokens each team's advisors have spent
    advisors: dict[tuple[str, int | None], bool] = field(default_factory=dict)
    questions: dict[int, str] = field(default_factory=dict)
    advice_tokens: dict[str, int] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    dice: Dice | None = None
    # projections views have built, reused while what they show is unchanged; ``version``
    # moves whenever values, intelligence, injects or the round change (not part of the state)
    projections: dict[str | None, tuple[int, Any]] = field(default_factory=dict, repr=False)
    version: int = field(default=0, repr=False)

    @property
    def advice_round(self) -> int:
        """The round a team's advisors speak to: the round open, else the next one (the
        last round once every round has been played)."""
        if self.round_open or self.round >= len(self.scenario.rounds):
            return max(self.round, 1)
        return self.round + 1

    def advisors_on(self, team: str, number: int | None = None) -> bool:
        """Whether control lets ``team`` ask its advisors in round ``number`` (default: the
        round they speak to now)."""
        number = self.advice_round if number is None else number
        found = self.advisors.get((team, number))
        if found is None:
            found = self.advisors.get((team, None), True)
        return found

    @property
    def current_round(self) -> Round | None:
        """The scenario's round now open or last closed (None before round 1)."""
        return self.scenario.rounds[self.round - 1] if self.round else None

    def value(self, key: str) -> float:
        return self.v[self.scenario.var[key].index]

    def values(self) -> dict[str, float]:
        return {var.key: self.v[var.index] for var in self.scenario.vars}

    def snapshot(self) -> dict[str, Any]:
        """Everything that defines the state, as plain data (for comparing folds)."""
        return {
            "seq": self.seq,
            "round": self.round,
            "round_open": self.round_open,
            "started": self.started,
            "ended": self.ended,
            "date": str(self.date),
            "paused": self.paused,
            "revealed": self.revealed,
            "deadline": self.deadline,
            "remaining": self.remaining,
            "channels": {k: repr(c) for k, c in self.channels.items()},
            "agents": sorted(self.agents),
            "drafts": {k: repr(d) for k, d in self.drafts.items()},
            "rolls": self.rolls,
            "values": self.values(),
            "agreement_counts": self.agreement_counts,
            "clauses_in_force": self.clauses_in_force,
            "action_counts": self.action_counts,
            "inj": sorted(self.inj),
            "actions": {k: repr(a) for k, a in self.actions.items()},
            "submitted": sorted(self.submitted.items()),
            "proposals": {k: repr(p) for k, p in self.proposals.items()},
            "agreements": {k: repr(a) for k, a in self.agreements.items()},
            "intel": self.intel,
            "outcomes": self.outcomes,
            "revealed_seed": self.revealed_seed,
            "advisors": sorted(self.advisors.items(), key=repr),
            "questions": sorted(self.questions.items()),
            "advice_tokens": self.advice_tokens,
        }


MAX_SEED = 2**63 - 1  # seeds travel as JSON integers; readers keep 64 bits exactly


def new_state(scenario: Scenario, seed: int | object | None) -> State:
    """A game before its first event. ``seed`` may be None when only replaying a finished log.
    Any other value is checked here (typed ``object`` so that the compiled core checks it too,
    rather than refusing it with a TypeError)."""
    if seed is not None and (
        not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED
    ):
        raise ValueError(f"a game seed is a whole number from 0 to {MAX_SEED}, not {seed!r}")
    return State(
        scenario=scenario,
        seed=seed,
        v=[var.initial for var in scenario.vars],
        agreement_counts={k: [0, 0, 0] for k in scenario.agreements},
        clauses_in_force={},
        action_counts={a.id: [0, 0, 0] for a in scenario.actions},
        dice=Dice(seed) if seed is not None else None,
    )
