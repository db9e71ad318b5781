"""The JSON command API: one pydantic model per command type, mapped onto engine commands.

The models give clients precise 422 errors and FastAPI a documented schema; the
rules themselves stay in ``decide``. The seat and the person come from the
caller's credentials, never from the body.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from whitecell.adjudication.matrix import matrix_odds
from whitecell.engine import commands as cmd
from whitecell.engine.seats import Seat
from whitecell.engine.state import State

Text = Annotated[str, Field(max_length=cmd.MAX_TEXT, description="At most 4000 characters.")]
Id = Annotated[str, Field(max_length=64)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StartGameBody(_Body):
    type: Literal["start_game"]


class OpenRoundBody(_Body):
    type: Literal["open_round"]
    number: int
    minutes: int | None = Field(default=None, ge=1, le=24 * 60, description="Round clock.")


class CloseRoundBody(_Body):
    type: Literal["close_round"]
    number: int


class SubmitActionBody(_Body):
    type: Literal["submit_action", "draft_action"]
    action: Id = Field(description="A catalogue id, or 'free' for a free-form action.")
    target: Id | None = None
    secret: bool | None = Field(default=None, description="Free-form actions choose.")
    rationale: Text = ""
    description: Text = ""
    instrument: Literal["diplomatic", "information", "military", "economic"] | None = None


Odds = Annotated[float, Field(ge=0.0, le=1.0, description="A probability from 0 to 1.")]


class AssessBody(_Body):
    type: Literal["assess"]
    uid: Id
    probability: Odds
    rationale: Text = ""
    method: Literal["human", "rules", "matrix", "llm"] = "human"
    modifiers: list[tuple[int, float]] = []
    suggested: Odds | None = None


class EstimateBody(_Body):
    type: Literal["estimate_odds"]
    uid: Id
    probability: Odds


class RollBody(_Body):
    type: Literal["roll"]
    uid: Id


class PublishOutcomeBody(_Body):
    type: Literal["publish_outcome"]
    uid: Id
    effects: dict[str, float] | None = Field(
        default=None, description="Variable key to change; replaces the catalogue's effects."
    )
    public_text: Text = ""
    private_text: Text = ""


class SendMessageBody(_Body):
    type: Literal["send_message"]
    text: Text
    to: list[Id] = []
    channel: Id | None = None
    sender: Id | None = None


class OpenChannelBody(_Body):
    type: Literal["open_channel"]
    members: list[Id]
    name: Annotated[str, Field(max_length=200)] = ""


class TableProposalBody(_Body):
    type: Literal["table_proposal", "draft_proposal"]
    agreement: Id
    clauses: list[Id]
    counter_to: Id | None = None
    sponsor: Id | None = None


class ProposalBody(_Body):
    type: Literal["accept_proposal", "sign_agreement"]
    pid: Id


class RejectProposalBody(_Body):
    type: Literal["reject_proposal"]
    pid: Id
    reason: Text = ""


class FireInjectBody(_Body):
    type: Literal["fire_inject"]
    inject: Id | None = None
    news: Text = ""
    effects: dict[str, float] = {}
    teams: list[Id] | None = None


class NewsBody(_Body):
    type: Literal["publish_news"]
    text: Text
    about: Id | None = None


class StatementBody(_Body):
    type: Literal["publish_statement"]
    text: Text


class AssignBody(_Body):
    type: Literal["assign_action"]
    uid: Id
    adjudicator: Annotated[str, Field(max_length=200)]


class RuleByMatrixBody(_Body):
    """Matrix adjudication: the server counts the arguments named strong (by their number
    in the action's list of arguments), each moving the odds by the scenario's step, and
    assesses the action at those odds."""

    type: Literal["rule_by_matrix"]
    uid: Id
    strong: list[Annotated[int, Field(ge=0)]] = Field(default=[], max_length=64)
    rationale: Text = ""


class ArgueBody(_Body):
    """Matrix adjudication: a team's argument for its own action or against another's."""

    type: Literal["argue"]
    uid: Id
    side: Literal["for", "against"]
    text: Text


class SeatAgentBody(_Body):
    type: Literal["seat_agent"]
    team: Id
    seated: bool = True
    kind: Literal["heuristic", "llm"] = Field(
        default="heuristic",
        description="Who plays the seat: the heuristic player, or the server's language "
        "model (only when the server has one configured).",
    )


class LeakBody(_Body):
    type: Literal["leak"]
    seq: int
    teams: list[Id]


class SimpleBody(_Body):
    type: Literal["end_game", "pause_game", "resume_game", "reveal_all"]


CommandBody = Annotated[
    StartGameBody
    | OpenRoundBody
    | CloseRoundBody
    | SubmitActionBody
    | AssessBody
    | RuleByMatrixBody
    | ArgueBody
    | EstimateBody
    | RollBody
    | PublishOutcomeBody
    | SendMessageBody
    | OpenChannelBody
    | TableProposalBody
    | ProposalBody
    | RejectProposalBody
    | FireInjectBody
    | NewsBody
    | StatementBody
    | AssignBody
    | SeatAgentBody
    | LeakBody
    | SimpleBody,
    Field(discriminator="type"),
]

# what a team member who is not the lead may do: talk and draft
MEMBER_TYPES = frozenset({"send_message", "draft_action", "draft_proposal"})


def to_command(
    body: BaseModel, seat: Seat, person: str | None, deadline: str | None = None
) -> cmd.Command:
    """The engine command for an API body, at ``seat``, by ``person``."""
    common = {"seat": seat, "by": person}
    b = body
    match b:
        case StartGameBody():
            return cmd.StartGame(**common)
        case OpenRoundBody():
            return cmd.OpenRound(number=b.number, deadline=deadline, **common)
        case CloseRoundBody():
            return cmd.CloseRound(number=b.number, **common)
        case SubmitActionBody():
            kind = cmd.SubmitAction if b.type == "submit_action" else cmd.DraftAction
            return kind(
                action=b.action,
                target=b.target,
                secret=b.secret,
                rationale=b.rationale,
                description=b.description,
                instrument=b.instrument,
                **common,
            )
        case AssessBody():
            return cmd.Assess(
                uid=b.uid,
                probability=b.probability,
                rationale=b.rationale,
                method=b.method,
                modifiers=tuple(b.modifiers),
                suggested=b.suggested,
                **common,
            )
        case ArgueBody():
            return cmd.Argue(uid=b.uid, side=b.side, text=b.text, **common)
        case EstimateBody():
            return cmd.EstimateOdds(uid=b.uid, probability=b.probability, **common)
        case RollBody():
            return cmd.Roll(uid=b.uid, **common)
        case PublishOutcomeBody():
            effects = None if b.effects is None else tuple(b.effects.items())
            return cmd.ApplyOutcome(
                uid=b.uid,
                effects=effects,
                public_text=b.public_text,
                private_text=b.private_text,
                **common,
            )
        case SendMessageBody():
            return cmd.SendMessage(
                text=b.text, to=tuple(b.to), channel=b.channel, sender=b.sender, **common
            )
        case OpenChannelBody():
            return cmd.OpenChannel(members=tuple(b.members), name=b.name, **common)
        case TableProposalBody(type="table_proposal"):
            return cmd.TableProposal(
                agreement=b.agreement,
                clauses=tuple(b.clauses),
                counter_to=b.counter_to,
                sponsor=b.sponsor,
                **common,
            )
        case TableProposalBody():
            return cmd.DraftProposal(agreement=b.agreement, clauses=tuple(b.clauses), **common)
        case ProposalBody(type="accept_proposal"):
            return cmd.AcceptProposal(pid=b.pid, **common)
        case ProposalBody():
            return cmd.SignProposal(pid=b.pid, **common)
        case RejectProposalBody():
            return cmd.RejectProposal(pid=b.pid, reason=b.reason, **common)
        case FireInjectBody():
            return cmd.FireInject(
                inject=b.inject,
                news=b.news,
                effects=tuple(b.effects.items()),
                teams=None if b.teams is None else tuple(b.teams),
                **common,
            )
        case NewsBody():
            return cmd.PublishNews(text=b.text, about=b.about, **common)
        case StatementBody():
            return cmd.PublishStatement(text=b.text, **common)
        case AssignBody():
            return cmd.AssignAction(uid=b.uid, adjudicator=b.adjudicator, **common)
        case SeatAgentBody():
            return cmd.SeatAgent(team=b.team, seated=b.seated, kind=b.kind, **common)
        case LeakBody():
            return cmd.Leak(seq=b.seq, teams=tuple(b.teams), **common)
        case SimpleBody(type="end_game"):
            return cmd.EndGame(**common)
        case SimpleBody(type="pause_game"):
            return cmd.PauseGame(**common)
        case SimpleBody(type="resume_game"):
            return cmd.ResumeGame(**common)
        case SimpleBody():
            return cmd.RevealAll(**common)
    raise ValueError(f"no command for {type(b).__name__}")  # pragma: no cover - exhaustive


def matrix_command(state: State, b: RuleByMatrixBody, seat: Seat, person: str | None) -> cmd.Assess:
    """The matrix assessment a ruling asks for: each strong argument moves the odds by the
    scenario's step (up for an argument for, down against), from the action's base odds.
    A ruling the rules refuse (no such action, no such argument) is left to them."""
    rec = state.actions.get(b.uid)
    step = state.scenario.matrix_step
    strong = sorted(set(b.strong))
    if rec is None or any(k >= len(rec.arguments) for k in strong):
        counted = tuple((k, step) for k in strong)
        return cmd.Assess(
            seat=seat, by=person, uid=b.uid, probability=0.5, method="matrix", modifiers=counted
        )
    counted = tuple((k, step if rec.arguments[k][1] == "for" else -step) for k in strong)
    made_for = sum(1 for _, side, _ in rec.arguments if side == "for")
    strong_for = sum(1 for _, add in counted if add > 0)
    rationale = b.rationale or (
        f"{made_for} argument(s) for, {strong_for} strong; "
        f"{len(rec.arguments) - made_for} against, {len(counted) - strong_for} strong"
    )
    return cmd.Assess(
        seat=seat,
        by=person,
        uid=b.uid,
        probability=matrix_odds(state.scenario, rec, counted),
        method="matrix",
        modifiers=counted,
        rationale=rationale,
    )


def matrix_mismatch(state: State, b: AssessBody) -> float | None:
    """For a matrix assessment sent as such: the matrix odds when its probability is not
    them (``verify`` would reject the log), else None. Malformed counts are the rules'."""
    rec = state.actions.get(b.uid)
    if b.method != "matrix" or rec is None:
        return None
    if any(not 0 <= k < len(rec.arguments) for k, _ in b.modifiers):
        return None
    odds = matrix_odds(state.scenario, rec, b.modifiers)
    return odds if abs(odds - b.probability) > 1e-6 else None
