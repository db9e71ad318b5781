"""A team's advisors: the team's three best moves in plain words, and prompts for a model
advisor. Pure: a team's :class:`View` in, words or messages out.

The advice is the heuristic player's judgement made explicit: every move open to the team
is scored by expected utility over the team's preferences (its objectives, as the scenario
weighs them), with the odds the rules give on the team's *own* view (hidden variables read
as the team's estimates). The three best are named, each voiced by the advisor whose
expertise fits the action's instrument. No dice are rolled: the advice is a function of the
view alone, so it can never draw on the game's secret seed, and asking twice gives the same
answer until something the team can see changes.

Only variables the team can see are named with their changes; what a move does to hidden
variables still weighs in the ranking (as the team estimates it) but is never put in words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from whitecell.adjudication.rules import odds
from whitecell.agents.heuristic import Term, _groups, remaining_rounds, valuer
from whitecell.agents.language_model import Messages
from whitecell.agents.orders import available_actions
from whitecell.agents.prompt import _cards, _now, _story, _team_part, _world
from whitecell.engine.view import View
from whitecell.i18n import estimative, t
from whitecell.narrate import fmt
from whitecell.scenario.compiled import Action, Advisor, Team, localize

MOVES = 3  # the moves the advice names

# Words that tie an advisor's name and expertise to an instrument of power (lower case;
# English and Japanese, since a scenario may be written in either).
KEYWORDS: dict[str, tuple[str, ...]] = {
    "military": (
        "military",
        "defence",
        "defense",
        "soldier",
        "army",
        "force",
        "ground",
        "marine",
        "colonel",
        "general",
        "attaché",
        "attache",
        "operations",
        "munitions",
        "weapons",
        "navy",
        "naval",
        "軍",
        "防衛",
        "作戦",
        "戦力",
        "武官",
        "弾薬",
        "兵器",
    ),
    "diplomatic": (
        "diplomat",
        "ambassador",
        "negotiat",
        "talks",
        "alliance",
        "foreign policy",
        "convention",
        "treaty",
        "mediat",
        "外交",
        "大使",
        "交渉",
        "同盟",
        "条約",
    ),
    "economic": (
        "econom",
        "sanction",
        "cost",
        "trade",
        "industry",
        "production",
        "budget",
        "financ",
        "energy",
        "shipping",
        "stocks",
        "経済",
        "制裁",
        "コスト",
        "産業",
        "生産",
        "貿易",
        "海運",
        "備蓄",
    ),
    "information": (
        "information",
        "intelligence",
        "media",
        "politics",
        "public opinion",
        "propaganda",
        "monitor",
        "verification",
        "情報",
        "政治",
        "監視",
        "検証",
        "世論",
    ),
}

# The answer a model advisor gives: one text.
ADVICE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"answer": {"type": "string", "maxLength": 3000}},
    "required": ["answer"],
    "additionalProperties": False,
}


def fit(advisor: Advisor, instrument: str) -> int:
    """How well an advisor's name and expertise fit an instrument: keywords found."""
    words = " ".join((*advisor.name.values(), *advisor.expertise.values())).lower()
    return sum(1 for k in KEYWORDS.get(instrument, ()) if k in words)


def voice(team: Team, instrument: str, rank: int = 0) -> int | None:
    """The number of the team's advisor who speaks to a move of ``instrument`` (the first
    of the best fits; with no fit at all, the advisors take turns by the move's rank)."""
    if not team.advisors:
        return None
    scores = [fit(a, instrument) for a in team.advisors]
    best = max(scores)
    if best == 0:
        return rank % len(team.advisors)
    return scores.index(best)


def advisor_name(team: Team, index: int | None, lang: str) -> str:
    """An advisor as the team reads it; the team's staff when it has none (or none named)."""
    if index is None or not 0 <= index < len(team.advisors):
        return t("advice.staff", lang)
    return localize(team.advisors[index].name, lang)


@dataclass(frozen=True)
class Move:
    """One move the advice names, as the team judges it."""

    action: Action
    target: str | None
    p: float  # the odds the rules give on the team's view
    utility: float  # expected gain in the team's preference units
    advisor: int | None
    gains: tuple[str, ...]  # visible changes success brings that the team weighs, best first
    losses: tuple[str, ...]  # visible changes failure brings that cost the team, worst first


def best_moves(view: View, lang: str = "en", k: int = MOVES) -> list[Move]:
    """The ``k`` moves of highest expected utility open to the view's team now (each
    action at its best target), as the team sees the situation."""
    sc, team_id = view.sc, view.seat.team
    assert team_id is not None, "advice is for a team's seat"
    team = sc.team[team_id]
    ctx = view.context()
    beliefs = ctx.v
    v = valuer(sc, team_id)
    remaining = remaining_rounds(view)
    scored: list[tuple[float, int, Action, str | None, float, tuple[Term, ...], tuple[Term, ...]]]
    scored = []
    for order, (action, requires, ends, fixed, targets) in enumerate(_groups(sc, team_id)):
        top = None
        for target, on_success, on_failure in targets:
            if requires is not None and not requires(ctx, team_id, target):
                continue
            p = odds(ctx, sc, action, team_id, target) if fixed is None else fixed
            u = p * _worth(on_success, beliefs) + (1 - p) * _worth(on_failure, beliefs)
            if ends:
                u -= p * v.agreement_loss(ends, view, beliefs, remaining)
            if top is None or u > top[0]:
                top = (u, order, action, target, p, on_success, on_failure)
        if top is not None:
            scored.append(top)
    scored.sort(key=lambda m: (-m[0], m[1]))
    out = []
    for rank, (u, _order, action, target, p, on_success, on_failure) in enumerate(scored[:k]):
        gains = _changes(view, on_success, beliefs, lang, good=True)
        losses = _changes(view, on_failure, beliefs, lang, good=False)
        out.append(Move(action, target, p, u, voice(team, action.instrument, rank), gains, losses))
    return out


def _worth(plan: tuple[Term, ...], beliefs: Any) -> float:
    total = 0.0
    for term in plan:
        old = beliefs[term.i]
        new = term.amount if term.absolute else old + term.amount
        new = term.lo if new < term.lo else term.hi if new > term.hi else new
        total += term.weight * (new - old)
    return total


def _changes(
    view: View, plan: tuple[Term, ...], beliefs: Any, lang: str, *, good: bool, most: int = 2
) -> tuple[str, ...]:
    """The changes of ``plan`` to variables the team can see, in words: those that serve
    the team (``good``) or cost it, largest first. Hidden variables are never named."""
    sc = view.sc
    found: list[tuple[float, str]] = []
    for term in plan:
        var = sc.vars[term.i]
        if not view.sees_var(var):
            continue
        old = beliefs[term.i]
        absolute, amount = term.absolute, term.amount
        new = amount if absolute else old + amount
        new = term.lo if new < term.lo else term.hi if new > term.hi else new
        worth = term.weight * (new - old)
        if (worth <= 0) if good else (worth >= 0):
            continue
        label = localize(var.label, lang)
        if var.team is not None:
            label = f"{label} ({sc.actor_name(var.team, lang)})"
        if absolute:
            words = t("advice.change.set", lang, label=label, amount=fmt(new))
        else:
            key = "advice.change.up" if new > old else "advice.change.down"
            words = t(key, lang, label=label, amount=fmt(abs(new - old)))
        found.append((abs(worth), words))
    found.sort(key=lambda f: -f[0])
    return tuple(words for _, words in found[:most])


def percent(p: float) -> str:
    """Odds as the team room shows them: rounded to 5, a band and not a promise."""
    return f"{round(p * 20) * 5}%"


def advice(view: View, lang: str) -> str:
    """The team's three best moves in plain words, one paragraph a move."""
    sc, team_id = view.sc, view.seat.team
    assert team_id is not None, "advice is for a team's seat"
    team = sc.team[team_id]
    moves = best_moves(view, lang)
    if not moves:
        return t("advice.none", lang)
    spec = view.state.current_round
    in_action = view.state.round_open and spec is not None and spec.kind == "action"
    lines = [t("advice.head.action" if in_action else "advice.head.later", lang)]
    sep = t("advice.sep", lang)
    for rank, m in enumerate(moves, start=1):
        label = localize(m.action.label, lang)
        if m.target is not None:
            label = t("advice.target", lang, action=label, target=sc.actor_name(m.target, lang))
        parts = [
            t(
                "advice.move",
                lang,
                rank=rank,
                advisor=advisor_name(team, m.advisor, lang),
                action=label,
                words=estimative(m.p, lang),
                p=percent(m.p),
            )
        ]
        if m.gains:
            parts.append(t("advice.gains", lang, changes=sep.join(m.gains)))
        if m.losses:
            parts.append(t("advice.losses", lang, changes=sep.join(m.losses)))
        if not m.gains and not m.losses:
            parts.append(t("advice.unseen", lang))
        if m.utility > 1e-9:
            parts.append(t("advice.expect.good", lang))
        elif m.utility < -1e-9:
            parts.append(t("advice.expect.bad", lang))
        else:
            parts.append(t("advice.expect.small", lang))
        lines.append(("" if lang == "ja" else " ").join(parts))  # Japanese needs no spaces
    if moves[0].utility <= sc.hold_value:
        lines.append(t("advice.hold", lang))
    return "\n".join(lines)


# -- a model advisor's prompt ------------------------------------------------------------


def advisor_messages(view: View, advisor: int | None, question: str, lang: str) -> Messages:
    """The prompt of a model advisor: made from the team's view and nothing else (its brief
    and objectives, the world as it sees it, its story, its options, its own analysis)."""
    sc, team_id = view.sc, view.seat.team
    assert team_id is not None, "advice is for a team's seat"
    team = sc.team[team_id]
    expertise = (
        localize(team.advisors[advisor].expertise, lang)
        if advisor is not None and 0 <= advisor < len(team.advisors)
        else "—"
    )
    system = t(
        "llm.system.advisor",
        lang,
        advisor=advisor_name(team, advisor, lang),
        team=sc.actor_name(team_id, lang),
        title=localize(sc.title, lang),
        expertise=expertise,
        language=t(f"llm.lang.{lang}", lang),
    )
    options = []
    for action_id, targets in available_actions(view):
        a = sc.action[action_id]
        names = ", ".join("—" if x is None else sc.actor_name(x, lang) for x in targets)
        options.append(
            f"- {localize(a.label, lang)} ({t(f'instrument.{a.instrument}', lang)}): {names}"
        )
    teams = ", ".join(sc.actor_name(x, lang) for x in sc.team_ids)
    user = "\n\n".join(
        [
            f"# {t('llm.scenario', lang)}\n{localize(sc.summary, lang)}",
            f"{t('llm.teams', lang)}: {teams}",
            _team_part(view, lang),
            *_cards(view, lang),
            f"# {t('llm.situation', lang)}\n{_now(view, lang)}\n{_world(view, lang)}",
            f"# {t('llm.story', lang)}\n{_story(view, lang)}",
            f"# {t('llm.options', lang)}\n" + ("\n".join(options) or "—"),
            f"# {t('llm.heuristic_view', lang)}\n{advice(view, lang)}",
            f"# {t('llm.question', lang)}\n{question}",
            t("llm.answer", lang, schema=json.dumps(ADVICE_SCHEMA, ensure_ascii=False)),
        ]
    )
    return (("system", system), ("user", user))


def answer_of(text: str) -> str:
    """The advisor's answer from a model's JSON reply (the raw text if it is not JSON)."""
    try:
        data = json.loads(text)
    except ValueError:
        return text.strip()
    if isinstance(data, dict) and isinstance(data.get("answer"), str):
        return str(data["answer"]).strip()
    return text.strip()


__all__ = [
    "ADVICE_SCHEMA",
    "MOVES",
    "Move",
    "advice",
    "advisor_messages",
    "advisor_name",
    "answer_of",
    "best_moves",
    "voice",
]
