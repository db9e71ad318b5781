"""Rule-based adjudication: the scenario's base odds plus the modifiers whose conditions hold.

The same function serves the white cell (which sees everything) and an automated
player estimating its own odds from its own view: fog of war makes the estimates
differ, not the rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from whitecell.engine.commands import Assess
from whitecell.engine.seats import ADJUDICATOR
from whitecell.engine.state import ActionRecord
from whitecell.engine.view import View
from whitecell.scenario.compiled import Action, Scenario
from whitecell.scenario.expr import EvalContext


@dataclass(frozen=True, slots=True)
class Assessment:
    probability: float
    base: float
    modifiers: tuple[tuple[int, float], ...]  # (modifier index, odds added)


def assess(view: View, action: str, actor: str, target: str | None) -> Assessment:
    """Odds of ``action`` by ``actor`` against ``target`` as ``view`` sees the state."""
    return assess_in(view.context(), view.sc, action, actor, target)


def odds(ctx: EvalContext, sc: Scenario, spec: Action, actor: str, target: str | None) -> float:
    """Just the clipped probability: what automated players need, many times a round."""
    p = spec.base_probability
    for mod in spec.modifiers:
        if mod.when.fn(ctx, actor, target):
            p += mod.add
    lo, hi = sc.min_probability, sc.max_probability
    return lo if p < lo else hi if p > hi else p


def assess_in(
    ctx: EvalContext, sc: Scenario, action: str, actor: str, target: str | None
) -> Assessment:
    """The rule itself, over any evaluation context (the state or a team's projection)."""
    spec = sc.action[action]
    p = spec.base_probability
    applied: list[tuple[int, float]] = []
    for i, mod in enumerate(spec.modifiers):
        if mod.when.fn(ctx, actor, target):
            p += mod.add
            applied.append((i, mod.add))
    lo, hi = sc.min_probability, sc.max_probability
    p = lo if p < lo else hi if p > hi else p
    return Assessment(round(p, 6), spec.base_probability, tuple(applied))


def assess_command(view: View, record: ActionRecord) -> Assess:
    """The adjudicator's command for a submitted action under the rules."""
    a = assess(view, record.action, record.team, record.target)
    return Assess(
        seat=ADJUDICATOR,
        uid=record.uid,
        probability=a.probability,
        method="rules",
        modifiers=a.modifiers,
    )
