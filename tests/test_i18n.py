"""The interface catalogue: both languages, the same placeholders, every key the code uses."""

from __future__ import annotations

import re
import string
import typing
from pathlib import Path

import pytest

from whitecell.i18n import LANGUAGES, catalogue, estimative, t
from whitecell.scenario import schema

CATALOGUE = catalogue()
SOURCE = Path(__file__).resolve().parents[1] / "whitecell"


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_the_catalogue_is_not_empty() -> None:
    assert len(CATALOGUE) > 40


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_message_has_english_and_japanese_with_the_same_placeholders(key: str) -> None:
    entry = CATALOGUE[key]
    assert set(entry) == set(LANGUAGES), key
    for lang in LANGUAGES:
        assert isinstance(entry[lang], str) and entry[lang].strip(), (key, lang)
    assert placeholders(entry["en"]) == placeholders(entry["ja"])


def test_every_message_key_the_code_uses_exists() -> None:
    """Keys written out anywhere in the source (``t("round.header", ...)``, or chosen in
    a conditional first), and those built from a round kind or an instrument."""
    prefixes = "|".join(sorted({key.split(".")[0] for key in CATALOGUE}))
    literal = re.compile(rf"""["']((?:{prefixes})\.[a-z_]+(?:\.[a-z_]+)*)["']""")
    used: set[str] = set()
    for pattern in ("*.py", "report/templates/*"):
        for path in SOURCE.rglob(pattern):
            used |= set(literal.findall(path.read_text(encoding="utf-8")))
    assert {"round.header", "intel.noisy", "kent.probable"} <= used  # the scan itself works
    kinds = typing.get_args(schema.Round.model_fields["kind"].annotation)
    instruments = typing.get_args(schema.Action.model_fields["instrument"].annotation)
    used |= {f"round.kind.{k}" for k in kinds} | {f"instrument.{i}" for i in instruments}
    assert used <= set(CATALOGUE), sorted(used - set(CATALOGUE))


def test_a_message_is_filled_in_each_language() -> None:
    assert t("round.header", "en", number=2, kind="K", label="L") == "Round 2 · K · L"
    assert t("round.header", "ja", number=2, kind="K", label="L") == "第2ラウンド・K・L"


# Sherman Kent, "Words of Estimative Probability" (1964): each phrase and its band.
KENT = [
    ("almost certain", 0.87, 0.99),
    ("probable", 0.63, 0.87),
    ("chances about even", 0.40, 0.60),
    ("probably not", 0.20, 0.40),
    ("almost certainly not", 0.02, 0.12),
]


@pytest.mark.parametrize(("words", "low", "high"), KENT)
def test_estimative_words_follow_kents_bands(words: str, low: float, high: float) -> None:
    centre = (low + high) / 2
    for p in (low, centre, high - 0.001):
        assert estimative(p, "en") == words, p


@pytest.mark.parametrize(
    ("p", "words"),
    [
        (1.0, "almost certain"),
        (0.93, "almost certain"),
        (0.75, "probable"),
        (0.5, "chances about even"),
        (0.3, "probably not"),
        (0.07, "almost certainly not"),
        (0.0, "almost certainly not"),
    ],
)
def test_kents_central_values_get_his_words(p: float, words: str) -> None:
    assert estimative(p, "en") == words


def test_estimative_words_have_distinct_japanese_counterparts() -> None:
    centres = [(low + high) / 2 for _, low, high in KENT]
    english = [estimative(p, "en") for p in centres]
    japanese = [estimative(p, "ja") for p in centres]
    assert english == [w for w, _, _ in KENT]
    assert len(set(japanese)) == len(KENT)
    for word in japanese:
        assert word.strip() and not word.isascii()
