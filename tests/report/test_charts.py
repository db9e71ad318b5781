"""Charts: inline SVG that draws Japanese with real glyphs, never with missing-glyph boxes.

matplotlib's default font (DejaVu Sans) has no Japanese: it warns and draws each
character as a box from its "last resort" font. The reference for "a box" is that
rendering itself, so the checks below are shown to catch boxes before they are
trusted to find none.
"""

from __future__ import annotations

import io
import os
import re
import warnings

import numpy as np
import pytest

from whitecell.report.charts import Charts
from whitecell.report.fonts import CJK_FAMILY, cjk_font_path

LABEL = "停戦合意の維持"  # "the ceasefire holds": ideographs and kana
GLYPH_IDS = re.compile(r'<path id="c\d+-([A-Za-z-]+)-([0-9a-f]+)"')


@pytest.fixture(autouse=True)
def cjk_font() -> None:
    """Skip, loudly, without a CJK font; never in CI, which installs fonts-noto-cjk."""
    if cjk_font_path() is None:
        message = f"no {CJK_FAMILY} font: install fonts-noto-cjk"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def japanese_chart(families: list[str] | None = None) -> tuple[str, list[str]]:
    """A chart whose title, axis label and ticks are Japanese, and matplotlib's warnings."""
    charts = Charts("ja")
    if families is not None:
        charts.families = families
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        svg = charts.variable(LABEL, "千人", ["開始", "第1回"], [10, 20], 0, 30, False)
    return svg, [str(w.message) for w in caught]


def glyph_fonts(svg: str) -> set[str]:
    return {font for font, _ in GLYPH_IDS.findall(svg)}


def test_the_check_sees_boxes_where_the_default_font_lacks_japanese():
    svg, warned = japanese_chart(["DejaVu Sans"])
    assert any("missing from font" in w for w in warned)
    assert any(font.startswith("LastResort") for font in glyph_fonts(svg))


def test_a_japanese_chart_draws_every_glyph_from_the_cjk_font():
    svg, warned = japanese_chart()
    assert warned == []
    fonts = glyph_fonts(svg)
    assert fonts and not any(font.startswith("LastResort") for font in fonts)
    assert any(font.startswith("NotoSansCJK") for font in fonts)
    assert all(index != "0" for _, index in GLYPH_IDS.findall(svg)), ".notdef glyph drawn"


def raster(text: str, families: list[str]) -> np.ndarray:
    """``text`` drawn alone at a fixed size and place, as grey levels."""
    import matplotlib.pyplot as plt

    charts = Charts("ja")
    charts.families = families
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with charts.figure(0.6, 0.6) as (fig, ax):
            ax.set_axis_off()
            fig.text(0.5, 0.5, text, fontsize=20, ha="center", va="center")
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=60)
    buffer.seek(0)
    image = plt.imread(buffer)
    return image[..., :3].mean(axis=2)


def test_each_japanese_character_renders_unlike_the_missing_glyph_box():
    boxes = {c: raster(c, ["DejaVu Sans"]) for c in "停戦"}
    # the reference: without a CJK font, two different ideographs are the same box
    assert np.array_equal(boxes["停"], boxes["戦"])
    box = boxes["停"]
    families = Charts("ja").families
    for character in LABEL:
        drawn = raster(character, families)
        assert drawn.min() < 0.5, f"{character!r} drew nothing"
        assert not np.array_equal(drawn, box), f"{character!r} is drawn as a box"
        assert not np.array_equal(drawn, raster(character, ["DejaVu Sans"]))


def test_charts_in_one_report_never_share_an_id():
    charts = Charts("en")
    first = charts.variable("A", "", ["start", "R1"], [1, 2], 0, 3, False)
    second = charts.variable("A", "", ["start", "R1"], [1, 2], 0, 3, False)
    ids = lambda svg: set(re.findall(r'id="([^"]+)"', svg))  # noqa: E731
    assert ids(first) and not ids(first) & ids(second)
    assert 'xlink:href="#c2-' in second or 'href="#c2-' in second


def test_a_chart_is_an_inline_svg_element_that_fits_its_container():
    svg = Charts("en").variable("Front line", "index", ["start", "R1"], [50, 55], 0, 100, False)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert 'class="chart"' in svg and 'aria-label="Front line"' in svg
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
