"""The rules of each scenario section: one step each, run in the order ``build.SECTIONS`` lists.

A step reads the file's parts (``b.parts``) and what earlier steps compiled, reports problems
with ``b.err`` and leaves its own compiled part on the builder. Checks several sections share
(references to variables, teams, agreements; expressions; effects) are builder methods.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Protocol, cast

from pydantic import BaseModel

from whitecell.scenario import compiled as m
from whitecell.scenario import schema as s
from whitecell.scenario.builder import Builder
from whitecell.scenario.expr import Expression, Symbols, compile_expression
from whitecell.scenario.yamlsrc import Path, format_path

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


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


# -- every section -----------------------------------------------------------------


def ids(b: Builder) -> None:
    """Ids first: every later reference check assumes an id names one thing, and a word."""
    p = b.parts
    for base, items in p.listed():
        if base != ("rounds",):  # rounds are numbered, not named
            _check_unique(b, cast(Sequence[tuple[int, _HasId]], items), base)
    for i, t in p.teams:
        if t.id in RESERVED_IDS:
            b.err(
                ("teams", i, "id"),
                f"'{t.id}' is a reserved word (reserved: {', '.join(sorted(RESERVED_IDS))})",
            )
    for i, a in p.actions:
        if a.id == "free":
            b.err(("actions", i, "id"), "'free' names free-form actions: choose another id")
    for i, inj in p.injects:
        if inj.id == "adhoc":
            b.err(
                ("injects", i, "id"),
                "'adhoc' names the white cell's own injects: choose another id",
            )
    for i, v in p.variables:
        if v.id in EXPRESSION_WORDS:
            b.err(
                ("variables", i, "id"),
                f"'{v.id}' already means something in expressions "
                f"(reserved: {', '.join(sorted(EXPRESSION_WORDS))})",
            )
    for i, r in p.roles:
        if r.id in RESERVED_IDS:
            b.err(("roles", i, "id"), f"'{r.id}' is a reserved word")
        elif r.id in b.team_ids:
            b.err(("roles", i, "id"), f"'{r.id}' is already a team id")


def _check_unique(b: Builder, items: Sequence[tuple[int, _HasId]], base: Path) -> None:
    """The second use is the one reported, naming the first so the author can pick."""
    seen: dict[str, int] = {}
    for i, item in items:
        if item.id in seen:
            b.err(
                (*base, i, "id"),
                f"duplicate id '{item.id}' (already used by "
                f"{format_path((*base, seen[item.id]))}; ids must be unique)",
            )
        else:
            seen[item.id] = i


def texts(b: Builder) -> None:
    """Every text in every declared language, and no other: a seat never sees a blank."""
    p = b.parts
    langs = set(b.languages)
    located: list[tuple[Path, object]] = [(("meta",), p.meta), (("adjudication",), p.adjudication)]
    for base, items in p.listed():
        located += [((*base, i), item) for i, item in items]
    for base, obj in located:
        for path, text in _texts(obj, base):
            missing = [lang for lang in b.languages if lang not in text.root]
            extra = [lang for lang in text.root if lang not in langs]
            if missing:
                b.err(
                    path,
                    f"missing translation: {', '.join(missing)} "
                    f"(every text needs: {', '.join(b.languages)})",
                )
            if extra:
                b.err(
                    (*path, extra[0]),
                    f"language '{extra[0]}' is not declared in meta.languages "
                    f"(declared: {', '.join(b.languages)})",
                    on_key=True,
                )


_WALKED = (BaseModel, list, tuple, dict)  # what can hold a text


def _texts(obj: object, path: Path) -> Iterator[tuple[Path, s.Text]]:
    """Found by walking the models, so a text field added to the schema is checked too.
    Plain values are skipped before recursing: this walk is a third of a build."""
    if isinstance(obj, s.Text):
        yield path, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            child = getattr(obj, name)
            if isinstance(child, _WALKED):
                yield from _texts(child, (*path, name))
    elif isinstance(obj, (list, tuple)):  # not list | tuple: that builds a union each call
        for i, item in enumerate(obj):
            if isinstance(item, _WALKED):
                yield from _texts(item, (*path, i))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, _WALKED):
                yield from _texts(v, (*path, k))


# -- variables -----------------------------------------------------------------------


def variables(b: Builder) -> None:
    """Every variable slot. A variable with a problem is reported once and still declared
    (with a stand-in value), so its uses elsewhere are not reported as unknown."""
    for i, v in b.parts.variables:
        _variable(b, ("variables", i), v)
    b.var_index = {v.key: v.index for v in b.vars if v.team is None}


def _variable(b: Builder, path: Path, v: s.Variable) -> None:
    """A bad range or owner is reported, and the variable still gets its slots."""
    lo, hi = (0.0, 1.0) if v.type == "flag" else (v.min, v.max)
    bad_range = v.type == "number" and v.min >= v.max
    if bad_range:
        b.err((*path, "min"), f"min ({v.min:g}) must be below max ({v.max:g})")
        hi = lo + 1.0
    if v.type == "flag" and ("min" in v.model_fields_set or "max" in v.model_fields_set):
        b.err(path, "a flag is 0 or 1: leave out min and max (allowed: type: number)")
    noise = v.noise if v.noise is not None else (hi - lo) * 0.1
    if v.visibility == "owner" and not v.per_team and v.owner is None:
        b.err(
            (*path, "visibility"),
            "visibility 'owner' needs an owner team (or per_team: true)",
        )
    if v.owner is not None:
        if v.per_team:
            b.err((*path, "owner"), "a per-team variable is owned by each team; leave out owner")
        elif v.owner not in b.team_set:
            b.unknown((*path, "owner"), "team", v.owner, b.team_ids)

    if v.per_team:
        b.per_team[v.id] = _team_slots(b, path, v, lo, hi, noise, bad_range)
    else:
        _global_slot(b, path, v, lo, hi, noise, bad_range)


def _team_slots(
    b: Builder, path: Path, v: s.Variable, lo: float, hi: float, noise: float, bad_range: bool
) -> dict[str, int]:
    """One copy per team, so every team needs a starting value (one for all, or its own)."""
    initials: dict[str, float | bool] = {}
    if isinstance(v.initial, dict):
        for t in v.initial:
            if t not in b.team_set:
                b.unknown((*path, "initial", t), "team", t, b.team_ids, on_key=True)
        missing = [t for t in b.team_ids if t not in v.initial]
        if missing:
            b.err(
                (*path, "initial"),
                f"no initial value for team(s) {', '.join(missing)} "
                "(give one value for all teams or one per team)",
            )
        initials = {t: v.initial.get(t, lo) for t in b.team_ids}
    else:
        initials = dict.fromkeys(b.team_ids, v.initial)
    slots: dict[str, int] = {}
    for t, init in initials.items():
        ok = not bad_range and _check_initial(b, path, v, init, lo, hi, t)
        slots[t] = _slot(b, v, lo, hi, noise, t, init if ok else lo)
    return slots


def _global_slot(
    b: Builder, path: Path, v: s.Variable, lo: float, hi: float, noise: float, bad_range: bool
) -> None:
    """One slot every team shares, so one starting value."""
    initial = v.initial
    value: float | bool
    if isinstance(initial, dict):
        b.err(
            (*path, "initial"),
            "a global variable has one initial value (set per_team: true for one value per team)",
        )
        value = lo
    elif bad_range or not _check_initial(b, path, v, initial, lo, hi, None):
        value = lo
    else:
        value = initial
    _slot(b, v, lo, hi, noise, None, value)


def _slot(
    b: Builder,
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
        index=len(b.vars),
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
    b.vars.append(var)
    return var.index


def _check_initial(
    b: Builder,
    path: Path,
    v: s.Variable,
    init: float | bool,
    lo: float,
    hi: float,
    team: str | None,
) -> bool:
    """False (reported) if the game could not start from ``init``."""
    where = (*path, "initial", team) if team and isinstance(v.initial, dict) else (*path, "initial")
    if v.type == "flag":
        if init not in (0, 1, True, False):
            b.err(where, f"a flag starts as true or false, not {init!r}")
            return False
        return True
    if isinstance(init, bool):
        b.err(where, "expected a number, got true/false (allowed: type: flag for booleans)")
        return False
    if not lo <= init <= hi:
        b.err(where, f"initial value {init:g} is outside [{lo:g}, {hi:g}] (min to max)")
        return False
    return True


# -- cards and the names expressions may use ------------------------------------------


def cards(b: Builder) -> None:
    """Compiled before any expression: their facts are constants expressions may read."""
    for i, c in b.parts.cards:
        path = ("cards", i)
        if isinstance(c.audience, list):
            teams = tuple(b.teams_of(c.audience, (*path, "audience")))
            public = False
        else:
            teams, public = (), c.audience == "public"
        source = c.source
        b.cards.append(
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


def names(b: Builder) -> None:
    """Every name an expression may use, gathered once. Ids of items that failed structural
    validation count as known: they are reported where they are, not at each use."""
    p = b.parts
    raw = p.raw_ids
    b.symbols = Symbols(
        global_vars=b.var_index,
        per_team_vars=b.per_team,
        teams=frozenset(b.team_ids),
        agreements=frozenset(b.agreement_ids) | raw.get("agreements", frozenset()),
        clauses=frozenset(b.clause_ids) | raw.get("clauses", frozenset()),
        actions=frozenset(b.action_ids) | raw.get("actions", frozenset()),
        injects=frozenset(i.id for _, i in p.injects) | raw.get("injects", frozenset()),
        round_count=len(p.rounds),
        cards={c.id: dict(c.facts) for c in b.cards},
    )


# -- teams and roles ---------------------------------------------------------------------


def teams(b: Builder) -> None:
    """Preferences are weighed per full range, so a 0-100 variable and a flag count alike."""
    for i, t in b.parts.teams:
        prefs: list[tuple[int, float]] = []
        for key, weight in t.preferences.items():
            ref = b.var_ref(key, ("teams", i, "preferences", key), frozenset({"actor"}))
            if ref is not None:
                idx = ref.index(t.id, None)
                var = b.vars[idx]
                prefs.append((idx, weight / (var.hi - var.lo)))
        reservation = b.expression(
            t.negotiation.reservation,
            ("teams", i, "negotiation", "reservation"),
            frozenset({"actor"}),
        )
        b.teams.append(
            m.Team(
                id=t.id,
                name=t.name.root,
                brief=t.brief.root,
                public_objectives=tuple(o.root for o in t.public_objectives),
                private_objectives=tuple(o.root for o in t.private_objectives),
                preferences=tuple(prefs),
                reservation=reservation or compile_expression(0.0, b.symbols),
                advisors=tuple(m.Advisor(a.name.root, a.expertise.root) for a in t.advisors),
            )
        )


def roles(b: Builder) -> None:
    """Nothing to check beyond the ids (see :func:`ids`): a role is a name to seat."""
    b.roles = {r.id: m.Role(r.id, r.name.root) for _, r in b.parts.roles}


# -- rounds and actions ---------------------------------------------------------------------


def rounds(b: Builder) -> None:
    """A round's options must fit its kind, and a game with no action round cannot move."""
    p = b.parts
    for i, r in p.rounds:
        if r.venue is not None and r.kind != "negotiation":
            b.err(("rounds", i, "venue"), "only negotiation rounds have a venue", on_key=True)
        if r.kind == "negotiation" and not p.has_negotiation and "negotiation" not in p.raw_ids:
            b.err(
                ("rounds", i, "kind"),
                "a negotiation round needs a 'negotiation' section with clauses and agreements",
            )
        if r.kind == "negotiation" and "actions_per_team" in r.model_fields_set:
            b.err(("rounds", i, "actions_per_team"), "only action rounds take actions", on_key=True)
        count, unit = int(r.duration[:-1]), r.duration[-1]
        b.rounds.append(
            m.Round(
                number=len(b.rounds) + 1,
                kind=r.kind,
                label=r.label.root,
                duration=count * _DURATION_UNITS[unit],
                duration_text=r.duration,
                venue=r.venue.root if r.venue else None,
                actions_per_team=r.actions_per_team,
            )
        )
    if p.rounds and p.complete and not any(r.kind == "action" for _, r in p.rounds):
        b.err(
            ("rounds",),
            "the round list has no action round (allowed: at least one round with kind: action)",
        )


def actions(b: Builder) -> None:
    """``actor`` is bound in every action, ``target`` only in one that has targets."""
    for i, a in b.parts.actions:
        path = ("actions", i)
        acting = b.teams_of(a.teams, (*path, "teams"))
        targets = None if a.targets is None else tuple(b.teams_of(a.targets, (*path, "targets")))
        bound = frozenset({"actor", "target"}) if a.targets is not None else frozenset({"actor"})
        requires = (
            None if a.requires is None else b.expression(a.requires, (*path, "requires"), bound)
        )
        mods = []
        for j, mod in enumerate(a.modifiers):
            when = b.expression(mod.when, (*path, "modifiers", j, "when"), bound)
            if when is not None:
                mods.append(m.Modifier(when, mod.add, mod.note.root))
        b.narrative(a.narrative.success, (*path, "narrative", "success"), bound)
        b.narrative(a.narrative.failure, (*path, "narrative", "failure"), bound)
        b.actions.append(
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
                on_success=b.effects(a.on_success, (*path, "on_success"), bound, allow_reveal=True),
                on_failure=b.effects(a.on_failure, (*path, "on_failure"), bound, allow_reveal=True),
                narrative_success=a.narrative.success.root,
                narrative_failure=a.narrative.failure.root,
                escalation=_rung(b, a.escalation, (*path, "escalation")),
            )
        )


def escalation(b: Builder) -> None:
    """The ladder before the actions, which name its rungs; left out, the default five."""
    ladder = b.parts.escalation
    if ladder is None:
        # a ladder that failed validation is reported where it is; its ids still stand
        broken = b.parts.raw_ids.get("escalation", frozenset())
        b.ladder = [] if broken else list(m.DEFAULT_LADDER)
        return
    b.ladder = [m.EscalationLevel(x.id, x.label.root, x.weight) for x in ladder.levels]


def _rung(b: Builder, level: str | None, path: Path) -> str | None:
    """A level of the ladder, or None (reported when it names no rung)."""
    if level is None:
        return None
    known = [x.id for x in b.ladder]
    if level in known or level in b.parts.raw_ids.get("escalation", frozenset()):
        return level
    b.unknown(path, "escalation level", level, known)
    return None


# -- negotiation ----------------------------------------------------------------------------


def clauses(b: Builder) -> None:
    """Before agreements, which are made of clauses; no actor is bound in their effects."""
    for i, c in b.parts.clauses:
        path = ("negotiation", "clauses", i)
        b.clauses[c.id] = m.Clause(
            id=c.id,
            label=c.label.root,
            parties=tuple(b.teams_of(c.parties, (*path, "parties"))),
            on_sign=b.effects(c.on_sign, (*path, "on_sign"), frozenset(), allow_reveal=False),
            per_round=b.effects(c.per_round, (*path, "per_round"), frozenset(), allow_reveal=False),
        )


def agreements(b: Builder) -> None:
    """An agreement keeps only clauses that compiled, each required or optional, not both."""
    for i, a in b.parts.agreements:
        path = ("negotiation", "agreements", i)
        for section, listed in (
            ("required_clauses", a.required_clauses),
            ("optional_clauses", a.optional_clauses),
        ):
            for j, cid in enumerate(listed):
                if not b.known("clauses", cid, b.clause_ids):
                    b.unknown((*path, section, j), "clause", cid, b.clause_ids)
        both = set(a.required_clauses) & set(a.optional_clauses)
        if both:
            b.err(
                (*path, "optional_clauses"),
                f"clause(s) {', '.join(sorted(both))} are "
                "already required (a clause is required or optional, not both)",
            )
        covs = []
        for j, cv in enumerate(a.hazard.covariates if a.hazard else ()):
            expr = b.expression(cv.value, (*path, "hazard", "covariates", j, "value"))
            if expr is not None:
                covs.append(m.Covariate(cv.id, cv.label.root if cv.label else None, expr, cv.beta))
        b.agreements[a.id] = m.AgreementKind(
            id=a.id,
            label=a.label.root,
            parties=tuple(b.teams_of(a.parties, (*path, "parties"))),
            required=tuple(c for c in a.required_clauses if c in b.clauses),
            optional=tuple(c for c in a.optional_clauses if c in b.clauses and c not in both),
            hazard_base=a.hazard.base if a.hazard else None,
            covariates=tuple(covs),
            on_break=b.effects(a.on_break, (*path, "on_break"), frozenset(), allow_reveal=False),
        )


def mediator(b: Builder) -> None:
    """The mediator may be a role (an envoy) or one of the teams."""
    mediator = b.parts.mediator
    if mediator is not None and mediator not in b.team_set | b.role_ids:
        b.unknown(
            ("negotiation", "mediator"),
            "mediator (a role or team id)",
            mediator,
            sorted(b.role_ids | set(b.team_ids)),
        )
    b.mediator = mediator


# -- events and rules -----------------------------------------------------------------------


def injects(b: Builder) -> None:
    """An inject with no trigger, or a trigger in a round that never comes, would never fire."""
    p = b.parts
    for i, inj in p.injects:
        path = ("injects", i)
        if inj.round is None and inj.when is None and inj.chance is None:
            b.err(path, "an inject needs a trigger (allowed: round, when, chance, or a mix)")
        if inj.round is not None and p.rounds and inj.round > len(p.rounds):
            b.err(
                (*path, "round"),
                f"round {inj.round} does not exist (allowed: 1 to {len(p.rounds)})",
            )
        when = None if inj.when is None else b.expression(inj.when, (*path, "when"))
        audience = (
            None
            if inj.audience == "public"
            else tuple(b.teams_of(inj.audience, (*path, "audience")))
        )
        b.injects.append(
            m.Inject(
                id=inj.id,
                label=inj.label.root,
                news=inj.news.root,
                round=inj.round,
                when=when,
                chance=inj.chance,
                once=inj.once,
                effects=b.effects(inj.effects, (*path, "effects"), frozenset(), allow_reveal=False),
                audience=audience,
            )
        )


def dynamics(b: Builder) -> None:
    """A rule applied per team binds ``actor``; one applied once binds nothing."""
    for i, d in b.parts.dynamics:
        path = ("dynamics", i)
        teams = None if d.teams is None else tuple(b.teams_of(d.teams, (*path, "teams")))
        bound = frozenset({"actor"}) if d.teams is not None else frozenset()
        if d.visibility == "team" and d.teams is None:
            b.err(
                (*path, "visibility"),
                "visibility 'team' is for a rule applied per team "
                "(add teams, or choose public or control)",
            )
        when = None if d.when is None else b.expression(d.when, (*path, "when"), bound)
        chance = None if d.chance is None else b.expression(d.chance, (*path, "chance"), bound)
        if d.news is not None:
            b.narrative(d.news, (*path, "news"), bound, base=bound)
        terms = _rule_terms(b, d.effects, (*path, "effects"), bound)
        if not terms and not d.effects.change and not d.effects.set:
            b.err((*path, "effects"), "the rule changes nothing (add change or set)")
        b.dynamics.append(
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


def _rule_terms(
    b: Builder, effects: s.RuleEffects, path: Path, bound: frozenset[str]
) -> list[tuple[m.VarRef, Expression, bool]]:
    """A constant amount is range-checked here, where its line is known, not at run time."""
    terms: list[tuple[m.VarRef, Expression, bool]] = []
    for section, absolute, amounts in (
        ("change", False, effects.change),
        ("set", True, effects.set),
    ):
        for key, amount in amounts.items():
            where = (*path, section, key)
            ref = b.var_ref(key, where, bound)
            if ref is None:
                continue
            if isinstance(amount, bool) and not absolute:
                b.err(where, "a change is a number or an expression, not true/false")
                continue
            if absolute and isinstance(amount, bool | int | float):
                var = b.var_of(ref)
                if var.is_flag and amount not in (0, 1, True, False):
                    b.err(where, f"'{var.base}' is a flag: set it to true or false")
                    continue
                if not var.is_flag and (isinstance(amount, bool) or not var.lo <= amount <= var.hi):
                    b.err(
                        where,
                        f"{amount!r} is outside [{var.lo:g}, {var.hi:g}] "
                        f"(the range of '{var.base}')",
                    )
                    continue
            expr = b.expression(amount, where, bound)
            if expr is not None:
                terms.append((ref, expr, absolute))
    return terms


# -- results and adjudication -----------------------------------------------------------------


def outcomes(b: Builder) -> None:
    """Read at the end of a game, so no actor is bound."""
    for i, o in b.parts.outcomes:
        expr = b.expression(o.value, ("outcomes", i, "value"))
        if o.headline and o.type != "bool":
            b.err(
                ("outcomes", i, "headline"),
                f"outcome {o.id} is a number: only a yes/no outcome can be a headline",
            )
        if expr is not None:
            b.outcomes.append(m.Outcome(o.id, o.label.root, o.type == "bool", expr, o.headline))


def adjudication(b: Builder) -> None:
    """Each bound is checked alone by the schema; only their order is left."""
    adj = b.parts.adjudication
    if adj.min_probability > adj.max_probability:
        b.err(
            ("adjudication", "min_probability"),
            "min_probability must not exceed max_probability",
        )


def assemble(b: Builder, meta: s.Meta) -> m.Scenario:
    """Run only when every step passed: meta and automation are taken as written."""
    p = b.parts
    adj = p.adjudication
    return m.Scenario(
        id=meta.id,
        title=meta.title.root,
        summary=meta.summary.root,
        situation_date=meta.situation_date,
        start_date=meta.start_date,
        languages=tuple(meta.languages),
        sources=tuple(m.Source(x.title, x.author, x.date, x.url) for x in meta.sources),
        reveal_at_end=meta.reveal_at_end,
        teams=tuple(b.teams),
        team={t.id: t for t in b.teams},
        roles=b.roles,
        mediator=b.mediator,
        vars=tuple(b.vars),
        var={v.key: v for v in b.vars},
        per_team_vars=b.per_team,
        rounds=tuple(b.rounds),
        actions=tuple(b.actions),
        action={a.id: a for a in b.actions},
        clauses=b.clauses,
        agreements=b.agreements,
        injects=tuple(b.injects),
        inject={i.id: i for i in b.injects},
        outcomes=tuple(b.outcomes),
        min_probability=adj.min_probability,
        max_probability=adj.max_probability,
        temperature=p.automation.temperature,
        negotiation_sessions=p.automation.negotiation_sessions,
        hold_value=p.automation.hold_value,
        scale=tuple((w.label.root, w.probability) for w in adj.scale or ()),
        guidance=adj.guidance.root if adj.guidance is not None else None,
        matrix_step=adj.matrix_step,
        dynamics=tuple(b.dynamics),
        cards=tuple(b.cards),
        ladder=tuple(b.ladder),
        document={},
        digest="",
    )
