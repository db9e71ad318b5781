"""Commit-reveal dice.

Roll number ``n`` of a game is a pure function of the game's seed and ``n``:
SHA-256 over ``"whitecell-roll:{seed}:{n}"``, first 7 bytes as a fraction in
[0, 1). The game publishes ``commitment(seed)`` when it starts and the seed
when it ends, so anyone holding the log can recompute every roll and see that
the white cell did not choose them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

Forcing = Mapping[tuple[str, str, int], bool]  # (purpose, subject, round) -> success

_SCALE = float(1 << 56)


def commitment(seed: int) -> str:
    """The published SHA-256 commitment to a game's seed."""
    return hashlib.sha256(f"whitecell-seed:{seed}".encode()).hexdigest()


class Dice:
    """The roll sequence of one seed; cheap to call in the hot path.

    A fork that asks "what if this roll had gone the other way?" gives ``forced``: the
    roll with that purpose, subject and round is drawn from the side it names (the seed's
    value scaled into it), so it stays a function of the seed that ``verify`` recomputes.
    """

    __slots__ = ("_base", "forced", "seed")

    def __init__(self, seed: int, forced: Forcing | None = None) -> None:
        self.seed = seed
        self.forced = dict(forced) if forced else None
        self._base = hashlib.sha256(f"whitecell-roll:{seed}:".encode())

    def roll(self, index: int) -> float:
        h = self._base.copy()
        h.update(str(index).encode())
        return int.from_bytes(h.digest()[:7], "big") / _SCALE

    def draw(self, index: int, threshold: float, purpose: str, subject: str, round: int) -> float:
        """Roll ``index`` against ``threshold``, on the forced side if this roll is forced."""
        value = self.roll(index)
        if self.forced is None:
            return value
        side = self.forced.get((purpose, subject, round))
        if side is None:
            return value
        return value * threshold if side else threshold + value * (1.0 - threshold)
