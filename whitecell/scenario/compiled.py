"""The compiled scenario the engine runs on.

Plain frozen dataclasses with indices resolved and expressions compiled, so
the engine's hot path never touches pydantic or looks a name up twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from whitecell.scenario.expr import Expression

Text = Mapping[str, str]


def localize(text: Text | None, lang: str) -> str:
    """The text in ``lang``, falling back to English, then to any language present."""
    if not text:
        return ""
    return text.get(lang) or text.get("en") or next(iter(text.values()))


@dataclass(frozen=True, slots=True)
class Var:
    """One slot of the state vector: a global variable or one team's copy of a per-team one."""

    key: str
    base: str
    team: str | None
    index: int
    label: Text
    unit: Text | None
    lo: float
    hi: float
    initial: float
    is_flag: bool
    visibility: str  # public | owner | control
    owner: str | None
    noise: float

    def clip(self, value: float) -> float:
        if self.is_flag:
            return 1.0 if value >= 0.5 else 0.0
        return self.lo if value < self.lo else self.hi if value > self.hi else value


@dataclass(frozen=True, slots=True)
class VarRef:
    """A variable named in an effect or a preference: fixed, or the actor's / target's copy."""

    text: str
    fixed: int | None = None
    role: str | None = None  # "actor" | "target"
    by_team: Mapping[str, int] | None = None

    def index(self, actor: str | None, target: str | None) -> int:
        if self.fixed is not None:
            return self.fixed
        assert self.by_team is not None
        return self.by_team[actor if self.role == "actor" else target]  # type: ignore[index]


@dataclass(frozen=True, slots=True)
class Effects:
    change: tuple[tuple[VarRef, float], ...] = ()
    set: tuple[tuple[VarRef, float], ...] = ()
    end_agreements: tuple[str, ...] = ()
    reveal: tuple[VarRef, ...] = ()
    reveal_exact: bool = False
    # (variable, amount, amount is the new value rather than a delta), changes then sets
    terms: tuple[tuple[VarRef, float, bool], ...] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        terms = [(ref, delta, False) for ref, delta in self.change]
        terms += [(ref, value, True) for ref, value in self.set]
        object.__setattr__(self, "terms", tuple(terms))


NO_EFFECTS = Effects()


@dataclass(frozen=True, slots=True)
class Advisor:
    name: Text
    expertise: Text


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: Text
    brief: Text
    public_objectives: tuple[Text, ...]
    private_objectives: tuple[Text, ...]
    preferences: tuple[tuple[int, float], ...]  # (variable index, weight per full range)
    reservation: Expression
    advisors: tuple[Advisor, ...]


@dataclass(frozen=True, slots=True)
class Role:
    id: str
    name: Text


@dataclass(frozen=True, slots=True)
class Round:
    number: int
    kind: str  # action | negotiation
    label: Text
    duration: dt.timedelta
    duration_text: str
    venue: Text | None
    actions_per_team: int


@dataclass(frozen=True, slots=True)
class Modifier:
    when: Expression
    add: float
    note: Text


@dataclass(frozen=True, slots=True)
class Action:
    id: str
    label: Text
    instrument: str
    teams: frozenset[str]
    targets: tuple[str, ...] | None
    secret: bool
    requires: Expression | None
    base_probability: float
    modifiers: tuple[Modifier, ...]
    on_success: Effects
    on_failure: Effects
    narrative_success: Text
    narrative_failure: Text
    escalation: str | None = None  # its rung on the escalation ladder (None: not scored)


@dataclass(frozen=True, slots=True)
class EscalationLevel:
    """One rung of the escalation ladder and what an action on it adds to the index."""

    id: str
    label: Text
    weight: float


# The default ladder, with the weights of the EscalAItion study of language-model agents
# (Rivera et al., 2024): what a scenario without an ``escalation`` section is scored on.
DEFAULT_LADDER: tuple[EscalationLevel, ...] = (
    EscalationLevel("de_escalation", {"en": "De-escalation", "ja": "緊張緩和"}, -2.0),
    EscalationLevel("posturing", {"en": "Posturing", "ja": "示威・牽制"}, 4.0),
    EscalationLevel(
        "non_violent", {"en": "Non-violent escalation", "ja": "非暴力的なエスカレーション"}, 12.0
    ),
    EscalationLevel(
        "violent", {"en": "Violent escalation", "ja": "暴力的なエスカレーション"}, 28.0
    ),
    EscalationLevel("nuclear", {"en": "Nuclear", "ja": "核"}, 60.0),
)


@dataclass(frozen=True, slots=True)
class Clause:
    id: str
    label: Text
    parties: tuple[str, ...]
    on_sign: Effects
    per_round: Effects


@dataclass(frozen=True, slots=True)
class Covariate:
    id: str
    label: Text | None
    value: Expression
    beta: float


@dataclass(frozen=True, slots=True)
class AgreementKind:
    id: str
    label: Text
    parties: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    hazard_base: float | None
    covariates: tuple[Covariate, ...]
    on_break: Effects


@dataclass(frozen=True, slots=True)
class Inject:
    id: str
    label: Text
    news: Text
    round: int | None
    when: Expression | None
    chance: float | None
    once: bool
    effects: Effects
    audience: tuple[str, ...] | None  # None: public


@dataclass(frozen=True, slots=True)
class Dynamic:
    """A rule applied at each round's close, once or once per team in ``teams``."""

    id: str
    label: Text
    news: Text | None
    teams: tuple[str, ...] | None  # None: applied once, with no actor
    when: Expression | None
    chance: Expression | None
    # (variable, amount, amount is the new value rather than a delta), in the file's order
    terms: tuple[tuple[VarRef, Expression, bool], ...]
    visibility: str  # public | team | control


@dataclass(frozen=True, slots=True)
class Card:
    """Reference material; its facts are constants expressions may read."""

    id: str
    title: Text
    body: Text
    facts: tuple[tuple[str, float], ...]
    public: bool  # every seat may read it
    teams: tuple[str, ...]  # teams that may read it besides the white cell
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    id: str
    label: Text
    is_bool: bool
    value: Expression
    headline: bool = False


@dataclass(frozen=True, slots=True)
class Source:
    title: str
    author: str
    date: str
    url: str


@dataclass(frozen=True, slots=True, eq=False)
class Scenario:
    """A validated, compiled scenario. Identity is its ``digest``."""

    id: str
    title: Text
    summary: Text
    situation_date: dt.date
    start_date: dt.date
    languages: tuple[str, ...]
    sources: tuple[Source, ...]
    reveal_at_end: bool
    teams: tuple[Team, ...]
    team: Mapping[str, Team]
    roles: Mapping[str, Role]
    mediator: str | None
    vars: tuple[Var, ...]
    var: Mapping[str, Var]
    per_team_vars: Mapping[str, Mapping[str, int]]
    rounds: tuple[Round, ...]
    actions: tuple[Action, ...]
    action: Mapping[str, Action]
    clauses: Mapping[str, Clause]
    agreements: Mapping[str, AgreementKind]
    injects: tuple[Inject, ...]
    inject: Mapping[str, Inject]
    outcomes: tuple[Outcome, ...]
    min_probability: float
    max_probability: float
    temperature: float
    negotiation_sessions: int
    hold_value: float
    document: Mapping[str, Any]
    digest: str
    scale: tuple[tuple[Text, float], ...] = ()  # estimative words; empty: Kent's defaults
    guidance: Text | None = None  # for adjudicators, human or model
    matrix_step: float = 0.1  # odds one strong argument adds (for) or takes away (against)
    dynamics: tuple[Dynamic, ...] = ()  # rules applied at each round's close
    cards: tuple[Card, ...] = ()  # reference cards
    ladder: tuple[EscalationLevel, ...] = DEFAULT_LADDER  # the escalation index's rungs
    team_ids: tuple[str, ...] = ()
    _parties: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = field(default_factory=dict)

    def headlines(self) -> tuple[Outcome, ...]:
        """The yes/no outcomes a debrief turns on: those marked, else every yes/no one."""
        marked = tuple(o for o in self.outcomes if o.headline)
        return marked or tuple(o for o in self.outcomes if o.is_bool)

    def __post_init__(self) -> None:
        object.__setattr__(self, "team_ids", tuple(t.id for t in self.teams))

    @property
    def escalation_weights(self) -> dict[str, float]:
        """Each rung's weight, by level id."""
        return {level.id: level.weight for level in self.ladder}

    @property
    def scores_escalation(self) -> bool:
        """Whether any catalogue action stands on a rung: else the scenario has no index."""
        return any(a.escalation is not None for a in self.actions)

    def actor_name(self, actor: str, lang: str) -> str:
        """A team's or a role's display name."""
        if actor in self.team:
            return localize(self.team[actor].name, lang)
        if actor in self.roles:
            return localize(self.roles[actor].name, lang)
        return actor

    def agreement_parties(self, kind: str, clauses: tuple[str, ...]) -> tuple[str, ...]:
        """Who must sign an agreement of ``kind`` made of ``clauses``, in team order."""
        key = (kind, clauses)
        parties = self._parties.get(key)
        if parties is None:
            needed = set(self.agreements[kind].parties)
            for c in clauses:
                needed.update(self.clauses[c].parties)
            parties = self._parties[key] = tuple(t for t in self.team_ids if t in needed)
        return parties
