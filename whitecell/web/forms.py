"""Posted forms to commands: the same dict the JSON API takes, so both go one way.

A form sends text; this turns it into the API's types (numbers, lists, booleans,
percentages to odds, edited effects) and refuses what is not a number where one is
needed, naming the field and the value.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import FormData

from whitecell.web.errors import ApiError

LIST_FIELDS = {"clauses", "to", "members", "teams", "strong"}
OPTIONAL_IDS = (
    "target",
    "channel",
    "counter_to",
    "inject",
    "about",
    "instrument",
    "sender",
    "rung",
)
WHOLE_NUMBERS = ("number", "seq", "minutes", "advisor")
FLAGS = ("secret", "seated", "enabled")
NOT_COMMAND = ("csrf", "idempotency_key", "edit_effects")


def _number(raw: str, kind: str = "number") -> float:
    try:
        return float(raw)
    except ValueError:
        raise ApiError(422, "bad_number", f"{raw!r} is not a {kind}", value=raw) from None


def form_command(form: FormData) -> dict[str, Any]:
    """A command dict from a posted form (the same shape the JSON API takes)."""
    out: dict[str, Any] = {}
    effects: dict[str, float] = {}
    for key in form:
        if key in NOT_COMMAND:
            continue
        if key.startswith("effect:"):
            raw = str(form.get(key, "")).strip()
            if raw and (value := _number(raw)):
                effects[key.removeprefix("effect:")] = value
            continue
        values = form.getlist(key)
        out[key] = [v for v in values if v] if key in LIST_FIELDS else values[-1]
    for key in OPTIONAL_IDS:
        if out.get(key) == "":
            out[key] = None
    for key in WHOLE_NUMBERS:
        if key in out:
            if out[key] in ("", None):
                out.pop(key)
                continue
            try:
                out[key] = int(out[key])
            except ValueError:
                raise ApiError(
                    422, "bad_number", f"{key}: {out[key]!r} is not a whole number"
                ) from None
    if "percent" in out:
        raw = str(out.pop("percent")).strip().rstrip("%")
        out["probability"] = _number(raw, "percentage") / 100
    for key in ("probability", "suggested"):
        if isinstance(out.get(key), str):
            out[key] = _number(out[key]) if out[key] else None
    if "modifiers" in out:
        try:
            out["modifiers"] = json.loads(out["modifiers"] or "[]")
        except ValueError:
            raise ApiError(422, "bad_form", "modifiers: not a list of modifiers") from None
    if "strong" in out:
        try:
            out["strong"] = [int(k) for k in out["strong"]]
        except ValueError:
            raise ApiError(422, "bad_number", "strong: not argument numbers") from None
    for key in FLAGS:
        if key in out:
            out[key] = out[key] in ("on", "true", "1", "yes")
    if out.get("secret_choice") is not None:
        out["secret"] = out.pop("secret_choice") == "secret"
    if out.get("type") == "publish_outcome":
        out["effects"] = effects if form.get("edit_effects") else None
    elif out.get("type") == "fire_inject" and effects:
        out["effects"] = effects
    return out


__all__ = ["form_command"]
