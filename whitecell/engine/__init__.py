"""The event-sourced engine: commands in, events out, state as their fold, views out."""

from whitecell.engine.commands import (
    AcceptProposal,
    Assess,
    CloseRound,
    Command,
    EndGame,
    FireInject,
    OpenRound,
    PublishOutcome,
    RejectProposal,
    Roll,
    SendMessage,
    SignProposal,
    StartGame,
    SubmitAction,
    TableProposal,
)
from whitecell.engine.decide import decide
from whitecell.engine.errors import RuleViolation
from whitecell.engine.evolve import evolve, fold
from whitecell.engine.game import Game, replay
from whitecell.engine.seats import ADJUDICATOR, CONTROL, OBSERVER, Seat, team_seat
from whitecell.engine.state import State, new_state
from whitecell.engine.view import View, view

__all__ = [
    "ADJUDICATOR",
    "CONTROL",
    "OBSERVER",
    "AcceptProposal",
    "Assess",
    "CloseRound",
    "Command",
    "EndGame",
    "FireInject",
    "Game",
    "OpenRound",
    "PublishOutcome",
    "RejectProposal",
    "Roll",
    "RuleViolation",
    "Seat",
    "SendMessage",
    "SignProposal",
    "StartGame",
    "State",
    "SubmitAction",
    "TableProposal",
    "View",
    "decide",
    "evolve",
    "fold",
    "new_state",
    "replay",
    "team_seat",
    "view",
]
