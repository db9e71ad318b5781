"""Small scenarios whose ensemble statistics are known in advance."""

from __future__ import annotations

from whitecell.scenario.compiled import Scenario
from whitecell.selftest.runner import case_scenario


def coin_scenario(probability: float, rounds: int = 1) -> Scenario:
    """The rule-case scenario cut down to a coin: ``rounds`` action rounds of one action
    each, where red's only move is ``patrol`` (no modifiers, succeeds with ``probability``)
    and holding back is worth so little that red always patrols.

    Patrol's success adds 10 to tension and sets ``alert``; its failure adds 2. Nothing else
    touches tension or alert, so after round r tension is 50 + 2r + 8K, K ~ Binomial(r, p).
    Outcomes: ``patrolled`` (at least one success) and ``tries`` (patrols taken).
    """
    label = {"en": "x", "ja": "x"}
    return case_scenario(
        {
            "rounds": [
                {"kind": "action", "label": label, "duration": "7d", "actions_per_team": 1}
                for _ in range(rounds)
            ],
            "actions": [
                {
                    "id": "patrol",
                    "teams": ["red"],
                    "base_probability": probability,
                    "modifiers": [],
                },
                {"id": "sabotage", "remove": True},
                {"id": "spy", "teams": ["blue", "green"]},
            ],
            "injects": [{"id": "storm", "remove": True}],
            "outcomes": [
                {"id": "patrolled", "label": label, "value": "actions.patrol.succeeded > 0"},
                {"id": "tries", "label": label, "type": "number", "value": "actions.patrol.taken"},
            ],
            "automation": {"hold_value": -100, "temperature": 0.05},
        },
        name=f"coin {probability}",
    )
