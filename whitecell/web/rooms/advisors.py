"""A team's advisors in its room, and every team's in the white cell's: who the advisors
are, whether control lets the team ask them now, and the questions asked and answered.

Made from the seat's view alone: a team reads its own questions and answers (they are
events for that team and control), control reads every team's."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from whitecell.engine import events as ev
from whitecell.scenario.compiled import localize
from whitecell.web.rooms.base import RoomCore


@dataclass
class Exchange:
    """One question to the advisors and its answer (None while it is awaited)."""

    seq: int
    round: int
    team: str
    by: str
    advisor: str  # who was asked ("" for the three best moves)
    question: str  # "" for the three best moves
    answer: list[str] = field(default_factory=list)  # paragraphs
    answered_by: str = ""
    source: str = ""  # heuristic | model | unavailable ("" while awaited)


@dataclass
class TeamAdvisors:
    """A team's advisors as control sees them: on or off now and for every round."""

    team: str
    name: str
    colour: str
    on_now: bool
    on_always: bool
    rounds_off: list[int]
    asked: int
    tokens: int


class Advisors:
    def __init__(self, room: RoomCore) -> None:
        self.room = room

    def _name(self, team: str, index: int | None) -> str:
        advisors = self.room.sc.team[team].advisors if team in self.room.sc.team else ()
        if index is None or not 0 <= index < len(advisors):
            return ""
        return localize(advisors[index].name, self.room.lang)

    @property
    def round(self) -> int:
        """The round the advisors speak to now (the round open, else the next one)."""
        return self.room.state.advice_round

    @cached_property
    def listed(self) -> list[dict[str, str | int]]:
        """The team's advisors, numbered as a question names them."""
        room = self.room
        if not room.team:
            return []
        return [
            {
                "index": i,
                "name": localize(a.name, room.lang),
                "expertise": localize(a.expertise, room.lang),
            }
            for i, a in enumerate(room.sc.team[room.team].advisors)
        ]

    @property
    def on(self) -> bool:
        """Whether the team may ask its advisors now."""
        room = self.room
        return bool(room.team) and room.state.advisors_on(room.team or "")

    @property
    def can_ask(self) -> bool:
        room = self.room
        return room.kind == "team" and room.started and not room.ended and self.on

    @property
    def model(self) -> bool:
        return self.room.seating.model is not None

    @property
    def tokens(self) -> int:
        """Tokens the team's model advisors have spent in this game."""
        return self.room.state.advice_tokens.get(self.room.team or "", 0)

    @cached_property
    def exchanges(self) -> list[Exchange]:
        """Questions and answers the seat may read, the newest first."""
        room = self.room
        found: dict[int, Exchange] = {}
        for e in room.events:
            if isinstance(e, ev.AdvisorsAsked):
                found[e.seq] = Exchange(
                    e.seq,
                    e.round,
                    e.team,
                    e.by or "",
                    self._name(e.team, e.advisor),
                    e.question,
                )
            elif isinstance(e, ev.AdviceGiven) and e.question in found:
                x = found[e.question]
                x.answer = [line for line in e.text.splitlines() if line.strip()]
                x.answered_by = self._name(e.team, e.advisor)
                x.source = e.source
        return sorted(found.values(), key=lambda x: -x.seq)

    @property
    def waiting(self) -> bool:
        return any(not x.source for x in self.exchanges)

    @cached_property
    def teams(self) -> list[TeamAdvisors]:
        """Every team's advisors, for the white cell."""
        room = self.room
        state = room.state
        asked: dict[str, int] = {}
        for x in self.exchanges:
            asked[x.team] = asked.get(x.team, 0) + 1
        out = []
        for team, name in room.teams:
            off = sorted(n for (t, n), on in state.advisors.items() if t == team and n and not on)
            out.append(
                TeamAdvisors(
                    team,
                    name,
                    room.colour[team],
                    state.advisors_on(team),
                    state.advisors.get((team, None), True),
                    off,
                    asked.get(team, 0),
                    state.advice_tokens.get(team, 0),
                )
            )
        return out


__all__ = ["Advisors", "Exchange", "TeamAdvisors"]
