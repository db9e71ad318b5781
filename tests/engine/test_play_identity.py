"""Automated play made faster still writes the very same logs, byte for byte.

``data/play_log_digests.json`` holds, for seeds 0 to 999 of both bundled scenarios, the
SHA-256 (first 16 hex digits) of the JSON Lines log that ``play_game`` wrote before issue
16's optimisations (commit d461cec). Every optimisation of the engine, the heuristic agents
or the play loop must leave all 2,000 logs byte-identical: the same events, values, rolls,
texts and order. The live server runs the same ``decide``/``evolve``, so this is also the
check that the fast path and the live path did not drift apart.

If a bundled scenario or the engine's rules change on purpose, the logs change with them:
record the digests again, from the commit that makes the change, with
``python -m tests.engine.test_play_identity --record``, and say why in the commit.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from whitecell.engine.log import dump_log
from whitecell.play import play_game
from whitecell.scenario.library import load_bundled

DIGESTS = Path(__file__).resolve().parent / "data" / "play_log_digests.json"
BUNDLED = ("ukraine-ceasefire-2025", "nuclear-cascade-2025")
SEEDS = 1000


def log_digest(scenario_id: str, seed: int) -> str:
    sc = load_bundled(scenario_id)
    text = dump_log(sc, play_game(sc, seed).events)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@pytest.fixture(scope="module")
def recorded() -> dict[str, dict[str, object]]:
    data = json.loads(DIGESTS.read_text(encoding="utf-8"))
    scenarios: dict[str, dict[str, object]] = data["scenarios"]
    return scenarios


def test_the_record_covers_a_thousand_seeds_of_each_bundled_scenario(
    recorded: dict[str, dict[str, object]],
) -> None:
    assert sorted(recorded) == sorted(BUNDLED)
    for entry in recorded.values():
        digests = entry["digests"]
        assert isinstance(digests, list) and len(digests) == SEEDS
        assert len(set(digests)) == SEEDS, "different seeds should give different logs"


@pytest.mark.parametrize("scenario_id", BUNDLED)
def test_play_gives_byte_identical_logs_for_a_thousand_seeds(
    recorded: dict[str, dict[str, object]], scenario_id: str
) -> None:
    entry = recorded[scenario_id]
    sc = load_bundled(scenario_id)
    assert sc.digest == entry["scenario_digest"], (
        f"the bundled scenario {scenario_id} changed since the logs were recorded: if that is "
        "deliberate, record them again (python -m tests.engine.test_play_identity --record)"
    )
    expected = entry["digests"]
    assert isinstance(expected, list)
    differ = [seed for seed in range(SEEDS) if log_digest(scenario_id, seed) != expected[seed]]
    assert not differ, (
        f"{len(differ)} of {SEEDS} games of {scenario_id} log differently from the recorded "
        f"engine, first seeds {differ[:10]}"
    )


def record() -> None:
    """Write the digests of the logs the engine as it is now writes."""
    data = {
        "about": (
            "sha256 (first 16 hex digits) of the JSON Lines log of play_game(scenario, seed) "
            "for seeds 0..999; see tests/engine/test_play_identity.py"
        ),
        "scenarios": {
            name: {
                "scenario_digest": load_bundled(name).digest,
                "digests": [log_digest(name, seed) for seed in range(SEEDS)],
            }
            for name in BUNDLED
        },
    }
    DIGESTS.write_text(json.dumps(data, indent=0) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        raise SystemExit("usage: python -m tests.engine.test_play_identity --record")
    record()
