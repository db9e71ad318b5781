"""A chart's SVG for WeasyPrint: glyphs joined into one path per label, moved by exactly
their offsets; groups that draw nothing of their own dropped; anything unknown left alone."""

from __future__ import annotations

import re

from whitecell.report.flatten import flatten_text, for_weasyprint

# Two glyphs as matplotlib writes them: outlines in font units, at 1/64 of a point.
GLYPHS = (
    '<path id="G-a" d="M 0 0 \nL 64 0 \nL 64 128 \nz\n" transform="scale(0.015625)"/>'
    '<path id="G-sp" transform="scale(0.015625)"/>'  # a space: no outline
    '<path id="G-b" d="M 0 0 \nQ 32 64 64 0 \nC 10 20 30 40 50 60 \nz\n" '
    'transform="scale(0.015625)"/>'
)


def label(uses: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<g id="text_1"><g style="fill: #1f2933" transform="translate(3 4) scale(0.08 -0.08)">'
        f"<defs>{GLYPHS}</defs>{uses}</g></g></svg>"
    )


def test_a_label_becomes_one_path_with_each_glyph_moved_by_its_offset():
    svg = label(
        '<use xlink:href="#G-a"/>'
        '<use xlink:href="#G-sp" transform="translate(1 0)"/>'
        '<use xlink:href="#G-b" transform="translate(2 0.5)"/>'
    )
    out = flatten_text(svg)
    assert "<use" not in out
    (d,) = re.findall(r'<path d="([^"]*)" transform="scale\(0.015625\)"/>', out)
    # an offset of 2 at a scale of 1/64 is 128 font units; 0.5 is 32
    assert d == "M 0 0 L 64 0 L 64 128 z M 128 32 Q 160 96 192 32 C 138 52 158 72 178 92 z"
    assert '<g style="fill: #1f2933" transform="translate(3 4) scale(0.08 -0.08)">' in out


def test_glyphs_placed_with_a_scale_or_missing_are_left_as_they_were():
    scaled = label('<use xlink:href="#G-a" transform="translate(1 0) scale(2)"/>')
    assert flatten_text(scaled) == scaled
    unknown = label('<use xlink:href="#G-missing"/>')
    assert flatten_text(unknown) == unknown
    relative = label('<use xlink:href="#G-a"/>').replace("M 0 0 \nL 64 0", "M 0 0 \nl 64 0")
    moved = relative.replace(
        '<use xlink:href="#G-a"/>', '<use xlink:href="#G-a" transform="translate(1 0)"/>'
    )
    assert flatten_text(moved) == moved, "a relative command cannot be moved by adding"


def test_groups_with_only_an_unreferenced_id_go_and_the_rest_stay():
    svg = (
        '<svg><g id="figure_1"><g id="patch_1"><path d="M 0 0"/></g>'
        '<g clip-path="url(#p1)"><path d="M 1 1"/></g>'
        '<g id="kept"><path d="M 2 2"/></g><use xlink:href="#kept"/>'
        "<metadata><rdf:RDF>x</rdf:RDF></metadata></g></svg>"
    )
    out = for_weasyprint(svg)
    assert out == (
        '<svg><path d="M 0 0"/><g clip-path="url(#p1)"><path d="M 1 1"/></g>'
        '<g id="kept"><path d="M 2 2"/></g><use xlink:href="#kept"/></svg>'
    )


def test_unbalanced_groups_are_left_alone():
    svg = '<svg><g id="a"><path d="M 0 0"/></svg>'
    assert for_weasyprint(svg) == svg
