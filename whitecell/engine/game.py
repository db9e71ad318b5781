"""A game in memory: the decide/evolve loop with no store and no I/O."""

from __future__ import annotations

from collections.abc import Iterable

from whitecell.engine.commands import Command
from whitecell.engine.decide import decide
from whitecell.engine.events import Event
from whitecell.engine.evolve import fold
from whitecell.engine.seats import Seat
from whitecell.engine.state import State, new_state
from whitecell.engine.view import View
from whitecell.scenario.compiled import Scenario


class Game:
    """Holds one game's state; every change goes through :meth:`handle`."""

    __slots__ = ("state",)

    def __init__(self, scenario: Scenario, seed: int | object | None) -> None:
        """``seed`` is checked by :func:`new_state` (see there why it is typed ``object``)."""
        self.state = new_state(scenario, seed)

    @property
    def scenario(self) -> Scenario:
        return self.state.scenario

    @property
    def events(self) -> list[Event]:
        return self.state.events

    def handle(self, command: Command) -> list[Event]:
        """Decide, then fold the new events; a RuleViolation leaves the game untouched."""
        new = decide(self.state, command)
        fold(self.state, new)  # evolve for each event, without a call per event
        return new

    def view(self, seat: Seat) -> View:
        return View(self.state, seat)


def replay(scenario: Scenario, events: Iterable[Event], seed: int | None = None) -> State:
    """Rebuild a game's state from its events (the seed, if known, allows further rolls)."""
    return fold(new_state(scenario, seed), events)
