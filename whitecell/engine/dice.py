"""Commit-reveal dice.

Roll number ``n`` of a game is a pure function of the game's seed and ``n``:
SHA-256 over ``"whitecell-roll:{seed}:{n}"``, first 7 bytes as a fraction in
[0, 1). The game publishes ``commitment(seed)`` when it starts and the seed
when it ends, so anyone holding the log can recompute every roll and see that
the white cell did not choose them.
"""

from __future__ import annotations

import hashlib

_SCALE = float(1 << 56)


def commitment(seed: int) -> str:
    """The published SHA-256 commitment to a game's seed."""
    return hashlib.sha256(f"whitecell-seed:{seed}".encode()).hexdigest()


class Dice:
    """The roll sequence of one seed; cheap to call in the hot path."""

    __slots__ = ("_base", "seed")

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._base = hashlib.sha256(f"whitecell-roll:{seed}:".encode())

    def roll(self, index: int) -> float:
        h = self._base.copy()
        h.update(str(index).encode())
        return int.from_bytes(h.digest()[:7], "big") / _SCALE
