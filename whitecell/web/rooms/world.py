"""The state of the world as a seat may see it: each variable's value, with a small trend
line over the rounds where the seat has watched it all along."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from whitecell.scenario.compiled import Var, localize
from whitecell.web.rooms.base import Model, RoomCore

WIDTH, HEIGHT = 100, 28  # the sparkline's drawing box; the page stretches it


@dataclass
class Metric:
    key: str
    label: str
    unit: str
    visible: bool
    value: float | None
    flag: bool
    estimate: Model | None = None  # the team's intelligence on a hidden value
    trend: list[float] = field(default_factory=list)  # after each round, then now
    lo: float = 0.0
    hi: float = 100.0

    @property
    def shown(self) -> str:
        if self.value is None:
            return ""
        return f"{self.value:g}"

    @property
    def points(self) -> str:
        """The trend as SVG polyline points, scaled to the variable's range."""
        values = self.trend
        if len(values) < 2 or self.hi <= self.lo:
            return ""
        step = WIDTH / (len(values) - 1)
        span = self.hi - self.lo
        return " ".join(
            f"{i * step:.1f},{HEIGHT - 2 - (v - self.lo) / span * (HEIGHT - 4):.1f}"
            for i, v in enumerate(values)
        )

    @property
    def change(self) -> float | None:
        """The change since the last round closed (None when there is no earlier value)."""
        if len(self.trend) < 2:
            return None
        return round(self.trend[-1] - self.trend[-2], 6)


@dataclass
class Group:
    """Per-team variables of one kind (cohesion, say), side by side."""

    label: str
    unit: str
    rows: list[tuple[str, str, Metric]]  # (team, its colour class, metric)


class World:
    def __init__(self, room: RoomCore) -> None:
        self.room = room

    @cached_property
    def history(self) -> dict[str, list[float]]:
        """Each variable's value at the end of every round (what happened as a round closed
        counts in it), then now. Folded from the whole record: only the trends of variables
        the seat sees are shown, and it saw each of their values as it came, even one a
        secret action moved."""
        room = self.room
        values = {v.key: v.initial for v in room.sc.vars}
        trail: dict[str, list[float]] = {v.key: [v.initial] for v in room.sc.vars}
        current = 0
        for e in room.state.events:
            if e.round != current:
                if current:
                    for key, value in values.items():
                        trail[key].append(value)
                current = e.round
            changes = getattr(e, "changes", None)
            if changes:
                for key, _old, new in changes:
                    values[key] = new
        for key, value in values.items():
            if trail[key][-1] != value or len(trail[key]) == 1:
                trail[key].append(value)
        return trail

    def metric(self, var: Var) -> Metric:
        room, view = self.room, self.room.view
        visible = view.sees_var(var)
        estimate = None
        if not visible:
            found = view.estimate(var.key)
            if found is not None:
                estimate = {"value": found[0], "exact": found[1], "round": found[2]}
        return Metric(
            key=var.key,
            label=localize(var.label, room.lang),
            unit=localize(var.unit, room.lang) if var.unit else "",
            visible=visible,
            value=room.state.v[var.index] if visible else None,
            flag=var.is_flag,
            estimate=estimate,
            trend=self.history[var.key] if visible and not var.is_flag else [],
            lo=var.lo,
            hi=var.hi,
        )

    @cached_property
    def metrics(self) -> list[Metric]:
        """The variables that belong to no team, in the scenario's order."""
        return [self.metric(v) for v in self.room.sc.vars if v.team is None]

    @cached_property
    def groups(self) -> list[Group]:
        """Per-team variables, one group per kind, a row per team."""
        room = self.room
        out: dict[str, Group] = {}
        for var in room.sc.vars:
            if var.team is None:
                continue
            group = out.get(var.base)
            if group is None:
                unit = localize(var.unit, room.lang) if var.unit else ""
                group = out[var.base] = Group(localize(var.label, room.lang), unit, [])
            group.rows.append((var.team, room.colour.get(var.team, ""), self.metric(var)))
        return list(out.values())

    @cached_property
    def outcomes(self) -> list[tuple[str, float | bool]]:
        """The game's outcomes once it has ended: (label, yes/no or a number)."""
        found = self.room.state.outcomes or {}
        return [
            (localize(o.label, self.room.lang), found[o.id])
            for o in self.room.sc.outcomes
            if o.id in found
        ]
