"""The odds at a glance, for a scenario's designer: for each team, the actions it can take
and against whom, each action's odds in the starting state (the catalogue's base odds and
the modifiers that already apply), in estimative words, and its effects by the variables'
labels. A pure function of the scenario: no game is played."""

from __future__ import annotations

from dataclasses import dataclass, field

from whitecell.engine.decide import rule_odds
from whitecell.engine.state import new_state
from whitecell.i18n import estimative
from whitecell.scenario.compiled import Scenario, localize
from whitecell.web.rooms.actions import Effect, effect_words
from whitecell.web.rooms.base import TEAM_COLOURS


@dataclass(frozen=True)
class Odds:
    target: str  # the target's name ("" without one)
    percent: int
    words: str
    modifiers: list[tuple[str, str]]  # ("+10%", why) for each modifier that applies at start


@dataclass
class Line:
    id: str
    label: str
    instrument: str
    secret: bool
    base: int  # the catalogue's base odds, in percent
    available: bool  # its conditions hold at the start
    odds: list[Odds] = field(default_factory=list)
    success: list[Effect] = field(default_factory=list)
    failure: list[Effect] = field(default_factory=list)


@dataclass
class TeamGlance:
    id: str
    name: str
    colour: str
    lines: list[Line]


def glance(sc: Scenario, lang: str) -> list[TeamGlance]:
    state = new_state(sc, None)
    every = {v.index for v in sc.vars}  # the designer sees every variable
    out = []
    for n, team in enumerate(sc.team_ids):
        lines = []
        for spec in sc.actions:
            if team not in spec.teams:
                continue
            # a condition may name the target: open if it holds against any of them
            targets: list[str | None] = [x for x in (spec.targets or ()) if x != team] or [None]
            requires = spec.requires
            line = Line(
                id=spec.id,
                label=localize(spec.label, lang),
                instrument=spec.instrument,
                secret=spec.secret,
                base=round(spec.base_probability * 100),
                available=requires is None or any(requires.fn(state, team, x) for x in targets),
            )
            for target in targets:
                p, applied = rule_odds(state, sc, spec, team, target)
                mods = [
                    (f"{add:+.0%}", localize(spec.modifiers[i].note, lang)) for i, add in applied
                ]
                name = sc.actor_name(target, lang) if target else ""
                line.odds.append(Odds(name, round(p * 100), estimative(p, lang), mods))
            line.success = effect_words(sc, spec.on_success, team, None, lang, every)[0]
            line.failure = effect_words(sc, spec.on_failure, team, None, lang, every)[0]
            lines.append(line)
        name = sc.actor_name(team, lang)
        out.append(TeamGlance(team, name, f"t{n % TEAM_COLOURS}", lines))
    return out


__all__ = ["Line", "Odds", "TeamGlance", "glance"]
