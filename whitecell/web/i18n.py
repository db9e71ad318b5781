"""Interface text for the web pages: Babel message catalogues, one Jinja environment each.

The catalogues are kept as ``.po`` files (reviewable text) and compiled in memory
when the server starts, so there is no build step and no stale ``.mo`` file.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("en", "ja")


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue for ``lang``; English is the source text itself."""
    if lang == "en":
        return gettext.NullTranslations()
    path = resources.files("whitecell.web") / "locales" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def pick(requested: str | None, accept: str | None = None) -> str:
    """The user's language: an explicit choice, else the browser's first known one."""
    if requested is not None and requested in LANGUAGES:
        return requested
    for part in (accept or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"
