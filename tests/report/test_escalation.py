"""The escalation index in a game's report: a chart of each team's index and all teams' by
round, with the same numbers as a table for readers who cannot see it, counting only what
the report's audience may read."""

from __future__ import annotations

import re

import pytest

from tests.report.games import hand_played, played
from whitecell.engine.log import GameLog
from whitecell.report import game_report
from whitecell.report.aar import GameReport, build_game_report


def build(log: GameLog, audience: str) -> GameReport:
    return build_game_report(log, lang="en", audience=audience, verdict="")


@pytest.fixture(scope="module")
def kept() -> GameLog:
    """Round 1 by hand, the fog kept after the end: the US's secret pause in intelligence
    sharing (a non-violent escalation), Ukraine's secret back channel (de-escalation) and
    Russia's secret free-form action, ruled without a rung."""
    return hand_played(reveal_at_end=False)


def row(report: GameReport, team: str) -> list[float]:
    assert report.escalation is not None
    return next(r.values for r in report.escalation.rows if r.name == team)


def test_the_control_report_counts_every_team_s_actions_at_their_rung_s_weight(kept) -> None:
    sc = kept.scenario
    assert sc.action["pause_intelligence"].escalation == "non_violent"
    assert sc.action["back_channel"].escalation == "de_escalation"
    report = build(kept, "control")
    assert report.escalation is not None
    assert row(report, "United States") == [12.0]  # non-violent escalation weighs 12
    assert row(report, "Ukraine") == [-2.0]  # de-escalation weighs -2
    assert row(report, "Russia") == [0.0]  # its free-form action has no rung
    assert report.escalation.overall.values == [10.0]
    assert report.escalation.unscored == 1
    assert not report.escalation.partial
    assert ("Non-violent escalation", 12.0, 1) in report.escalation.ladder


def test_a_public_report_never_counts_another_team_s_secret_action(kept) -> None:
    report = build(kept, "public")
    assert report.escalation is not None
    assert row(report, "United States") == [0.0]
    assert row(report, "Ukraine") == [0.0]
    assert report.escalation.overall.values == [0.0]
    assert report.escalation.unscored == 0  # Russia's secret action is not even counted
    assert all(count == 0 for _, _, count in report.escalation.ladder)
    assert report.escalation.partial
    html = game_report(kept, fmt="html", audience="public").decode()
    section = html[html.index('<section id="escalation"') :]
    section = section[: section.index("</section>")]
    assert ">12<" not in section and "Non-violent escalation (+12): 0" in section
    assert "leaves out the secret actions" in section


def test_the_report_shows_the_index_as_a_labelled_chart_and_a_table(kept) -> None:
    html = game_report(played(), fmt="html", audience="control").decode()
    assert '<a href="#escalation">Escalation index</a>' in html
    section = html[html.index('<section id="escalation"') :]
    section = section[: section.index("</section>")]
    chart = re.search(
        r'<figure class="wide" aria-describedby="escalation-table">(.*?)</figure>', section, re.S
    )
    assert chart is not None
    assert '<svg role="img" aria-label="Escalation index by round"' in chart.group(1)
    assert "<figcaption>" in chart.group(1)
    # the text alternative: every team and all teams, by round, with totals
    assert '<table id="escalation-table">' in section
    assert "<caption>Escalation index by team and round</caption>" in section
    log = played()
    for team in log.scenario.teams:
        assert f"{team.name['en']}</th>" in section
    assert "All teams</th>" in section
    assert section.count('<th scope="col" class="n">R') == len(log.scenario.rounds)


def test_the_markdown_and_japanese_reports_give_the_same_numbers(kept) -> None:
    md = game_report(kept, fmt="md", audience="control").decode()
    assert "## Escalation index" in md
    assert "| United States | automated player | 12 | **12** |" in md
    ja = game_report(kept, fmt="md", audience="control", lang="ja").decode()
    assert "## エスカレーション指数" in ja
    assert "| 全チーム** |" not in ja and "**全チーム**" in ja


def test_a_running_game_s_report_covers_the_rounds_played_so_far() -> None:
    log = hand_played(reveal_at_end=True, end=False)
    report = build(log, "control")
    assert report.escalation is not None
    assert report.escalation.rounds == ["R1"]
