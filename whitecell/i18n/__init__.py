"""Interface text in English and Japanese.

One catalogue file holds each message in both languages side by side, so a
missing translation or a placeholder that differs between the two is caught
by a test rather than by a student on the day.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGUAGES = ("en", "ja")


@cache
def catalogue() -> dict[str, dict[str, str]]:
    text = (resources.files("whitecell.i18n") / "messages.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def t(key: str, lang: str, /, **values: Any) -> str:
    """The message ``key`` in ``lang`` (English if missing), with ``values`` filled in."""
    entry = catalogue()[key]
    template = entry.get(lang) or entry["en"]
    return template.format(**values) if values else template


def estimative(p: float, lang: str) -> str:
    """Sherman Kent's words of estimative probability for odds ``p``."""
    if p >= 0.87:
        key = "kent.almost_certain"
    elif p >= 0.63:
        key = "kent.probable"
    elif p >= 0.40:
        key = "kent.even"
    elif p >= 0.20:
        key = "kent.probably_not"
    else:
        key = "kent.almost_certainly_not"
    return t(key, lang)
