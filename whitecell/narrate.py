"""A game told round by round, in English or Japanese, from its events.

Pure: events and scenario in, lines of Rich markup out. The narrator reads a
list of events already filtered by a view, so it tells each audience only what
that audience may know.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from rich.markup import escape

from whitecell.engine import events as ev
from whitecell.i18n import estimative, t
from whitecell.scenario.compiled import Scenario, localize


def fmt(value: float | bool) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    value = value + 0.0  # -0.0 (a noisy estimate rounded at zero) reads as 0
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def pct(p: float) -> str:
    return f"{p * 100:.0f}%"


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def story(template: str, lang: str, actor: str, target: str = "") -> str:
    """Fill a scenario narrative; English possessives of plural names read "powers'"."""
    if lang == "en":
        template = template.replace("{actor}'s", _possessive(actor).replace("{", "{{"))
        template = template.replace("{target}'s", _possessive(target).replace("{", "{{"))
    return template.format(actor=actor, target=target)


class Narrator:
    def __init__(self, scenario: Scenario, lang: str) -> None:
        self.sc = scenario
        self.lang = lang
        self.values = {v.key: v.initial for v in scenario.vars}
        self.round_start: dict[str, float] = dict(self.values)
        self.submitted: dict[str, ev.ActionSubmitted] = {}
        self.assessed: dict[str, ev.ActionAssessed] = {}
        self.rolled: dict[str, ev.DiceRolled] = {}
        self.lines: list[str] = []
        self.agreement_kinds: dict[str, str] = {}
        self.last_hazard: ev.DiceRolled | None = None
        self.closed = False

    # -- names -----------------------------------------------------------
    def name(self, who: str | None) -> str:
        if who is None:
            return "—"
        return escape(self.sc.actor_name(who, self.lang))

    def label(self, text: object) -> str:
        return escape(localize(text, self.lang))  # type: ignore[arg-type]

    def var_label(self, key: str) -> str:
        var = self.sc.var[key]
        base = localize(var.label, self.lang)
        return escape(f"{base} ({self.sc.actor_name(var.team, self.lang)})" if var.team else base)

    def clauses(self, ids: Iterable[str]) -> str:
        return self.sep.join(self.label(self.sc.clauses[c].label) for c in ids)

    @property
    def sep(self) -> str:
        return "、" if self.lang == "ja" else ", "

    def teams(self, ids: Iterable[str]) -> str:
        return self.sep.join(self.name(x) for x in ids)

    def say(self, line: str, indent: int = 0) -> None:
        self.lines.append("  " * indent + line)

    def track(self, changes: ev.Changes) -> None:
        for key, _old, new in changes:
            self.values[key] = new

    # -- events: one teller per event type (the table _TELLERS below) ------
    def on(self, e: ev.Event) -> None:
        tell = _TELLERS.get(type(e))
        if tell is not None:  # the events in SILENT are not told
            tell(self, e)

    def on_game_started(self, e: ev.GameStarted) -> None:
        lang = self.lang
        self.say(f"[bold]{self.label(self.sc.title)}[/bold]")
        self.say(f"[dim]{t('game.seed', lang, commitment=e.seed_commitment[:16] + '…')}[/dim]")

    def on_round_opened(self, e: ev.RoundOpened) -> None:
        lang = self.lang
        self.summarise_round()
        spec = self.sc.rounds[e.round - 1]
        end = dt.date.fromisoformat(e.date) + spec.duration
        self.round_start = dict(self.values)
        self.say("")
        header = t(
            "round.header",
            lang,
            number=e.round,
            kind=t(f"round.kind.{e.kind}", lang),
            label=self.label(spec.label),
        )
        self.say(f"[bold cyan]━━ {header}[/bold cyan]")
        amount, unit = spec.duration_text[:-1], spec.duration_text[-1]
        duration = t(f"duration.{unit}", lang, n=amount)
        dates = t("round.dates", lang, start=e.date, end=end.isoformat(), duration=duration)
        self.say(f"[dim]{dates}[/dim]")
        if spec.venue:
            self.say(f"[dim]{t('round.venue', lang, venue=self.label(spec.venue))}[/dim]")

    def on_action_submitted(self, e: ev.ActionSubmitted) -> None:
        self.submitted[e.uid] = e  # told with its outcome

    def on_action_assessed(self, e: ev.ActionAssessed) -> None:
        self.assessed[e.uid] = e  # told with its outcome

    def on_intelligence_report(self, e: ev.IntelligenceReport) -> None:
        lang = self.lang
        items = self.sep.join(
            t(
                "intel.exact" if exact else "intel.noisy",
                lang,
                label=self.var_label(k),
                value=fmt(v),
            )
            for k, v, exact in e.estimates
        )
        self.say(
            f"[magenta]{t('intel.report', lang, team=self.name(e.team), items=items)}[/magenta]",
            2,
        )

    def on_message_sent(self, e: ev.MessageSent) -> None:
        self.say(
            t(
                "talks.message",
                self.lang,
                sender=self.name(e.sender),
                to=self.teams(e.to),
                text=escape(e.text),
            ),
            1,
        )

    def on_proposal_tabled(self, e: ev.ProposalTabled) -> None:
        lang = self.lang
        agreement = self.label(self.sc.agreements[e.agreement].label)
        if e.counter_to:
            line = t(
                "talks.countered",
                lang,
                sponsor=self.name(e.sponsor),
                clauses=self.clauses(e.clauses),
            )
        else:
            line = t(
                "talks.tabled",
                lang,
                sponsor=self.name(e.sponsor),
                agreement=agreement,
                clauses=self.clauses(e.clauses),
            )
        self.say(line, 1)

    def on_proposal_signed(self, e: ev.ProposalSigned) -> None:
        self.say(t("talks.signed", self.lang, team=self.name(e.team)), 2)

    def on_proposal_accepted(self, e: ev.ProposalAccepted) -> None:
        self.say(t("talks.accepted", self.lang, team=self.name(e.team)), 2)

    def on_proposal_rejected(self, e: ev.ProposalRejected) -> None:
        key = "talks.rejected_reason" if e.reason else "talks.rejected"
        self.say(t(key, self.lang, team=self.name(e.team), reason=escape(e.reason)), 2)

    def on_agreement_signed(self, e: ev.AgreementSigned) -> None:
        self.agreement_kinds[e.uid] = e.agreement
        self.track(e.changes)
        agreement = self.label(self.sc.agreements[e.agreement].label)
        line = t("talks.in_force", self.lang, agreement=agreement, parties=self.teams(e.parties))
        self.say(f"[bold green]{line}[/bold green]", 1)

    def on_inject_fired(self, e: ev.InjectFired) -> None:
        lang = self.lang
        self.track(e.changes)
        inject = self.sc.inject.get(e.inject)
        head = (
            t("news.label", lang)
            if "*" in e.audience
            else t("news.private", lang, teams=self.teams(e.audience))
        )
        text = self.label(inject.news) if inject is not None else escape(e.news)
        self.say(f"[yellow]{head}: {text}[/yellow]", 1)

    def on_news_published(self, e: ev.NewsPublished) -> None:
        news = t("news.label", self.lang)
        self.say(f"[yellow]{news}: {escape(e.text)}[/yellow]", 2 if e.about else 1)

    def on_statement_published(self, e: ev.StatementPublished) -> None:
        self.say(t("statement.line", self.lang, team=self.name(e.team), text=escape(e.text)), 1)

    def on_result_reported(self, e: ev.ResultReported) -> None:
        self.say(t("result.line", self.lang, team=self.name(e.team), text=escape(e.text)), 2)

    def on_argument_made(self, e: ev.ArgumentMade) -> None:
        sub = self.submitted.get(e.uid)
        spec = self.sc.action.get(sub.action) if sub else None
        action = self.label(spec.label) if spec else e.uid
        key = "argument.for" if e.side == "for" else "argument.against"
        text = t(key, self.lang, team=self.name(e.team), action=action, text=escape(e.text))
        self.say(text, 1)

    def on_channel_opened(self, e: ev.ChannelOpened) -> None:
        line = t("channel.opened", self.lang, members=self.teams(e.members), name=escape(e.name))
        self.say(line, 1)

    def on_intelligence_leaked(self, e: ev.IntelligenceLeaked) -> None:
        self.say(t("leak.line", self.lang, source=e.source, teams=self.teams(e.teams)), 1)

    def on_game_paused_resumed_or_revealed(
        self, e: ev.GamePaused | ev.GameResumed | ev.GameRevealed
    ) -> None:
        key = {
            "game_paused": "game.paused",
            "game_resumed": "game.resumed",
            "game_revealed": "game.revealed_all",
        }[e.type]
        self.say(f"[dim]{t(key, self.lang)}[/dim]")

    def on_agent_seated(self, e: ev.AgentSeated) -> None:
        key = "agent.seated" if e.seated else "agent.unseated"
        self.say(f"[dim]{t(key, self.lang, team=self.name(e.team))}[/dim]", 1)

    def on_upkeep_applied(self, e: ev.UpkeepApplied) -> None:
        self.track(e.changes)  # told in the round's changes

    def on_dynamic_applied(self, e: ev.DynamicApplied) -> None:
        lang = self.lang
        self.track(e.changes)
        rule = next((r for r in self.sc.dynamics if r.id == e.rule), None)
        if rule is not None and rule.news is not None:
            who = self.sc.actor_name(e.team, lang) if e.team else ""
            self.say(f"[cyan]{escape(story(localize(rule.news, lang), lang, who))}[/cyan]", 1)

    def on_dice_rolled(self, e: ev.DiceRolled) -> None:
        if e.purpose == "action":
            self.rolled[e.subject] = e
        elif e.purpose == "hazard" and not e.success:
            rec = self.agreement_kind(e.subject)
            if rec:
                self.say(
                    t(
                        "agreement.held",
                        self.lang,
                        agreement=rec,
                        roll=f"{e.value:.2f}",
                        hazard=f"{e.threshold:.2f}",
                    ),
                    1,
                )
        elif e.purpose == "hazard":
            self.last_hazard = e

    def agreement_kind(self, uid: str) -> str | None:
        kind = self.agreement_kinds.get(uid)
        return self.label(self.sc.agreements[kind].label) if kind else None

    def on_outcome_applied(self, e: ev.OutcomeApplied) -> None:
        lang = self.lang
        sub = self.submitted[e.uid]
        spec = self.sc.action.get(sub.action)
        target = t("action.target", lang, target=self.name(sub.target)) if sub.target else ""
        secret = t("action.secret", lang) if sub.secret else ""
        label = (
            self.label(spec.label)
            if spec
            else f"{t('action.free', lang)}: {escape(sub.description)}"
        )
        self.say(
            t(
                "action.line",
                lang,
                team=f"[bold]{self.name(sub.team)}[/bold]",
                action=label,
                instrument=t(f"instrument.{sub.instrument}", lang),
                secret=secret,
                target=target,
            ),
            1,
        )
        a = self.assessed.get(e.uid)
        roll = self.rolled.get(e.uid)
        if a is not None and roll is not None:
            mark = "、" if lang == "ja" else "; "
            notes = [
                f"{'+' if add >= 0 else '−'}{abs(add) * 100:.0f}% "
                f"{self.label(spec.modifiers[i].note)}"
                for i, add in a.modifiers
                if spec is not None and 0 <= i < len(spec.modifiers)
            ]
            if a.rationale:
                notes.append(escape(a.rationale))
            result = (
                f"[green]{t('action.success', lang)}[/green]"
                if e.success
                else f"[red]{t('action.failure', lang)}[/red]"
            )
            self.say(
                t(
                    "action.odds",
                    lang,
                    p=pct(a.probability),
                    words=estimative(a.probability, lang),
                    mods="".join(mark + n for n in notes),
                    roll=f"{roll.value:.2f}",
                    result=result,
                ),
                2,
            )
        if spec is not None and not e.edited:
            text = spec.narrative_success if e.success else spec.narrative_failure
            told = story(
                localize(text, lang),
                lang,
                self.sc.actor_name(sub.team, lang),
                self.sc.actor_name(sub.target, lang) if sub.target else "",
            )
            self.say(f"[italic]{escape(told)}[/italic]", 2)
        self.track(e.changes)

    def on_agreement_broken(self, e: ev.AgreementBroken) -> None:
        self.track(e.changes)
        lang = self.lang
        agreement = self.label(self.sc.agreements[e.agreement].label)
        if e.cause == "action":
            line = t(
                "agreement.broken.action", lang, agreement=agreement, culprit=self.name(e.culprit)
            )
        elif e.cause == "inject":
            line = t(
                "agreement.broken.inject",
                lang,
                agreement=agreement,
                inject=self.label(self.sc.inject[e.source].label),
            )
        else:
            roll = self.last_hazard
            line = t(
                "agreement.broken.hazard",
                lang,
                agreement=agreement,
                roll=f"{roll.value:.2f}" if roll else "?",
                hazard=f"{roll.threshold:.2f}" if roll else "?",
            )
        self.say(f"[bold red]{line}[/bold red]", 1)

    def on_round_closed(self, e: ev.RoundClosed) -> None:
        self.closed = True

    def summarise_round(self) -> None:
        """What the round changed, told once its closing events (injects, breakdowns) are in."""
        if not self.closed:
            return
        self.closed = False
        changed = [
            (k, self.round_start[k], v) for k, v in self.values.items() if v != self.round_start[k]
        ]
        if changed:
            items = self.sep.join(f"{self.var_label(k)} {fmt(a)}→{fmt(b)}" for k, a, b in changed)
            self.say(f"[dim]{t('changes.label', self.lang)}: {items}[/dim]", 1)

    def on_game_ended(self, e: ev.GameEnded) -> None:
        lang = self.lang
        self.summarise_round()
        self.say("")
        self.say(f"[bold]{t('game.outcomes', lang)}[/bold]")
        outcome = {o.id: o for o in self.sc.outcomes}
        for key, value in e.outcomes:
            shown = (
                (t("game.yes", lang) if value else t("game.no", lang))
                if isinstance(value, bool)
                else fmt(value)
            )
            self.say(f"{self.label(outcome[key].label)}: [bold]{shown}[/bold]", 1)
        self.say(f"[dim]{t('game.revealed', lang, seed=e.seed)}[/dim]")


# How each event is told, by its exact class. Every event type is either here or in
# SILENT; tests/test_narrate_coverage.py checks that none is forgotten.
_TELLERS: dict[type[ev.Event], Callable[[Narrator, Any], None]] = {
    ev.GameStarted: Narrator.on_game_started,
    ev.RoundOpened: Narrator.on_round_opened,
    ev.RoundClosed: Narrator.on_round_closed,
    ev.ActionSubmitted: Narrator.on_action_submitted,
    ev.ActionAssessed: Narrator.on_action_assessed,
    ev.DiceRolled: Narrator.on_dice_rolled,
    ev.OutcomeApplied: Narrator.on_outcome_applied,
    ev.IntelligenceReport: Narrator.on_intelligence_report,
    ev.ArgumentMade: Narrator.on_argument_made,
    ev.MessageSent: Narrator.on_message_sent,
    ev.ChannelOpened: Narrator.on_channel_opened,
    ev.StatementPublished: Narrator.on_statement_published,
    ev.ProposalTabled: Narrator.on_proposal_tabled,
    ev.ProposalAccepted: Narrator.on_proposal_accepted,
    ev.ProposalRejected: Narrator.on_proposal_rejected,
    ev.ProposalSigned: Narrator.on_proposal_signed,
    ev.AgreementSigned: Narrator.on_agreement_signed,
    ev.AgreementBroken: Narrator.on_agreement_broken,
    ev.UpkeepApplied: Narrator.on_upkeep_applied,
    ev.DynamicApplied: Narrator.on_dynamic_applied,
    ev.InjectFired: Narrator.on_inject_fired,
    ev.NewsPublished: Narrator.on_news_published,
    ev.ResultReported: Narrator.on_result_reported,
    ev.IntelligenceLeaked: Narrator.on_intelligence_leaked,
    ev.AgentSeated: Narrator.on_agent_seated,
    ev.GamePaused: Narrator.on_game_paused_resumed_or_revealed,
    ev.GameResumed: Narrator.on_game_paused_resumed_or_revealed,
    ev.GameRevealed: Narrator.on_game_paused_resumed_or_revealed,
    ev.GameEnded: Narrator.on_game_ended,
}

# The events the narrative leaves out on purpose, and why.
SILENT: dict[type[ev.Event], str] = {
    ev.OddsEstimated: "a blind estimate is an adjudicator's working note; the ruling is told",
    ev.ActionAssigned: "who rules on an action is the white cell's routing, not the story",
    ev.ActionDrafted: "a draft is a team's private note; only what it submits happened",
    ev.ProposalDrafted: "a draft is a team's private note; only what it tables happened",
    ev.ModelCalled: "a model's prompt and answer are a record for control, not a move",
    ev.ModelFellBack: "the move the fallback played is told; who played it is not the story",
}


def narrate(scenario: Scenario, events: Iterable[ev.Event], lang: str = "en") -> list[str]:
    """Lines of Rich markup telling the game in ``lang``."""
    n = Narrator(scenario, lang)
    for e in events:
        n.on(e)
    return n.lines
