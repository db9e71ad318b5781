"""What each room shows: plain data for the templates, made from the seat's view.

Every function here is pure: it reads a :class:`~whitecell.engine.view.View` (the only
read path out of the engine, so a room can show only what its seat may see) and a
:class:`Seating` (what the server knows beside the game: who is looking, the join links,
the automated players). They are tested without a server.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text as RichText

from whitecell.adjudication.matrix import FREE_FORM_BASE
from whitecell.adjudication.rules import assess_in
from whitecell.engine import events as ev
from whitecell.engine.commands import INSTRUMENTS, MAX_ARGUMENTS
from whitecell.engine.state import ActionRecord, State
from whitecell.engine.view import View, card_to_dict
from whitecell.i18n import estimative
from whitecell.live.model_seats import Draft, Notice
from whitecell.narrate import narrate
from whitecell.scenario.compiled import Scenario, localize
from whitecell.store.sql import SeatRow

PANELS = {
    "control": ("clock", "controls", "queue", "desk", "injects", "state", "talks", "seats", "log"),
    "adjudicator": ("clock", "desk", "state", "story"),
    "team": ("clock", "brief", "state", "act", "talks", "proposals", "story"),
    "observer": ("clock", "state", "story"),
}
KENT = (0.93, 0.75, 0.5, 0.3, 0.07)  # Sherman Kent's words of estimative probability
OPEN = ("submitted", "assessed")  # an action still to be ruled on
LOG_ROWS = 200  # the newest events in control's log panel
Model = dict[str, Any]  # what a template reads


@dataclass(frozen=True)
class Seating:
    """What a room needs beside the game: the game's name, who is looking, and what the
    server knows of seats and automated players (control's and the desk's business)."""

    game: str
    title: str
    person: str
    lead: bool
    agent_kinds: Mapping[str, str] = field(default_factory=dict)  # team -> heuristic | llm
    model: str | None = None  # the server's language model, if it has one
    links: Sequence[SeatRow] = ()
    thinking: Sequence[str] = ()  # teams whose model is thinking now
    notices: Sequence[Notice] = ()
    drafts: Mapping[str, Draft] = field(default_factory=dict)  # the model's draft odds


def plain(markup: str) -> str:
    return RichText.from_markup(markup).plain


def names_of(sc: Scenario, lang: str) -> dict[str, str]:
    """Teams' and roles' names as people say them."""
    return {t.id: localize(t.name, lang) for t in sc.teams} | {
        r: localize(role.name, lang) for r, role in sc.roles.items()
    }


def room(view: View, seating: Seating, lang: str) -> Model:
    """Everything a seat's room shows, read through the seat's view."""
    state, sc = view.state, view.sc
    data = view.to_dict(lang)
    current = state.current_round
    team = view.seat.team
    names = names_of(sc, lang)
    clause_names = {c: localize(x.label, lang) for c, x in sc.clauses.items()}
    agreements = view.agreements()
    actions = _actions(view, names, lang)
    model: Model = {
        "game": seating.game,
        "title": seating.title,
        "scenario_title": localize(sc.title, lang),
        "summary": localize(sc.summary, lang),
        "seat": str(view.seat),
        "kind": view.seat.kind,
        "team": team,
        "team_name": names.get(team or "", ""),
        "person": seating.person,
        "lead": seating.lead,
        "started": state.started,
        "ended": state.ended,
        "revealed": view.revealed,
        "paused": state.paused,
        "round": state.round,
        "rounds": len(sc.rounds),
        "round_open": state.round_open,
        "round_kind": current.kind if current else None,
        "round_label": localize(current.label, lang) if current else "",
        "venue": localize(current.venue, lang) if current and current.venue else "",
        "date": str(state.date) if state.date else "",
        "deadline": state.deadline,
        "teams": [(t, names[t]) for t in sc.team_ids],
        "names": names,
        "variables": _variables(sc, data, names, lang),
        "actions": actions,
        "catalogue": _catalogue(sc, team, names, lang),
        **_talks(view, names),
        "proposals": _proposals(view, names, clause_names, lang),
        "agreements": [
            {
                "uid": a.uid,
                "label": localize(sc.agreements[a.agreement].label, lang),
                "clauses": [clause_names[c] for c in a.clauses],
                "parties": [names[x] for x in a.parties],
                "in_force": a.in_force,
                "signed_round": a.signed_round,
                "broken_round": a.broken_round,
                "culprit": names.get(a.culprit or "", ""),
            }
            for a in agreements
        ],
        "story": [plain(line) for line in narrate(sc, view.events(), lang) if line.strip()],
        "brief": None,
        "outcomes": data["outcomes"],
        "agreement_kinds": [
            {
                "id": k,
                "label": localize(a.label, lang),
                "in_force": any(x.agreement == k and x.in_force for x in agreements),
                "clauses": [
                    (c, clause_names[c], c in a.required) for c in (*a.required, *a.optional)
                ],
            }
            for k, a in sc.agreements.items()
        ],
        "drafts": [_draft(d, sc, names, clause_names, lang) for d in view.drafts()],
        "instruments": INSTRUMENTS,
        "agents": sorted(state.agents),
        "agent_kinds": {t: seating.agent_kinds.get(t, "heuristic") for t in state.agents},
        "model": seating.model,
        "mediator": sc.mediator,
        "next_round": state.round + 1 if state.round < len(sc.rounds) else None,
    }
    if team:
        model["brief"] = next(t for t in data["teams"] if t["id"] == team)
    if view.seat.kind in ("control", "adjudicator"):
        model["desk"] = desk(view, seating, lang, actions)
    if view.seat.kind == "control":
        model |= _control(view, seating, names, lang)
    return model


def _variables(
    sc: Scenario, data: Mapping[str, Any], names: Mapping[str, str], lang: str
) -> list[Model]:
    out = []
    for var in sc.vars:
        entry = data["variables"][var.key]
        label = localize(var.label, lang) + (f" ({names[var.team]})" if var.team else "")
        out.append(
            {
                "key": var.key,
                "label": label,
                "value": entry["value"],
                "visible": entry["visible"],
                "estimate": entry.get("estimate"),
                "flag": var.is_flag,
                "unit": localize(var.unit, lang) if var.unit else "",
            }
        )
    return out


def _actions(view: View, names: Mapping[str, str], lang: str) -> list[Model]:
    state, sc, team = view.state, view.sc, view.seat.team
    out = []
    for a in view.actions():
        spec = sc.action.get(a.action)
        arguing = (
            state.round_open and a.round == state.round and a.status in OPEN and not state.paused
        )
        argued = sum(1 for t, _, _ in a.arguments if t == team)
        out.append(
            {
                "uid": a.uid,
                "round": a.round,
                "team": a.team,
                "team_name": names.get(a.team, a.team),
                "label": localize(spec.label, lang) if spec else a.description,
                "free": spec is None,
                "instrument": a.instrument,
                "target": a.target,
                "target_name": names.get(a.target or "", ""),
                "secret": a.secret,
                "status": a.status,
                "probability": a.probability,
                "roll": a.roll,
                "success": a.success,
                "rationale": a.rationale,
                "description": a.description,
                "adjudicator": a.adjudicator,
                "method": a.method,
                "words": estimative(a.probability, lang) if a.probability is not None else "",
                # matrix adjudication: what each team argued, and what this team may argue
                "arguments": [
                    {"team": t, "team_name": names.get(t, t), "side": side, "text": text}
                    for t, side, text in a.arguments
                ],
                "argue": (
                    ("for" if a.team == team else "against")
                    if team and arguing and argued < MAX_ARGUMENTS
                    else None
                ),
            }
        )
    return out


def _catalogue(sc: Scenario, team: str | None, names: Mapping[str, str], lang: str) -> list[Model]:
    if not team:
        return []
    return [
        {
            "id": spec.id,
            "label": localize(spec.label, lang),
            "instrument": spec.instrument,
            "secret": spec.secret,
            "targets": [(t, names[t]) for t in (spec.targets or ()) if t != team],
        }
        for spec in sc.actions
        if team in spec.teams
    ]


def _talks(view: View, names: Mapping[str, str]) -> Model:
    """The channels the seat reads with their messages, and messages sent by name."""
    channels: list[Model] = [
        {
            "id": c.channel,
            "name": c.name or ", ".join(names[m] for m in c.members),
            "members": c.members,
            "messages": [],
        }
        for c in view.channels()
    ]
    by_channel = {c["id"]: c for c in channels}
    direct: list[Model] = []
    for e in view.events():
        if isinstance(e, ev.MessageSent):
            item = {
                "seq": e.seq,
                "sender": names.get(e.sender, e.sender),
                "by": e.by or "",
                "to": [names.get(x, x) for x in e.to],
                "text": e.text,
                "round": e.round,
            }
            if e.channel and e.channel in by_channel:
                by_channel[e.channel]["messages"].append(item)
            else:
                direct.append(item)
    return {"channels": channels, "direct": direct}


def _proposals(
    view: View, names: Mapping[str, str], clause_names: Mapping[str, str], lang: str
) -> list[Model]:
    sc, team = view.sc, view.seat.team
    return [
        {
            "pid": p.pid,
            "sponsor": names.get(p.sponsor, p.sponsor),
            "agreement": p.agreement,
            "agreement_label": localize(sc.agreements[p.agreement].label, lang),
            "clauses": [clause_names[c] for c in p.clauses],
            "clause_ids": list(p.clauses),
            "parties": [names[x] for x in p.parties],
            "party_ids": list(p.parties),
            "status": p.status,
            "signed": [names[x] for x in p.signed],
            "accepted": [names[x] for x in p.accepted],
            "counter_to": p.counter_to,
            "round": p.round,
            "mine": team in p.parties if team else False,
            "i_signed": team in p.signed if team else False,
        }
        for p in view.proposals()
    ]


def _draft(
    d: ev.ActionDrafted | ev.ProposalDrafted,
    sc: Scenario,
    names: Mapping[str, str],
    clause_names: Mapping[str, str],
    lang: str,
) -> Model:
    if isinstance(d, ev.ActionDrafted):
        spec = sc.action.get(d.action)
        return {
            "kind": "action",
            "draft": d.draft,
            "by": d.by or "",
            "action": d.action,
            "label": localize(spec.label, lang) if spec else d.description,
            "target": d.target,
            "target_name": names.get(d.target or "", ""),
            "rationale": d.rationale,
            "description": d.description,
            "instrument": d.instrument,
            "secret": d.secret,
        }
    return {
        "kind": "proposal",
        "draft": d.draft,
        "by": d.by or "",
        "agreement": d.agreement,
        "clause_ids": list(d.clauses),
        "clauses": [clause_names[c] for c in d.clauses],
    }


def _control(view: View, seating: Seating, names: Mapping[str, str], lang: str) -> Model:
    """What only the white cell's room shows: injects, the raw log, links, model seats."""
    state, sc = view.state, view.sc
    return {
        "injects": [
            {
                "id": i.id,
                "label": localize(i.label, lang),
                "fired": i.id in state.inj,
                "round": i.round,
                "once": i.once,
            }
            for i in sc.injects
        ],
        "log": [
            {
                "seq": e.seq,
                "type": e.type,
                "round": e.round,
                "audience": ", ".join(e.audience),
                "by": e.by or e.actor,
                "data": json.dumps(ev.event_to_dict(e), ensure_ascii=False),
            }
            for e in reversed(state.events[-LOG_ROWS:])
        ],
        "seats": list(seating.links),
        "thinking": sorted(seating.thinking),
        "notices": [
            {"kind": n.kind, "team": names.get(n.team, n.team), "detail": n.detail}
            for n in reversed(seating.notices)
        ],
    }


# -- the adjudicator's desk -------------------------------------------------------------


def desk(view: View, seating: Seating, lang: str, actions: list[Model]) -> Model:
    """The adjudicator's desk: rule suggestions, catalogue effects, blind estimates, the
    matrix's arguments and the model's drafts."""
    state, sc = view.state, view.sc
    counted = matrix_counts(state)
    queue = []
    for a in actions:
        if a["round"] != state.round or a["status"] == "applied":
            continue
        rec = state.actions[a["uid"]]
        queue.append(_case(view, seating, rec, dict(a), counted, lang))
    return {
        "queue": queue,
        "scale": [(localize(label, lang), p) for label, p in sc.scale]
        or [(estimative(p, lang), p) for p in KENT],
        "keys": [v.key for v in sc.vars],
        "step": sc.matrix_step,
        "bounds": (sc.min_probability, sc.max_probability),
        # reference material the adjudicator may need (what this seat may read of it)
        "cards": [card_to_dict(c, lang) for c in view.cards()],
    }


def _case(
    view: View,
    seating: Seating,
    rec: ActionRecord,
    item: Model,
    counted: Mapping[str, tuple[int, ...]],
    lang: str,
) -> Model:
    """One action on the desk, with what the rules, the panel and the model say of it."""
    state, sc = view.state, view.sc
    spec = sc.action.get(rec.action)
    if spec is not None:
        suggestion = assess_in(state, sc, rec.action, rec.team, rec.target)
        item["suggested"] = suggestion.probability
        item["suggested_words"] = estimative(suggestion.probability, lang)
        item["modifiers"] = [
            (f"{add:+.0%}", localize(spec.modifiers[i].note, lang))
            for i, add in suggestion.modifiers
        ]
        item["modifier_pairs"] = json.dumps([list(m) for m in suggestion.modifiers])
    effects = None
    if spec is not None and rec.success is not None:
        chosen = spec.on_success if rec.success else spec.on_failure
        effects = [
            (sc.vars[ref.index(rec.team, rec.target)].key, delta) for ref, delta in chosen.change
        ]
    item["effects"] = effects or []
    estimates = rec.estimates
    mine = estimates.get(seating.person)
    # blind: an adjudicator sees the others' estimates only after making one
    if view.seat.kind == "control" or mine is not None:
        values = list(estimates.values())
        item["estimates"] = sorted(estimates.items())
        item["median"] = statistics.median(values) if values else None
        item["spread"] = (max(values) - min(values)) if values else None
    else:
        item["estimates"] = None
    item["my_estimate"] = mine
    # matrix adjudication: the arguments, numbered as the ruling counts them
    item["base"] = spec.base_probability if spec is not None else FREE_FORM_BASE
    item["counted"] = counted.get(rec.uid, ())
    draft = seating.drafts.get(rec.uid)
    item["draft"] = draft if draft is not None and rec.status in OPEN else None
    if draft is not None and draft.probability is not None:
        item["draft_words"] = estimative(draft.probability, lang)
    return item


def matrix_counts(state: State) -> dict[str, tuple[int, ...]]:
    """The arguments the latest matrix ruling of each action of this round counted."""
    found: dict[str, tuple[int, ...]] = {}
    for e in reversed(state.events):
        if e.round < state.round:
            break
        if isinstance(e, ev.ActionAssessed) and e.uid not in found:
            found[e.uid] = tuple(k for k, _ in e.modifiers) if e.method == "matrix" else ()
    return found


__all__ = ["KENT", "PANELS", "Seating", "desk", "matrix_counts", "names_of", "room"]
