"""The machine-readable summary of one game (``whitecell play --json``)."""

from __future__ import annotations

import hashlib
from typing import Any

from whitecell.engine import events as ev
from whitecell.engine.state import State


def game_summary(state: State, log_text: str) -> dict[str, Any]:
    sc = state.scenario
    rounds: list[dict[str, Any]] = [
        {
            "number": r.number,
            "kind": r.kind,
            "label": r.label.get("en", ""),
            "actions": [],
            "proposals": [],
            "agreements_signed": [],
            "agreements_broken": [],
            "injects": [],
            "rules": [],
        }
        for r in sc.rounds
    ]
    started = None
    for e in state.events:
        if isinstance(e, ev.GameStarted):
            started = e
        if not 1 <= e.round <= len(rounds):
            continue
        r = rounds[e.round - 1]
        if isinstance(e, ev.OutcomeApplied):
            a = state.actions[e.uid]
            r["actions"].append(
                {
                    "uid": a.uid,
                    "team": a.team,
                    "action": a.action,
                    "target": a.target,
                    "secret": a.secret,
                    "probability": a.probability,
                    "roll": a.roll,
                    "success": a.success,
                }
            )
        elif isinstance(e, ev.ProposalTabled):
            r["proposals"].append(
                {
                    "pid": e.pid,
                    "sponsor": e.sponsor,
                    "agreement": e.agreement,
                    "clauses": list(e.clauses),
                    "counter_to": e.counter_to,
                    "status": state.proposals[e.pid].status,
                }
            )
        elif isinstance(e, ev.AgreementSigned):
            r["agreements_signed"].append(
                {
                    "uid": e.uid,
                    "agreement": e.agreement,
                    "clauses": list(e.clauses),
                    "parties": list(e.parties),
                }
            )
        elif isinstance(e, ev.AgreementBroken):
            r["agreements_broken"].append(
                {"uid": e.uid, "agreement": e.agreement, "cause": e.cause, "culprit": e.culprit}
            )
        elif isinstance(e, ev.InjectFired):
            r["injects"].append(e.inject)
        elif isinstance(e, ev.DynamicApplied):
            r["rules"].append({"rule": e.rule, "team": e.team})
    return {
        "scenario": sc.id,
        "seed": state.revealed_seed if state.revealed_seed is not None else state.seed,
        "seed_commitment": started.seed_commitment if started else None,
        "rounds": rounds,
        "final_state": state.values(),
        "outcomes": state.outcomes,
        "event_count": len(state.events),
        "log_sha256": hashlib.sha256(log_text.encode()).hexdigest(),
    }
