"""The JSON command API: one pydantic body per engine command, named as the command is.

Each body names its engine command (``command``) and its ``type`` is that command's wire
name (``Command.type``), so the vocabulary is declared once, in the engine;
``tests/web/test_commands.py`` checks that every command a seat may give has a body.
The bodies give clients precise 422 errors and FastAPI a documented schema; the rules
themselves stay in ``decide``. The seat and the person come from the caller's
credentials, never from the body. Old names (``sign_agreement``) are still accepted:
:data:`~whitecell.engine.commands.ALIASES`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from whitecell.adjudication.matrix import matrix_odds
from whitecell.engine import commands as cmd
from whitecell.engine.seats import Seat
from whitecell.engine.state import State

Text = Annotated[str, Field(max_length=cmd.MAX_TEXT, description="At most 4000 characters.")]
Id = Annotated[str, Field(max_length=64)]
Odds = Annotated[float, Field(ge=0.0, le=1.0, description="A probability from 0 to 1.")]
Instrument = Literal["diplomatic", "information", "military", "economic"]


def _plain(value: Any) -> Any:
    """A body's value as the engine's frozen commands hold it: lists and maps as tuples."""
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    if isinstance(value, Mapping):
        return tuple(value.items())
    return value


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    command: ClassVar[type[cmd.Command]]

    def to_command(self, seat: Seat, by: str | None, deadline: str | None) -> cmd.Command:
        """The engine command: the body's fields are the command's (``type`` aside)."""
        names = type(self).model_fields
        fields = {name: _plain(getattr(self, name)) for name in names if name != "type"}
        return self.command(seat=seat, by=by, **fields)


# -- lifecycle --------------------------------------------------------------------------


class StartGameBody(_Body):
    command = cmd.StartGame
    type: Literal["start_game"]


class OpenRoundBody(_Body):
    command = cmd.OpenRound
    type: Literal["open_round"]
    number: int
    minutes: int | None = Field(default=None, ge=1, le=24 * 60, description="Round clock.")

    def to_command(self, seat: Seat, by: str | None, deadline: str | None) -> cmd.Command:
        return cmd.OpenRound(seat=seat, by=by, number=self.number, deadline=deadline)


class CloseRoundBody(_Body):
    command = cmd.CloseRound
    type: Literal["close_round"]
    number: int


class PauseGameBody(_Body):
    command = cmd.PauseGame
    type: Literal["pause_game"]


class ResumeGameBody(_Body):
    command = cmd.ResumeGame
    type: Literal["resume_game"]


class ExtendRoundBody(_Body):
    """More time on the open round's clock; the server gives the time now (``at``)."""

    command = cmd.ExtendRound
    type: Literal["extend_round"]
    minutes: int = Field(ge=1, le=cmd.MAX_EXTENSION, description="Minutes to add.")


class EndGameBody(_Body):
    command = cmd.EndGame
    type: Literal["end_game"]
    open_actions: Literal["resolve", "void"] | None = Field(
        default=None,
        description="With a round open: 'resolve' rules on its open actions by the rules "
        "(free-form ones are voided), 'void' voids them; then the round closes.",
    )


class RevealAllBody(_Body):
    command = cmd.RevealAll
    type: Literal["reveal_all"]


# -- actions and their adjudication -----------------------------------------------------


class _ActionFields(_Body):
    action: Id = Field(description="A catalogue id, or 'free' for a free-form action.")
    target: Id | None = None
    secret: bool | None = Field(default=None, description="Free-form actions choose.")
    rationale: Text = ""
    description: Text = ""
    instrument: Instrument | None = None


class SubmitActionBody(_ActionFields):
    command = cmd.SubmitAction
    type: Literal["submit_action"]
    draft: Id | None = Field(default=None, description="The team's own draft it submits.")


class DraftActionBody(_ActionFields):
    command = cmd.DraftAction
    type: Literal["draft_action"]


class AssessBody(_Body):
    command = cmd.Assess
    type: Literal["assess"]
    uid: Id
    probability: Odds
    rationale: Text = ""
    method: Literal["human", "rules", "matrix", "llm"] = "human"
    modifiers: list[tuple[int, float]] = []
    suggested: Odds | None = None
    rung: Id | None = Field(
        default=None, description="A free-form action's rung on the scenario's escalation ladder."
    )


class RuleByMatrixBody(_Body):
    """Matrix adjudication: the server counts the arguments named strong (by their number
    in the action's list of arguments), each moving the odds by the scenario's step, and
    assesses the action at those odds (an ``assess`` command: see :func:`matrix_command`)."""

    command = cmd.Assess
    type: Literal["rule_by_matrix"]
    uid: Id
    strong: list[Annotated[int, Field(ge=0)]] = Field(default=[], max_length=64)
    rationale: Text = ""
    rung: Id | None = Field(
        default=None, description="A free-form action's rung on the scenario's escalation ladder."
    )

    def to_command(self, seat: Seat, by: str | None, deadline: str | None) -> cmd.Command:
        raise TypeError("a matrix ruling needs the game's state: use matrix_command")


class EstimateOddsBody(_Body):
    command = cmd.EstimateOdds
    type: Literal["estimate_odds"]
    uid: Id
    probability: Odds


class AssignActionBody(_Body):
    command = cmd.AssignAction
    type: Literal["assign_action"]
    uid: Id
    adjudicator: Annotated[str, Field(max_length=200)]


class ArgueBody(_Body):
    """Matrix adjudication: a team's argument for its own action or against another's."""

    command = cmd.Argue
    type: Literal["argue"]
    uid: Id
    side: Literal["for", "against"]
    text: Text


class RollBody(_Body):
    command = cmd.Roll
    type: Literal["roll"]
    uid: Id


class WithdrawActionBody(_Body):
    command = cmd.WithdrawAction
    type: Literal["withdraw_action"]
    uid: Id


class VoidActionBody(_Body):
    command = cmd.VoidAction
    type: Literal["void_action"]
    uid: Id
    reason: Annotated[str, Field(max_length=cmd.MAX_REASON, description="Why (the team reads it).")]


class ResolveByRulesBody(_Body):
    command = cmd.ResolveByRules
    type: Literal["resolve_by_rules"]


class PublishOutcomeBody(_Body):
    command = cmd.PublishOutcome
    type: Literal["publish_outcome"]
    uid: Id
    effects: dict[str, float] | None = Field(
        default=None, description="Variable key to change; replaces the catalogue's effects."
    )
    public_text: Text = ""
    private_text: Text = ""


# -- talks ------------------------------------------------------------------------------


class SendMessageBody(_Body):
    command = cmd.SendMessage
    type: Literal["send_message"]
    text: Text
    to: list[Id] = []
    channel: Id | None = None
    sender: Id | None = None


class OpenChannelBody(_Body):
    command = cmd.OpenChannel
    type: Literal["open_channel"]
    members: list[Id]
    name: Annotated[str, Field(max_length=200)] = ""


class PublishStatementBody(_Body):
    command = cmd.PublishStatement
    type: Literal["publish_statement"]
    text: Text


class TableProposalBody(_Body):
    command = cmd.TableProposal
    type: Literal["table_proposal"]
    agreement: Id
    clauses: list[Id]
    counter_to: Id | None = None
    sponsor: Id | None = None
    draft: Id | None = Field(default=None, description="The team's own draft it tables.")


class DraftProposalBody(_Body):
    command = cmd.DraftProposal
    type: Literal["draft_proposal"]
    agreement: Id
    clauses: list[Id]


class AcceptProposalBody(_Body):
    command = cmd.AcceptProposal
    type: Literal["accept_proposal"]
    pid: Id


class RejectProposalBody(_Body):
    command = cmd.RejectProposal
    type: Literal["reject_proposal"]
    pid: Id
    reason: Text = ""


class SignProposalBody(_Body):
    command = cmd.SignProposal
    type: Literal["sign_proposal"]
    pid: Id


# -- the white cell ---------------------------------------------------------------------


class FireInjectBody(_Body):
    command = cmd.FireInject
    type: Literal["fire_inject"]
    inject: Id | None = None
    news: Text = ""
    effects: dict[str, float] = {}
    teams: list[Id] | None = None


class PublishNewsBody(_Body):
    command = cmd.PublishNews
    type: Literal["publish_news"]
    text: Text
    about: Id | None = None


class LeakBody(_Body):
    command = cmd.Leak
    type: Literal["leak"]
    seq: int
    teams: list[Id]


class SeatAgentBody(_Body):
    command = cmd.SeatAgent
    type: Literal["seat_agent"]
    team: Id
    seated: bool = True
    kind: Literal["heuristic", "llm"] = Field(
        default="heuristic",
        description="Who plays the seat: the heuristic player, or the server's language "
        "model (only when the server has one configured).",
    )


class AskAdvisorsBody(_Body):
    """A team asks its advisors: no question for its three best moves (worked out at once
    from the team's view); a question, to one advisor, needs the server's language model.
    The answer is an ``advice_given`` event, for the team and control alone."""

    command = cmd.AskAdvisors
    type: Literal["ask_advisors"]
    question: Annotated[str, Field(max_length=cmd.MAX_QUESTION)] = ""
    advisor: Annotated[int, Field(ge=0, le=64)] | None = Field(
        default=None, description="The advisor's number in the team's list (from 0)."
    )
    lang: Literal["en", "ja"] = Field(default="en", description="The answer's language.")


class SetAdvisorsBody(_Body):
    command = cmd.SetAdvisors
    type: Literal["set_advisors"]
    team: Id
    enabled: bool
    number: int | None = Field(default=None, description="One round; none: every round.")


BODIES: tuple[type[_Body], ...] = (
    StartGameBody,
    OpenRoundBody,
    CloseRoundBody,
    PauseGameBody,
    ResumeGameBody,
    ExtendRoundBody,
    EndGameBody,
    RevealAllBody,
    SubmitActionBody,
    DraftActionBody,
    AssessBody,
    RuleByMatrixBody,
    EstimateOddsBody,
    AssignActionBody,
    ArgueBody,
    RollBody,
    PublishOutcomeBody,
    WithdrawActionBody,
    VoidActionBody,
    ResolveByRulesBody,
    SendMessageBody,
    OpenChannelBody,
    PublishStatementBody,
    TableProposalBody,
    DraftProposalBody,
    AcceptProposalBody,
    RejectProposalBody,
    SignProposalBody,
    FireInjectBody,
    PublishNewsBody,
    LeakBody,
    SeatAgentBody,
    AskAdvisorsBody,
    SetAdvisorsBody,
)
CommandBody = Annotated[
    StartGameBody
    | OpenRoundBody
    | CloseRoundBody
    | PauseGameBody
    | ResumeGameBody
    | ExtendRoundBody
    | EndGameBody
    | RevealAllBody
    | SubmitActionBody
    | DraftActionBody
    | AssessBody
    | RuleByMatrixBody
    | EstimateOddsBody
    | AssignActionBody
    | ArgueBody
    | RollBody
    | PublishOutcomeBody
    | WithdrawActionBody
    | VoidActionBody
    | ResolveByRulesBody
    | SendMessageBody
    | OpenChannelBody
    | PublishStatementBody
    | TableProposalBody
    | DraftProposalBody
    | AcceptProposalBody
    | RejectProposalBody
    | SignProposalBody
    | FireInjectBody
    | PublishNewsBody
    | LeakBody
    | SeatAgentBody
    | AskAdvisorsBody
    | SetAdvisorsBody,
    Field(discriminator="type"),
]
# wire names of the API's own that the server turns into an engine command
API_ONLY = {"rule_by_matrix": cmd.Assess.type}
# what a team member who is not the lead may do: talk, draft and consult the advisors
MEMBER_TYPES = frozenset(
    {cmd.SendMessage.type, cmd.DraftAction.type, cmd.DraftProposal.type, cmd.AskAdvisors.type}
)


def current_name(raw: object) -> object:
    """A command as sent, with a deprecated wire name replaced by its current one."""
    if isinstance(raw, dict) and raw.get("type") in cmd.ALIASES:
        return {**raw, "type": cmd.ALIASES[raw["type"]]}
    return raw


def to_command(
    body: _Body,
    seat: Seat,
    person: str | None,
    deadline: str | None = None,
    at: str | None = None,
) -> cmd.Command:
    """The engine command for an API body, at ``seat``, by ``person``. ``at`` is the
    server's time now (ISO 8601, UTC): the round clock's commands (``cmd.CLOCKED``) carry
    it; no body accepts it from a client."""
    command = body.to_command(seat, person, deadline)
    if at is not None and command.type in cmd.CLOCKED:
        command = replace(command, at=at)  # type: ignore[call-arg]
    return command


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
            seat=seat,
            by=person,
            uid=b.uid,
            probability=0.5,
            method="matrix",
            modifiers=counted,
            rung=b.rung,
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
        rung=b.rung,
    )


def matrix_mismatch(state: State, b: AssessBody) -> float | None:
    """For a matrix assessment sent as such: the matrix odds when its probability is not
    them (``verify`` would reject the log), else None. Malformed counts are the rules'."""
    rec = state.actions.get(b.uid)
    if b.method != "matrix" or rec is None:
        return None
    if any(not 0 <= k < len(rec.arguments) for k, _ in b.modifiers):
        return None
    odds = matrix_odds(state.scenario, rec, tuple(b.modifiers))
    return odds if abs(odds - b.probability) > 1e-6 else None
