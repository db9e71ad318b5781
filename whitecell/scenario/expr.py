"""Scenario expressions: conditions, modifiers, covariates and outcomes.

Authors write small Python-like expressions (``front_line > 60 and not
agreements.ceasefire.in_force``). They are parsed with :mod:`ast`, checked
against a whitelist and the scenario's own names, then translated into Python
source that *we* generate (never the author's text) and compiled once. The
result is a plain function, so the hot path of automated play pays a few
hundred nanoseconds per condition instead of walking a tree.

Names an expression may use:

- ``VAR`` a global variable; ``VAR.TEAM`` a per-team variable for one team;
  ``VAR.actor`` / ``VAR.target`` inside an action (the acting / targeted team)
- ``agreements.KIND.in_force`` / ``.signed`` / ``.broken`` (counts)
- ``clauses.CLAUSE`` (how many agreements in force include the clause)
- ``actions.ACTION.taken`` / ``.succeeded`` / ``.failed`` (counts)
- ``injects.INJECT`` (1 once fired), ``round`` (current round, 1-based), ``rounds``
- ``cards.CARD.FACT`` a number from one of the scenario's reference cards (a constant)
- ``min(...)``, ``max(...)``, ``abs(...)``, ``x if cond else y``
"""

from __future__ import annotations

import ast
import difflib
import math
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Protocol


class ExprError(Exception):
    """A scenario expression that cannot be compiled; ``column`` is 0-based within the text."""

    def __init__(self, message: str, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


# Positions in the counts an expression reads: an agreement kind's counts are
# [in force, signed, broken], a catalogue action's [taken, succeeded, failed]. The counts
# are plain lists so that ``decide``'s scratch copy of them stays cheap.
IN_FORCE, SIGNED, BROKEN = 0, 1, 2
TAKEN, SUCCEEDED, FAILED = 0, 1, 2
AGREEMENT_COUNTS = {"in_force": IN_FORCE, "signed": SIGNED, "broken": BROKEN}  # as written
ACTION_COUNTS = {"taken": TAKEN, "succeeded": SUCCEEDED, "failed": FAILED}


class EvalContext(Protocol):
    """What an expression reads: the engine's state, ``decide``'s scratch copy of it, or a
    team's projection of it. Read-only: an expression never writes."""

    @property
    def v(self) -> Sequence[float]: ...

    @property
    def agreement_counts(self) -> Mapping[str, Sequence[int]]:
        """Agreement kind -> counts at IN_FORCE, SIGNED, BROKEN."""
        ...

    @property
    def clauses_in_force(self) -> Mapping[str, int]:
        """Clause -> agreements in force that include it (absent when none)."""
        ...

    @property
    def action_counts(self) -> Mapping[str, Sequence[int]]:
        """Catalogue action -> counts at TAKEN, SUCCEEDED, FAILED."""
        ...

    @property
    def inj(self) -> AbstractSet[str]:
        """The scenario injects fired so far."""
        ...

    @property
    def round(self) -> int: ...


Compiled = Callable[[EvalContext, str | None, str | None], Any]


@dataclass(frozen=True)
class Symbols:
    """The names a scenario defines, as an expression sees them."""

    global_vars: Mapping[str, int]
    per_team_vars: Mapping[str, Mapping[str, int]]
    teams: frozenset[str]
    agreements: frozenset[str]
    clauses: frozenset[str]
    actions: frozenset[str]
    injects: frozenset[str]
    round_count: int
    extra: Mapping[str, float] = field(default_factory=dict)
    cards: Mapping[str, Mapping[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Expression:
    """A compiled expression with the text it came from and the variables it reads."""

    source: str
    fn: Compiled
    reads: frozenset[str]
    reads_clauses: bool = False

    def __call__(
        self, ctx: EvalContext, actor: str | None = None, target: str | None = None
    ) -> Any:
        return self.fn(ctx, actor, target)


_BINOPS: dict[type, str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_CMPOPS: dict[type, str] = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
}
_FUNCS = frozenset({"min", "max", "abs"})
MAX_LENGTH = 4000
_TOO_DEEP = "the expression is nested too deeply (split it, or use fewer brackets and signs)"


def text_of(node: ast.AST) -> str:
    return ast.unparse(node) if isinstance(node, ast.expr) else "?"


def _div(a: float, b: float) -> float:
    return a / b if b else 0.0


def _dotted(node: ast.expr) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return parts[::-1]
    return None


class _Translator:
    def __init__(self, symbols: Symbols, roles: frozenset[str]) -> None:
        self.s = symbols
        self.roles = roles  # which of "actor", "target" are bound here
        self.env: dict[str, Any] = {"_div": _div, "min": min, "max": max, "abs": abs}
        self.reads: set[str] = set()
        self.reads_clauses = False

    def fail(self, node: ast.AST, message: str) -> ExprError:
        return ExprError(message, getattr(node, "col_offset", 0))

    def table(self, mapping: Mapping[str, int]) -> str:
        name = f"_T{len(self.env)}"
        self.env[name] = dict(mapping)
        return name

    def name(self, node: ast.expr, parts: list[str]) -> str:
        s = self.s
        head = parts[0]
        if head in s.global_vars:
            if len(parts) != 1:
                raise self.fail(
                    node, f"'{head}' is a global variable and has no field '{parts[1]}'"
                )
            self.reads.add(head)
            return f"c.v[{s.global_vars[head]}]"
        if head in s.per_team_vars:
            if len(parts) != 2:
                raise self.fail(
                    node,
                    f"'{head}' is kept per team: write {head}.TEAM, {head}.actor or {head}.target",
                )
            who = parts[1]
            if who in ("actor", "target"):
                if who not in self.roles:
                    raise self.fail(
                        node, f"'{head}.{who}' has no meaning here: no {who} is defined"
                    )
                self.reads.update(f"{head}.{t}" for t in s.per_team_vars[head])
                return f"c.v[{self.table(s.per_team_vars[head])}[{'a' if who == 'actor' else 't'}]]"
            if who not in s.per_team_vars[head]:
                raise self.fail(
                    node,
                    f"unknown team '{who}' in '{head}.{who}' (teams: {', '.join(sorted(s.teams))})",
                )
            self.reads.add(f"{head}.{who}")
            return f"c.v[{s.per_team_vars[head][who]}]"
        if head == "agreements":
            if len(parts) != 3 or parts[1] not in s.agreements or parts[2] not in AGREEMENT_COUNTS:
                raise self.fail(
                    node,
                    "write agreements.KIND.in_force|signed|broken with KIND one of: "
                    + (", ".join(sorted(s.agreements)) or "(none declared)"),
                )
            return f"c.agreement_counts[{parts[1]!r}][{AGREEMENT_COUNTS[parts[2]]}]"
        if head == "clauses":
            if len(parts) != 2 or parts[1] not in s.clauses:
                raise self.fail(
                    node,
                    "write clauses.CLAUSE with CLAUSE one of: "
                    + (", ".join(sorted(s.clauses)) or "(none declared)"),
                )
            self.reads_clauses = True
            return f"c.clauses_in_force.get({parts[1]!r}, 0)"
        if head == "actions":
            if len(parts) != 3 or parts[1] not in s.actions or parts[2] not in ACTION_COUNTS:
                bad = (
                    f"unknown action '{parts[1]}': "
                    if len(parts) > 1 and parts[1] not in s.actions
                    else ""
                )
                raise self.fail(
                    node,
                    f"{bad}write actions.ACTION.taken|succeeded|failed with ACTION one of: "
                    + (", ".join(sorted(s.actions)) or "(none declared)"),
                )
            return f"c.action_counts[{parts[1]!r}][{ACTION_COUNTS[parts[2]]}]"
        if head == "injects":
            if len(parts) != 2 or parts[1] not in s.injects:
                raise self.fail(
                    node,
                    "write injects.INJECT with INJECT one of: "
                    + (", ".join(sorted(s.injects)) or "(none declared)"),
                )
            return f"({parts[1]!r} in c.inj)"
        if head == "cards":
            facts = s.cards.get(parts[1]) if len(parts) == 3 else None
            if facts is None or parts[2] not in facts:
                known = [f"cards.{c}.{f}" for c, fs in sorted(s.cards.items()) for f in sorted(fs)]
                raise self.fail(
                    node,
                    "write cards.CARD.FACT with one of: " + (", ".join(known) or "(no card facts)"),
                )
            return repr(float(facts[parts[2]]))
        if parts == ["round"]:
            return "c.round"
        if parts == ["rounds"]:
            return repr(s.round_count)
        if len(parts) == 1 and head in ("true", "false"):
            return "True" if head == "true" else "False"
        if len(parts) == 1 and head in s.extra:
            return repr(float(s.extra[head]))
        raise self.fail(node, self.unknown_name(".".join(parts)))

    def unknown_name(self, name: str) -> str:
        """Say what the author may have meant and what names exist."""
        s = self.s
        variables = sorted(s.global_vars) + [f"{v}.TEAM" for v in sorted(s.per_team_vars)]
        close = difflib.get_close_matches(name, list(s.global_vars) + list(s.per_team_vars), 3)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        return (
            f"unknown name '{name}' ({hint}variables: {', '.join(variables) or 'none'}; "
            "also round, rounds, agreements.KIND.in_force|signed|broken, clauses.CLAUSE, "
            "actions.ACTION.taken|succeeded|failed, injects.INJECT, cards.CARD.FACT)"
        )

    def chain(self, node: ast.BinOp) -> str:
        """A run of + and - (or of *) as one flat, parenthesised expression, so a long sum
        does not nest hundreds of parentheses (Python's parser stops at 200)."""
        group = (ast.Add, ast.Sub) if isinstance(node.op, ast.Add | ast.Sub) else (ast.Mult,)
        tail: list[tuple[str, ast.expr]] = []
        left: ast.expr = node
        while isinstance(left, ast.BinOp) and isinstance(left.op, group):
            op = _BINOPS.get(type(left.op))
            if op is None:
                raise self.fail(left, "unsupported operator (allowed: + - * /)")
            tail.append((op, left.right))
            left = left.left
        if isinstance(left, ast.BinOp) and not isinstance(
            left.op, ast.Add | ast.Sub | ast.Mult | ast.Div
        ):
            raise self.fail(left, "unsupported operator (allowed: + - * /)")
        parts = [self.expr(left)]
        for op, right in reversed(tail):
            parts += [op, self.expr(right)]
        return "(" + " ".join(parts) + ")"

    def expr(self, node: ast.expr) -> str:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool):
                return repr(node.value)
            if isinstance(node.value, int | float):
                number = float(node.value)
                if not math.isfinite(number):
                    raise self.fail(node, f"the number {text_of(node)} is too large")
                return repr(number)
            raise self.fail(node, f"only numbers and true/false are allowed, not {node.value!r}")
        if isinstance(node, ast.Name | ast.Attribute):
            parts = _dotted(node)
            if parts is None:
                raise self.fail(node, "only dotted names such as cohesion.ukraine are allowed")
            return self.name(node, parts)
        if isinstance(node, ast.BoolOp):
            joint = " and " if isinstance(node.op, ast.And) else " or "
            return "(" + joint.join(self.expr(v) for v in node.values) + ")"
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                return f"(not {self.expr(node.operand)})"
            if isinstance(node.op, ast.USub):
                return f"(-{self.expr(node.operand)})"
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand)
            raise self.fail(node, "unsupported operator (allowed: not, -, +)")
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Div):
                return f"_div({self.expr(node.left)}, {self.expr(node.right)})"
            return self.chain(node)
        if isinstance(node, ast.Compare):
            out = [self.expr(node.left)]
            for op, right in zip(node.ops, node.comparators, strict=True):
                sym = _CMPOPS.get(type(op))
                if sym is None:
                    raise self.fail(node, "unsupported comparison (allowed: < <= > >= == !=)")
                out += [sym, self.expr(right)]
            return "(" + " ".join(out) + ")"
        if isinstance(node, ast.IfExp):
            return (
                f"({self.expr(node.body)} if {self.expr(node.test)} else {self.expr(node.orelse)})"
            )
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCS or node.keywords:
                raise self.fail(node, "unknown function (allowed: min, max, abs)")
            if not node.args:
                raise self.fail(node, f"{node.func.id}() needs at least one argument")
            return f"{node.func.id}(" + ", ".join(self.expr(a) for a in node.args) + ")"
        raise self.fail(node, f"this kind of expression is not allowed ({type(node).__name__})")


def compile_expression(
    source: str | float | bool, symbols: Symbols, *, roles: frozenset[str] = frozenset()
) -> Expression:
    """Compile ``source``; ``roles`` says whether ``actor``/``target`` are bound."""
    text = str(source).lower() if isinstance(source, bool) else str(source)
    if len(text) > MAX_LENGTH:
        raise ExprError(f"the expression is {len(text)} characters long (at most {MAX_LENGTH})")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        col = max((exc.offset or 1) - 1, 0)
        raise ExprError(f"not a valid expression: {exc.msg}", col) from None
    except (RecursionError, MemoryError):
        raise ExprError(_TOO_DEEP) from None
    tr = _Translator(symbols, roles)
    try:
        body = tr.expr(tree.body)
        code = compile(f"lambda c, a, t: {body}", "<scenario expression>", "eval")
    except (RecursionError, MemoryError, SyntaxError):
        raise ExprError(_TOO_DEEP) from None
    fn = eval(code, {"__builtins__": {}, **tr.env})  # source made by _Translator, not the author
    return Expression(source=text, fn=fn, reads=frozenset(tr.reads), reads_clauses=tr.reads_clauses)
