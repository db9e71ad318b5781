"""Charts placed from their labels' measured sizes (``whitecell.report.margins``) rather
than by a layout pass: every label inside its figure, in English and Japanese, with no
more paper around it than a layout engine would leave.

Each chart is checked against matplotlib's own measure of everything it drew (its tight
bounding box, from a real renderer), so the margins are not checked against themselves.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest

from tests.report.games import played
from whitecell.report import render
from whitecell.report.aar import build_game_report
from whitecell.report.charts import Band, ChartCache, Charts, Drawn
from whitecell.report.fonts import CJK_FAMILY, cjk_font_path
from whitecell.report.margins import EDGE, measure, rewrap

TIGHT = 10.0  # points: a margin wider than this beyond what a label needs is waste


@pytest.fixture(autouse=True)
def cjk_font() -> None:
    if cjk_font_path() is None:
        message = f"no {CJK_FAMILY} font: install fonts-noto-cjk"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@dataclass(frozen=True)
class Slack:
    """Points of paper between what a chart drew and its figure's edges (below 0: cut)."""

    title: str
    left: float
    bottom: float
    right: float
    top: float
    square: bool  # the axes keeps its aspect (a heat map): it may not fill its width

    def sides(self) -> dict[str, float]:
        return {"left": self.left, "bottom": self.bottom, "right": self.right, "top": self.top}


class Measured(Charts):
    """Charts that record, for each chart drawn, how far its drawing is from the edges."""

    def __init__(self, lang: str) -> None:
        super().__init__(lang, cache=ChartCache())
        self.slack: list[Slack] = []

    def svg(self, fig: Any, title: str) -> Drawn:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        drawn = super().svg(fig, title)
        fig.dpi = 72
        box = fig.get_tightbbox(FigureCanvasAgg(fig).get_renderer())
        width, height = fig.get_size_inches()
        square = fig.axes[0].get_aspect() != "auto"
        self.slack.append(
            Slack(
                title,
                box.x0 * 72,
                box.y0 * 72,
                (width - box.x1) * 72,
                (height - box.y1) * 72,
                square,
            )
        )
        return drawn


def game_charts(lang: str) -> list[Slack]:
    report = build_game_report(played(), lang=lang, audience="control", verdict="")
    charts = Measured(lang)
    render._game_charts(report, charts)
    return charts.slack


def assert_fits(slack: list[Slack]) -> None:
    assert slack
    for s in slack:
        cut = {side: round(v, 1) for side, v in s.sides().items() if v < 0}
        assert not cut, f"{s.title!r} cut off at {cut}"
        wasted = {
            side: round(v, 1)
            for side, v in s.sides().items()
            if v > TIGHT and not (s.square and side in ("left", "right", "top", "bottom"))
        }
        assert not wasted, f"{s.title!r} has margins to spare: {wasted}"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_chart_of_a_game_holds_its_labels_and_little_else(lang: str) -> None:
    slack = game_charts(lang)
    assert len(slack) >= 18  # the variables, relations, agreements, escalation
    assert_fits(slack)


def test_an_axis_given_more_ticks_by_its_final_size_still_fits() -> None:
    """Placed at matplotlib's default size, this axis has ticks 60, 80, 100; at its final
    size, 62.5 to 75.0 (wider): the chart is placed again with the ticks it will draw."""
    charts = Measured("en")
    rounds = ["start", "R1", "R2", "R3", "R4", "R5"]
    p5 = [50.0, 45.05, 45.05, 53.05, 56.05, 60.05]
    p50 = [50.0, 58.05, 65.05, 75.05, 80.05, 85.05]
    p95 = [50.0, 72.05, 82.05, 97.05, 99.95, 99.95]
    charts.fan(Band("Government cohesion (Turkey)", rounds, p5, p50, p95), "")
    charts.fan(Band("Narrow", rounds, [64.0] * 6, [70.0] * 6, [73.5] * 6), "")
    assert_fits(charts.slack)


@pytest.mark.parametrize(
    ("lang", "label"),
    [
        ("en", "Europe has offered a reassurance force"),
        ("ja", "キーウ情報機関内の妨害派の勢力が拡大した"),
    ],
)
def test_a_title_wider_than_its_chart_is_broken_into_lines_that_fit(lang: str, label: str) -> None:
    charts = Measured(lang)
    svg = charts.variable(label, "", ["start", "R1", "R2"], [0, 1, 1], 0, 1, True)
    assert "<svg" in svg
    assert_fits(charts.slack)


def test_lines_are_broken_between_words_or_anywhere_in_japanese() -> None:
    families = ("DejaVu Sans", CJK_FAMILY)
    for text, joiner in (
        ("Europe has offered a reassurance force to guard the line", " "),
        ("キーウ情報機関内の妨害派の勢力が拡大した", ""),
    ):
        room = measure(text, 8.0, families).width / 2.5
        lines = rewrap(text, room, 8.0, families).split("\n")
        assert len(lines) == 3, lines
        assert joiner.join(lines) == text
        assert all(measure(line, 8.0, families).width <= room for line in lines), lines
    assert rewrap("short", 500.0, 8.0, families) == "short"


def test_a_label_measures_as_matplotlib_draws_it() -> None:
    """The measure margins trust, against a text matplotlib lays out itself."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    families = ("DejaVu Sans", CJK_FAMILY)
    fig = Figure(figsize=(4, 2), dpi=72)
    renderer = FigureCanvasAgg(fig).get_renderer()
    for text in ("Casualties during the crisis", "欧州の対ウクライナ支援", "two\nlines"):
        drawn = fig.text(0.1, 0.5, text, fontsize=8, family=list(families))
        extent = drawn.get_window_extent(renderer)
        box = measure(text, 8.0, families)
        # Agg hints its glyphs; the SVG's paths, as measured, are not hinted
        assert abs(box.width - extent.width) < max(1.5, extent.width * 0.02), text
        assert extent.height - EDGE <= box.height <= extent.height + EDGE, text


def test_a_legend_longer_than_its_chart_makes_the_chart_taller() -> None:
    charts = Measured("en")
    rounds = ["R1", "R2", "R3"]
    teams = [(f"Team number {i}", "#1d4ed8", [float(i), 0.0, 1.0]) for i in range(40)]
    charts.escalation(rounds, teams, ("All teams", [1.0, 2.0, 3.0]), "Escalation index")
    assert_fits(charts.slack)


def test_a_legend_wider_than_its_chart_makes_the_chart_wider_not_inside_out() -> None:
    """A team named at length (a hostile name from an uploaded scenario): the plot keeps
    some width, the figure grows, and nothing is cut."""
    charts = Measured("en")
    rounds = ["R1", "R2", "R3"]
    long_name = "<img src=x onerror=alert(1)> " * 12
    teams = [(long_name + str(i), "#1d4ed8", [float(i), 0.0, 1.0]) for i in range(3)]
    drawn = charts.escalation(rounds, teams, ("All teams", [1.0, 2.0, 3.0]), "Escalation")
    assert drawn is not None
    assert not {side: v for s in charts.slack for side, v in s.sides().items() if v < 0}


def test_a_y_axis_with_an_offset_keeps_it_clear_of_the_title() -> None:
    """Values in the millions: matplotlib writes "1e6" atop the y axis and lifts the title
    over it; the margins make room for both."""
    charts = Measured("en")
    x = ["start", "R1", "R2"]
    charts.variable("Refugees who left the region", "people", x, [1e6, 2e6, 3e6], 0, 3e6, False)
    assert_fits(charts.slack)


def test_the_shortcuts_draw_what_matplotlib_would_place_itself(monkeypatch) -> None:
    """Axis labels and titles pinned where matplotlib would put them, and tick labels not
    measured again while drawing: the same SVG, to the byte, as matplotlib placing them."""
    from contextlib import nullcontext

    from whitecell.report import charts as charts_module
    from whitecell.report import margins

    def draw_all(lang: str) -> list[str]:
        c = Charts(lang, cache=ChartCache())
        x = ["start", "R1", "R2"]
        return [
            c.variable(
                "Casualties during the crisis", "thousands", x, [0, 120, 400], 0, 500, False
            ),
            c.variable("A ceasefire was reached", "", x, [0, 0, 1], 0, 1, True),
            c.sweep(
                ["0.05", "0.1", "0.2"],
                "A ceasefire",
                [0.2, 0.5, 0.6],
                [0.1, 0.4, 0.5],
                [0.3, 0.6, 0.7],
                "automation.temperature",
            ),
            c.relations(["A", "B"], [[(0, 0), (2, 1)], [(1, 1), (0, 0)]], "Actions", "by", "on"),
        ]

    for lang in ("en", "ja"):
        shortcut = draw_all(lang)
        monkeypatch.setattr(margins, "_pin", lambda *args: None)
        monkeypatch.setattr(charts_module, "drawn_as_placed", lambda fig: nullcontext())
        assert draw_all(lang) == shortcut, lang
        monkeypatch.undo()
