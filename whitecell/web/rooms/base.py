"""A room's core: who is looking, at which moment of the game, and which panels come first.

:class:`RoomCore` is made from a seat's :class:`~whitecell.engine.view.View` (the only read
path out of the engine, so a room shows only what its seat may see) and a
:class:`Seating` (what the server knows beside the game). The parts of a room (the world,
the actions, the talks, the desk, the white cell's dashboard) are in their own modules
and read a RoomCore; :mod:`whitecell.web.rooms.room` puts them together. Everything a
template reads is computed on first use, so a panel fetched on its own computes only its
part.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from rich.text import Text as RichText

from whitecell.engine import events as ev
from whitecell.engine.state import State
from whitecell.engine.view import View
from whitecell.live.model_seats import Draft, Notice
from whitecell.scenario.compiled import Round, Scenario, localize
from whitecell.store.sql import SeatRow
from whitecell.web.errors import N_
from whitecell.web.i18n import translations

Model = dict[str, Any]  # plain data a template reads
OPEN = ("submitted", "assessed")  # an action still to be ruled on
UNRESOLVED = ("submitted", "assessed", "rolled")  # an action that blocks closing its round
SEAT_NAMES = {
    "control": N_("White cell"),
    "adjudicator": N_("Adjudicator"),
    "observer": N_("Observer"),
}
RULE = re.compile(r"^[\s\u2500-\u257f—-]+")  # a terminal's horizontal rule before a heading
KENT = (0.93, 0.75, 0.5, 0.3, 0.07)  # Sherman Kent's words of estimative probability
TEAM_COLOURS = 8  # t0..t7 in the style sheet

# Every panel a seat may fetch, and the order of a room by the phase of the game: the job
# of the phase first (the main column), what informs it beside (the side column).
PANELS = {
    "control": (
        "clock",
        "controls",
        "teams",
        "queue",
        "negotiation",
        "injects",
        "state",
        "talks",
        "seats",
        "log",
        "desk",
        "forecast",
        "advisors",
    ),
    "adjudicator": ("clock", "desk", "state", "story"),
    "team": ("clock", "brief", "state", "act", "advisors", "talks", "proposals", "story"),
    "observer": ("clock", "state", "story"),
}
# control's side column in and between action rounds: the forecast informs the next
# move, so it comes right under the clock
CONTROL_BESIDE_ROUNDS = (
    "clock",
    "forecast",
    "injects",
    "state",
    "negotiation",
    "talks",
    "advisors",
    "seats",
    "log",
)
LAYOUTS: Mapping[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {
    # the advisors inform the team's moves: beside the action form in an action round
    ("team", "before"): (("brief", "talks"), ("clock", "advisors", "state", "story")),
    ("team", "action"): (("act", "advisors", "talks"), ("clock", "state", "brief", "story")),
    ("team", "negotiation"): (
        ("proposals", "talks"),
        ("clock", "advisors", "state", "brief", "story"),
    ),
    ("team", "between"): (("story", "talks"), ("clock", "advisors", "state", "brief", "act")),
    ("team", "ended"): (("story",), ("clock", "state", "brief", "talks", "advisors")),
    ("adjudicator", "action"): (("desk",), ("clock", "state", "story")),
    ("adjudicator", "ended"): (("story",), ("clock", "state")),
    ("observer", "ended"): (("story",), ("clock", "state")),
    ("control", "before"): (
        ("controls", "teams", "seats"),
        ("clock", "injects", "state", "advisors", "log"),
    ),
    ("control", "action"): (
        ("controls", "teams", "queue", "desk"),
        CONTROL_BESIDE_ROUNDS,
    ),
    ("control", "negotiation"): (
        ("controls", "negotiation", "teams"),
        ("clock", "forecast", "injects", "state", "talks", "advisors", "seats", "log"),
    ),
    ("control", "between"): (
        ("controls", "teams", "queue", "desk"),
        CONTROL_BESIDE_ROUNDS,
    ),
    ("control", "ended"): (
        ("controls", "negotiation"),
        ("clock", "forecast", "state", "queue", "talks", "advisors", "seats", "log"),
    ),
}
DEFAULT_LAYOUT = {
    "adjudicator": (("desk",), ("clock", "state", "story")),
    "observer": (("story",), ("clock", "state")),
}


@dataclass(frozen=True)
class Seating:
    """What a room needs beside the game: the game's name, who is looking, and what the
    server knows of seats and automated players (control's and the desk's business)."""

    game: str
    title: str
    person: str
    lead: bool
    agent_kinds: Mapping[str, str] = field(default_factory=dict)  # team -> heuristic | llm
    model: str | None = None  # the server's language model, if it has one
    links: Sequence[SeatRow] = ()
    thinking: Sequence[str] = ()  # teams whose model is thinking now
    notices: Sequence[Notice] = ()
    drafts: Mapping[str, Draft] = field(default_factory=dict)  # the model's draft odds
    log_page: int = 0  # control's log, newest page first
    unnamed: bool = False  # the person still has the name their link was made with


def plain(markup: str) -> str:
    """Narration is Rich markup (for the terminal): pages show its text, without the
    rules drawn for a terminal."""
    return RULE.sub("", RichText.from_markup(markup).plain).strip()


def names_of(sc: Scenario, lang: str) -> dict[str, str]:
    """Teams' and roles' names as people say them."""
    return {t.id: localize(t.name, lang) for t in sc.teams} | {
        r: localize(role.name, lang) for r, role in sc.roles.items()
    }


class RoomCore:
    """One seat's room at one moment, in one language: what every part reads."""

    def __init__(self, view: View, seating: Seating, lang: str) -> None:
        self.view = view
        self.seating = seating
        self.lang = lang
        self.state: State = view.state
        self.sc: Scenario = view.sc
        self.kind = view.seat.kind
        self.team = view.seat.team
        self.game = seating.game
        self.title = seating.title or localize(self.sc.title, lang)
        self.person = seating.person
        self.lead = seating.lead

    # -- who and when -------------------------------------------------------------------
    @cached_property
    def events(self) -> list[ev.Event]:
        """The events this seat may read, redacted as its view redacts them."""
        return self.view.events()

    @cached_property
    def names(self) -> dict[str, str]:
        return names_of(self.sc, self.lang)

    @cached_property
    def colour(self) -> dict[str, str]:
        """Each team's colour class, the same in every room and chart."""
        return {t: f"t{i % TEAM_COLOURS}" for i, t in enumerate(self.sc.team_ids)}

    @cached_property
    def teams(self) -> list[tuple[str, str]]:
        return [(t, self.names[t]) for t in self.sc.team_ids]

    @property
    def team_name(self) -> str:
        return self.names.get(self.team or "", "")

    @property
    def started(self) -> bool:
        return self.state.started

    @property
    def ended(self) -> bool:
        return self.state.ended

    @property
    def paused(self) -> bool:
        return self.state.paused

    @property
    def revealed(self) -> bool:
        return self.view.revealed

    @property
    def round(self) -> int:
        return self.state.round

    @property
    def rounds(self) -> int:
        return len(self.sc.rounds)

    @property
    def round_open(self) -> bool:
        return self.state.round_open

    @property
    def current(self) -> Round | None:
        return self.state.current_round

    @property
    def round_kind(self) -> str | None:
        return self.current.kind if self.current else None

    @property
    def round_label(self) -> str:
        return localize(self.current.label, self.lang) if self.current else ""

    @property
    def venue(self) -> str:
        current = self.current
        return localize(current.venue, self.lang) if current and current.venue else ""

    @property
    def date(self) -> str:
        return str(self.state.date) if self.state.date else ""

    @property
    def deadline(self) -> str | None:
        return self.state.deadline

    @property
    def remaining(self) -> float | None:
        """Seconds of the round clock left when the game was paused (None: no clock)."""
        value = getattr(self.state, "remaining", None)
        return float(value) if isinstance(value, int | float) else None

    @property
    def next_round(self) -> int | None:
        return self.state.round + 1 if self.state.round < len(self.sc.rounds) else None

    @property
    def scenario_title(self) -> str:
        return localize(self.sc.title, self.lang)

    @property
    def summary(self) -> str:
        return localize(self.sc.summary, self.lang)

    @cached_property
    def phase(self) -> str:
        """before | action | negotiation | between | ended: what the room is for now."""
        s = self.state
        if not s.started:
            return "before"
        if s.ended:
            return "ended"
        if s.round_open and self.current is not None:
            return self.current.kind
        return "between"

    @cached_property
    def layout(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The room's panels: the phase's job first, then what informs it."""
        found = LAYOUTS.get((self.kind, self.phase)) or DEFAULT_LAYOUT.get(self.kind)
        if found is None:
            found = (("story",), ("clock", "state"))
        allowed = PANELS[self.kind]
        main, side = found
        return tuple(p for p in main if p in allowed), tuple(p for p in side if p in allowed)

    def seat_name(self, seat: str) -> str:
        """A seat as people say it: "Russia", "Adjudicator"."""
        kind, _, team = seat.partition(":")
        if team:
            return self.names.get(team, team)
        return translations(self.lang).gettext(SEAT_NAMES[kind]) if kind in SEAT_NAMES else kind

    @property
    def agents(self) -> list[str]:
        return sorted(self.state.agents)

    def automated(self, team: str) -> bool:
        return team in self.state.agents

    @cached_property
    def brief(self) -> Model | None:
        """The team's own brief, objectives and advisors (nobody else's)."""
        if not self.team:
            return None
        team, lang = self.sc.team[self.team], self.lang
        return {
            "id": team.id,
            "name": localize(team.name, lang),
            "brief": localize(team.brief, lang),
            "public_objectives": [localize(o, lang) for o in team.public_objectives],
            "private_objectives": [localize(o, lang) for o in team.private_objectives],
            "advisors": [
                {"name": localize(a.name, lang), "expertise": localize(a.expertise, lang)}
                for a in team.advisors
            ],
        }
