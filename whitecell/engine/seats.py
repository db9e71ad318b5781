"""Seats: who is acting or viewing. A seat is a role in the game, not a person."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

SeatKind = Literal["control", "adjudicator", "team", "observer"]

# Audience markers on events; team ids are the other members of an audience.
PUBLIC = "*"
WHITE_CELL = "white"  # control and adjudicators
CONTROL_ONLY = "control"  # control alone (e.g. records adjudicators must not see)


_NAMED_SEATS: dict[str, SeatKind] = {k: k for k in ("control", "adjudicator", "observer")}


@dataclass(frozen=True, slots=True)
class Seat:
    kind: SeatKind
    team: str | None = None
    name: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if (self.kind == "team") != (self.team is not None):
            raise ValueError("a team seat names its team; other seats name none")
        object.__setattr__(self, "name", f"team:{self.team}" if self.team else self.kind)

    def __str__(self) -> str:
        return self.name

    @classmethod
    def parse(cls, text: str) -> Seat:
        """``control``, ``adjudicator``, ``observer`` or ``team:ID`` (or a bare team id)."""
        kind = _NAMED_SEATS.get(text)
        if kind is not None:
            return cls(kind)
        team = text.removeprefix("team:")
        if not team:
            raise ValueError(f"not a seat: {text!r}")
        return cls("team", team)


CONTROL = Seat("control")
ADJUDICATOR = Seat("adjudicator")
OBSERVER = Seat("observer")


@lru_cache(maxsize=1024)
def team_seat(team: str) -> Seat:
    return Seat("team", team)
