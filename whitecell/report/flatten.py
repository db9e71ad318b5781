"""A chart's SVG made cheap for WeasyPrint: each label's glyphs as one path, not one each.

matplotlib draws text as paths by defining each glyph once and placing it with a
``<use>`` per character. WeasyPrint handles every ``<use>`` as a node of its own (look
the glyph up, copy it, cascade styles, parse its transform and its outline), and in a
report's PDF that bookkeeping costs more than the outlines themselves. Moving each
glyph's outline by its offset and joining a label's glyphs into one path draws the
same shapes; with the groups that only carry an id, and the metadata, gone too, a
report's charts have a third of the nodes they had (and its PDF takes 0.2 s less to
write, though it compresses less well: glyphs no longer repeat byte for byte). Only
what matplotlib writes for plain text is rewritten; anything else (mathtext, another
writer's SVG) is left as it was.
"""

from __future__ import annotations

import re

# a glyph without an outline (a space) has no ``d``
_GLYPH = re.compile(r'<path id="([^"]+)"(?: d="([^"]*)")? transform="scale\(([^)\s]+)\)"/>')
_TEXT = re.compile(
    r'(?P<open><g(?: [a-z-]+="[^"]*")*>)\s*'
    r"(?P<defs><defs>(?:(?!</defs>).)*</defs>)?\s*"
    r'(?P<uses>(?:<use xlink:href="#[^"]+"(?: transform="translate\([^)]*\)")?/>\s*)+)'
    r"</g>",
    re.S,
)
_USE = re.compile(r'<use xlink:href="#([^"]+)"(?: transform="translate\(([^)]*)\)")?/>')
_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PAIRS = {"M": 1, "L": 1, "Q": 2, "C": 3}  # absolute commands and their points
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_GROUP = re.compile(r"<g(?=[\s>/])[^>]*>|</g>")
_BARE_GROUP = re.compile(r'<g(?: id="([^"]*)")?>')
_REFERENCE = re.compile(r'(?:href="#|url\(#)([^")]+)')


def for_weasyprint(svg: str) -> str:
    """``svg`` drawing the same, with far fewer nodes for WeasyPrint to walk."""
    return _unwrapped(flatten_text(_METADATA.sub("", svg, count=1)))


def _unwrapped(svg: str) -> str:
    """``svg`` without the groups that have no attribute but an id nothing refers to: they
    change nothing drawn, and each costs WeasyPrint a saved and restored state."""
    referenced = set(_REFERENCE.findall(svg))
    out: list[str] = []
    kept: list[bool] = []
    at = 0
    for tag in _GROUP.finditer(svg):
        text = tag[0]
        if text == "</g>":
            if not kept:
                return svg  # unbalanced: leave it alone
            keep = kept.pop()
        elif text.endswith("/>"):
            continue  # an empty group: kept as it is
        else:
            bare = _BARE_GROUP.fullmatch(text)
            keep = bare is None or bare[1] in referenced
            kept.append(keep)
        out.append(svg[at : tag.start()])
        if keep:
            out.append(text)
        at = tag.end()
    if kept:
        return svg
    out.append(svg[at:])
    return "".join(out)


def flatten_text(svg: str) -> str:
    """``svg`` with each run of glyph ``<use>`` elements replaced by one path."""
    glyphs = {m[1]: (m[2] or "", m[3]) for m in _GLYPH.finditer(svg)}
    if not glyphs:
        return svg

    def joined(text: re.Match[str]) -> str:
        merged = _merged(_USE.findall(text["uses"]), glyphs)
        if merged is None:
            return text[0]
        d, scale = merged
        defs = text["defs"] or ""
        return f'{text["open"]}{defs}<path d="{d}" transform="scale({scale})"/></g>'

    return _TEXT.sub(joined, svg)


def _merged(
    uses: list[tuple[str, str]], glyphs: dict[str, tuple[str, str]]
) -> tuple[str, str] | None:
    """One path for glyphs placed at offsets, in the glyphs' own units; None when the
    glyphs are not all plain outlines at one scale."""
    parts: list[str] = []
    scale = None
    for glyph_id, offset in uses:
        if glyph_id not in glyphs:
            return None
        d, glyph_scale = glyphs[glyph_id]
        if scale is None:
            scale = glyph_scale
        elif glyph_scale != scale:
            return None
        factor = float(glyph_scale)
        if factor <= 0:
            return None
        values = [float(v) for v in offset.split()] if offset else [0.0]
        dx, dy = values[0], values[1] if len(values) > 1 else 0.0
        moved = _moved(d, dx / factor, dy / factor)
        if moved is None:
            return None
        parts.append(moved)
    if scale is None:
        return None
    return " ".join(part for part in parts if part), scale


def _moved(d: str, dx: float, dy: float) -> str | None:
    """Path data ``d`` (absolute M, L, Q, C and z only) moved by (dx, dy)."""
    if dx == 0 and dy == 0:
        return " ".join(d.split())
    out: list[str] = []
    tokens = _TOKEN.findall(d)
    i = 0
    while i < len(tokens):
        command = tokens[i]
        i += 1
        if command in ("z", "Z"):
            out.append("z")
            continue
        points = _PAIRS.get(command)
        if points is None:
            return None
        out.append(command)
        for _ in range(points):
            try:
                x, y = float(tokens[i]), float(tokens[i + 1])
            except (IndexError, ValueError):
                return None
            out.append(f"{_number(x + dx)} {_number(y + dy)}")
            i += 2
    return " ".join(out)


def _number(x: float) -> str:
    """A coordinate as short as it can be written without losing anything."""
    return repr(int(x)) if x.is_integer() else repr(x)
