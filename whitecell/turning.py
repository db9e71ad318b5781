"""Counterfactual turning points: which roll or signature decided a finished game.

For each consequential event — an action, hazard or inject roll whose odds were neither
0 nor 1, a party's signature or refusal of a proposal — two ensembles of forks start just
before it: one with the event forced one way (the roll a success, the party signing), one
the other way. An outcome's **swing** is its share in the first minus its share in the
second. Fork ``i`` of both sides plays with the same seed (common random numbers), so the
swing is a mean of paired differences and its interval is that of a paired difference,
much narrower than the difference of two independent shares'. The interval adds one +1
and one −1 pseudo-difference to the sample (so a handful of identical differences does not
claim certainty) and uses the normal approximation.

The work is budgeted: every candidate is screened with a few forks a side; then the runs
are doubled where it matters — the top swings until their intervals are within the
target, and the candidates whose interval still reaches into the top — up to a cap.

Rolls are forced through the fork's dice (``Dice(seed, forced)``): the roll is drawn from
the forced side, recorded in the fork's log and recomputed by ``whitecell verify``. A
signature's other way is the party's refusal (a command played first in the fork).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.engine.errors import RuleViolation
from whitecell.engine.game import Game
from whitecell.engine.seats import team_seat
from whitecell.ensemble.run import scenario_by, sorted_outcomes
from whitecell.ensemble.seeds import run_seed
from whitecell.ensemble.stats import Z95
from whitecell.fork import fork, play_on
from whitecell.forkpool import ForkPool, Forks
from whitecell.i18n import t
from whitecell.scenario.compiled import Scenario, localize

FORMAT = "whitecell-turning-points"
VERSION = 1
ENGINE = "engine"
ROLLED = ("action", "hazard", "inject")
CHUNK = 25
SCREEN, MOST, TARGET, TOP = 40, 400, 0.10, 3

Forced = tuple[tuple[str, str, int, bool], ...]


class TurningPointsError(ValueError):
    """A log turning points cannot be found for (a game not ended)."""


@dataclass(frozen=True)
class Arm:
    """One way of an event: the fork's events, rolls forced, a command played first, and
    whether the fork closes the round at once (the event was part of its close)."""

    events: tuple[ev.Event, ...]
    forced: Forced = ()
    then: cmd.Command | None = None
    close_now: bool = False


@dataclass(frozen=True)
class Candidate:
    seq: int
    round: int
    event: str  # the event's type: dice_rolled | proposal_signed | proposal_rejected
    kind: str  # action | hazard | inject | signature | refusal
    subject: str  # the action's uid, the agreement's uid, the inject's id, the proposal's id
    team: str | None
    happened: bool  # the roll came up / the party signed
    threshold: float | None
    yes: Arm = field(repr=False)  # forced success / the party signs
    no: Arm = field(repr=False)  # forced failure / the party refuses


def _chain_start(events: Sequence[ev.Event], k: int) -> int:
    """The first event of the command that made event ``k``: what follows a command by
    itself (a round's close: its injects and hazard rolls) is the engine's."""
    while k > 0 and events[k].actor == ENGINE:
        k -= 1
    return k


def candidates(scenario: Scenario, events: Sequence[ev.Event]) -> list[Candidate]:
    """The game's consequential events, each with its two ways."""
    found: list[Candidate] = []
    for k, e in enumerate(events):
        if isinstance(e, ev.DiceRolled) and e.purpose in ROLLED and 0.0 < e.threshold < 1.0:
            start = _chain_start(events, k)
            before = tuple(events[:start])
            close_now = isinstance(events[start], ev.RoundClosed)
            key = (e.purpose, e.subject, e.round)
            team = None
            if e.purpose == "action":
                team = e.actor if e.actor in scenario.team else _actor_team(events[:k], e.subject)
            found.append(
                Candidate(
                    e.seq,
                    e.round,
                    e.type,
                    e.purpose,
                    e.subject,
                    team,
                    e.success,
                    e.threshold,
                    Arm(before, ((*key, True),), None, close_now),
                    Arm(before, ((*key, False),), None, close_now),
                )
            )
        elif isinstance(e, ev.ProposalSigned | ev.ProposalRejected):
            before = tuple(events[:k])
            seat = team_seat(e.team)
            signed = isinstance(e, ev.ProposalSigned)
            found.append(
                Candidate(
                    e.seq,
                    e.round,
                    e.type,
                    "signature" if signed else "refusal",
                    e.pid,
                    e.team,
                    signed,
                    None,
                    Arm(before, then=cmd.SignProposal(seat=seat, pid=e.pid)),
                    Arm(before, then=cmd.RejectProposal(seat=seat, pid=e.pid)),
                )
            )
    return [c for c in found if _playable(scenario, c)]


def _actor_team(events: Sequence[ev.Event], uid: str) -> str | None:
    for e in events:
        if isinstance(e, ev.ActionSubmitted) and e.uid == uid:
            return e.team
    return None


def _playable(scenario: Scenario, c: Candidate) -> bool:
    """Both ways can be played from where the event stood (a refusal may be impossible)."""
    for arm in (c.yes, c.no):
        if arm.then is None:
            continue
        try:
            fork(scenario, arm.events, 0, then=arm.then)
        except RuleViolation:
            return False
    return True


@dataclass(frozen=True)
class ArmTask:
    """Forks ``start`` .. ``start + count - 1`` of one way of one event."""

    document: dict[str, Any]
    digest: str
    arm: Arm
    parent_seed: int
    seed: int
    start: int
    count: int


def _play(scenario: Scenario, arm: Arm, parent_seed: int, game_seed: int) -> Game:
    forced = {(p, s, r): side for p, s, r, side in arm.forced}
    game = fork(
        scenario, arm.events, game_seed, forced=forced, parent_seed=parent_seed, then=arm.then
    )
    return play_on(game, game_seed, close_now=arm.close_now)


def run_arm(task: ArmTask) -> np.ndarray:
    """Each fork's outcomes, one row per fork (booleans as 0/1)."""
    sc = scenario_by(task.digest, task.document)
    rows = np.empty((task.count, len(sc.outcomes)), dtype=np.float64)
    for row in range(task.count):
        game = _play(sc, task.arm, task.parent_seed, run_seed(task.seed, task.start + row))
        rows[row] = [float(v) for _, v in sorted_outcomes(sc, game.state.outcomes)]
    return rows


def play_arm(scenario: Scenario, arm: Arm, parent_seed: int, seed: int, index: int) -> Game:
    """Fork ``index`` of one way, as a game (to read its log or verify it)."""
    return _play(scenario, arm, parent_seed, run_seed(seed, index))


@dataclass
class _Tally:
    yes: list[np.ndarray] = field(default_factory=list)
    no: list[np.ndarray] = field(default_factory=list)

    @property
    def runs(self) -> int:
        return sum(len(r) for r in self.yes)

    def differences(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        y, n = np.concatenate(self.yes), np.concatenate(self.no)
        return y - n, y, n


def swing(d: np.ndarray) -> tuple[float, float, float]:
    """A paired difference's mean and 95% interval, with one +1 and one −1 added to the
    spread (never a zero-width interval from a few identical differences)."""
    mean = float(d.mean())
    padded = np.concatenate([d, [1.0, -1.0]])
    half = Z95 * float(padded.std(ddof=1)) / math.sqrt(len(padded))
    return mean, max(-1.0, mean - half), min(1.0, mean + half)


def _score(tally: _Tally, heads: list[int]) -> tuple[float, float]:
    """The largest swing on a headline outcome, and its interval's half-width."""
    d, _, _ = tally.differences()
    best, half = 0.0, 1.0
    for j in heads:
        mean, low, high = swing(d[:, j])
        if abs(mean) >= best:
            best, half = abs(mean), (high - low) / 2
    return best, half


def turning_points(
    scenario: Scenario,
    events: Sequence[ev.Event],
    seed: int,
    pool: Forks | None = None,
    *,
    screen: int = SCREEN,
    most: int = MOST,
    target: float = TARGET,
    top: int = TOP,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Every consequential event's swing on the headline outcomes, largest first."""
    ended = next((e for e in events if isinstance(e, ev.GameEnded)), None)
    if ended is None:
        raise TurningPointsError("the game has not ended: turning points need a finished game")
    found = candidates(scenario, events)
    heads = [i for i, o in enumerate(scenario.outcomes) if o in scenario.headlines()]
    document = dict(scenario.document)
    tallies = {c.seq: _Tally() for c in found}
    planned = [len(found) * 2 * screen]
    done = [0]

    def spend(wanted: dict[int, int]) -> None:
        """Play ``wanted[seq]`` more forks a side for each of those candidates."""
        jobs: list[tuple[int, str, ArmTask]] = []
        for c in found:
            more = wanted.get(c.seq, 0)
            start = tallies[c.seq].runs
            for first in range(start, start + more, CHUNK):
                count = min(CHUNK, start + more - first)
                for side, arm in (("yes", c.yes), ("no", c.no)):
                    task = ArmTask(document, scenario.digest, arm, ended.seed, seed, first, count)
                    jobs.append((c.seq, side, task))

        def tick(task: ArmTask) -> None:
            done[0] += task.count
            if on_progress is not None:
                on_progress(done[0], planned[0])

        tasks = [task for _, _, task in jobs]
        rows = (pool or ForkPool()).map(run_arm, tasks, tick)
        for (key, side, _), got in zip(jobs, rows, strict=True):
            getattr(tallies[key], side).append(got)

    spend({c.seq: screen for c in found})
    while found:
        scores = {c.seq: _score(tallies[c.seq], heads) for c in found}
        order = sorted(found, key=lambda c: -scores[c.seq][0])
        leaders = order[:top]
        floor = min(scores[c.seq][0] - scores[c.seq][1] for c in leaders)
        need = [c for c in leaders if scores[c.seq][1] > target]
        need += [c for c in order[top:] if scores[c.seq][0] + scores[c.seq][1] > floor]
        wanted = {
            c.seq: min(tallies[c.seq].runs, most - tallies[c.seq].runs)
            for c in need
            if tallies[c.seq].runs < most
        }
        if not wanted:
            break
        planned[0] += 2 * sum(wanted.values())
        spend(wanted)
    return {
        "format": FORMAT,
        "version": VERSION,
        "scenario": scenario.id,
        "scenario_digest": scenario.digest,
        "seed": seed,
        "forks": done[0],
        "candidates": len(found),
        "screen": screen,
        "most": most,
        "target": target,
        "headline": [scenario.outcomes[j].id for j in heads],
        "turning_points": _entries(scenario, found, tallies, heads),
    }


def _entries(
    scenario: Scenario, found: list[Candidate], tallies: dict[int, _Tally], heads: list[int]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for c in found:
        d, y, n = tallies[c.seq].differences()
        for j in heads:
            mean, low, high = swing(d[:, j])
            out.append(
                {
                    "seq": c.seq,
                    "round": c.round,
                    "event": c.event,
                    "kind": c.kind,
                    "subject": c.subject,
                    "team": c.team,
                    "happened": c.happened,
                    "threshold": c.threshold,
                    "outcome": scenario.outcomes[j].id,
                    "swing": round(mean, 6),
                    "ci_low": round(low, 6),
                    "ci_high": round(high, 6),
                    "p_yes": round(float(y[:, j].mean()), 6),
                    "p_no": round(float(n[:, j].mean()), 6),
                    "runs": len(d),
                }
            )
    out.sort(key=lambda x: (-abs(x["swing"]), x["seq"], x["outcome"]))
    return out


def _labels(scenario: Scenario, events: Sequence[ev.Event], lang: str) -> dict[str, str]:
    """What the log's ids stand for: actions by uid, agreements and proposals."""
    names: dict[str, str] = {}
    for e in events:
        if isinstance(e, ev.ActionSubmitted):
            action = scenario.action.get(e.action)
            names[e.uid] = localize(action.label, lang) if action else e.description
        elif isinstance(e, ev.ProposalTabled):
            kind = localize(scenario.agreements[e.agreement].label, lang)
            names[e.pid] = kind
            names[f"{e.pid}/sponsor"] = scenario.actor_name(e.sponsor, lang)
        elif isinstance(e, ev.AgreementSigned):
            names[e.uid] = localize(scenario.agreements[e.agreement].label, lang)
    return names


def describe(
    scenario: Scenario, events: Sequence[ev.Event], entry: dict[str, Any], lang: str
) -> str:
    """The event of a turning point in words: who did what, and how it came out."""
    names = _labels(scenario, events, lang)
    kind, subject = entry["kind"], entry["subject"]
    result = (
        t(f"turning.{kind}.{'success' if entry['happened'] else 'failure'}", lang)
        if (kind in ROLLED)
        else ""
    )
    team = scenario.actor_name(entry["team"], lang) if entry.get("team") else ""
    if kind == "action":
        odds = f"{entry['threshold']:.0%}"
        return t(
            "turning.action",
            lang,
            team=team,
            action=names.get(subject, subject),
            result=result,
            odds=odds,
        )
    if kind == "hazard":
        return t("turning.hazard", lang, agreement=names.get(subject, subject), result=result)
    if kind == "inject":
        inject = scenario.inject.get(subject)
        label = localize(inject.label, lang) if inject else subject
        return t("turning.inject", lang, inject=label, result=result)
    sponsor = names.get(f"{subject}/sponsor", "")
    return t(
        f"turning.{kind}", lang, team=team, agreement=names.get(subject, subject), sponsor=sponsor
    )


def swing_text(scenario: Scenario, entry: dict[str, Any], lang: str) -> str:
    """An entry's swing in words: the outcome's chance after what happened, the other way,
    and how far the other way would have moved it."""
    outcome = next(o for o in scenario.outcomes if o.id == entry["outcome"])
    sign = -1.0 if entry["happened"] else 1.0  # the swing is "yes" minus "no"
    actual, other = entry["p_yes"], entry["p_no"]
    if not entry["happened"]:
        actual, other = other, actual
    low, high = sorted((sign * entry["ci_low"], sign * entry["ci_high"]))
    return t(
        "turning.swing",
        lang,
        outcome=localize(outcome.label, lang),
        actual=f"{actual:.0%}",
        other=f"{other:.0%}",
        delta=f"{sign * entry['swing'] * 100:+.0f}",
        low=f"{low * 100:+.0f}",
        high=f"{high * 100:+.0f}",
    )


__all__ = [
    "Arm",
    "ArmTask",
    "Candidate",
    "TurningPointsError",
    "candidates",
    "describe",
    "play_arm",
    "run_arm",
    "swing",
    "swing_text",
    "turning_points",
]
