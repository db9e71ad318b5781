"""The section list in ``SECTIONS`` is the one place the compile order is declared."""

from __future__ import annotations

import inspect
from pathlib import Path

from whitecell.scenario import sections
from whitecell.scenario.build import SECTIONS


def test_every_section_step_is_listed_once() -> None:
    """A step written in sections.py but left out of the list would silently never run."""
    steps = [step for _, step in SECTIONS]
    names = [name for name, _ in SECTIONS]
    assert len(set(steps)) == len(steps)
    assert len(set(names)) == len(names)
    public = {
        fn
        for name, fn in vars(sections).items()
        if inspect.isfunction(fn)
        and not name.startswith("_")
        and fn.__module__ == sections.__name__
    }
    assert public - set(steps) == {sections.assemble}


def test_unknown_placeholders_are_reported_in_the_order_they_are_written() -> None:
    """The same file gives the same problems in the same order, run after run."""
    import pytest

    from whitecell.scenario.load import ScenarioError, load_scenario_text

    base = (Path(sections.__file__).parent.parent / "selftest" / "base.yaml").read_text()
    line = 'success: {en: "{actor} patrols in force.", ja: "{actor}が大規模な巡回を行った。"}'
    assert line in base
    broken = base.replace(line, line.replace("patrols in force", "patrols {zeta} and {alpha}"))
    with pytest.raises(ScenarioError) as refused:
        load_scenario_text(broken, "base.yaml")
    unknown = [str(p) for p in refused.value.problems if "unknown placeholder" in str(p)]
    assert len(unknown) == 2
    assert "{zeta}" in unknown[0] and "{alpha}" in unknown[1]
