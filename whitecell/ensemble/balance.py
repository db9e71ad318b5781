"""The balance check of an ensemble, as lines for the terminal.

An ensemble's summary carries a ``balance`` section (see ``stats.Aggregate.balance``):
whether every outcome occurs at least sometimes, and which catalogue actions no
automated player chose and which clauses were never signed. This turns it into
Rich markup for ``whitecell ensemble``.
"""

from __future__ import annotations

from typing import Any

from rich.markup import escape


def balance_lines(report: dict[str, Any]) -> list[str]:
    """What the balance check found, or nothing for a summary without one."""
    balance = report.get("balance")
    if not balance:
        return []
    runs = report.get("runs", 0)
    warnings = balance.get("warnings", [])
    if not warnings:
        return [
            f"[green]Balance over {runs:,} runs: every outcome varies, every catalogue action "
            "was chosen and every clause was signed at least once.[/green]"
        ]
    lines = [f"[yellow]Balance over {runs:,} runs: {len(warnings)} warning(s)[/yellow]"]
    lines += [f"  [yellow]![/yellow] {escape(w['message'])}" for w in warnings]
    lines.append(
        "[dim]  An outcome that never varies tells nothing; an action or clause the automated "
        "players never use may need other odds, effects or preferences (docs/scenarios.md).[/dim]"
    )
    return lines
