"""Finding the CJK font for Japanese reports, even when matplotlib's font cache is stale.

No font is installed or removed here: a stale cache is simulated by giving matplotlib a
font list without the CJK font, as it has when the font was installed after matplotlib
first ran. fontconfig (Debian's fonts-noto-cjk) still knows the font.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from matplotlib import font_manager

from whitecell.report import fonts
from whitecell.report.fonts import CJK_FAMILY, FontMissing, chart_families


@pytest.fixture
def installed() -> list[str]:
    """The CJK font's files as fontconfig lists them; loudly skipped where there are none."""
    files = fonts.fontconfig_files(CJK_FAMILY)
    if not files:
        message = f"fontconfig knows no {CJK_FAMILY} font: install fonts-noto-cjk"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return files


@pytest.fixture
def stale(monkeypatch: pytest.MonkeyPatch) -> Iterator[font_manager.FontManager]:
    """matplotlib's font list as cached before the CJK font was installed."""
    old = font_manager.fontManager
    manager = font_manager.FontManager.__new__(font_manager.FontManager)  # no new scan
    manager.__dict__.update(old.__dict__)
    manager.ttflist = [f for f in old.ttflist if "CJK" not in f.name]
    monkeypatch.setattr(font_manager, "fontManager", manager)
    fonts.cjk_font_path.cache_clear()
    yield manager
    fonts.cjk_font_path.cache_clear()


def test_a_font_installed_after_matplotlib_cached_its_list_is_found(
    installed: list[str], stale: font_manager.FontManager
) -> None:
    with pytest.raises(ValueError):  # the stale list alone does not have it
        stale.findfont(font_manager.FontProperties(family=CJK_FAMILY), fallback_to_default=False)
    assert chart_families("ja") == [CJK_FAMILY, fonts.LATIN_FAMILY]
    assert fonts.cjk_font_path() in installed
    assert any(f.name == CJK_FAMILY for f in stale.ttflist)  # added, once


def test_a_font_that_is_nowhere_is_reported_missing_with_what_to_install(
    stale: font_manager.FontManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fonts, "fontconfig_files", lambda family: [])  # no fontconfig entry
    with pytest.raises(FontMissing, match="apt-get install fonts-noto-cjk"):
        chart_families("ja")
    assert chart_families("en") == [fonts.LATIN_FAMILY]


def test_fontconfig_lists_no_file_for_a_family_it_does_not_know() -> None:
    assert fonts.fontconfig_files("No Such Family 7f3a") == []
