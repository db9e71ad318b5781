"""What an automated player is to the game loop: whatever reads its seat's view and
answers with commands. The heuristic agent, a language-model seat and the PettingZoo
environment's negotiators all fit; the loop never needs to know which one it has."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from whitecell.engine import commands as cmd
from whitecell.engine.state import ProposalRecord
from whitecell.engine.view import View


class Negotiator(Protocol):
    def respond(self, view: View, p: ProposalRecord, *, may_counter: bool = True) -> cmd.Command:
        """Sign, counter or reject proposal ``p``, as the seat's view shows it."""
        ...


class Player(Negotiator, Protocol):
    def choose_actions(self, view: View) -> Sequence[cmd.Command]:
        """The actions to take in the open action round (none is a choice too)."""
        ...
