"""Prompts for language-model players and adjudicators, in the game's language.

A player's prompt is made from its seat's :class:`View` and nothing else: its brief and
objectives, the world as the team sees it, the story so far as the team may know it,
and the moves open to it. So a model can no more cheat than a student can.
"""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text

from whitecell.agents.language_model import Messages
from whitecell.agents.orders import available_actions
from whitecell.engine.state import ActionRecord, ProposalRecord
from whitecell.engine.view import View
from whitecell.i18n import t
from whitecell.narrate import fmt, narrate
from whitecell.scenario.compiled import localize

HISTORY_LINES = 160  # the latest lines of the story a prompt carries


def _plain(lines: list[str]) -> str:
    return "\n".join(Text.from_markup(line).plain for line in lines)


def _story(view: View, lang: str) -> str:
    lines = narrate(view.sc, view.events(), lang)
    return _plain(lines[-HISTORY_LINES:]) or t("llm.nothing_yet", lang)


def _world(view: View, lang: str) -> str:
    rows = []
    for var in view.sc.vars:
        label = localize(var.label, lang)
        if var.team:
            label = f"{label} ({view.sc.actor_name(var.team, lang)})"
        unit = f" {localize(var.unit, lang)}" if var.unit else ""
        if view.sees_var(var):
            rows.append(f"- {label}: {fmt(view.state.v[var.index])}{unit}")
        else:
            est = view.estimate(var.key)
            if est is None:
                rows.append(f"- {label}: {t('llm.unknown', lang)}")
            else:
                rows.append(
                    f"- {label}: ≈{fmt(est[0])}{unit} ({t('llm.estimate', lang, round=est[2])})"
                )
    return "\n".join(rows)


def _team_part(view: View, lang: str) -> str:
    team = view.team
    assert team is not None
    parts = [f"# {t('llm.brief', lang)}\n{localize(team.brief, lang)}"]
    if team.public_objectives:
        items = "\n".join(f"- {localize(o, lang)}" for o in team.public_objectives)
        parts.append(f"# {t('llm.public_objectives', lang)}\n{items}")
    if team.private_objectives:
        items = "\n".join(f"- {localize(o, lang)}" for o in team.private_objectives)
        parts.append(f"# {t('llm.private_objectives', lang)}\n{items}")
    if team.advisors:
        items = "\n".join(
            f"- {localize(a.name, lang)}: {localize(a.expertise, lang)}" for a in team.advisors
        )
        parts.append(f"# {t('llm.advisors', lang)}\n{items}")
    return "\n\n".join(parts)


def _now(view: View, lang: str) -> str:
    """Where the game stands: a seat is asked only in a round, an advisor also before."""
    spec = view.state.current_round
    if spec is None:
        return t("llm.before_round", lang, total=len(view.sc.rounds))
    return t(
        "llm.now",
        lang,
        number=view.state.round,
        total=len(view.sc.rounds),
        kind=t(f"round.kind.{spec.kind}", lang),
        label=localize(spec.label, lang),
        date=str(view.state.date),
    )


def _answer(schema: dict[str, Any], lang: str) -> str:
    return t("llm.answer", lang, schema=json.dumps(schema, ensure_ascii=False))


def player_system(view: View, lang: str) -> str:
    name = view.sc.actor_name(view.seat.team or "", lang)
    return t("llm.system.player", lang, team=name, title=localize(view.sc.title, lang))


def act_messages(view: View, schema: dict[str, Any], lang: str) -> Messages:
    sc = view.sc
    limit = sc.rounds[view.state.round - 1].actions_per_team
    options = []
    for action_id, targets in available_actions(view):
        a = sc.action[action_id]
        names = ", ".join("—" if x is None else f"{x} ({sc.actor_name(x, lang)})" for x in targets)
        secret = f" [{t('action.secret', lang).strip(', ・')}]" if a.secret else ""
        options.append(
            f"- {action_id}: {localize(a.label, lang)} "
            f"({t(f'instrument.{a.instrument}', lang)}){secret}; {t('llm.targets', lang)}: {names}"
        )
    teams = ", ".join(f"{x} ({sc.actor_name(x, lang)})" for x in sc.team_ids)
    user = "\n\n".join(
        [
            f"# {t('llm.scenario', lang)}\n{localize(sc.summary, lang)}",
            f"{t('llm.teams', lang)}: {teams}",
            _team_part(view, lang),
            *_cards(view, lang),
            f"# {t('llm.situation', lang)}\n{_now(view, lang)}\n{_world(view, lang)}",
            f"# {t('llm.story', lang)}\n{_story(view, lang)}",
            f"# {t('llm.options', lang)}\n" + "\n".join(options),
            t("llm.task.act", lang, limit=limit),
            _answer(schema, lang),
        ]
    )
    return (("system", player_system(view, lang)), ("user", user))


def respond_messages(
    view: View, p: ProposalRecord, schema: dict[str, Any], may_counter: bool, lang: str
) -> Messages:
    sc = view.sc
    kind = sc.agreements[p.agreement]
    clause_lines = []
    for cid in (*kind.required, *kind.optional):
        mark = "x" if cid in p.clauses else " "
        need = t("llm.required", lang) if cid in kind.required else t("llm.optional", lang)
        clause_lines.append(f"- [{mark}] {cid}: {localize(sc.clauses[cid].label, lang)} ({need})")
    proposal = t(
        "llm.proposal",
        lang,
        sponsor=sc.actor_name(p.sponsor, lang),
        agreement=localize(kind.label, lang),
        parties=", ".join(sc.actor_name(x, lang) for x in p.parties),
    )
    task = t("llm.task.respond_counter" if may_counter else "llm.task.respond", lang)
    user = "\n\n".join(
        [
            _team_part(view, lang),
            f"# {t('llm.situation', lang)}\n{_now(view, lang)}\n{_world(view, lang)}",
            f"# {t('llm.story', lang)}\n{_story(view, lang)}",
            f"# {t('llm.on_the_table', lang)}\n{proposal}\n" + "\n".join(clause_lines),
            task,
            _answer(schema, lang),
        ]
    )
    return (("system", player_system(view, lang)), ("user", user))


def assess_messages(
    view: View, rec: ActionRecord, suggested: float | None, schema: dict[str, Any], lang: str
) -> Messages:
    """For the adjudicator's seat: the action, the whole state, and the scenario's guidance."""
    sc = view.sc
    spec = sc.action.get(rec.action)
    label = localize(spec.label, lang) if spec else rec.description
    lines = [
        t(
            "llm.action",
            lang,
            team=sc.actor_name(rec.team, lang),
            action=label,
            target=sc.actor_name(rec.target, lang) if rec.target else "—",
            instrument=t(f"instrument.{rec.instrument}", lang),
        )
    ]
    if rec.rationale:
        lines.append(f"{t('report.team_rationale', lang)}: {rec.rationale}")
    if spec is not None:
        lines.append(t("llm.base_odds", lang, p=f"{spec.base_probability:.2f}"))
        for m in spec.modifiers:
            lines.append(f"- {m.add:+.2f}: {localize(m.note, lang)} ({m.when.source})")
    if suggested is not None:
        lines.append(t("llm.rules_say", lang, p=f"{suggested:.2f}"))
    guidance = localize(sc.guidance, lang) if sc.guidance else t("llm.no_guidance", lang)
    user = "\n\n".join(
        [
            f"# {t('llm.scenario', lang)}\n{localize(sc.summary, lang)}",
            f"# {t('llm.guidance', lang)}\n{guidance}",
            *_cards(view, lang),
            f"# {t('llm.situation', lang)}\n{_now(view, lang)}\n{_world(view, lang)}",
            f"# {t('llm.story', lang)}\n{_story(view, lang)}",
            f"# {t('llm.to_judge', lang)}\n" + "\n".join(lines),
            t("llm.task.assess", lang, lo=sc.min_probability, hi=sc.max_probability),
            _answer(schema, lang),
        ]
    )
    system = t("llm.system.adjudicator", lang, title=localize(sc.title, lang))
    return (("system", system), ("user", user))


def _cards(view: View, lang: str) -> list[str]:
    """The reference cards this seat may read (none: no section)."""
    cards = view.cards()
    if not cards:
        return []
    parts = []
    for card in cards:
        facts = ", ".join(f"cards.{card.id}.{k} = {v:g}" for k, v in card.facts)
        body = f"## {localize(card.title, lang)}\n{localize(card.body, lang)}"
        parts.append(body + (f"\n({facts})" if facts else ""))
    return [f"# {t('report.cards', lang)}\n" + "\n\n".join(parts)]


def retry_messages(messages: Messages, answer: str, error: str, lang: str) -> Messages:
    """The conversation so far, the rejected answer, and what was wrong with it."""
    return (*messages, ("assistant", answer), ("user", t("llm.retry", lang, error=error)))
