"""One scenario compilation in progress: the file's parts, the problems found so far,
what each section's step compiled, and the checks several sections share (references to
variables, teams and agreements; expressions; effects; narratives). The steps are in
:mod:`whitecell.scenario.sections`, their order in :mod:`whitecell.scenario.build`."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel

from whitecell.scenario import compiled as m
from whitecell.scenario import schema as s
from whitecell.scenario.expr import ExprError, Expression, Symbols, compile_expression
from whitecell.scenario.yamlsrc import Path, Problem

_NARRATIVE_FIELDS = frozenset({"actor", "target"})


@dataclass
class Parts:
    """The sections of a scenario that passed structural validation (possibly partial)."""

    meta: s.Meta | None
    teams: list[tuple[int, s.Team]]
    roles: list[tuple[int, s.Role]]
    variables: list[tuple[int, s.Variable]]
    rounds: list[tuple[int, s.Round]]
    actions: list[tuple[int, s.Action]]
    clauses: list[tuple[int, s.Clause]]
    agreements: list[tuple[int, s.Agreement]]
    mediator: str | None
    has_negotiation: bool
    injects: list[tuple[int, s.Inject]]
    outcomes: list[tuple[int, s.Outcome]]
    adjudication: s.Adjudication
    automation: s.Automation
    dynamics: list[tuple[int, s.Dynamic]] = field(default_factory=list)
    cards: list[tuple[int, s.Card]] = field(default_factory=list)
    escalation: s.Escalation | None = None
    raw_ids: Mapping[str, frozenset[str]] = field(default_factory=dict)
    complete: bool = True
    languages: tuple[str, ...] | None = None  # from a meta section that failed validation

    def listed(self) -> tuple[tuple[Path, Sequence[tuple[int, BaseModel]]], ...]:
        """The sections that are lists of items, each with its place in the document."""
        return (
            (("teams",), self.teams),
            (("roles",), self.roles),
            (("variables",), self.variables),
            (("rounds",), self.rounds),
            (("actions",), self.actions),
            (("injects",), self.injects),
            (("outcomes",), self.outcomes),
            (("dynamics",), self.dynamics),
            (("cards",), self.cards),
            (("negotiation", "clauses"), self.clauses),
            (("negotiation", "agreements"), self.agreements),
            (("escalation", "levels"), self.levels),
        )

    @property
    def levels(self) -> list[tuple[int, s.EscalationLevel]]:
        """The rungs of a ladder written in the file (none: the default ladder)."""
        return list(enumerate(self.escalation.levels)) if self.escalation else []

    @classmethod
    def of(cls, doc: s.ScenarioFile) -> Parts:
        neg = doc.negotiation
        return cls(
            meta=doc.meta,
            teams=list(enumerate(doc.teams)),
            roles=list(enumerate(doc.roles)),
            variables=list(enumerate(doc.variables)),
            rounds=list(enumerate(doc.rounds)),
            actions=list(enumerate(doc.actions)),
            clauses=list(enumerate(neg.clauses)) if neg else [],
            agreements=list(enumerate(neg.agreements)) if neg else [],
            mediator=neg.mediator if neg else None,
            has_negotiation=neg is not None,
            injects=list(enumerate(doc.injects)),
            outcomes=list(enumerate(doc.outcomes)),
            adjudication=doc.adjudication,
            automation=doc.automation,
            dynamics=list(enumerate(doc.dynamics)),
            cards=list(enumerate(doc.cards)),
            escalation=doc.escalation,
        )


class Builder:
    """One compilation: the file's parts, the problems found so far and what each step
    compiled, with the checks several sections share."""

    symbols: Symbols  # set by the "names" step; expressions are compiled after it

    def __init__(self, parts: Parts) -> None:
        self.parts = parts
        self.problems: list[Problem] = []
        self.languages = (
            tuple(parts.meta.languages) if parts.meta else parts.languages or ("en", "ja")
        )
        self.team_ids = [t.id for _, t in parts.teams]
        self.team_set = frozenset(self.team_ids) | parts.raw_ids.get("teams", frozenset())
        self.role_ids = frozenset(r.id for _, r in parts.roles)
        self.agreement_ids = [a.id for _, a in parts.agreements]
        self.clause_ids = [c.id for _, c in parts.clauses]
        self.action_ids = [a.id for _, a in parts.actions]
        # compiled by the steps, in the order build.SECTIONS runs them
        self.vars: list[m.Var] = []
        self.per_team: dict[str, dict[str, int]] = {}
        self.var_index: dict[str, int] = {}
        self.cards: list[m.Card] = []
        self.teams: list[m.Team] = []
        self.roles: dict[str, m.Role] = {}
        self.rounds: list[m.Round] = []
        self.actions: list[m.Action] = []
        self.clauses: dict[str, m.Clause] = {}
        self.agreements: dict[str, m.AgreementKind] = {}
        self.mediator: str | None = None
        self.injects: list[m.Inject] = []
        self.dynamics: list[m.Dynamic] = []
        self.outcomes: list[m.Outcome] = []
        self.ladder: list[m.EscalationLevel] = list(m.DEFAULT_LADDER)

    # -- reporting -------------------------------------------------------
    def err(self, path: Path, message: str, *, on_key: bool = False, col: int = 0) -> None:
        self.problems.append(Problem(path, message, on_key=on_key, column_offset=col))

    def known(self, section: str, ident: str, valid: Iterable[str]) -> bool:
        """Known, or at least present in the file (then its own errors are reported)."""
        return ident in set(valid) or ident in self.parts.raw_ids.get(section, frozenset())

    def unknown(
        self, path: Path, what: str, ident: str, valid: Iterable[str], *, on_key: bool = False
    ) -> None:
        """Listing the known ids turns a typo into a one-glance fix."""
        choices = ", ".join(sorted(set(valid))) or "none declared"
        self.err(path, f"unknown {what} '{ident}' (known: {choices})", on_key=on_key)

    # -- references shared by several sections ---------------------------
    def teams_of(self, value: list[str] | str, path: Path) -> list[str]:
        """Only declared teams are kept; one that failed validation is reported where it is."""
        if value == "all":
            return list(self.team_ids)
        out = []
        for i, t in enumerate(value):
            if t in self.team_set:
                if t in self.team_ids:
                    out.append(t)
            else:
                self.unknown((*path, i), "team", t, self.team_ids)
        return out

    def expression(
        self, src: str | float | bool, path: Path, roles: frozenset[str] = frozenset()
    ) -> Expression | None:
        """None (reported) if it does not compile; ``roles`` are the teams bound here."""
        try:
            return compile_expression(src, self.symbols, roles=roles)
        except ExprError as exc:
            msg = exc.message
            # a name from a section that failed structural validation is reported there
            name = re.search(r"unknown name '([a-z0-9_]+)'", msg)
            if name and name.group(1) in self.parts.raw_ids.get("variables", frozenset()):
                return None
            broken_cards = self.parts.raw_ids.get("cards", frozenset()) - set(self.symbols.cards)
            if msg.startswith("write cards.") and broken_cards:
                return None  # a card that failed validation is reported where it is
            self.err(path, msg, col=exc.column)
            return None

    def var_ref(
        self, text: str, path: Path, roles: frozenset[str], *, on_key: bool = True
    ) -> m.VarRef | None:
        """Resolved to a slot now, or to a per-team map for ``actor``/``target``, so play
        never looks a name up; None (reported unless its variable failed validation)."""
        words = text.split(".")
        base = words[0]
        if base in self.var_index and len(words) == 1:
            return m.VarRef(text, fixed=self.var_index[base])
        if base in self.per_team and len(words) == 2:
            who = words[1]
            if who in ("actor", "target"):
                if who not in roles:
                    self.err(path, f"'{text}': no {who} is defined here", on_key=on_key)
                    return None
                return m.VarRef(text, role=who, by_team=self.per_team[base])
            if who in self.per_team[base]:
                return m.VarRef(text, fixed=self.per_team[base][who])
            if who not in self.team_set:
                self.unknown(path, "team", who, self.team_ids, on_key=on_key)
            return None
        if base in self.per_team:
            self.err(
                path,
                f"'{base}' is kept per team: write {base}.TEAM"
                + (", " + ", ".join(f"{base}.{r}" for r in sorted(roles)) if roles else ""),
                on_key=on_key,
            )
            return None
        if base in self.var_index:
            self.err(path, f"'{base}' is a global variable: write just '{base}'", on_key=on_key)
            return None
        if base not in self.parts.raw_ids.get("variables", frozenset()):
            self.unknown(path, "variable", text, [v.key for v in self.vars], on_key=on_key)
        return None

    def var_of(self, ref: m.VarRef) -> m.Var:
        """For ``actor``/``target`` any team's copy will do: the copies share type and range."""
        if ref.fixed is not None:
            return self.vars[ref.fixed]
        assert ref.by_team is not None  # var_ref makes a reference fixed or per team
        return self.vars[next(iter(ref.by_team.values()))]

    def effects(
        self, e: s.Effects, path: Path, roles: frozenset[str], *, allow_reveal: bool
    ) -> m.Effects:
        """Constant values are range-checked here, where the author's line is known."""
        change: list[tuple[m.VarRef, float]] = []
        sets: list[tuple[m.VarRef, float]] = []
        for key, delta in e.change.items():
            ref = self.var_ref(key, (*path, "change", key), roles)
            if ref is not None:
                change.append((ref, float(delta)))
        for key, value in e.set.items():
            ref = self.var_ref(key, (*path, "set", key), roles)
            if ref is None:
                continue
            var = self.var_of(ref)
            if var.is_flag:
                if value not in (0, 1, True, False):
                    self.err(
                        (*path, "set", key), f"'{var.base}' is a flag: set it to true or false"
                    )
                    continue
            elif isinstance(value, bool) or not var.lo <= value <= var.hi:
                self.err(
                    (*path, "set", key),
                    f"{value!r} is outside [{var.lo:g}, {var.hi:g}] (the range of '{var.base}')",
                )
                continue
            sets.append((ref, float(value)))
        for i, kind in enumerate(e.end_agreements):
            if not self.known("agreements", kind, self.agreement_ids):
                self.unknown(
                    (*path, "end_agreements", i), "agreement kind", kind, self.agreement_ids
                )
        reveal: list[m.VarRef] = []
        if e.reveal and not allow_reveal:
            self.err(
                (*path, "reveal"),
                "only an action's effects can reveal variables "
                "(intelligence reports go to the acting team)",
                on_key=True,
            )
        for i, key in enumerate(e.reveal if allow_reveal else ()):
            ref = self.var_ref(key, (*path, "reveal", i), roles, on_key=False)
            if ref is not None:
                reveal.append(ref)
        if not (change or sets or e.end_agreements or reveal):
            return m.NO_EFFECTS
        return m.Effects(
            tuple(change),
            tuple(sets),
            tuple(e.end_agreements),
            tuple(reveal),
            e.reveal_precision == "exact",
        )

    def narrative(
        self,
        text: s.Text,
        path: Path,
        roles: frozenset[str],
        base: frozenset[str] = frozenset({"actor"}),
    ) -> None:
        """Placeholders are filled at play time: a bad one must fail here, not mid-game."""
        for lang, body in text.root.items():
            try:
                # in the order they are written (a set's order would vary between runs)
                fields = (f for _, f, _, _ in string.Formatter().parse(body) if f is not None)
                names = dict.fromkeys(fields)
            except ValueError as exc:
                self.err(
                    (*path, lang),
                    f"bad placeholder: {exc} (write {{actor}} or {{target}}; "
                    "double the braces for a literal one)",
                )
                continue
            for name in names:
                if name not in _NARRATIVE_FIELDS or name not in roles | base:
                    allowed = ", ".join("{" + r + "}" for r in sorted(roles | base)) or "none"
                    self.err((*path, lang), f"unknown placeholder {{{name}}} (allowed: {allowed})")
