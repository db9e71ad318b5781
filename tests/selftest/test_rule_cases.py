"""Every rule case shipped with whitecell passes (the same cases `whitecell selftest` runs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from whitecell.selftest.runner import bundled_cases, run_case

CASES = bundled_cases()


def test_the_suite_has_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_rule_case(path: Path) -> None:
    problem = run_case(path)
    assert problem is None, problem
