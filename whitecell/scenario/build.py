"""Compilation: validated file models to a runnable Scenario, one section at a time.

Every problem is collected with its document path rather than raised, so an author sees
all of them in one run. :data:`SECTIONS` lists the sections in the order they are
compiled; each one's rules are a step in :mod:`whitecell.scenario.sections`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from whitecell.scenario import compiled as m
from whitecell.scenario import schema as s
from whitecell.scenario import sections
from whitecell.scenario.builder import Builder, Parts
from whitecell.scenario.yamlsrc import Problem

Step = Callable[[Builder], None]

# The scenario, compiled one section at a time in this order. Each step reads what the
# earlier ones left on the builder and adds its own part; problems come out in this order
# (the loader then sorts them by position). Meta and automation are taken as written by
# ``sections.assemble`` once every step has passed.
SECTIONS: tuple[tuple[str, Step], ...] = (
    ("ids", sections.ids),  # of every section: unique, not reserved words
    ("texts", sections.texts),  # of every section: each declared language, no other
    ("variables", sections.variables),
    ("cards", sections.cards),
    ("names", sections.names),  # what expressions may name: variables, ids, card facts
    ("teams", sections.teams),
    ("roles", sections.roles),
    ("rounds", sections.rounds),
    ("escalation", sections.escalation),  # the ladder, before the actions on its rungs
    ("actions", sections.actions),
    ("negotiation.clauses", sections.clauses),
    ("negotiation.agreements", sections.agreements),
    ("negotiation.mediator", sections.mediator),
    ("injects", sections.injects),
    ("dynamics", sections.dynamics),
    ("outcomes", sections.outcomes),
    ("adjudication", sections.adjudication),
)


def build_scenario(parts: Parts) -> tuple[m.Scenario | None, list[Problem]]:
    """Check references and translations and compile; the scenario is None if anything is
    wrong. Every step still runs after a problem, so all problems are found at once."""
    builder = Builder(parts)
    for _, step in SECTIONS:
        step(builder)
    if builder.problems or not parts.complete or parts.meta is None:
        return None, builder.problems
    return sections.assemble(builder, parts.meta), builder.problems


def canonical_document(doc: s.ScenarioFile) -> dict[str, Any]:
    """The scenario as the author wrote it, as JSON data: what logs embed and what the
    digest is taken over. Defaults stay out, so re-reading it checks what was written."""
    return doc.model_dump(mode="json", exclude_unset=True)


def document_digest(document: Mapping[str, Any]) -> str:
    """Over canonical JSON, so key order and spacing never change a scenario's identity."""
    blob = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()
