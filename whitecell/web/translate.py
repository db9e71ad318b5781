"""The studio's translation help: a language model drafts the missing translations of a
section of the form view, from a text the scenario has in another language.

Only empty fields are drafted, so a person's translation is never replaced. A drafted text
stays marked as the model's until a person confirms it (or changes it), across saves:
the version records which texts are drafts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from whitecell.agents.language_model import LanguageModel
from whitecell.scenario.form import FormField

MAX_DRAFTS = 60  # texts in one request: a section's worth
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
LANGUAGE_NAMES = {"en": "English", "ja": "Japanese"}


@dataclass(frozen=True)
class Wanted:
    key: str  # the missing text's field
    source_lang: str
    source: str  # the text to translate
    target_lang: str


def wanted(found: list[FormField], section: str, values: dict[str, str]) -> list[Wanted]:
    """The missing translations of ``section`` still empty in ``values`` (what the form
    holds now), each with a text of the same field in another language to start from."""
    by_owner: dict[tuple[object, ...], list[FormField]] = {}
    for f in found:
        if f.lang is not None:
            by_owner.setdefault(f.path[:-1], []).append(f)
    out: list[Wanted] = []
    for siblings in by_owner.values():
        for f in siblings:
            if f.start >= 0 or str(f.path[0]) != section or values.get(f.key, "").strip():
                continue
            sources = [
                (s.lang, values.get(s.key, s.value))
                for s in sorted(siblings, key=lambda s: s.lang != "en")
                if s is not f and values.get(s.key, s.value).strip()
            ]
            if sources and f.lang is not None and sources[0][0] is not None:
                lang, text = sources[0]
                out.append(Wanted(f.key, str(lang), text, f.lang))
    return out[:MAX_DRAFTS]


def _schema(keys: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "translations": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "key": {"type": "string", "enum": keys},
                        "text": {"type": "string"},
                    },
                    "required": ["key", "text"],
                    "additionalProperties": False,
                },
            }
        },
        "required": ["translations"],
        "additionalProperties": False,
    }


SYSTEM = (
    "You translate the texts of a scenario for a seminar crisis simulation (a wargame played "
    "by students). Translate each text faithfully and concisely into the language asked, in "
    "the register of a briefing. Keep every placeholder in braces, such as {actor} or "
    "{target}, exactly as it is, and keep numbers and proper names. Answer only with JSON."
)


def draft(model: LanguageModel, title: str, items: list[Wanted]) -> tuple[dict[str, str], int]:
    """The model's translations by field, and how many answers were dropped (a key not
    asked for, an empty text, a placeholder lost or invented)."""
    if not items:
        return {}, 0
    asked = [
        {
            "key": w.key,
            "from": LANGUAGE_NAMES.get(w.source_lang, w.source_lang),
            "to": LANGUAGE_NAMES.get(w.target_lang, w.target_lang),
            "text": w.source,
        }
        for w in items
    ]
    user = f"Scenario: {title}\nTranslate:\n{json.dumps(asked, ensure_ascii=False)}"
    reply = model.complete(
        (("system", SYSTEM), ("user", user)),
        _schema([w.key for w in items]),
        subject="studio",
        purpose="translate",
    )
    by_key = {w.key: w for w in items}
    out: dict[str, str] = {}
    dropped = 0
    try:
        answers = json.loads(reply.text).get("translations", [])
    except (json.JSONDecodeError, AttributeError):
        return {}, len(items)
    for answer in answers if isinstance(answers, list) else []:
        if not isinstance(answer, dict):
            dropped += 1
            continue
        key, text = answer.get("key"), answer.get("text")
        w = by_key.get(str(key))
        if w is None or not isinstance(text, str) or not text.strip() or key in out:
            dropped += 1
            continue
        if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(w.source)):
            dropped += 1  # a placeholder lost or made up: the game could not fill it
            continue
        out[str(key)] = text.strip()
    return out, dropped


__all__ = ["MAX_DRAFTS", "Wanted", "draft", "wanted"]
