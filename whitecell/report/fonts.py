"""Fonts for charts and PDFs: Japanese needs a CJK font, which matplotlib's default lacks.

Debian's ``fonts-noto-cjk`` provides Noto Sans CJK JP; matplotlib finds it through
its font cache and WeasyPrint through fontconfig. A Japanese report without it
would print boxes, so asking for one is an error, not a silent fallback.
"""

from __future__ import annotations

import subprocess
from functools import cache

CJK_FAMILY = "Noto Sans CJK JP"
LATIN_FAMILY = "DejaVu Sans"
INSTALL_HINT = "install a CJK font (on Debian: apt-get install fonts-noto-cjk)"


class FontMissing(Exception):
    """A report in a language whose glyphs no installed font has."""


@cache
def cjk_font_path() -> str | None:
    """The file matplotlib would use for Japanese text, or None if there is none.

    matplotlib keeps its list of fonts in a cache made the first time it ran; a font
    installed since is not in it. On a miss, the font is looked up through fontconfig and
    added to matplotlib's list before it is reported missing."""
    found = _matplotlib_cjk()
    if found is None:
        from matplotlib import font_manager

        for path in fontconfig_files(CJK_FAMILY):
            font_manager.fontManager.addfont(path)
        found = _matplotlib_cjk()
    return found


def _matplotlib_cjk() -> str | None:
    from matplotlib import font_manager

    try:
        # the manager itself, not the module's ``findfont``: that is bound to the manager
        # matplotlib made at import
        return font_manager.fontManager.findfont(
            font_manager.FontProperties(family=CJK_FAMILY), fallback_to_default=False
        )
    except ValueError:
        return None


def fontconfig_files(family: str) -> list[str]:
    """The font files fontconfig knows for ``family`` (none without fontconfig)."""
    try:
        listed = subprocess.run(
            ["fc-list", f":family={family}", "file"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = (line.strip().rstrip(":").strip() for line in listed.splitlines())
    return sorted(f for f in files if f)


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
