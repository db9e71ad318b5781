"""An ensemble's report: outcome proportions with their intervals, fan charts, paths, and
for a sweep the outcomes against the swept value. Summaries come from real ensembles."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.report import pdf
from whitecell.report import ReportError, ensemble_report
from whitecell.scenario.library import load_bundled

SCENARIO = "ukraine-ceasefire-2025"


def ensemble(tmp: Path, *args: str) -> dict[str, Any]:
    out = tmp / "summary.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "whitecell",
            "ensemble",
            SCENARIO,
            "--seed",
            "5",
            "--workers",
            "1",
            "--json",
            str(out),
            *args,
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def summary(tmp_path_factory) -> dict[str, Any]:
    return ensemble(tmp_path_factory.mktemp("plain"), "-n", "300")


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> dict[str, Any]:
    return ensemble(
        tmp_path_factory.mktemp("sweep"), "-n", "120", "--sweep", "automation.temperature=0.5,2"
    )


@pytest.fixture(scope="module")
def scenario():
    return load_bundled(SCENARIO)


def test_the_report_gives_every_outcome_its_share_and_interval(summary, scenario):
    html = ensemble_report(summary, scenario=scenario).decode()
    for outcome in scenario.outcomes:
        assert outcome.label["en"] in html
        stats = summary["outcomes"][outcome.id]
        if "p" in stats:
            assert f"{stats['p'] * 100:.1f}%" in html
            assert f"{stats['ci_low'] * 100:.1f}% – {stats['ci_high'] * 100:.1f}%" in html
    assert "How often each outcome occurred" in html  # the interval chart


def test_the_report_draws_a_fan_for_every_variable_and_lists_the_paths(summary, scenario):
    html = ensemble_report(summary, scenario=scenario).decode()
    charts = html.count('<svg role="img"')
    # the fans, the interval chart and the escalation index's fan
    assert "escalation" in summary
    assert charts == len(summary["variables"]) + 1 + 1
    for path in summary["paths"][:10]:
        assert path["path"] in html
        assert f"--seed {path['example_seed']}" in html


def test_a_sweep_shows_each_outcome_against_the_swept_value(sweep, scenario):
    html = ensemble_report(sweep, scenario=scenario).decode()
    shares = [o for o in scenario.outcomes if o.is_bool]
    assert "Outcomes against automation.temperature" in html
    escalation = 1 if "escalation" in sweep else 0  # the escalation index's fan
    assert html.count('<svg role="img"') == len(sweep["variables"]) + 1 + len(shares) + escalation
    second = sweep["sweep"][1]["change"]
    dp = next(iter(v["dp"] for v in second.values() if "dp" in v))
    assert f"{dp * 100:+.1f} pp" in html


def test_without_the_scenario_the_report_falls_back_to_ids(summary):
    md = ensemble_report(summary, fmt="md").decode()
    assert "ceasefire\\_reached" in md


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_ensemble_report_in_every_format(sweep, scenario, lang, tmp_path):
    md = ensemble_report(sweep, fmt="md", lang=lang, scenario=scenario).decode()
    assert md.startswith("# ") and "| " in md
    assert ("頻出する経過" in md) == (lang == "ja")
    document = ensemble_report(sweep, fmt="pdf", lang=lang, scenario=scenario)
    images = pdf.pages(document, tmp_path)
    assert images and all(pdf.ink(page) > 0.002 for page in images)
    if lang == "ja":
        assert "結果" in pdf.text(document, tmp_path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.update(version=2), "summary format version 2 is newer than this whitecell"),
        (lambda s: s.update(format="other"), "not an ensemble summary"),
        (lambda s: s.pop("outcomes"), "field 'outcomes' is missing"),
        (lambda s: s.update(runs="many"), "field 'runs' should be int, not str"),
        (
            lambda s: s["outcomes"]["ceasefire_reached"].update(p=None),
            "outcomes.ceasefire_reached: field 'p'",
        ),
    ],
)
def test_a_summary_this_version_cannot_read_is_refused_with_the_field_that_is_wrong(
    summary, change, message
):
    bad = copy.deepcopy(summary)
    change(bad)
    with pytest.raises(ReportError, match=message):
        ensemble_report(bad)
