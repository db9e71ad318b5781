"""Numbers for learners: a seat's view as a fixed-length vector, and a team's moves as indices.

Everything here reads a :class:`View` and nothing else, so an observation holds exactly
what the seat may know: a team's vector never moves when a variable it cannot see does.

Observation layout (float32, every entry in [0, 1]; ``n`` is the number of variables, in
scenario order, per-team variables expanded as ``cohesion.russia`` ...):

=========================  =====================================================
``value:<var>``   (n)      what the seat takes the variable to be, scaled over
                           [lo, hi]: the true value if it sees it, else its latest
                           intelligence estimate, else the scenario's initial value
``visible:<var>`` (n)      1 if the seat reads the true value
``estimated:<var>`` (n)    1 if the value is an intelligence estimate
``exact:<var>``   (n)      1 if that estimate was exact when it was made
``round``                  round open now (or last closed) / number of rounds
``round_kind:action``      1 if an action round is open
``round_kind:negotiation`` 1 if a negotiation round is open
``ended``                  1 once the game has ended
``agreement_in_force:<k>`` per agreement kind: one is in force
``agreement_signed:<k>``   one has ever been signed
``agreement_broken:<k>``   one has ever been broken
``clause_in_force:<c>``    per clause: part of an agreement in force
``inject:<id>``            per inject: it has fired and the seat was told
=========================  =====================================================

:func:`observation_layout` gives these names in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from whitecell.agents.heuristic import valuer
from whitecell.engine import commands as cmd
from whitecell.engine.seats import team_seat
from whitecell.engine.view import View
from whitecell.scenario.compiled import Action, Scenario
from whitecell.scenario.expr import Expression

ROUND_KINDS = ("action", "negotiation")
VAR_BLOCKS = ("value", "visible", "estimated", "exact")


def observation_layout(sc: Scenario) -> tuple[str, ...]:
    """The name of each entry of an observation vector, in order."""
    names = [f"{block}:{var.key}" for block in VAR_BLOCKS for var in sc.vars]
    names += ["round", *(f"round_kind:{kind}" for kind in ROUND_KINDS), "ended"]
    for kind in sc.agreements:
        names += [f"agreement_{what}:{kind}" for what in ("in_force", "signed", "broken")]
    names += [f"clause_in_force:{clause}" for clause in sc.clauses]
    names += [f"inject:{inject.id}" for inject in sc.injects]
    return tuple(names)


def encode(view: View) -> np.ndarray:
    """The seat's view as the vector :func:`observation_layout` describes."""
    sc, s = view.sc, view.state
    n = len(sc.vars)
    out = np.zeros(len(observation_layout(sc)), dtype=np.float32)
    for i, var in enumerate(sc.vars):
        span = var.hi - var.lo
        out[i] = min(max((view.belief(var) - var.lo) / span, 0.0), 1.0) if span > 0 else 0.0
        if view.sees_var(var):
            out[n + i] = 1.0
        else:
            est = view.estimate(var.key)
            if est is not None:
                out[2 * n + i] = 1.0
                out[3 * n + i] = 1.0 if est[1] else 0.0
    at = 4 * n
    rounds = len(sc.rounds)
    out[at] = s.round / rounds if rounds else 0.0
    if s.round_open and s.current_round is not None:
        out[at + 1 + ROUND_KINDS.index(s.current_round.kind)] = 1.0
    out[at + 1 + len(ROUND_KINDS)] = 1.0 if s.ended else 0.0
    at += 2 + len(ROUND_KINDS)
    records = view.agreements()
    in_force_clauses: set[str] = set()
    for kind in sc.agreements:
        mine = [r for r in records if r.agreement == kind]
        out[at] = 1.0 if any(r.in_force for r in mine) else 0.0
        out[at + 1] = 1.0 if mine else 0.0
        out[at + 2] = 1.0 if any(r.broken_round is not None for r in mine) else 0.0
        at += 3
        for r in mine:
            if r.in_force:
                in_force_clauses.update(r.clauses)
    for j, clause in enumerate(sc.clauses):
        out[at + j] = 1.0 if clause in in_force_clauses else 0.0
    at += len(sc.clauses)
    told = view.context().inj
    for j, inject in enumerate(sc.injects):
        out[at + j] = 1.0 if inject.id in told else 0.0
    return out


@dataclass(frozen=True, slots=True)
class Move:
    """One catalogue action against one target (or none) that a team may ever take."""

    action: Action
    target: str | None
    requires: Expression | None

    @property
    def label(self) -> str:
        return self.action.id if self.target is None else f"{self.action.id}:{self.target}"

    def command(self, team: str) -> cmd.SubmitAction:
        return cmd.SubmitAction(seat=team_seat(team), action=self.action.id, target=self.target)

    def available(self, view: View) -> bool:
        """Whether the team, judging by what it can see, meets the action's condition."""
        team = view.team_id
        assert team is not None
        return self.requires is None or bool(self.requires.fn(view.context(), team, self.target))


def team_moves(sc: Scenario, team: str) -> tuple[Move, ...]:
    """Every (action, target) pair open to ``team``, in catalogue then target order: the same
    moves the heuristic agents weigh (never the team itself as target)."""
    out: list[Move] = []
    for a in sc.actions:
        if team not in a.teams:
            continue
        for target in (None,) if a.targets is None else [t for t in a.targets if t != team]:
            out.append(Move(a, target, a.requires))
    return tuple(out)


def preference_value(sc: Scenario, team: str, values: Sequence[float]) -> float:
    """The team's preference value of a state vector: the sum over its preference terms of
    weight x value, weights per unit (the scenario's weight per full range / range), as the
    heuristic agents' :class:`~whitecell.agents.heuristic.Valuer` weighs changes."""
    return sum(w * values[i] for i, w in valuer(sc, team).w.items())
