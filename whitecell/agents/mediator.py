"""The mediator's compromise: a clause package most parties should sign, and that lasts.

The mediator reads the public view only. It judges each party's interest by
that party's declared preferences and reservation evaluated on public
information: a mediator knows the parties' positions, not their secrets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from whitecell.agents.heuristic import package_value, remaining_rounds, valuer
from whitecell.engine.view import View, with_clauses
from whitecell.scenario.compiled import Scenario

Score = tuple[int, float, float]


class Appraisal:
    """The parties' interests in one agreement as the mediator sees them at one moment."""

    def __init__(self, mediator: Mediator, view: View, agreement: str) -> None:
        sc = mediator.sc
        self.sc = sc
        self.mediator = mediator
        self.agreement = agreement
        self.kind = sc.agreements[agreement]
        self.ctx = view.context()
        remaining = remaining_rounds(view)
        self.values = {
            t: v.clause_values(self.ctx.v, remaining) for t, v in mediator.valuers.items()
        }
        self.reservations = {t.id: float(t.reservation.fn(self.ctx, t.id, None)) for t in sc.teams}
        self._fixed: float | None = None

    def hazard(self, clauses: Sequence[str]) -> float:
        """The breakdown hazard the agreement would face with ``clauses`` in force. Only the
        covariates that read clauses are evaluated per package; the rest once."""
        kind = self.kind
        if kind.hazard_base is None:
            return 0.0
        if self._fixed is None:
            fixed = 0.0  # summed from 0.0, as sum() from 0 does: the same float
            for cov in kind.covariates:
                if not cov.value.reads_clauses:
                    fixed += cov.beta * float(cov.value(self.ctx))
            self._fixed = fixed
        total: float = self._fixed
        varying = [cov for cov in kind.covariates if cov.value.reads_clauses]
        if varying:
            in_force = dict(self.ctx.clauses_in_force)
            for c in clauses:
                in_force[c] = in_force.get(c, 0) + 1
            probe = with_clauses(self.ctx, in_force)
            varied = 0.0
            for cov in varying:
                varied += cov.beta * float(cov.value(probe))
            total += varied
        return min(1.0, kind.hazard_base * math.exp(total))

    def support(self, clauses: Sequence[str]) -> tuple[int, float]:
        """(minus the parties expected to refuse, their summed shortfall): higher is better."""
        refusing, shortfall = 0, 0.0
        for team in self.sc.agreement_parties(self.agreement, tuple(clauses)):
            surplus = package_value(self.values[team], clauses) - self.reservations[team]
            if surplus <= 0:
                refusing += 1
                shortfall += surplus
        return -refusing, round(shortfall, 9)

    def score(self, clauses: Sequence[str]) -> Score:
        """Signatures first, then durability (minus the hazard)."""
        return (*self.support(clauses), -self.hazard(clauses))

    def package(self) -> tuple[str, ...]:
        """Start from the required clauses; add the optional clause that helps most, while
        any does. The hazard is only computed to choose among equally supported packages."""
        chosen = tuple(self.kind.required)
        best_support, best_hazard = self.support(chosen), None
        candidates = list(self.kind.optional)
        mediator = self.mediator
        clause_bits = mediator.clause_bits
        bits = mediator.agreement_bits[self.agreement]
        for c in chosen:
            bits |= clause_bits[c]
        # by team position: each team's clause values, its reservation, and its value of
        # the package so far (adding a clause's value to it gives the float package_value's
        # sum() gives with one clause more, as sum() adds one by one; so does the weighing
        # of each candidate below, as it always did)
        values = [self.values[t] for t in self.sc.team_ids]
        reservations = [self.reservations[t] for t in self.sc.team_ids]
        totals = [package_value(v, chosen) for v in values]
        column = {c: [v[c] for v in values] for c in candidates}  # each team's value of c
        while candidates:
            supports = []
            for c in candidates:
                refusing, shortfall = 0, 0.0
                worth = column[c]
                for i in mediator.parties(bits | clause_bits[c]):
                    surplus = totals[i] + worth[i] - reservations[i]
                    if surplus <= 0:
                        refusing += 1
                        shortfall += surplus
                supports.append(((-refusing, round(shortfall, 9)), c))
            top = max(x[0] for x in supports)
            if top < best_support:
                break
            tied = [c for sup, c in supports if sup == top]
            hazards = sorted((self.hazard((*chosen, c)), i, c) for i, c in enumerate(tied))
            h, _, pick = hazards[0]
            if top == best_support:
                if best_hazard is None:
                    best_hazard = self.hazard(chosen)
                if h >= best_hazard:
                    break
            chosen, best_support, best_hazard = (*chosen, pick), top, h
            bits |= clause_bits[pick]
            worth = column[pick]
            totals = [total + worth[i] for i, total in enumerate(totals)]
            candidates.remove(pick)
        return chosen


class Mediator:
    def __init__(self, scenario: Scenario) -> None:
        self.sc = scenario
        self.valuers = {t.id: valuer(scenario, t.id) for t in scenario.teams}
        self._packages: dict[tuple[object, ...], tuple[str, ...]] = {}
        # the parties to a package as bits, one a team, to weigh candidate clauses without
        # a tuple and a lookup for each (see Scenario.agreement_parties: the same parties)
        bit = {t: 1 << i for i, t in enumerate(scenario.team_ids)}
        self.clause_bits = {cid: _bits(bit, c.parties) for cid, c in scenario.clauses.items()}
        self.agreement_bits = {
            kind: _bits(bit, a.parties) for kind, a in scenario.agreements.items()
        }
        self._parties: dict[int, tuple[int, ...]] = {}

    def parties(self, bits: int) -> tuple[int, ...]:
        """The positions of the teams whose bits are set, in team order."""
        found = self._parties.get(bits)
        if found is None:
            n = len(self.sc.team_ids)
            found = self._parties[bits] = tuple(i for i in range(n) if bits >> i & 1)
        return found

    def appraise(self, view: View, agreement: str) -> Appraisal:
        return Appraisal(self, view, agreement)

    def package(self, view: View, agreement: str) -> tuple[str, ...]:
        """The compromise for ``agreement`` now; the same situation gives the same package,
        so sessions of talks in which nothing has moved reuse it."""
        ctx = view.context()
        key = (
            agreement,
            tuple(ctx.v),
            remaining_rounds(view),
            tuple(sorted(ctx.clauses_in_force.items())),
        )
        found = self._packages.get(key)
        if found is None:
            if len(self._packages) > 256:
                self._packages.clear()
            found = self._packages[key] = self.appraise(view, agreement).package()
        return found


def _bits(bit: dict[str, int], teams: Sequence[str]) -> int:
    out = 0
    for team in teams:
        out |= bit.get(team, 0)  # a party that is no team signs nothing
    return out
