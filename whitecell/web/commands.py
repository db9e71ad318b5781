"""The JSON command API: one pydantic model per command type, mapped onto engine commands.

The models give clients precise 422 errors and FastAPI a documented schema; the
rules themselves stay in ``decide``. The seat and the person come from the
caller's credentials, never from the body.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from whitecell.engine import commands as cmd
from whitecell.engine.seats import Seat

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


class SeatAgentBody(_Body):
    type: Literal["seat_agent"]
    team: Id
    seated: bool = True


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
            return cmd.SeatAgent(team=b.team, seated=b.seated, **common)
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
