"""The adjudicator's desk: one case at a time — the team's rationale, the rules' odds and
the modifiers behind them, blind estimates, the matrix's arguments, the model's draft, the
roll, and the effects (labelled as people say them, editable, for free-form actions too)."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from functools import cached_property

from whitecell.adjudication.matrix import FREE_FORM_BASE
from whitecell.adjudication.rules import assess_in
from whitecell.engine import events as ev
from whitecell.engine.state import ActionRecord, State
from whitecell.engine.view import card_to_dict
from whitecell.i18n import estimative
from whitecell.scenario.compiled import localize
from whitecell.web.rooms.actions import Actions, Entry
from whitecell.web.rooms.base import KENT, OPEN, UNRESOLVED, Model, RoomCore


@dataclass
class EffectField:
    """One variable the outcome may change: its label, its key (the form field) and the
    catalogue's change for this result (0 when the catalogue leaves it alone)."""

    key: str
    label: str
    delta: float
    from_catalogue: bool


class Desk:
    def __init__(self, room: RoomCore) -> None:
        self.room = room

    @cached_property
    def queue(self) -> list[Model]:
        """The actions of this round still to be ruled on or published, in the order they
        came in."""
        room = self.room
        state = room.state
        counted = matrix_counts(state)
        entries = {e.uid: e for e in Actions(room).all}
        out = []
        for rec in state.actions.values():
            if rec.round != state.round or rec.status not in UNRESOLVED:
                continue
            out.append(self._case(rec, entries[rec.uid], counted))
        return out

    @property
    def current(self) -> Model | None:
        """The first case an adjudicator should take: assigned to them, else the oldest."""
        mine = [c for c in self.queue if c["adjudicator"] == self.room.person]
        waiting = mine or self.queue
        return waiting[0] if waiting else None

    def _case(self, rec: ActionRecord, entry: Entry, counted: dict[str, tuple[int, ...]]) -> Model:
        room = self.room
        state, sc, lang = room.state, room.sc, room.lang
        spec = sc.action.get(rec.action)
        item: Model = {
            "uid": rec.uid,
            "team": rec.team,
            "team_name": entry.team_name,
            "colour": entry.colour,
            "label": entry.label,
            "target_name": entry.target_name,
            "secret": rec.secret,
            "free": spec is None,
            "instrument": rec.instrument,
            "status": rec.status,
            "description": rec.description,
            "rationale": rec.rationale,
            "adjudicator": rec.adjudicator,
            "probability": rec.probability,
            "words": estimative(rec.probability, lang) if rec.probability is not None else "",
            "method": rec.method,
            "roll": rec.roll,
            "success": rec.success,
            "arguments": entry.arguments,
            "automated": room.automated(rec.team),
            "rung": rec.rung,
        }
        if spec is not None:
            suggestion = assess_in(state, sc, rec.action, rec.team, rec.target)
            item["suggested"] = suggestion.probability
            item["suggested_words"] = estimative(suggestion.probability, lang)
            item["modifiers"] = [
                (f"{add:+.0%}", localize(spec.modifiers[i].note, lang))
                for i, add in suggestion.modifiers
            ]
            item["modifier_pairs"] = json.dumps([list(m) for m in suggestion.modifiers])
        item["effects"] = self._effects(rec) if rec.success is not None else []
        estimates = rec.estimates
        mine = estimates.get(room.person)
        # blind: an adjudicator sees the others' estimates only after making one
        if room.kind == "control" or mine is not None:
            values = list(estimates.values())
            item["estimates"] = sorted(estimates.items())
            item["median"] = statistics.median(values) if values else None
            item["spread"] = (max(values) - min(values)) if values else None
        else:
            item["estimates"] = None
        item["my_estimate"] = mine
        # matrix adjudication: the arguments, numbered as the ruling counts them
        item["base"] = spec.base_probability if spec is not None else FREE_FORM_BASE
        item["counted"] = counted.get(rec.uid, ())
        draft = room.seating.drafts.get(rec.uid)
        item["draft"] = draft if draft is not None and rec.status in OPEN else None
        if draft is not None and draft.probability is not None:
            item["draft_words"] = estimative(draft.probability, lang)
        return item

    def _effects(self, rec: ActionRecord) -> list[EffectField]:
        """The outcome's effects: the catalogue's for this result first, then every other
        variable (so a free-form action, which has none, can be given some)."""
        room = self.room
        sc, lang = room.sc, room.lang
        spec = sc.action.get(rec.action)
        chosen: dict[int, float] = {}
        if spec is not None:
            effects = spec.on_success if rec.success else spec.on_failure
            for ref, delta in effects.change:
                index = ref.index(rec.team, rec.target)
                chosen[index] = chosen.get(index, 0.0) + delta
        fields = []
        for var in sc.vars:
            owner = f" ({room.names.get(var.team, var.team)})" if var.team else ""
            label = localize(var.label, lang) + owner
            delta = chosen.get(var.index, 0.0)
            fields.append(EffectField(var.key, label, delta, var.index in chosen))
        fields.sort(key=lambda f: not f.from_catalogue)
        return fields

    @property
    def scale(self) -> list[tuple[str, float]]:
        sc, lang = self.room.sc, self.room.lang
        return [(localize(label, lang), p) for label, p in sc.scale] or [
            (estimative(p, lang), p) for p in KENT
        ]

    @property
    def ladder(self) -> list[tuple[str, str, float]]:
        """The escalation ladder's rungs (id, label, weight): a free-form action's rung is
        the adjudicator's to judge."""
        sc, lang = self.room.sc, self.room.lang
        return [(level.id, localize(level.label, lang), level.weight) for level in sc.ladder]

    @property
    def step(self) -> float:
        return self.room.sc.matrix_step

    @property
    def bounds(self) -> tuple[float, float]:
        sc = self.room.sc
        return sc.min_probability, sc.max_probability

    @property
    def adjudicators(self) -> list[str]:
        """The people at the adjudicator seat, to assign cases to by name."""
        people = [
            row.person
            for row in self.room.seating.links
            if row.seat == "adjudicator" and not row.revoked
        ]
        return sorted(dict.fromkeys(people))

    @cached_property
    def cards(self) -> list[Model]:
        """Reference material the adjudicator may need (what this seat may read of it)."""
        return [card_to_dict(c, self.room.lang) for c in self.room.view.cards()]


def matrix_counts(state: State) -> dict[str, tuple[int, ...]]:
    """The arguments the latest matrix ruling of each action of this round counted."""
    found: dict[str, tuple[int, ...]] = {}
    for e in reversed(state.events):
        if e.round < state.round:
            break
        if isinstance(e, ev.ActionAssessed) and e.uid not in found:
            found[e.uid] = tuple(k for k, _ in e.modifiers) if e.method == "matrix" else ()
    return found
