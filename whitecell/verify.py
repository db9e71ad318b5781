"""Re-check every die roll of a finished game against its revealed seed.

Anyone holding the log can run this: the commitment published at the start must
match the seed revealed at the end, every roll must be the seed's roll of that
number, and every result must follow from its roll and its odds.
"""

from __future__ import annotations

from dataclasses import dataclass

from whitecell.engine import events as ev
from whitecell.engine.dice import Dice, commitment
from whitecell.engine.log import GameLog


@dataclass(frozen=True)
class Verdict:
    ok: bool
    rolls: int
    message: str
    seq: int | None = None  # the first event that does not match


def _fail(rolls: int, seq: int | None, message: str) -> Verdict:
    return Verdict(False, rolls, message, seq)


def verify_log(log: GameLog) -> Verdict:
    events = log.events
    started = next((e for e in events if isinstance(e, ev.GameStarted)), None)
    ended = next((e for e in events if isinstance(e, ev.GameEnded)), None)
    if started is None:
        return _fail(0, None, "no game_started event: nothing commits to a seed")
    if started.scenario_digest != log.scenario.digest:
        return _fail(
            0,
            started.seq,
            f"event {started.seq}: the game was started with scenario "
            f"{started.scenario_digest[:12]}…, not the one embedded in the log",
        )
    if ended is None:
        return _fail(
            0,
            None,
            "the game has not ended: its seed is not revealed yet, so the dice cannot be checked",
        )
    if commitment(ended.seed) != started.seed_commitment:
        return _fail(
            0,
            ended.seq,
            f"event {ended.seq}: the revealed seed {ended.seed} does not "
            f"match the commitment published in event {started.seq}",
        )
    dice = Dice(ended.seed)
    odds: dict[str, float] = {}
    results: dict[str, bool] = {}
    expected = 0
    for e in events:
        if isinstance(e, ev.ActionAssessed):
            odds[e.uid] = e.probability
        elif isinstance(e, ev.DiceRolled):
            if e.index != expected:
                return _fail(
                    expected,
                    e.seq,
                    f"event {e.seq}: roll number {e.index} where "
                    f"{expected} was due (a roll was removed or reordered)",
                )
            value = dice.roll(e.index)
            if e.value != value:
                return _fail(
                    expected,
                    e.seq,
                    f"event {e.seq}: roll {e.index} reads {e.value!r} but the seed gives {value!r}",
                )
            if e.success != (e.value < e.threshold):
                return _fail(
                    expected,
                    e.seq,
                    f"event {e.seq}: roll {e.value:.4f} against "
                    f"{e.threshold:.4f} is recorded as "
                    f"{'success' if e.success else 'failure'}",
                )
            if e.purpose == "action":
                if odds.get(e.subject) != e.threshold:
                    return _fail(
                        expected,
                        e.seq,
                        f"event {e.seq}: action {e.subject} was rolled "
                        f"against {e.threshold} but assessed at {odds.get(e.subject)}",
                    )
                results[e.subject] = e.success
            expected += 1
        elif isinstance(e, ev.OutcomeApplied) and results.get(e.uid) != e.success:
            return _fail(
                expected,
                e.seq,
                f"event {e.seq}: the outcome of action {e.uid} does not follow its roll",
            )
    return Verdict(True, expected, f"all {expected} rolls match the revealed seed {ended.seed}")
