"""A team's actions: what it has done, what others are doing this round, and the action
form, which explains each catalogue action as the team can judge it (the odds band from
what the team believes, the effects on what it can see, whom it may target, how many
actions are left this round)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from whitecell.adjudication.rules import assess_in
from whitecell.engine import events as ev
from whitecell.engine.commands import INSTRUMENTS, MAX_ARGUMENTS
from whitecell.engine.state import ActionRecord
from whitecell.i18n import estimative
from whitecell.scenario.compiled import Action, Effects, Scenario, VarRef, localize
from whitecell.scenario.expr import EvalContext
from whitecell.web.rooms.base import OPEN, Model, RoomCore

DONE = ("withdrawn", "voided")  # actions that were taken back: they no longer count


@dataclass
class Odds:
    target: str | None
    percent: int  # rounded to 5: a band, not a promise
    words: str


@dataclass
class Choice:
    """One catalogue action as the action form offers it."""

    id: str
    label: str
    instrument: str
    secret: bool
    targets: list[tuple[str, str]]  # (team, name); empty: the action takes no target
    odds: list[Odds]
    success: list[Effect]  # on what the team can see
    failure: list[Effect]
    unseen: bool  # it also changes things the team cannot see
    available: bool = True  # its condition holds as the team sees the state

    @property
    def band(self) -> str:
        """The odds as one phrase: "likely (about 70%)", or a range over the targets."""
        if not self.odds:
            return ""
        low = min(self.odds, key=lambda o: o.percent)
        high = max(self.odds, key=lambda o: o.percent)
        if low.percent == high.percent:
            return f"{low.words} ({low.percent}%)"
        return f"{low.percent}–{high.percent}%"


@dataclass
class Entry:
    """An action in a list: one's own (with its odds and result) or another team's."""

    uid: str
    round: int
    team: str
    team_name: str
    colour: str
    label: str
    target_name: str
    secret: bool
    status: str
    free: bool
    probability: float | None = None
    words: str = ""
    roll: float | None = None
    success: bool | None = None
    rationale: str = ""
    description: str = ""
    arguments: list[Model] = field(default_factory=list)
    argue: str | None = None  # for | against: what this team may still argue
    withdraw: bool = False  # the team may still take it back


@dataclass
class Effect:
    """One effect as a page words it: "US aid to Ukraine −10", "ends the Ceasefire"."""

    label: str  # a variable's label (or an agreement's, for "ends")
    value: str = ""  # "+5", "−10", or "→ 0" for a value set outright
    ends: bool = False  # the effect ends an agreement
    reveals: bool = False  # the acting team learns the variable's value
    of_target: bool = False  # the target's copy of the variable, before one is chosen


def effect_words(
    sc: Scenario,
    effects: Effects,
    team: str,
    target: str | None,
    lang: str,
    sees: set[int],
) -> tuple[list[Effect], bool]:
    """Effects as people read them, on the variables the team sees; and whether the action
    also changes something it cannot see."""
    out: list[Effect] = []
    unseen = False
    terms = [(ref, amount, False) for ref, amount in effects.change]
    terms += [(ref, amount, True) for ref, amount in effects.set]
    for ref, amount, absolute in terms:
        label, index = _label(sc, ref, team, target, lang)
        if index is not None and index not in sees:
            unseen = True
            continue
        value = f"→ {amount:g}" if absolute else f"{amount:+g}".replace("-", "−")
        out.append(Effect(label, value, of_target=index is None))
    for kind in effects.end_agreements:
        out.append(Effect(localize(sc.agreements[kind].label, lang), ends=True))
    for ref in effects.reveal:
        label, _index = _label(sc, ref, team, target, lang)
        out.append(Effect(label, reveals=True, of_target=_index is None))
    return out, unseen


def _label(
    sc: Scenario, ref: VarRef, team: str, target: str | None, lang: str
) -> tuple[str, int | None]:
    """A referenced variable's label, and its index when it is known without a target."""
    assert ref.fixed is not None or ref.by_team is not None
    if ref.fixed is not None:
        var = sc.vars[ref.fixed]
    elif ref.role == "actor" or target is not None:
        assert ref.by_team is not None
        var = sc.vars[ref.by_team[team if ref.role == "actor" else target or ""]]
    else:  # the target's copy, before a target is chosen
        assert ref.by_team is not None
        return localize(sc.vars[next(iter(ref.by_team.values()))].label, lang), None
    owner = f" ({sc.actor_name(var.team, lang)})" if var.team else ""
    return localize(var.label, lang) + owner, var.index


class Actions:
    def __init__(self, room: RoomCore) -> None:
        self.room = room

    def entry(self, a: ActionRecord) -> Entry:
        room = self.room
        spec = room.sc.action.get(a.action)
        state, team = room.state, room.team
        arguing = (
            state.round_open and a.round == state.round and a.status in OPEN and not state.paused
        )
        argued = sum(1 for who, _, _ in a.arguments if who == team)
        return Entry(
            uid=a.uid,
            round=a.round,
            team=a.team,
            team_name=room.names.get(a.team, a.team),
            colour=room.colour.get(a.team, ""),
            label=localize(spec.label, room.lang) if spec else a.description,
            target_name=room.names.get(a.target or "", ""),
            secret=a.secret,
            status=a.status,
            free=spec is None,
            probability=a.probability,
            words=estimative(a.probability, room.lang) if a.probability is not None else "",
            roll=a.roll,
            success=a.success,
            rationale=a.rationale,
            description=a.description,
            arguments=[
                {"team": who, "team_name": room.names.get(who, who), "side": side, "text": text}
                for who, side, text in a.arguments
            ],
            argue=(
                ("for" if a.team == team else "against")
                if team and arguing and argued < MAX_ARGUMENTS
                else None
            ),
            withdraw=bool(
                team
                and a.team == team
                and a.status in OPEN
                and state.round_open
                and a.round == state.round
            ),
        )

    @cached_property
    def all(self) -> list[Entry]:
        return [self.entry(a) for a in self.room.view.actions()]

    @property
    def mine(self) -> list[Entry]:
        """This team's actions, the newest round first."""
        own = [a for a in self.all if a.team == self.room.team]
        return sorted(own, key=lambda a: -a.round)

    @property
    def others(self) -> list[Entry]:
        """Other teams' actions of this round that this team may know of."""
        room = self.room
        return [
            a
            for a in self.all
            if a.team != room.team and a.round == room.round and a.status not in DONE
        ]

    @property
    def limit(self) -> int:
        current = self.room.current
        return current.actions_per_team if current is not None else 0

    @property
    def used(self) -> int:
        room = self.room
        return sum(
            1
            for a in room.state.actions.values()
            if a.team == room.team and a.round == room.round and a.status not in DONE
        )

    @property
    def left(self) -> int:
        return max(self.limit - self.used, 0)

    @property
    def open(self) -> bool:
        """Whether the team may submit actions now."""
        room = self.room
        return room.phase == "action" and not room.paused

    @cached_property
    def catalogue(self) -> list[Choice]:
        room = self.room
        team = room.team
        if not team:
            return []
        sc, view = room.sc, room.view
        ctx = view.context()
        sees = {v.index for v in sc.vars if view.sees_var(v)}
        out = []
        for spec in sc.actions:
            if team not in spec.teams:
                continue
            targets = [(x, room.names[x]) for x in (spec.targets or ()) if x != team]
            out.append(self._choice(spec, targets, ctx, sees))
            if spec.requires is not None:
                # a condition may name the target: open if it holds against any of them
                against: list[str | None] = [x for x, _ in targets] or [None]
                out[-1].available = any(spec.requires.fn(ctx, team, x) for x in against)
        return out

    def _choice(
        self, spec: Action, targets: list[tuple[str, str]], ctx: EvalContext, sees: set[int]
    ) -> Choice:
        room = self.room
        team = room.team or ""
        lang = room.lang
        odds = []
        choices: list[str | None] = [x for x, _ in targets] or [None]
        for target in choices:
            p = assess_in(ctx, room.sc, spec.id, team, target).probability
            odds.append(Odds(target, round(p * 20) * 5, estimative(p, lang)))
        # effects on "the target's ..." are named as such: the form may change the target
        success, unseen_s = effect_words(room.sc, spec.on_success, team, None, lang, sees)
        failure, unseen_f = effect_words(room.sc, spec.on_failure, team, None, lang, sees)
        return Choice(
            id=spec.id,
            label=localize(spec.label, lang),
            instrument=spec.instrument,
            secret=spec.secret,
            targets=targets,
            odds=odds,
            success=success,
            failure=failure,
            unseen=unseen_s or unseen_f,
        )

    @property
    def instruments(self) -> tuple[str, ...]:
        return INSTRUMENTS

    @cached_property
    def drafts(self) -> list[Model]:
        """Drafts of actions the team's members wrote for the lead."""
        room = self.room
        out = []
        for d in room.view.drafts():
            if not isinstance(d, ev.ActionDrafted):
                continue
            spec = room.sc.action.get(d.action)
            out.append(
                {
                    "draft": d.draft,
                    "by": d.by or "",
                    "action": d.action,
                    "label": localize(spec.label, room.lang) if spec else d.description,
                    "target": d.target,
                    "target_name": room.names.get(d.target or "", ""),
                    "rationale": d.rationale,
                    "description": d.description,
                    "instrument": d.instrument,
                    "secret": d.secret,
                }
            )
        return out
