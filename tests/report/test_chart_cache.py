"""Charts drawn once: a report made again comes from the cache and is byte for byte the one
made fresh; the PDF takes the same charts as images and looks as it did with them inline."""

from __future__ import annotations

import numpy as np
import pytest
from weasyprint import HTML

from tests.report import pdf
from tests.report.games import played
from whitecell.report import game_report
from whitecell.report.charts import DRAWN, ChartCache, Charts

FRONT = ("Front line", "index", ["start", "R1", "R2"], [50.0, 55.0, 61.0], 0.0, 100.0, False)


@pytest.mark.parametrize("fmt", ["html", "pdf"])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_report_made_again_is_byte_identical_to_one_made_fresh(fmt, lang):
    DRAWN.clear()
    fresh = game_report(played(), fmt=fmt, lang=lang)
    drawn = DRAWN.misses
    assert drawn >= len({v.base for v in played().scenario.vars}), "every chart drawn once"
    again = game_report(played(), fmt=fmt, lang=lang)
    assert DRAWN.misses == drawn and DRAWN.hits >= drawn, "the second report drew nothing"
    assert again == fresh
    DRAWN.clear()
    assert game_report(played(), fmt=fmt, lang=lang) == fresh


def test_the_html_and_the_pdf_of_one_game_share_their_charts():
    DRAWN.clear()
    game_report(played(), fmt="html", lang="en")
    drawn = DRAWN.misses
    game_report(played(), fmt="pdf", lang="en")
    assert DRAWN.misses == drawn


def test_a_chart_of_other_data_another_language_or_other_fonts_is_drawn_anew():
    cache = ChartCache()
    en = Charts("en", cache=cache)
    first = en.variable(*FRONT)
    assert Charts("en", cache=cache).variable(*FRONT) == first  # the same ids: c1-
    assert len(cache) == 1 and cache.hits == 1
    moved = (*FRONT[:3], [50.0, 55.0, 62.0], *FRONT[4:])
    assert Charts("en", cache=cache).variable(*moved) != first
    Charts("ja", cache=cache).variable(*FRONT)
    other_fonts = Charts("en", cache=cache)
    other_fonts.families = ["DejaVu Sans"]
    other_fonts.variable(*FRONT)
    assert len(cache) == 4 and cache.misses == 4


def test_the_cache_keeps_the_charts_used_most_recently():
    cache = ChartCache(entries=2)
    charts = Charts("en", cache=cache)
    a, b, c = (("A", *FRONT[1:]), ("B", *FRONT[1:]), ("C", *FRONT[1:]))
    charts.variable(*a)
    charts.variable(*b)
    charts.variable(*a)  # A is now the most recent: B goes first
    charts.variable(*c)
    assert len(cache) == 2
    misses = cache.misses
    charts.variable(*a)
    assert cache.misses == misses
    charts.variable(*b)
    assert cache.misses == misses + 1


def test_a_chart_as_an_image_is_a_standalone_svg_without_a_glyph_placed_one_by_one():
    import base64

    tag = Charts("en", images=True).variable(*FRONT)
    assert tag.startswith('<img class="chart" alt="Front line" src="data:image/svg+xml;base64,')
    svg = base64.b64decode(tag.split("base64,", 1)[1].rstrip('">')).decode()
    assert svg.startswith('<svg role="img" aria-label="Front line"')
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert "DejaVuSans-" in svg  # the glyphs are defined ...
    assert 'xlink:href="#DejaVuSans-' not in svg  # ... and drawn as one path per label


def test_the_pdf_looks_as_it_did_with_its_charts_inline(tmp_path):
    """The old way, WeasyPrint on the HTML report with inline SVG, against the new one,
    page by page at 40 dpi: the same pages, no pixel apart by more than anti-aliasing."""
    inline = HTML(string=game_report(played(), fmt="html", lang="en").decode()).write_pdf()
    images = game_report(played(), fmt="pdf", lang="en")
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    old, new = pdf.pages(inline, tmp_path / "old"), pdf.pages(images, tmp_path / "new")
    assert len(old) == len(new)
    for number, (a, b) in enumerate(zip(old, new, strict=True), start=1):
        assert a.shape == b.shape, f"page {number} changed size"
        apart = np.abs(a - b)
        assert (apart > 0.25).mean() < 0.001, f"page {number} differs"


def test_every_chart_starts_from_a_clean_copy_of_the_blank_figure_of_its_size():
    """Charts of one size are drawn on copies of one blank figure: what one chart set (a
    yes/no axis, a y label, more ticks) never shows in the next."""
    from whitecell.report import charts as module

    module._BLANK.clear()
    first = Charts("en", cache=ChartCache()).variable(*FRONT)
    assert len(module._BLANK) == 1
    others = Charts("en", cache=ChartCache())
    flag = ("Sanctions", "", ["start", "R1", "R2", "R3"], [0.0, 1.0, 1.0, 0.0], 0.0, 1.0, True)
    others.variable(*flag)
    long = [f"R{k}" for k in range(12)]
    others.variable("Many rounds", "troops", long, [float(k) for k in range(12)], 0, 11, False)
    assert len(module._BLANK) == 1  # the three share one blank figure
    assert Charts("en", cache=ChartCache()).variable(*FRONT) == first
    module._BLANK.clear()
    assert Charts("en", cache=ChartCache()).variable(*FRONT) == first  # a new blank too
