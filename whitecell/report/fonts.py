"""Fonts for charts and PDFs: Japanese needs a CJK font, which matplotlib's default lacks.

Debian's ``fonts-noto-cjk`` provides Noto Sans CJK JP; matplotlib finds it through
its font cache and WeasyPrint through fontconfig. A Japanese report without it
would print boxes, so asking for one is an error, not a silent fallback.
"""

from __future__ import annotations

from functools import cache

CJK_FAMILY = "Noto Sans CJK JP"
LATIN_FAMILY = "DejaVu Sans"
INSTALL_HINT = "install a CJK font (on Debian: apt-get install fonts-noto-cjk)"


class FontMissing(Exception):
    """A report in a language whose glyphs no installed font has."""


@cache
def cjk_font_path() -> str | None:
    """The file matplotlib would use for Japanese text, or None if there is none."""
    from matplotlib import font_manager

    try:
        return font_manager.findfont(
            font_manager.FontProperties(family=CJK_FAMILY), fallback_to_default=False
        )
    except ValueError:
        return None


def chart_families(lang: str) -> list[str]:
    """matplotlib's font list for ``lang``: glyphs missing from the first come from the next."""
    if lang == "ja":
        if cjk_font_path() is None:
            raise FontMissing(f"Japanese reports need the font '{CJK_FAMILY}': {INSTALL_HINT}")
        return [CJK_FAMILY, LATIN_FAMILY]
    return [LATIN_FAMILY, CJK_FAMILY] if cjk_font_path() else [LATIN_FAMILY]


def css_families(lang: str) -> str:
    """The CSS font stack for the HTML and PDF (WeasyPrint resolves it with fontconfig)."""
    if lang == "ja":
        return f'"{CJK_FAMILY}", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", sans-serif'
    return f'"DejaVu Sans", "Helvetica Neue", Arial, "{CJK_FAMILY}", sans-serif'
