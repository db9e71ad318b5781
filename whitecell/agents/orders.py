"""The commands a model may give now, as a JSON Schema, and its answer read back into
engine commands. A wrong answer is an :class:`OrderError` that says exactly what was
wrong, so the model can be shown it and try once more."""

from __future__ import annotations

import json
from typing import Any

from whitecell.engine import commands as cmd
from whitecell.engine.seats import team_seat
from whitecell.engine.state import ProposalRecord
from whitecell.engine.view import View

MAX_MESSAGES = 3
MAX_WORDS = 1200  # characters of a rationale or message a model may write


class OrderError(ValueError):
    """A model's answer that is not a valid order, and why."""


def available_actions(view: View) -> list[tuple[str, list[str | None]]]:
    """(catalogue id, possible targets) for every action the team may take now, as the
    team sees things (an action whose condition it cannot judge true is not offered)."""
    sc, team = view.sc, view.seat.team
    assert team is not None
    ctx = view.context()
    out = []
    for a in sc.actions:
        if team not in a.teams:
            continue
        targets: list[str | None] = (
            [None] if a.targets is None else [t for t in a.targets if t != team]
        )
        if a.requires is not None:
            targets = [t for t in targets if a.requires.fn(ctx, team, t)]
        if targets:
            out.append((a.id, targets))
    return out


def _text(max_length: int = MAX_WORDS) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length}


def act_schema(view: View) -> dict[str, Any]:
    """Actions from the catalogue (each with a rationale) and messages to other teams."""
    sc, team = view.sc, view.seat.team
    limit = sc.rounds[view.state.round - 1].actions_per_team
    choices = [
        {
            "type": "object",
            "properties": {
                "action": {"type": "string", "enum": [action]},
                "target": {"enum": targets},
                "rationale": _text(),
            },
            "required": ["action", "target", "rationale"],
            "additionalProperties": False,
        }
        for action, targets in available_actions(view)
    ]
    others = [t for t in sc.team_ids if t != team]
    return {
        "type": "object",
        "properties": {
            "actions": {"type": "array", "maxItems": limit, "items": {"anyOf": choices}},
            "messages": {
                "type": "array",
                "maxItems": MAX_MESSAGES,
                "items": {
                    "type": "object",
                    "properties": {
                        "to": {
                            "type": "array",
                            "minItems": 1,
                            "items": {"type": "string", "enum": others},
                        },
                        "text": _text(),
                    },
                    "required": ["to", "text"],
                    "additionalProperties": False,
                },
            },
        },
        "required": ["actions", "messages"],
        "additionalProperties": False,
    }


def respond_schema(view: View, p: ProposalRecord, may_counter: bool) -> dict[str, Any]:
    decisions = ["sign", "reject"] + (["counter"] if may_counter else [])
    clauses = list(view.sc.agreements[p.agreement].required) + list(
        view.sc.agreements[p.agreement].optional
    )
    return {
        "type": "object",
        "properties": {
            "decision": {"type": "string", "enum": decisions},
            "clauses": {"type": "array", "items": {"type": "string", "enum": clauses}},
            "reason": _text(),
        },
        "required": ["decision", "clauses", "reason"],
        "additionalProperties": False,
    }


def assess_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "probability": {"type": "number", "minimum": 0, "maximum": 1},
            "rationale": _text(2000),
        },
        "required": ["probability", "rationale"],
        "additionalProperties": False,
    }


# -- reading answers ----------------------------------------------------------------------
def _object(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OrderError(f"the answer is not JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(data, dict):
        raise OrderError("the answer must be one JSON object")
    return data


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise OrderError(f"'{key}' must be a list")
    return value


def _string(item: dict[str, Any], key: str, where: str) -> str:
    value = item.get(key, "")
    if not isinstance(value, str):
        raise OrderError(f"{where}.{key} must be text")
    if len(value) > MAX_WORDS * 2:
        raise OrderError(f"{where}.{key} is too long ({len(value)} characters)")
    return value


def read_act(text: str, view: View) -> list[cmd.Command]:
    data = _object(text)
    unknown = set(data) - {"actions", "messages"}
    if unknown:
        raise OrderError(f"unknown field(s) {sorted(unknown)} (allowed: actions, messages)")
    team = view.seat.team
    assert team is not None
    seat = team_seat(team)
    orders: list[cmd.Command] = []
    for i, item in enumerate(_list(data, "actions")):
        where = f"actions[{i}]"
        if not isinstance(item, dict):
            raise OrderError(f"{where} must be an object")
        action, target = item.get("action"), item.get("target")
        if not isinstance(action, str) or not (target is None or isinstance(target, str)):
            raise OrderError(f"{where} needs an action id and a target id (or null)")
        rationale = _string(item, "rationale", where)
        # whether the team may take it, and against whom, is for decide to say
        orders.append(
            cmd.SubmitAction(seat=seat, action=action, target=target, rationale=rationale)
        )
    others = sorted(set(view.sc.team_ids) - {team})
    messages = _list(data, "messages")
    if len(messages) > MAX_MESSAGES:
        raise OrderError(f"{len(messages)} messages: at most {MAX_MESSAGES} a turn")
    for i, item in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(item, dict):
            raise OrderError(f"{where} must be an object")
        to = item.get("to")
        if not isinstance(to, list) or not to or not all(isinstance(x, str) for x in to):
            raise OrderError(f"{where}.to must name other teams (teams: {', '.join(others)})")
        words = _string(item, "text", where)
        if not words.strip():
            raise OrderError(f"{where}.text is empty")
        orders.append(cmd.SendMessage(seat=seat, to=tuple(dict.fromkeys(to)), text=words))
    return orders


def read_respond(text: str, view: View, p: ProposalRecord, may_counter: bool) -> cmd.Command:
    data = _object(text)
    team = view.seat.team
    assert team is not None
    seat = team_seat(team)
    decision = data.get("decision")
    allowed = ["sign", "reject"] + (["counter"] if may_counter else [])
    if decision not in allowed:
        raise OrderError(f"decision {decision!r} (allowed: {', '.join(allowed)})")
    reason = _string(data, "reason", "answer")
    if decision == "sign":
        return cmd.SignProposal(seat=seat, pid=p.pid)
    if decision == "reject":
        return cmd.RejectProposal(seat=seat, pid=p.pid, reason=reason)
    clauses = _list(data, "clauses")
    if not clauses or not all(isinstance(c, str) for c in clauses):
        raise OrderError("a counter-proposal lists its clauses")
    return cmd.TableProposal(
        seat=seat, agreement=p.agreement, clauses=tuple(dict.fromkeys(clauses)), counter_to=p.pid
    )


def read_assess(text: str) -> tuple[float, str]:
    data = _object(text)
    p = data.get("probability")
    if not isinstance(p, int | float) or isinstance(p, bool) or not 0.0 <= p <= 1.0:
        raise OrderError(f"probability {p!r} must be a number from 0 to 1")
    rationale = _string(data, "rationale", "answer")
    if not rationale.strip():
        raise OrderError("the rationale is empty")
    return float(p), rationale
