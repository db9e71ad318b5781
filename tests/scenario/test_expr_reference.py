"""Compiled expressions mean what the tree says: on random states, every compiled function
gives the value (and the type) that walking the expression's tree gives.

Two sources of expressions: every expression of both bundled scenarios (requirements,
modifiers, reservations, covariates, injects, dynamics, outcomes), and random expressions
built by hypothesis from the whole language (and/or/not, chained comparisons, + - * /, unary
signs, if-else, min/max/abs, every name form) over the rule-case base scenario's names.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from whitecell.engine.view import Projection
from whitecell.scenario import Scenario
from whitecell.scenario.expr import EvalContext, Expression, Symbols, compile_expression
from whitecell.scenario.expr_reference import evaluate
from whitecell.scenario.library import load_bundled

BUNDLED = ("ukraine-ceasefire-2025", "nuclear-cascade-2025")
ROLES = frozenset({"actor", "target"})


def symbols_of(sc: Scenario) -> Symbols:
    """The names a compiled scenario's expressions were checked against."""
    return Symbols(
        global_vars={v.key: v.index for v in sc.vars if v.team is None},
        per_team_vars=sc.per_team_vars,
        teams=frozenset(sc.team_ids),
        agreements=frozenset(sc.agreements),
        clauses=frozenset(sc.clauses),
        actions=frozenset(sc.action),
        injects=frozenset(sc.inject),
        round_count=len(sc.rounds),
        cards={c.id: dict(c.facts) for c in sc.cards},
    )


def expressions_in(value: Any, seen: set[int] | None = None) -> list[Expression]:
    """Every Expression reachable from a compiled scenario's fields."""
    seen = set() if seen is None else seen
    if id(value) in seen or isinstance(value, str | int | float | bool | type(None)):
        return []
    seen.add(id(value))
    if isinstance(value, Expression):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        children: Any = [getattr(value, f.name) for f in dataclasses.fields(value)]
    elif isinstance(value, dict):
        children = list(value.values())
    elif isinstance(value, list | tuple | set | frozenset):
        children = list(value)
    else:
        return []
    return [e for child in children for e in expressions_in(child, seen)]


def same(a: Any, b: Any) -> bool:
    """Equal and of the same type; NaN equals NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def outcome(fn: Any) -> tuple[str, Any]:
    """A value, or the kind of exception raised."""
    try:
        return "value", fn()
    except Exception as exc:  # the two paths must fail alike, if ever
        return "raised", type(exc)


def agree(compiled: Any, reference: Any) -> bool:
    (kind_a, a), (kind_b, b) = outcome(compiled), outcome(reference)
    return kind_a == kind_b and (same(a, b) if kind_a == "value" else a is b)


NUMBERS = st.one_of(
    st.floats(min_value=-200, max_value=200, allow_nan=False),
    st.sampled_from([0.0, -0.0, 0.5, 1.0, 1e-300, 1e300, math.inf, -math.inf, math.nan]),
)


@st.composite
def contexts(draw: st.DrawFn, sc: Scenario) -> EvalContext:
    """A random state of ``sc`` as an expression reads it."""
    n = len(sc.vars)
    return Projection(
        v=draw(st.lists(NUMBERS, min_size=n, max_size=n)),
        agreement_counts={
            k: draw(st.lists(st.integers(0, 3), min_size=3, max_size=3)) for k in sc.agreements
        },
        clauses_in_force={c: draw(st.integers(1, 2)) for c in sc.clauses if draw(st.booleans())},
        action_counts={
            a.id: draw(st.lists(st.integers(0, 4), min_size=3, max_size=3)) for a in sc.actions
        },
        inj={i.id for i in sc.injects if draw(st.booleans())},
        round=draw(st.integers(0, len(sc.rounds))),
    )


@pytest.fixture(scope="module", params=BUNDLED)
def bundled(request: pytest.FixtureRequest) -> tuple[Scenario, Symbols, list[Expression]]:
    sc = load_bundled(request.param)
    found = expressions_in(sc)
    assert len(found) > 20, "the walk over the scenario should find its expressions"
    return sc, symbols_of(sc), found


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_every_bundled_expression_agrees_with_its_tree(
    bundled: tuple[Scenario, Symbols, list[Expression]], data: st.DataObject
) -> None:
    sc, symbols, found = bundled
    ctx = data.draw(contexts(sc))
    actor = data.draw(st.sampled_from(sc.team_ids))
    target = data.draw(st.sampled_from(sc.team_ids))
    for expr in found:
        assert agree(
            lambda e=expr: e(ctx, actor, target),
            lambda e=expr: evaluate(e.source, symbols, ctx, actor, target),
        ), f"{expr.source!r} in {sc.id} at v={ctx.v!r}"


# -- random expressions over the whole language ------------------------------------------


def names_of(symbols: Symbols) -> list[str]:
    team = sorted(symbols.teams)[0]
    out = [*sorted(symbols.global_vars), "round", "rounds", "true", "false"]
    for var in sorted(symbols.per_team_vars):
        out += [f"{var}.{team}", f"{var}.actor", f"{var}.target"]
    out += [
        f"agreements.{k}.{c}"
        for k in sorted(symbols.agreements)
        for c in ("in_force", "signed", "broken")
    ]
    out += [f"clauses.{c}" for c in sorted(symbols.clauses)]
    out += [
        f"actions.{a}.{c}"
        for a in sorted(symbols.actions)
        for c in ("taken", "succeeded", "failed")
    ]
    out += [f"injects.{i}" for i in sorted(symbols.injects)]
    return out


def source_texts(names: list[str]) -> st.SearchStrategy[str]:
    leaves = st.one_of(
        st.sampled_from(names),
        st.sampled_from(["0", "1", "2.5", "0.0", "100", "1e3", "True", "False"]),
        st.integers(-50, 50).map(str),
    )

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            st.tuples(
                inner,
                st.sampled_from(["+", "-", "*"]),
                inner,
                st.sampled_from(["+", "-", "*", "/"]),
                inner,
            ).map(lambda t: f"{t[0]} {t[1]} {t[2]} {t[3]} {t[4]}"),
            st.tuples(
                inner,
                st.lists(
                    st.tuples(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), inner),
                    min_size=1,
                    max_size=3,
                ),
            ).map(lambda t: "(" + t[0] + "".join(f" {op} {x}" for op, x in t[1]) + ")"),
            st.tuples(
                st.lists(inner, min_size=2, max_size=4), st.sampled_from([" and ", " or "])
            ).map(lambda t: "(" + t[1].join(t[0]) + ")"),
            st.tuples(st.sampled_from(["not ", "-", "+", "- -"]), inner).map(
                lambda t: f"({t[0]}{t[1]})"
            ),
            st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
            st.tuples(st.sampled_from(["min", "max"]), st.lists(inner, min_size=1, max_size=3)).map(
                lambda t: f"{t[0]}({', '.join(t[1])})"
            ),
            inner.map(lambda x: f"abs({x})"),
        )

    return st.recursive(leaves, extend, max_leaves=12)


@pytest.fixture(scope="module")
def base(base_scenario: Scenario) -> tuple[Scenario, Symbols, list[str]]:
    symbols = symbols_of(base_scenario)
    return base_scenario, symbols, names_of(symbols)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_expressions_agree_with_their_trees(
    base: tuple[Scenario, Symbols, list[str]], data: st.DataObject
) -> None:
    sc, symbols, names = base
    text = data.draw(source_texts(names))
    expr = compile_expression(text, symbols, roles=ROLES)
    ctx = data.draw(contexts(sc))
    actor = data.draw(st.sampled_from(sc.team_ids))
    target = data.draw(st.sampled_from(sc.team_ids))
    assert agree(
        lambda: expr(ctx, actor, target), lambda: evaluate(text, symbols, ctx, actor, target)
    ), text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("1 / 0", float),  # division by zero gives zero
        ("true", bool),
        ("1", float),  # a number is a float however it is written
        ("rounds", int),
        ("round", int),
        ("agreements.truce.signed", int),
        ("injects.storm", bool),
        ("+true", bool),  # unary plus leaves its operand as it is
        ("-true", int),
        ("tension > 1 and 5", float),  # and/or give the deciding operand
    ],
)
def test_the_reference_keeps_the_types_the_compiled_functions_give(
    base: tuple[Scenario, Symbols, list[str]], text: str, kind: type
) -> None:
    """The check above can only catch a type difference if the walk keeps types exactly."""
    sc, symbols, _ = base
    ctx = Projection(
        [60.0] * len(sc.vars),
        {k: [1, 2, 0] for k in sc.agreements},
        {},
        {a.id: [0, 0, 0] for a in sc.actions},
        set(),
        2,
    )
    compiled = compile_expression(text, symbols, roles=ROLES)(ctx, "red", "blue")
    walked = evaluate(text, symbols, ctx, "red", "blue")
    assert type(walked) is kind
    assert same(compiled, walked)
