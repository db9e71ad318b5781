"""A game's report in every format and both languages: self-contained HTML, Markdown for a
course page, PDF whose pages are not blank and whose Japanese is set in an embedded font."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.report import pdf
from tests.report.games import HOSTILE_TEXT, PUBLIC_MARKER, SECRET_MARKERS, hand_played, played
from whitecell.report import ReportError, game_report
from whitecell.report.render import md_escape

LANGS = ("en", "ja")


@pytest.fixture(scope="module")
def reports() -> dict[tuple[str, str], bytes]:
    return {
        (fmt, lang): game_report(played(), fmt=fmt, lang=lang)
        for fmt in ("html", "md", "pdf")
        for lang in LANGS
    }


@pytest.mark.parametrize("lang", LANGS)
def test_the_html_report_is_one_self_contained_file_with_its_charts_inline(reports, lang):
    html = reports["html", lang].decode()
    assert html.startswith("<!doctype html>") and f'<html lang="{lang}">' in html
    assert "<script" not in html.lower()
    assert not re.search(r'(src|href)="(https?:)?//', html), "nothing is fetched from a network"
    assert "<link" not in html
    charts = html.count('<svg role="img"')
    families = {v.base for v in played().scenario.vars}
    assert charts >= len(families) + 1  # one per variable (per-team ones share), relations
    assert 'name="viewport"' in html and "@media print" in html


def test_the_html_report_is_in_the_language_asked_for(reports):
    en, ja = reports["html", "en"].decode(), reports["html", "ja"].decode()
    assert "What decided this game" in en and "Timeline" in en
    assert "この結果を決めたもの" in ja and "経過" in ja and "What decided" not in ja
    assert "アンカラの停戦" in ja


@pytest.mark.parametrize("lang", LANGS)
def test_the_markdown_report_has_the_timeline_outcomes_and_the_numbers_behind_the_charts(
    reports, lang
):
    md = reports["md", lang].decode()
    assert md.startswith("# ")
    assert "<svg" not in md
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert len(headings) >= 6
    rounds = [line for line in md.splitlines() if line.startswith("### ")]
    assert len(rounds) >= len(played().scenario.rounds)
    table_rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert len(table_rows) > len(played().scenario.vars)


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_of_the_pdf_has_something_on_it(reports, lang, tmp_path):
    document = reports["pdf", lang]
    assert document.startswith(b"%PDF")
    images = pdf.pages(document, tmp_path)
    assert len(images) >= 5
    for number, page in enumerate(images, start=1):
        assert pdf.ink(page) > 0.002, f"page {number} is blank"


def test_the_japanese_pdf_embeds_a_cjk_font_and_its_text_is_japanese(reports, tmp_path):
    fonts = pdf.fonts(reports["pdf", "ja"], tmp_path)
    embedded = [line for line in fonts.splitlines() if "CJK" in line]
    assert embedded and all(" yes " in line for line in embedded)
    text = pdf.text(reports["pdf", "ja"], tmp_path)
    assert "この結果を決めたもの" in text and "ロシア" in text


def test_a_blank_page_would_be_caught(tmp_path):
    from weasyprint import HTML

    empty = HTML(string="<p style='color:white'>.</p>").write_pdf()
    assert pdf.ink(pdf.pages(empty, tmp_path)[0]) <= 0.002


@pytest.mark.parametrize("fmt", ["html", "md", "pdf"])
def test_the_public_report_holds_none_of_a_teams_secret_actions(fmt, tmp_path):
    log = hand_played(reveal_at_end=False)
    public = game_report(log, fmt=fmt, audience="public")
    control = game_report(log, fmt=fmt, audience="control")
    if fmt == "pdf":
        public, control = pdf.text(public, tmp_path).encode(), pdf.text(control, tmp_path).encode()
    public_text, control_text = public.decode(), control.decode()
    # the pdf's text may be broken across lines, so look for the markers without whitespace
    flat = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    for name, marker in SECRET_MARKERS.items():
        assert marker not in flat(public_text), f"the public {fmt} report shows {name}"
        assert marker in flat(control_text), f"the control {fmt} report lacks {name}"
    assert PUBLIC_MARKER in flat(public_text)
    secret_label = "Pause intelligence sharing with Kyiv"
    assert secret_label not in public_text and secret_label in control_text.replace("\n", " ")


def test_player_text_is_escaped_in_html_and_in_markdown():
    log = hand_played(reveal_at_end=True)
    html = game_report(log, fmt="html").decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    md = game_report(log, fmt="md").decode()
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "[link](javascript" not in md
    assert md_escape(HOSTILE_TEXT).count("\\|") == HOSTILE_TEXT.count("|")


def test_markdown_escaping_leaves_no_markup_and_keeps_every_character():
    assert md_escape("a*b_c`d[e]f#g|h~i\\j") == "a\\*b\\_c\\`d\\[e\\]f\\#g\\|h\\~i\\\\j"
    assert md_escape("line one\nline two") == "line one line two"
    assert md_escape("<b>&") == "&lt;b&gt;&amp;"


def test_a_tampered_log_gets_no_report():
    log = played()
    from dataclasses import replace

    from whitecell.engine import events as ev
    from whitecell.engine.log import GameLog

    at = next(i for i, e in enumerate(log.events) if isinstance(e, ev.DiceRolled))
    events = list(log.events)
    events[at] = replace(events[at], value=(events[at].value + 0.5) % 1)
    with pytest.raises(ReportError, match="does not verify"):
        game_report(GameLog(log.scenario, events, log.header, "tampered.jsonl"), fmt="md")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"fmt": "docx"}, "unknown format 'docx' (allowed: html, md, pdf)"),
        ({"lang": "fr"}, "unknown language 'fr' (allowed: en, ja)"),
        ({"audience": "russia"}, "unknown audience 'russia' (allowed: control, debrief, public)"),
    ],
)
def test_unknown_options_are_refused_with_what_is_allowed(options, message):
    with pytest.raises(ReportError, match=re.escape(message)):
        game_report(played(), **options)


def test_the_same_game_gives_the_same_html(tmp_path: Path):
    assert game_report(played(), fmt="html") == game_report(played(), fmt="html")
