"""Matrix adjudication: arguments for and against, each strong one moving the odds.

In a matrix game the acting team argues why its action should work and the other
teams argue why it should not; the adjudicator judges which arguments are strong,
and each strong one moves the odds by the scenario's step from the action's base
odds (0.5 for a free-form action). Automated seats argue from the modifiers of the
catalogue as *they* see the state; the automated adjudicator counts an argument as
strong when the condition it cites holds in the true state, so a team that argues
from a wrong belief is not rewarded for it.
"""

from __future__ import annotations

from collections.abc import Sequence

from whitecell.adjudication.rules import assess_in
from whitecell.engine import commands as cmd
from whitecell.engine.seats import ADJUDICATOR, team_seat
from whitecell.engine.state import ActionRecord
from whitecell.engine.view import View
from whitecell.scenario.compiled import Scenario, localize

FREE_FORM_BASE = 0.5


def matrix_odds(sc: Scenario, rec: ActionRecord, counted: Sequence[tuple[int, float]]) -> float:
    """The base odds plus the steps of the strong arguments, within the scenario's bounds."""
    spec = sc.action.get(rec.action)
    p = (spec.base_probability if spec is not None else FREE_FORM_BASE) + sum(
        add for _, add in counted
    )
    return round(min(max(p, sc.min_probability), sc.max_probability), 6)


def cited(view: View, rec: ActionRecord, side: str) -> list[int]:
    """The modifiers a seat would cite on ``side``: those that hold as it sees the state
    and push the odds its way."""
    spec = view.sc.action.get(rec.action)
    if spec is None:
        return []
    held = assess_in(view.context(), view.sc, rec.action, rec.team, rec.target).modifiers
    return [i for i, add in held if (add > 0) == (side == "for")]


def arguments(view: View, rec: ActionRecord, side: str, lang: str) -> list[cmd.Argue]:
    """An automated seat's arguments: one per modifier it cites, in the modifier's words."""
    spec = view.sc.action[rec.action]
    team = view.seat.team
    assert team is not None
    return [
        cmd.Argue(
            seat=team_seat(team),
            uid=rec.uid,
            side=side,
            text=localize(spec.modifiers[i].note, lang),
        )
        for i in cited(view, rec, side)[: cmd.MAX_ARGUMENTS]
    ]


def judge(umpire: View, rec: ActionRecord, citations: Sequence[int | None]) -> cmd.Assess:
    """The matrix assessment of ``rec``: argument k cites modifier ``citations[k]`` (None:
    none the rules know); it is strong when that modifier holds now and pushes its way."""
    sc = umpire.sc
    holds = {i: add for i, add in cited_all(umpire, rec)}
    counted: list[tuple[int, float]] = []
    for k, (_team, side, _text) in enumerate(rec.arguments):
        i = citations[k] if k < len(citations) else None
        if i is not None and i in holds and (holds[i] > 0) == (side == "for"):
            counted.append((k, sc.matrix_step if side == "for" else -sc.matrix_step))
    strong_for = sum(1 for _, add in counted if add > 0)
    strong_against = len(counted) - strong_for
    made_for = sum(1 for _, side, _ in rec.arguments if side == "for")
    rationale = (
        f"{made_for} argument(s) for, {strong_for} strong; "
        f"{len(rec.arguments) - made_for} against, {strong_against} strong"
    )
    return cmd.Assess(
        seat=ADJUDICATOR,
        uid=rec.uid,
        probability=matrix_odds(sc, rec, counted),
        method="matrix",
        modifiers=tuple(counted),
        rationale=rationale,
    )


def cited_all(umpire: View, rec: ActionRecord) -> tuple[tuple[int, float], ...]:
    if rec.action not in umpire.sc.action:
        return ()
    return assess_in(umpire.context(), umpire.sc, rec.action, rec.team, rec.target).modifiers
