"""Seeds of the runs of an ensemble, derived from the ensemble's seed.

Run ``i`` gets the seed NumPy's ``SeedSequence(seed).spawn`` would give its i-th child,
computed on its own from ``(seed, i)``: any worker can make any run's seed, results do
not depend on how runs are shared out, and one run can be replayed alone with
``whitecell play --seed``.
"""

from __future__ import annotations

import numpy as np

from whitecell.engine.state import MAX_SEED


def run_seed(ensemble_seed: int, index: int) -> int:
    """The game seed of run ``index`` (0-based) of the ensemble seeded ``ensemble_seed``."""
    child = np.random.SeedSequence(ensemble_seed, spawn_key=(index,))
    return int(child.generate_state(1, dtype=np.uint64)[0]) & MAX_SEED
