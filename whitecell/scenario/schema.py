"""The scenario file format, as pydantic models.

These models are the boundary: they check shapes and types, forbid unknown
fields and export the JSON Schema editors use for completion. Cross references
(teams, variables, clauses...) and translations are checked in ``build.py``;
the engine never sees these models, only the compiled ``model.Scenario``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator

FORMAT_VERSION: Final = 1


class Text(RootModel[dict[str, str]]):
    """Text in every language the scenario declares, e.g. ``{en: ..., ja: ...}``."""

    model_config = ConfigDict(frozen=True, json_schema_extra={"minProperties": 1})

    @field_validator("root")
    @classmethod
    def _not_blank(cls, v: dict[str, str]) -> dict[str, str]:
        for lang, text in v.items():
            if not text.strip():
                raise ValueError(f"the '{lang}' text is empty")
        return v


Identifier = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        max_length=48,
        description="Lower-case letters, digits and underscores, starting with a letter.",
    ),
]
ScenarioId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
ExprText = Annotated[
    str | bool | float,
    Field(description="An expression over the state, e.g. 'front_line > 60 and round >= 2'."),
]
TeamList = Annotated[
    list[Identifier] | Literal["all"],
    Field(description="Team ids, or 'all'."),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    title: str
    author: str
    date: str = Field(
        pattern=r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$",
        description="Publication date as precise as known: YYYY, YYYY-MM or YYYY-MM-DD.",
    )
    url: str = Field(pattern=r"^https?://", description="Where the source can be read.")


class Meta(Strict):
    id: ScenarioId
    title: Text
    summary: Text
    situation_date: dt.date = Field(description="The date of the real-world situation.")
    start_date: dt.date = Field(description="The simulated date when round 1 opens.")
    languages: list[Literal["en", "ja"]] = Field(
        default=["en", "ja"], min_length=1, description="Every text must exist in each of these."
    )
    sources: list[Source] = []
    reveal_at_end: bool = Field(
        default=True, description="At the end every seat may read everything (the debrief)."
    )


class Advisor(Strict):
    name: Text
    expertise: Text


class TeamNegotiation(Strict):
    reservation: ExprText = Field(
        default=0.0,
        description="Automated players sign a package only if its value to them exceeds this.",
    )


class Team(Strict):
    id: Identifier
    name: Text
    brief: Text
    public_objectives: list[Text] = []
    private_objectives: list[Text] = []
    preferences: dict[str, float] = Field(
        default={},
        description="Weights over variables (VAR or VAR.TEAM) used by automated players.",
    )
    advisors: list[Advisor] = []
    negotiation: TeamNegotiation = TeamNegotiation()


class Role(Strict):
    """A non-player role such as a UN mediator, run by the white cell."""

    id: Identifier
    name: Text


class Variable(Strict):
    id: Identifier
    label: Text
    unit: Text | None = None
    type: Literal["number", "flag"] = "number"
    min: float = 0.0
    max: float = 100.0
    initial: float | bool | dict[str, float | bool] = Field(
        description="A value, or for per-team variables a value per team id."
    )
    per_team: bool = False
    visibility: Literal["public", "owner", "control"] = "public"
    owner: Identifier | None = Field(
        default=None, description="The team that sees an 'owner' variable (per-team: each team)."
    )
    noise: float | None = Field(
        default=None, ge=0, description="Half-width of a noisy intelligence estimate."
    )


class Round(Strict):
    kind: Literal["action", "negotiation"]
    label: Text
    duration: str = Field(pattern=r"^[1-9][0-9]*[hdw]$", description="e.g. 14d, 2w, 36h")
    venue: Text | None = None
    actions_per_team: int = Field(default=2, ge=1, le=20)


class Effects(Strict):
    change: dict[str, float] = Field(default={}, description="Deltas on variables.")
    set: dict[str, float | bool] = Field(default={}, description="New values of variables.")
    end_agreements: list[Identifier] = Field(
        default=[], description="Agreement kinds in force that these effects break."
    )
    reveal: list[str] = Field(
        default=[], description="Variables an intelligence report reveals to the acting team."
    )
    reveal_precision: Literal["exact", "noisy"] = "noisy"

    @field_validator("change")
    @classmethod
    def _finite(cls, v: dict[str, float]) -> dict[str, float]:
        for key, delta in v.items():
            if delta != delta or abs(delta) == float("inf"):
                raise ValueError(f"delta for {key} must be a finite number")
        return v


class Modifier(Strict):
    when: ExprText
    add: float = Field(ge=-1.0, le=1.0, description="Added to the odds when 'when' holds.")
    note: Text


class Narrative(Strict):
    success: Text
    failure: Text


class Action(Strict):
    id: Identifier
    label: Text
    instrument: Literal["diplomatic", "information", "military", "economic"]
    teams: TeamList
    targets: TeamList | None = Field(
        default=None, description="Teams that may be targeted; leave out for untargeted actions."
    )
    visibility: Literal["public", "secret"] = "public"
    requires: ExprText | None = None
    base_probability: Probability
    modifiers: list[Modifier] = []
    on_success: Effects = Effects()
    on_failure: Effects = Effects()
    narrative: Narrative
    escalation: Identifier | None = Field(
        default=None,
        description="The rung of the escalation ladder this action stands on (a level id of "
        "the scenario's 'escalation' ladder, or of the default one): what the escalation "
        "index adds up.",
    )


class Covariate(Strict):
    id: Identifier
    label: Text | None = None
    value: ExprText
    beta: float = Field(ge=-10, le=10)


class Hazard(Strict):
    """Fortna-style proportional hazard of breakdown per round: h = base * exp(sum beta*x)."""

    base: Probability
    covariates: list[Covariate] = []


class Clause(Strict):
    id: Identifier
    label: Text
    parties: list[Identifier] = Field(default=[], description="Teams that must sign it.")
    on_sign: Effects = Effects()
    per_round: Effects = Field(default=Effects(), description="Applied at each round's close.")


class Agreement(Strict):
    id: Identifier
    label: Text
    parties: list[Identifier] = Field(default=[], description="Always signatories.")
    required_clauses: list[Identifier] = Field(min_length=1)
    optional_clauses: list[Identifier] = []
    hazard: Hazard | None = None
    on_break: Effects = Effects()


class Negotiation(Strict):
    mediator: Identifier | None = Field(default=None, description="A role id or a team id.")
    clauses: list[Clause] = Field(min_length=1)
    agreements: list[Agreement] = Field(min_length=1)


class Inject(Strict):
    id: Identifier
    label: Text
    news: Text
    round: int | None = Field(default=None, ge=1, description="Checked when this round opens.")
    when: ExprText | None = None
    chance: Probability | None = Field(
        default=None, description="Chance per check while 'when' holds."
    )
    once: bool = True
    effects: Effects = Effects()
    audience: TeamList | Literal["public"] = "public"


class RuleEffects(Strict):
    """What a dynamics rule does. Amounts may be expressions over the state (read before the
    rule changes anything), e.g. ``pressure.actor: "0.1 * (50 - credibility)"``."""

    change: dict[str, ExprText] = Field(
        default={}, description="Deltas on variables: numbers or expressions."
    )
    set: dict[str, ExprText] = Field(
        default={}, description="New values of variables: numbers, true/false or expressions."
    )


class Dynamic(Strict):
    """A rule the engine applies at every round's close, after the clauses' upkeep and
    before conditional injects: drift, pressure, a programme that advances a step a round."""

    id: Identifier
    label: Text
    news: Text | None = Field(
        default=None, description="What the rule's audience is told when it applies."
    )
    teams: TeamList | None = Field(
        default=None,
        description="Apply the rule once for each of these teams, in team order, with 'actor' "
        "naming the team (VAR.actor); leave out to apply it once.",
    )
    when: ExprText | None = Field(default=None, description="Applies only while this holds.")
    chance: ExprText | None = Field(
        default=None,
        description="Chance of applying each time 'when' holds: a number or an expression "
        "(clipped to 0..1); the engine rolls a die for it.",
    )
    effects: RuleEffects
    visibility: Literal["public", "team", "control"] = Field(
        default="public",
        description="Who learns that the rule applied: everyone, the team it applied to "
        "(per-team rules), or the white cell alone. Changes to variables a seat cannot see "
        "are cut either way.",
    )


class Card(Strict):
    """Reference material (capabilities, budgets, arsenals) with numbers rules may cite as
    ``cards.CARD.FACT``."""

    id: Identifier
    title: Text
    body: Text
    facts: dict[Identifier, float] = Field(
        default={}, description="Numbers expressions may read as cards.CARD.FACT."
    )
    audience: Literal["adjudicators", "public"] | list[Identifier] = Field(
        default="adjudicators",
        description="Who may read the card: 'adjudicators' (the white cell and adjudicators), "
        "'public' (every seat), or a list of team ids (those teams and the white cell). "
        "Everyone may read every card once the game is revealed.",
    )
    source: Source | None = None


class Outcome(Strict):
    id: Identifier
    label: Text
    type: Literal["bool", "number"] = "bool"
    value: ExprText
    headline: bool = Field(
        default=False,
        description="A yes/no outcome the debrief turns on: turning points rank the game's "
        "events by their swing on these (none marked: every yes/no outcome).",
    )


class ScaleWord(Strict):
    label: Text
    probability: Probability


class Adjudication(Strict):
    min_probability: Probability = 0.02
    max_probability: Probability = 0.98
    matrix_step: float = Field(
        default=0.1,
        gt=0,
        le=0.5,
        description="Matrix adjudication: how far each strong argument moves the odds "
        "(up for the acting team's, down for the others').",
    )
    guidance: Text | None = Field(
        default=None,
        description="How adjudicators should judge odds in this scenario (shown to "
        "language-model adjudicators, and at the desk).",
    )
    scale: list[ScaleWord] | None = Field(
        default=None,
        description="Words of estimative probability and the odds each stands for, for quick "
        "entry at the adjudicator's desk (default: Sherman Kent's five).",
    )


class EscalationLevel(Strict):
    id: Identifier
    label: Text
    weight: float = Field(
        ge=-1000,
        le=1000,
        description="What one action on this rung adds to the escalation index "
        "(negative for de-escalation).",
    )


class Escalation(Strict):
    """The escalation ladder: rungs with weights, after the escalation studies of
    language-model agents (EscalAItion scores). Left out: the default five rungs."""

    levels: list[EscalationLevel] = Field(
        min_length=1, description="The rungs, from the least escalatory to the most."
    )


class Automation(Strict):
    temperature: float = Field(default=0.1, gt=0, le=100, description="Softmax temperature.")
    negotiation_sessions: int = Field(default=3, ge=1, le=20)
    hold_value: float = Field(default=0.0, description="Value of taking no action.")


class ScenarioFile(Strict):
    """A whole scenario file."""

    format_version: Literal[1] = FORMAT_VERSION
    meta: Meta
    teams: list[Team] = Field(min_length=2)
    roles: list[Role] = []
    variables: list[Variable] = Field(min_length=1)
    rounds: list[Round] = Field(min_length=1)
    actions: list[Action] = Field(min_length=1)
    negotiation: Negotiation | None = None
    injects: list[Inject] = []
    dynamics: list[Dynamic] = Field(
        default=[], description="Rules applied at every round's close, in this order."
    )
    outcomes: list[Outcome] = []
    cards: list[Card] = Field(default=[], description="Reference cards for adjudicators.")
    adjudication: Adjudication = Adjudication()
    automation: Automation = Automation()
    escalation: Escalation | None = Field(
        default=None,
        description="The escalation ladder actions are scored on (default: de_escalation -2, "
        "posturing 4, non_violent 12, violent 28, nuclear 60).",
    )
