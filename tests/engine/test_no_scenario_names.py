"""The engine is general: no id of a bundled scenario (team, role, variable, action,
inject, clause, agreement, outcome, dynamics rule or card) is named in the engine, the
adjudicators or the automated players. Everything scenario-specific lives in the YAML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from whitecell.scenario.library import bundled_ids, load_bundled

PACKAGE = Path(__file__).resolve().parents[2] / "whitecell"
GENERAL = ("engine", "adjudication", "agents")


def scenario_ids() -> set[str]:
    ids: set[str] = set()
    for sid in bundled_ids():
        sc = load_bundled(sid)
        ids |= set(sc.team_ids) | set(sc.roles)
        ids |= {v.base for v in sc.vars} | {a.id for a in sc.actions}
        ids |= {i.id for i in sc.injects} | set(sc.clauses) | set(sc.agreements)
        ids |= {o.id for o in sc.outcomes} | {d.id for d in sc.dynamics} | {c.id for c in sc.cards}
    return ids


def test_both_bundled_scenarios_are_looked_at() -> None:
    assert {"ukraine-ceasefire-2025", "nuclear-cascade-2025"} <= set(bundled_ids())
    ids = scenario_ids()
    assert {"usa", "front_line", "start_programme", "spoiler_bomb", "pressure_drift"} <= ids


@pytest.mark.parametrize("package", GENERAL)
def test_no_scenario_id_appears_in_the_general_code(package: str) -> None:
    ids = scenario_ids()
    pattern = re.compile(
        r"(?<![A-Za-z0-9_])("
        + "|".join(map(re.escape, sorted(ids, key=len, reverse=True)))
        + r")(?![A-Za-z0-9_])"
    )
    found = []
    for path in sorted((PACKAGE / package).rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in pattern.finditer(line):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{number}: {match.group(1)}")
    assert not found, "\n".join(found)
