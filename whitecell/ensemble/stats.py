"""Streaming statistics over an ensemble's runs.

Results are folded in chunk by chunk, so memory does not grow with the number
of runs, except for the values of numeric outcomes (8 bytes a run each, kept so
their percentiles are exact). Variables per round go into fixed histograms over
each variable's declared range: their percentiles are exact to one bin
(1/1000 of the range). Every figure is computed in an order-independent way, so
the summary is the same whatever the workers and the order results arrive in.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from whitecell.ensemble.run import Chunk
from whitecell.scenario.compiled import Scenario

BINS = 1000
Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float, float]:
    """A proportion and its Wilson score interval (sound near 0 and 1, unlike the normal one)."""
    if n == 0:
        return math.nan, math.nan, math.nan
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return p, low, high


QUANTILES = (5, 25, 50, 75, 95)  # of the escalation index: a fan chart's bands


class Histogram:
    """Counts of values on a grid from ``lo`` to ``hi``: one bin per whole number when the
    values are whole numbers (the ladder's weights are), so percentiles are exact; else a
    thousand bins. Memory does not grow with the runs; sums keep the means exact."""

    def __init__(self, shape: tuple[int, ...], lo: float, hi: float, whole: bool) -> None:
        self.lo = lo
        self.step = 1.0 if whole else max((hi - lo) / BINS, 1e-9)
        self.bins = round((hi - lo) / self.step) + 1
        self.counts = np.zeros((*shape, self.bins), dtype=np.int64)
        self.sums = np.zeros(shape, dtype=np.float64)
        self.n = 0  # values per cell

    def add(self, values: np.ndarray) -> None:
        """``values``: (runs, *shape)."""
        if not len(values):
            return
        index = np.clip(np.rint((values - self.lo) / self.step), 0, self.bins - 1).astype(np.int64)
        cells = int(np.prod(self.counts.shape[:-1]))
        flat = np.arange(cells, dtype=np.int64).reshape(self.counts.shape[:-1]) * self.bins
        self.counts += np.bincount((flat + index).ravel(), minlength=cells * self.bins).reshape(
            self.counts.shape
        )
        self.sums += values.sum(axis=0, dtype=np.float64)
        self.n += len(values)

    def cell(self, *where: int) -> dict[str, float | None]:
        """The mean and the QUANTILES of one cell (the lower value at a tie, as ``np.percentile
        (..., method="lower")``)."""
        counts = self.counts[where]
        total = int(counts.sum())
        if not total:
            return {"mean": None, **{f"p{q}": None for q in QUANTILES}}
        cumulative = np.cumsum(counts)
        out: dict[str, float | None] = {"mean": _r(float(self.sums[where]) / total)}
        for q in QUANTILES:
            rank = max(1, math.ceil(q / 100 * total))
            index = int(np.searchsorted(cumulative, rank, side="left"))
            out[f"p{q}"] = _r(self.lo + index * self.step)
        return out


class EscalationStats:
    """The escalation index over an ensemble's runs: all teams' per round and in total,
    each team's per round, and per kind of player (one team in one round is one value)."""

    def __init__(self, sc: Scenario) -> None:
        weights = [level.weight for level in sc.ladder]
        whole = all(float(w).is_integer() for w in weights)
        most = max((r.actions_per_team for r in sc.rounds), default=1)
        lo, hi = most * min(0.0, *weights), most * max(0.0, *weights)
        teams, rounds = len(sc.team_ids), len(sc.rounds)
        self.scenario = sc
        self.overall = Histogram((rounds,), lo * teams, hi * teams, whole)
        self.total = Histogram((), lo * teams * rounds, hi * teams * rounds, whole)
        self.teams = Histogram((rounds, teams), lo, hi, whole)
        self.kinds: dict[str, Histogram] = {}
        self.kind_teams: Counter[str] = Counter()  # team-runs played by each kind
        self._range = (lo, hi, whole)

    def add(self, values: np.ndarray, players: tuple[str, ...]) -> None:
        """``values``: (runs, rounds, teams) as a chunk brings them."""
        values = values.astype(np.float64)
        overall = values.sum(axis=2)
        self.overall.add(overall)
        self.total.add(overall.sum(axis=1))
        self.teams.add(values)
        rounds = values.shape[1]
        for kind in sorted(set(players)):
            columns = [j for j, k in enumerate(players) if k == kind]
            found = self.kinds.get(kind)
            if found is None:
                found = self.kinds[kind] = Histogram((rounds,), *self._range)
            # each team of this kind in each run is one value per round
            found.add(values[:, :, columns].transpose(0, 2, 1).reshape(-1, rounds))
            self.kind_teams[kind] += len(values) * len(columns)

    def summary(self) -> dict[str, Any]:
        sc = self.scenario
        rounds = range(len(sc.rounds))
        return {
            "ladder": {level.id: level.weight for level in sc.ladder},
            "rounds": [{"round": r + 1, **self.overall.cell(r)} for r in rounds],
            "total": self.total.cell(),
            "teams": {
                team: [{"round": r + 1, **self.teams.cell(r, j)} for r in rounds]
                for j, team in enumerate(sc.team_ids)
            },
            "by_kind": {
                kind: {
                    "team_runs": self.kind_teams[kind],
                    "rounds": [{"round": r + 1, **found.cell(r)} for r in rounds],
                }
                for kind, found in sorted(self.kinds.items())
            },
            # automated plays have no people at the table: a game's own report gives theirs
            "kinds_missing": [k for k in ("heuristic", "model", "human") if k not in self.kinds],
        }


@dataclass
class Aggregate:
    """Everything a summary needs, folded in as chunks of runs arrive."""

    scenario: Scenario
    n: int = 0
    true_counts: np.ndarray = field(init=False)
    numbers: list[list[np.ndarray]] = field(init=False)
    histograms: np.ndarray = field(init=False)
    paths: Counter[str] = field(default_factory=Counter)
    path_example: dict[str, tuple[int, int]] = field(default_factory=dict)  # path: (run, seed)
    counted: int = 0  # runs that brought action and clause counts

    def __post_init__(self) -> None:
        sc = self.scenario
        self.true_counts = np.zeros(len(sc.outcomes), dtype=np.int64)
        # per catalogue action and per clause: runs in which it happened, and times in all
        self.action_runs = np.zeros(len(sc.actions), dtype=np.int64)
        self.action_total = np.zeros(len(sc.actions), dtype=np.int64)
        self.clause_runs = np.zeros(len(sc.clauses), dtype=np.int64)
        self.clause_total = np.zeros(len(sc.clauses), dtype=np.int64)
        self.numbers = [[] for _ in sc.outcomes]
        self.histograms = np.zeros((len(sc.rounds), len(sc.vars), BINS), dtype=np.int64)
        self._lo = np.array([v.lo for v in sc.vars], dtype=np.float64)
        self._span = np.array([v.hi - v.lo for v in sc.vars], dtype=np.float64)
        self.escalation = EscalationStats(sc) if sc.scores_escalation else None

    def add(self, chunk: Chunk) -> None:
        sc = self.scenario
        n = chunk.count
        if n == 0:
            return
        self.n += n
        for j, outcome in enumerate(sc.outcomes):
            column = chunk.outcomes[:, j]
            if outcome.is_bool:
                self.true_counts[j] += int(np.count_nonzero(column))
            else:
                self.numbers[j].append(column.astype(np.float64, copy=True))
        rounds, width = len(sc.rounds), len(sc.vars)
        scaled = (chunk.rounds.astype(np.float64) - self._lo) / self._span
        bins = np.clip((scaled * BINS).astype(np.int64), 0, BINS - 1)
        flat = (np.arange(rounds * width, dtype=np.int64).reshape(rounds, width) * BINS) + bins
        self.histograms += np.bincount(flat.ravel(), minlength=rounds * width * BINS).reshape(
            rounds, width, BINS
        )
        if chunk.actions is not None and chunk.clauses is not None:
            self.counted += n
            self.action_runs += np.count_nonzero(chunk.actions, axis=0)
            self.action_total += chunk.actions.sum(axis=0, dtype=np.int64)
            self.clause_runs += np.count_nonzero(chunk.clauses, axis=0)
            self.clause_total += chunk.clauses.sum(axis=0, dtype=np.int64)
        if self.escalation is not None and chunk.escalation is not None:
            self.escalation.add(chunk.escalation, chunk.players)
        for row, path in enumerate(chunk.paths):
            self.paths[path] += 1
            run = chunk.start + row
            known = self.path_example.get(path)
            if known is None or run < known[0]:
                self.path_example[path] = (run, int(chunk.seeds[row]))

    # -- the summary ---------------------------------------------------------------
    def _percentiles(self, counts: np.ndarray, lo: float, span: float) -> dict[str, float]:
        total = counts.sum()
        cumulative = np.cumsum(counts)
        out = {}
        for q in (5, 50, 95):
            index = int(np.searchsorted(cumulative, q / 100 * total, side="left"))
            out[f"p{q}"] = round(lo + span * (index + 0.5) / BINS, 6)
        return out

    def summary(self) -> dict[str, Any]:
        sc = self.scenario
        outcomes: dict[str, Any] = {}
        for j, outcome in enumerate(sc.outcomes):
            if outcome.is_bool:
                p, low, high = wilson(int(self.true_counts[j]), self.n)
                outcomes[outcome.id] = {
                    "p": _r(p),
                    "ci_low": _r(low),
                    "ci_high": _r(high),
                    "count": int(self.true_counts[j]),
                }
            else:
                values = (
                    np.sort(np.concatenate(self.numbers[j])) if self.numbers[j] else np.empty(0)
                )
                if len(values) == 0:
                    outcomes[outcome.id] = {"mean": None, "std": None}
                    continue
                outcomes[outcome.id] = {
                    "mean": _r(math.fsum(values) / len(values)),
                    "std": _r(float(np.std(values, ddof=1))) if len(values) > 1 else 0.0,
                    "p5": _r(float(np.percentile(values, 5))),
                    "p50": _r(float(np.percentile(values, 50))),
                    "p95": _r(float(np.percentile(values, 95))),
                }
        variables: dict[str, list[dict[str, Any]]] = {}
        if self.n:
            for v, var in enumerate(sc.vars):
                variables[var.key] = [
                    {
                        "round": r + 1,
                        **self._percentiles(self.histograms[r, v], var.lo, var.hi - var.lo),
                    }
                    for r in range(len(sc.rounds))
                ]
        paths = [
            {
                "path": path,
                "count": count,
                "share": _r(count / self.n),
                "example_run": self.path_example[path][0],
                "example_seed": self.path_example[path][1],
            }
            for path, count in sorted(self.paths.items(), key=lambda x: (-x[1], x[0]))[:20]
        ]
        out = {
            "runs": self.n,
            "outcomes": outcomes,
            "variables": variables,
            "paths": paths,
            "distinct_paths": len(self.paths),
            "balance": self.balance(outcomes),
        }
        if self.escalation is not None and self.escalation.overall.n:
            out["escalation"] = self.escalation.summary()
        return out

    def balance(self, outcomes: dict[str, Any]) -> dict[str, Any]:
        """Does every outcome occur at least sometimes, and is every move of the scenario
        made? Warnings for a yes/no outcome that is always or never true, a numeric outcome
        that never varies, a catalogue action no automated player ever chose and a clause
        never signed."""
        sc = self.scenario
        warnings: list[dict[str, str]] = []
        if self.n:
            for o in sc.outcomes:
                got = outcomes[o.id]
                if o.is_bool and got["count"] in (0, self.n):
                    always = "always" if got["count"] else "never"
                    warnings.append(
                        {
                            "kind": "outcome",
                            "id": o.id,
                            "message": f"outcome '{o.id}' is {always} true in {self.n:,} runs",
                        }
                    )
                elif not o.is_bool and got.get("mean") is not None and got["std"] == 0:
                    message = f"outcome '{o.id}' is {got['mean']:g} in every run (no spread)"
                    warnings.append({"kind": "outcome", "id": o.id, "message": message})
        actions: dict[str, Any] = {}
        clauses: dict[str, Any] = {}
        if self.counted:
            for j, a in enumerate(sc.actions):
                runs = int(self.action_runs[j])
                actions[a.id] = {
                    "runs": runs,
                    "share": _r(runs / self.counted),
                    "taken": int(self.action_total[j]),
                }
                if not runs:
                    warnings.append(
                        {
                            "kind": "action",
                            "id": a.id,
                            "message": f"action '{a.id}' was never chosen by an automated "
                            f"player in {self.counted:,} runs",
                        }
                    )
            for j, c in enumerate(sc.clauses):
                runs = int(self.clause_runs[j])
                clauses[c] = {
                    "runs": runs,
                    "share": _r(runs / self.counted),
                    "signed": int(self.clause_total[j]),
                }
                if not runs:
                    warnings.append(
                        {
                            "kind": "clause",
                            "id": c,
                            "message": f"clause '{c}' was never signed in {self.counted:,} runs",
                        }
                    )
        return {
            "ok": not warnings,
            "runs": self.counted,
            "warnings": warnings,
            "actions": actions,
            "clauses": clauses,
        }


def _r(x: float) -> float:
    return x if math.isnan(x) else round(x, 6)


def compare(first: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """How ``other`` differs from ``first`` (a sweep's first value): proportions and means."""
    out: dict[str, Any] = {}
    for key, a in first["outcomes"].items():
        b = other["outcomes"].get(key, {})
        if "p" in a and "p" in b:
            out[key] = {"dp": _r(b["p"] - a["p"])}
        elif a.get("mean") is not None and b.get("mean") is not None:
            out[key] = {"dmean": _r(b["mean"] - a["mean"])}
    return out
