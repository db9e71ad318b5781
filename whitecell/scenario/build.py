"""Cross-reference checks and compilation: validated file models to a runnable Scenario.

Every problem is collected with its document path rather than raised, so an
author sees all of them in one run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from whitecell.scenario import compiled as m
from whitecell.scenario import schema as s
from whitecell.scenario.expr import ExprError, Expression, Symbols, compile_expression
from whitecell.scenario.yamlsrc import Path, Problem, format_path

RESERVED_IDS = frozenset(
    {
        "actor",
        "target",
        "self",
        "all",
        "public",
        "white",
        "control",
        "adjudicator",
        "observer",
        "engine",
        "mediator",
    }
)
# names expressions already give a meaning to
EXPRESSION_WORDS = frozenset(
    {
        "round",
        "rounds",
        "agreements",
        "clauses",
        "actions",
        "injects",
        "cards",
        "true",
        "false",
        "min",
        "max",
        "abs",
        "and",
        "or",
        "not",
        "if",
        "else",
    }
)
_DURATION_UNITS = {
    "h": dt.timedelta(hours=1),
    "d": dt.timedelta(days=1),
    "w": dt.timedelta(weeks=1),
}
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
    raw_ids: Mapping[str, frozenset[str]] = field(default_factory=dict)
    complete: bool = True
    languages: tuple[str, ...] | None = None  # from a meta section that failed validation

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
        )


def _texts(obj: Any, path: Path) -> Iterator[tuple[Path, s.Text]]:
    """Every localized text inside a model, with its path."""
    if isinstance(obj, s.Text):
        yield path, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _texts(getattr(obj, name), (*path, name))
    elif isinstance(obj, list | tuple):
        for i, item in enumerate(obj):
            yield from _texts(item, (*path, i))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _texts(v, (*path, k))


class _Builder:
    def __init__(self, parts: Parts) -> None:
        self.p = parts
        self.problems: list[Problem] = []
        self.languages = (
            tuple(parts.meta.languages) if parts.meta else parts.languages or ("en", "ja")
        )
        self.team_ids = [t.id for _, t in parts.teams]
        self.team_set = frozenset(self.team_ids) | parts.raw_ids.get("teams", frozenset())
        self.role_ids = frozenset(r.id for _, r in parts.roles)

    # -- reporting -------------------------------------------------------
    def err(self, path: Path, message: str, *, on_key: bool = False, col: int = 0) -> None:
        self.problems.append(Problem(path, message, on_key=on_key, column_offset=col))

    def known(self, section: str, ident: str, valid: Iterable[str]) -> bool:
        """Known, or at least present in the file (then its own errors are reported)."""
        return ident in set(valid) or ident in self.p.raw_ids.get(section, frozenset())

    def unknown(self, path: Path, what: str, ident: str, valid: Iterable[str], **kw: Any) -> None:
        choices = ", ".join(sorted(set(valid))) or "none declared"
        self.err(path, f"unknown {what} '{ident}' (known: {choices})", **kw)

    # -- checks ----------------------------------------------------------
    def check_unique(self, section: str, items: list[tuple[int, Any]], base: Path) -> None:
        seen: dict[str, int] = {}
        for i, item in items:
            if item.id in seen:
                self.err(
                    (*base, i, "id"),
                    f"duplicate id '{item.id}' (already used by "
                    f"{format_path((*base, seen[item.id]))}; ids must be unique)",
                )
            else:
                seen[item.id] = i

    def check_texts(self) -> None:
        langs = set(self.languages)
        sections: list[tuple[Path, Any]] = [
            (("meta",), self.p.meta),
            (("adjudication",), self.p.adjudication),
        ]
        for name in (
            "teams",
            "roles",
            "variables",
            "rounds",
            "actions",
            "injects",
            "outcomes",
            "dynamics",
            "cards",
        ):
            sections += [((name, i), item) for i, item in getattr(self.p, name)]
        sections += [(("negotiation", "clauses", i), c) for i, c in self.p.clauses]
        sections += [(("negotiation", "agreements", i), a) for i, a in self.p.agreements]
        for base, obj in sections:
            for path, text in _texts(obj, base):
                missing = [lang for lang in self.languages if lang not in text.root]
                extra = [lang for lang in text.root if lang not in langs]
                if missing:
                    self.err(
                        path,
                        f"missing translation: {', '.join(missing)} "
                        f"(every text needs: {', '.join(self.languages)})",
                    )
                if extra:
                    self.err(
                        (*path, extra[0]),
                        f"language '{extra[0]}' is not declared in meta.languages "
                        f"(declared: {', '.join(self.languages)})",
                        on_key=True,
                    )

    def teams_of(self, value: list[str] | str, path: Path) -> list[str]:
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

    # -- symbols and expressions ----------------------------------------
    def build_vars(self) -> tuple[list[m.Var], dict[str, dict[str, int]]]:
        """Every variable slot. A variable with a problem is reported once and still declared
        (with a stand-in value), so its uses elsewhere are not reported as unknown."""
        out: list[m.Var] = []
        per_team: dict[str, dict[str, int]] = {}
        for i, v in self.p.variables:
            path = ("variables", i)
            lo, hi = (0.0, 1.0) if v.type == "flag" else (v.min, v.max)
            bad_range = v.type == "number" and v.min >= v.max
            if bad_range:
                self.err((*path, "min"), f"min ({v.min:g}) must be below max ({v.max:g})")
                hi = lo + 1.0
            if v.type == "flag" and ("min" in v.model_fields_set or "max" in v.model_fields_set):
                self.err(path, "a flag is 0 or 1: leave out min and max (allowed: type: number)")
            noise = v.noise if v.noise is not None else (hi - lo) * 0.1
            if v.visibility == "owner" and not v.per_team and v.owner is None:
                self.err(
                    (*path, "visibility"),
                    "visibility 'owner' needs an owner team (or per_team: true)",
                )
            if v.owner is not None:
                if v.per_team:
                    self.err(
                        (*path, "owner"),
                        "a per-team variable is owned by each team; leave out owner",
                    )
                elif v.owner not in self.team_set:
                    self.unknown((*path, "owner"), "team", v.owner, self.team_ids)

            if v.per_team:
                initials: dict[str, float | bool] = {}
                if isinstance(v.initial, dict):
                    for t in v.initial:
                        if t not in self.team_set:
                            self.unknown(
                                (*path, "initial", t), "team", t, self.team_ids, on_key=True
                            )
                    missing = [t for t in self.team_ids if t not in v.initial]
                    if missing:
                        self.err(
                            (*path, "initial"),
                            f"no initial value for team(s) {', '.join(missing)} "
                            "(give one value for all teams or one per team)",
                        )
                    initials = {t: v.initial.get(t, lo) for t in self.team_ids}
                else:
                    initials = dict.fromkeys(self.team_ids, v.initial)
                per_team[v.id] = {}
                for t, init in initials.items():
                    ok = not bad_range and self.check_initial(path, v, init, lo, hi, t)
                    per_team[v.id][t] = self.slot(out, v, lo, hi, noise, t, init if ok else lo)
            else:
                init = v.initial
                if isinstance(init, dict):
                    self.err(
                        (*path, "initial"),
                        "a global variable has one initial value "
                        "(set per_team: true for one value per team)",
                    )
                    init = lo
                elif bad_range or not self.check_initial(path, v, init, lo, hi, None):
                    init = lo
                self.slot(out, v, lo, hi, noise, None, init)
        return out, per_team

    def slot(
        self,
        out: list[m.Var],
        v: s.Variable,
        lo: float,
        hi: float,
        noise: float,
        team: str | None,
        init: float | bool,
    ) -> int:
        """Add one slot of the state vector for variable ``v`` (one team's copy if ``team``)."""
        var = m.Var(
            key=f"{v.id}.{team}" if team else v.id,
            base=v.id,
            team=team,
            index=len(out),
            label=v.label.root,
            unit=v.unit.root if v.unit else None,
            lo=lo,
            hi=hi,
            initial=float(init),
            is_flag=v.type == "flag",
            visibility=v.visibility,
            owner=team if team else v.owner,
            noise=noise,
        )
        out.append(var)
        return var.index

    def check_initial(
        self, path: Path, v: s.Variable, init: float | bool, lo: float, hi: float, team: str | None
    ) -> bool:
        where = (
            (*path, "initial", team) if team and isinstance(v.initial, dict) else (*path, "initial")
        )
        if v.type == "flag":
            if init not in (0, 1, True, False):
                self.err(where, f"a flag starts as true or false, not {init!r}")
                return False
            return True
        if isinstance(init, bool):
            self.err(where, "expected a number, got true/false (allowed: type: flag for booleans)")
            return False
        if not lo <= init <= hi:
            self.err(where, f"initial value {init:g} is outside [{lo:g}, {hi:g}] (min to max)")
            return False
        return True

    def expression(
        self, src: Any, path: Path, roles: frozenset[str] = frozenset()
    ) -> Expression | None:
        try:
            return compile_expression(src, self.symbols, roles=roles)
        except ExprError as exc:
            msg = exc.message
            # a name from a section that failed structural validation is reported there
            name = re.search(r"unknown name '([a-z0-9_]+)'", msg)
            if name and name.group(1) in self.p.raw_ids.get("variables", frozenset()):
                return None
            broken_cards = self.p.raw_ids.get("cards", frozenset()) - set(self.symbols.cards)
            if msg.startswith("write cards.") and broken_cards:
                return None  # a card that failed validation is reported where it is
            self.err(path, msg, col=exc.column)
            return None

    def var_ref(
        self, text: str, path: Path, roles: frozenset[str], *, on_key: bool = True
    ) -> m.VarRef | None:
        parts = text.split(".")
        base = parts[0]
        if base in self.var_index and len(parts) == 1:
            return m.VarRef(text, fixed=self.var_index[base])
        if base in self.per_team and len(parts) == 2:
            who = parts[1]
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
        if base not in self.p.raw_ids.get("variables", frozenset()):
            self.unknown(path, "variable", text, [v.key for v in self.vars], on_key=on_key)
        return None

    def effects(
        self, e: s.Effects, path: Path, roles: frozenset[str], *, allow_reveal: bool
    ) -> m.Effects:
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
            var = (
                self.vars[ref.fixed]
                if ref.fixed is not None
                else self.vars[next(iter(ref.by_team.values()))]
            )  # type: ignore[union-attr]
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
        for lang, body in text.root.items():
            try:
                names = {f for _, f, _, _ in string.Formatter().parse(body) if f is not None}
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

    def cards(self) -> list[m.Card]:
        out = []
        for i, c in self.p.cards:
            path = ("cards", i)
            if isinstance(c.audience, list):
                teams = tuple(self.teams_of(c.audience, (*path, "audience")))
                public = False
            else:
                teams, public = (), c.audience == "public"
            source = c.source
            out.append(
                m.Card(
                    id=c.id,
                    title=c.title.root,
                    body=c.body.root,
                    facts=tuple((k, float(v)) for k, v in c.facts.items()),
                    public=public,
                    teams=teams,
                    source=None
                    if source is None
                    else m.Source(source.title, source.author, source.date, source.url),
                )
            )
        return out

    def dynamics(self) -> list[m.Dynamic]:
        out = []
        for i, d in self.p.dynamics:
            path = ("dynamics", i)
            teams = None if d.teams is None else tuple(self.teams_of(d.teams, (*path, "teams")))
            roles = frozenset({"actor"}) if d.teams is not None else frozenset()
            if d.visibility == "team" and d.teams is None:
                self.err(
                    (*path, "visibility"),
                    "visibility 'team' is for a rule applied per team "
                    "(add teams, or choose public or control)",
                )
            when = None if d.when is None else self.expression(d.when, (*path, "when"), roles)
            chance = (
                None if d.chance is None else self.expression(d.chance, (*path, "chance"), roles)
            )
            if d.news is not None:
                self.narrative(d.news, (*path, "news"), roles, base=roles)
            terms: list[tuple[m.VarRef, Expression, bool]] = []
            for section, absolute in (("change", False), ("set", True)):
                for key, amount in getattr(d.effects, section).items():
                    where = (*path, "effects", section, key)
                    ref = self.var_ref(key, where, roles)
                    if ref is None:
                        continue
                    if isinstance(amount, bool) and not absolute:
                        self.err(where, "a change is a number or an expression, not true/false")
                        continue
                    if absolute and isinstance(amount, bool | int | float):
                        var = self.vars[
                            ref.fixed if ref.fixed is not None else next(iter(ref.by_team.values()))  # type: ignore[union-attr]
                        ]
                        if var.is_flag and amount not in (0, 1, True, False):
                            self.err(where, f"'{var.base}' is a flag: set it to true or false")
                            continue
                        if not var.is_flag and (
                            isinstance(amount, bool) or not var.lo <= amount <= var.hi
                        ):
                            self.err(
                                where,
                                f"{amount!r} is outside [{var.lo:g}, {var.hi:g}] "
                                f"(the range of '{var.base}')",
                            )
                            continue
                    expr = self.expression(amount, where, roles)
                    if expr is not None:
                        terms.append((ref, expr, absolute))
            if not terms and not d.effects.change and not d.effects.set:
                self.err((*path, "effects"), "the rule changes nothing (add change or set)")
            out.append(
                m.Dynamic(
                    id=d.id,
                    label=d.label.root,
                    news=d.news.root if d.news else None,
                    teams=teams,
                    when=when,
                    chance=chance,
                    terms=tuple(terms),
                    visibility=d.visibility,
                )
            )
        return out

    # -- main -----------------------------------------------------------
    def build(self) -> m.Scenario | None:
        p = self.p
        self.check_unique("teams", p.teams, ("teams",))
        self.check_unique("roles", p.roles, ("roles",))
        for name in ("variables", "actions", "injects", "outcomes", "dynamics", "cards"):
            self.check_unique(name, getattr(p, name), (name,))
        self.check_unique("clauses", p.clauses, ("negotiation", "clauses"))
        self.check_unique("agreements", p.agreements, ("negotiation", "agreements"))
        for i, t in p.teams:
            if t.id in RESERVED_IDS:
                self.err(
                    ("teams", i, "id"),
                    f"'{t.id}' is a reserved word (reserved: {', '.join(sorted(RESERVED_IDS))})",
                )
        for i, a in p.actions:
            if a.id == "free":
                self.err(("actions", i, "id"), "'free' names free-form actions: choose another id")
        for i, inj in p.injects:
            if inj.id == "adhoc":
                self.err(
                    ("injects", i, "id"),
                    "'adhoc' names the white cell's own injects: choose another id",
                )
        for i, v in p.variables:
            if v.id in EXPRESSION_WORDS:
                self.err(
                    ("variables", i, "id"),
                    f"'{v.id}' already means something in expressions "
                    f"(reserved: {', '.join(sorted(EXPRESSION_WORDS))})",
                )
        for i, r in p.roles:
            if r.id in RESERVED_IDS:
                self.err(("roles", i, "id"), f"'{r.id}' is a reserved word")
            elif r.id in self.team_ids:
                self.err(("roles", i, "id"), f"'{r.id}' is already a team id")
        self.check_texts()

        self.vars, self.per_team = self.build_vars()
        self.var_index = {v.key: v.index for v in self.vars if v.team is None}
        self.agreement_ids = [a.id for _, a in p.agreements]
        self.clause_ids = [c.id for _, c in p.clauses]
        self.action_ids = [a.id for _, a in p.actions]
        raw = p.raw_ids
        cards = self.cards()
        self.symbols = Symbols(
            global_vars=self.var_index,
            per_team_vars=self.per_team,
            teams=frozenset(self.team_ids),
            agreements=frozenset(self.agreement_ids) | raw.get("agreements", frozenset()),
            clauses=frozenset(self.clause_ids) | raw.get("clauses", frozenset()),
            actions=frozenset(self.action_ids) | raw.get("actions", frozenset()),
            injects=frozenset(i.id for _, i in p.injects) | raw.get("injects", frozenset()),
            round_count=len(p.rounds),
            cards={c.id: dict(c.facts) for c in cards},
        )

        teams = []
        for i, t in p.teams:
            prefs: list[tuple[int, float]] = []
            for key, weight in t.preferences.items():
                ref = self.var_ref(key, ("teams", i, "preferences", key), frozenset({"actor"}))
                if ref is not None:
                    idx = ref.index(t.id, None)
                    var = self.vars[idx]
                    prefs.append((idx, weight / (var.hi - var.lo)))
            reservation = self.expression(
                t.negotiation.reservation,
                ("teams", i, "negotiation", "reservation"),
                frozenset({"actor"}),
            )
            teams.append(
                m.Team(
                    id=t.id,
                    name=t.name.root,
                    brief=t.brief.root,
                    public_objectives=tuple(o.root for o in t.public_objectives),
                    private_objectives=tuple(o.root for o in t.private_objectives),
                    preferences=tuple(prefs),
                    reservation=reservation or compile_expression(0.0, self.symbols),
                    advisors=tuple(m.Advisor(a.name.root, a.expertise.root) for a in t.advisors),
                )
            )

        rounds = []
        for i, r in p.rounds:
            if r.venue is not None and r.kind != "negotiation":
                self.err(
                    ("rounds", i, "venue"), "only negotiation rounds have a venue", on_key=True
                )
            if r.kind == "negotiation" and not p.has_negotiation and "negotiation" not in raw:
                self.err(
                    ("rounds", i, "kind"),
                    "a negotiation round needs a 'negotiation' section with clauses and agreements",
                )
            if r.kind == "negotiation" and "actions_per_team" in r.model_fields_set:
                self.err(
                    ("rounds", i, "actions_per_team"),
                    "only action rounds take actions",
                    on_key=True,
                )
            count, unit = int(r.duration[:-1]), r.duration[-1]
            rounds.append(
                m.Round(
                    number=len(rounds) + 1,
                    kind=r.kind,
                    label=r.label.root,
                    duration=count * _DURATION_UNITS[unit],
                    duration_text=r.duration,
                    venue=r.venue.root if r.venue else None,
                    actions_per_team=r.actions_per_team,
                )
            )
        if p.rounds and p.complete and not any(r.kind == "action" for _, r in p.rounds):
            self.err(
                ("rounds",),
                "the round list has no action round (allowed: at least one "
                "round with kind: action)",
            )

        actions = []
        for i, a in p.actions:
            path = ("actions", i)
            acting = self.teams_of(a.teams, (*path, "teams"))
            targets = (
                None if a.targets is None else tuple(self.teams_of(a.targets, (*path, "targets")))
            )
            roles = (
                frozenset({"actor", "target"}) if a.targets is not None else frozenset({"actor"})
            )
            requires = (
                None
                if a.requires is None
                else self.expression(a.requires, (*path, "requires"), roles)
            )
            mods = []
            for j, mod in enumerate(a.modifiers):
                when = self.expression(mod.when, (*path, "modifiers", j, "when"), roles)
                if when is not None:
                    mods.append(m.Modifier(when, mod.add, mod.note.root))
            self.narrative(a.narrative.success, (*path, "narrative", "success"), roles)
            self.narrative(a.narrative.failure, (*path, "narrative", "failure"), roles)
            actions.append(
                m.Action(
                    id=a.id,
                    label=a.label.root,
                    instrument=a.instrument,
                    teams=frozenset(acting),
                    targets=targets,
                    secret=a.visibility == "secret",
                    requires=requires,
                    base_probability=a.base_probability,
                    modifiers=tuple(mods),
                    on_success=self.effects(
                        a.on_success, (*path, "on_success"), roles, allow_reveal=True
                    ),
                    on_failure=self.effects(
                        a.on_failure, (*path, "on_failure"), roles, allow_reveal=True
                    ),
                    narrative_success=a.narrative.success.root,
                    narrative_failure=a.narrative.failure.root,
                )
            )

        clauses = {}
        for i, c in p.clauses:
            path = ("negotiation", "clauses", i)
            clauses[c.id] = m.Clause(
                id=c.id,
                label=c.label.root,
                parties=tuple(self.teams_of(c.parties, (*path, "parties"))),
                on_sign=self.effects(
                    c.on_sign, (*path, "on_sign"), frozenset(), allow_reveal=False
                ),
                per_round=self.effects(
                    c.per_round, (*path, "per_round"), frozenset(), allow_reveal=False
                ),
            )
        agreements = {}
        for i, a in p.agreements:
            path = ("negotiation", "agreements", i)
            for section in ("required_clauses", "optional_clauses"):
                for j, cid in enumerate(getattr(a, section)):
                    if not self.known("clauses", cid, self.clause_ids):
                        self.unknown((*path, section, j), "clause", cid, self.clause_ids)
            both = set(a.required_clauses) & set(a.optional_clauses)
            if both:
                self.err(
                    (*path, "optional_clauses"),
                    f"clause(s) {', '.join(sorted(both))} are "
                    "already required (a clause is required or optional, not both)",
                )
            covs = []
            for j, cv in enumerate(a.hazard.covariates if a.hazard else ()):
                expr = self.expression(cv.value, (*path, "hazard", "covariates", j, "value"))
                if expr is not None:
                    covs.append(
                        m.Covariate(cv.id, cv.label.root if cv.label else None, expr, cv.beta)
                    )
            agreements[a.id] = m.AgreementKind(
                id=a.id,
                label=a.label.root,
                parties=tuple(self.teams_of(a.parties, (*path, "parties"))),
                required=tuple(c for c in a.required_clauses if c in clauses),
                optional=tuple(c for c in a.optional_clauses if c in clauses and c not in both),
                hazard_base=a.hazard.base if a.hazard else None,
                covariates=tuple(covs),
                on_break=self.effects(
                    a.on_break, (*path, "on_break"), frozenset(), allow_reveal=False
                ),
            )
        mediator = p.mediator
        if mediator is not None and mediator not in self.team_set | self.role_ids:
            self.unknown(
                ("negotiation", "mediator"),
                "mediator (a role or team id)",
                mediator,
                sorted(self.role_ids | set(self.team_ids)),
            )

        injects = []
        for i, inj in p.injects:
            path = ("injects", i)
            if inj.round is None and inj.when is None and inj.chance is None:
                self.err(path, "an inject needs a trigger (allowed: round, when, chance, or a mix)")
            if inj.round is not None and p.rounds and inj.round > len(p.rounds):
                self.err(
                    (*path, "round"),
                    f"round {inj.round} does not exist (allowed: 1 to {len(p.rounds)})",
                )
            when = None if inj.when is None else self.expression(inj.when, (*path, "when"))
            audience = (
                None
                if inj.audience == "public"
                else tuple(self.teams_of(inj.audience, (*path, "audience")))
            )
            injects.append(
                m.Inject(
                    id=inj.id,
                    label=inj.label.root,
                    news=inj.news.root,
                    round=inj.round,
                    when=when,
                    chance=inj.chance,
                    once=inj.once,
                    effects=self.effects(
                        inj.effects, (*path, "effects"), frozenset(), allow_reveal=False
                    ),
                    audience=audience,
                )
            )

        dynamics = self.dynamics()

        outcomes = []
        for i, o in p.outcomes:
            expr = self.expression(o.value, ("outcomes", i, "value"))
            if expr is not None:
                outcomes.append(m.Outcome(o.id, o.label.root, o.type == "bool", expr))

        adj = p.adjudication
        if adj.min_probability > adj.max_probability:
            self.err(
                ("adjudication", "min_probability"),
                "min_probability must not exceed max_probability",
            )
        if self.problems or not p.complete or p.meta is None:
            return None

        meta = p.meta
        return m.Scenario(
            id=meta.id,
            title=meta.title.root,
            summary=meta.summary.root,
            situation_date=meta.situation_date,
            start_date=meta.start_date,
            languages=tuple(meta.languages),
            sources=tuple(m.Source(x.title, x.author, x.date, x.url) for x in meta.sources),
            reveal_at_end=meta.reveal_at_end,
            teams=tuple(teams),
            team={t.id: t for t in teams},
            roles={r.id: m.Role(r.id, r.name.root) for _, r in p.roles},
            mediator=mediator,
            vars=tuple(self.vars),
            var={v.key: v for v in self.vars},
            per_team_vars=self.per_team,
            rounds=tuple(rounds),
            actions=tuple(actions),
            action={a.id: a for a in actions},
            clauses=clauses,
            agreements=agreements,
            injects=tuple(injects),
            inject={i.id: i for i in injects},
            outcomes=tuple(outcomes),
            min_probability=adj.min_probability,
            max_probability=adj.max_probability,
            temperature=p.automation.temperature,
            negotiation_sessions=p.automation.negotiation_sessions,
            hold_value=p.automation.hold_value,
            scale=tuple((w.label.root, w.probability) for w in adj.scale or ()),
            guidance=adj.guidance.root if adj.guidance is not None else None,
            matrix_step=adj.matrix_step,
            dynamics=tuple(dynamics),
            cards=tuple(cards),
            document={},
            digest="",
        )


def build_scenario(parts: Parts) -> tuple[m.Scenario | None, list[Problem]]:
    """Check references and translations and compile; the scenario is None if anything is wrong."""
    builder = _Builder(parts)
    scenario = builder.build()
    return scenario, builder.problems


def canonical_document(doc: s.ScenarioFile) -> dict[str, Any]:
    """The scenario as the author wrote it, as JSON data: what logs embed and what the
    digest is taken over. Defaults stay out, so re-reading it checks what was written."""
    return doc.model_dump(mode="json", exclude_unset=True)


def document_digest(document: Mapping[str, Any]) -> str:
    blob = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()
