"""The reference meaning of scenario expressions: a plain walk over the parsed tree.

Automated play runs expressions as compiled Python functions (:mod:`whitecell.scenario.expr`
generates their source once per scenario). This module says what they mean the slow,
obvious way, node by node, so that tests can check the compiled functions against it on
random states: the same value and the same type (a flag stays ``True``, not ``1.0``), the
same division by zero, the same comparisons and the same rounding. It is never used in
play. It checks nothing: compile an expression first (``compile_expression``), which
rejects everything outside the language, then walk it here.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

from whitecell.scenario.expr import ACTION_COUNTS, AGREEMENT_COUNTS, EvalContext, Symbols

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_CALLS: dict[str, Callable[..., Any]] = {"min": min, "max": max, "abs": abs}


def evaluate(
    source: str | float | bool,
    symbols: Symbols,
    ctx: EvalContext,
    actor: str | None = None,
    target: str | None = None,
) -> Any:
    """The value of ``source`` over ``ctx``, by walking its tree (slow; for tests)."""
    text = str(source).lower() if isinstance(source, bool) else str(source)
    tree = ast.parse(text.strip(), mode="eval")
    return _Walker(symbols, ctx, actor, target).walk(tree.body)


class _Walker:
    def __init__(
        self, symbols: Symbols, ctx: EvalContext, actor: str | None, target: str | None
    ) -> None:
        self.s = symbols
        self.ctx = ctx
        self.actor = actor
        self.target = target

    def walk(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant):
            # numbers are floats whatever their spelling; true and false stay booleans
            value = node.value
            if isinstance(value, bool):
                return value
            assert isinstance(value, int | float), "compile_expression admits only numbers"
            return float(value)
        if isinstance(node, ast.Name | ast.Attribute):
            return self.name(_parts(node))
        if isinstance(node, ast.BoolOp):
            # Python's and/or: the deciding operand itself, not a boolean
            value = self.walk(node.values[0])
            for operand in node.values[1:]:
                if isinstance(node.op, ast.And) and not value:
                    return value
                if isinstance(node.op, ast.Or) and value:
                    return value
                value = self.walk(operand)
            return value
        if isinstance(node, ast.UnaryOp):
            value = self.walk(node.operand)
            if isinstance(node.op, ast.Not):
                return not value
            if isinstance(node.op, ast.USub):
                return -value
            return value  # unary plus leaves its operand as it is
        if isinstance(node, ast.BinOp):
            left, right = self.walk(node.left), self.walk(node.right)
            if isinstance(node.op, ast.Div):
                return left / right if right else 0.0  # division by zero gives zero
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.Compare):
            # a chain a < b < c: each link in turn, stopping at the first that fails
            left = self.walk(node.left)
            result: Any = True
            for op, comparator in zip(node.ops, node.comparators, strict=True):
                right = self.walk(comparator)
                result = _COMPARE[type(op)](left, right)
                if not result:
                    return result
                left = right
            return result
        if isinstance(node, ast.IfExp):
            return self.walk(node.body) if self.walk(node.test) else self.walk(node.orelse)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return _CALLS[node.func.id](*(self.walk(a) for a in node.args))
        raise ValueError(f"not an expression of the scenario language: {ast.dump(node)}")

    def name(self, parts: list[str]) -> Any:
        s, ctx = self.s, self.ctx
        head = parts[0]
        if head in s.global_vars:
            return ctx.v[s.global_vars[head]]
        if head in s.per_team_vars:
            who = parts[1]
            team = self.actor if who == "actor" else self.target if who == "target" else who
            return ctx.v[s.per_team_vars[head][team]]  # type: ignore[index]
        if head == "agreements":
            return ctx.agreement_counts[parts[1]][AGREEMENT_COUNTS[parts[2]]]
        if head == "clauses":
            return ctx.clauses_in_force.get(parts[1], 0)
        if head == "actions":
            return ctx.action_counts[parts[1]][ACTION_COUNTS[parts[2]]]
        if head == "injects":
            return parts[1] in ctx.inj
        if head == "cards":
            return float(s.cards[parts[1]][parts[2]])
        if parts == ["round"]:
            return ctx.round
        if parts == ["rounds"]:
            return s.round_count
        if head in ("true", "false"):
            return head == "true"
        return float(s.extra[head])


def _parts(node: ast.expr) -> list[str]:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    assert isinstance(node, ast.Name)
    parts.append(node.id)
    return parts[::-1]
