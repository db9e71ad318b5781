"""A game told round by round, in English or Japanese, from its events.

Pure: events and scenario in, lines of Rich markup out. The narrator reads a
list of events already filtered by a view, so it tells each audience only what
that audience may know.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from typing import Any

from rich.markup import escape

from whitecell.engine import events as ev
from whitecell.i18n import t
from whitecell.scenario.compiled import Action, Scenario, localize


def fmt(value: float | bool) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    value = value + 0.0  # -0.0 (a noisy estimate rounded at zero) reads as 0
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def pct(p: float) -> str:
    return f"{p * 100:.0f}%"


def odds_words(p: float, lang: str) -> str:
    """How likely an action was judged to succeed, in plain words (Kent's bands)."""
    if p >= 0.87:
        key = "narrate.odds.almost_certain"
    elif p >= 0.63:
        key = "narrate.odds.likely"
    elif p >= 0.40:
        key = "narrate.odds.even"
    elif p >= 0.20:
        key = "narrate.odds.unlikely"
    else:
        key = "narrate.odds.almost_certainly_not"
    return t(key, lang)


def clock_time(deadline: str) -> str:
    """A deadline as people read a clock: 14:35 (UTC, the round clock's time)."""
    try:
        when = dt.datetime.fromisoformat(deadline)
    except ValueError:
        return deadline
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    return when.strftime("%H:%M")


def time_left(seconds: float, lang: str) -> str:
    """Time left on the round clock: minutes, or seconds under a minute."""
    if seconds >= 60:
        return t("clock.minutes", lang, n=round(seconds / 60))
    return t("clock.seconds", lang, n=round(seconds))


def pause_text(e: ev.GamePaused, lang: str) -> str:
    """A pause, with what the round clock had left when it stopped."""
    if e.remaining is None:
        return t("game.paused", lang)
    if e.remaining <= 0:
        return t("game.paused_time_up", lang)
    return t("game.paused_clock", lang, left=time_left(e.remaining, lang))


def resume_text(e: ev.GameResumed, lang: str) -> str:
    """A resumption, with when the round clock now runs out."""
    if e.deadline is None:
        return t("game.resumed", lang)
    return t("game.resumed_clock", lang, time=clock_time(e.deadline))


def clock_text(e: ev.ClockSet, lang: str) -> str:
    """The white cell moving the round clock."""
    if e.deadline is not None:
        return t("clock.extended", lang, time=clock_time(e.deadline))
    return t("clock.extended_paused", lang, left=time_left(e.remaining or 0.0, lang))


def _sentence(text: str, lang: str) -> str:
    """``text`` ending as a sentence ends in ``lang``."""
    text = text.rstrip()
    if lang == "ja":
        return text if text.endswith(("。", "!", "?", "!", "?", ".")) else text + "。"
    return text if text.endswith((".", "!", "?", "…")) else text + "."


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
        self.channels: dict[str, ev.ChannelOpened] = {}
        self.paused_left: float | None = None
        self.vague = False  # an action was told as "an action": this reader never heard of it

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

    def action_label(self, action: str, description: str) -> str:
        """A catalogue action's label, or "free-form: what it attempts"."""
        spec = self.sc.action.get(action)
        if spec is not None:
            return self.label(spec.label)
        return f"{t('action.free', self.lang)}: {escape(description)}"

    def action_named(self, uid: str) -> str:
        """A submitted action this audience knows of, by what it does (and to whom)."""
        sub = self.submitted.get(uid)
        if sub is None:
            self.vague = True
            return t("narrate.an_action", self.lang)
        target = t("action.target", self.lang, target=self.name(sub.target)) if sub.target else ""
        return self.action_label(sub.action, sub.description) + target

    def channel(self, e: ev.MessageSent) -> str:
        """Where a message into a channel went: a team's own chat, or a channel's name and
        members (its audience, when this reader never saw the channel open)."""
        lang = self.lang
        assert e.channel is not None
        if e.channel.startswith("team:"):
            return t("talks.team_chat", lang, team=self.name(e.channel.removeprefix("team:")))
        opened = self.channels.get(e.channel)
        members = self.teams(opened.members if opened is not None else e.audience)
        if opened is not None and opened.name.strip():
            return t("talks.channel", lang, name=escape(opened.name), members=members)
        return t("talks.channel_of", lang, members=members)

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
        self.say(f"[dim]{t('game.seed', lang, commitment=e.seed_commitment[:8])}[/dim]")

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
        to = self.channel(e) if e.channel is not None else self.teams(e.to)
        line = t("talks.message", self.lang, sender=self.name(e.sender), to=to, text=escape(e.text))
        self.say(line, 1)

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
        action = self.action_named(e.uid)
        key = "argument.for" if e.side == "for" else "argument.against"
        text = t(key, self.lang, team=self.name(e.team), action=action, text=escape(e.text))
        self.say(text, 1)

    def on_channel_opened(self, e: ev.ChannelOpened) -> None:
        self.channels[e.channel] = e
        members = self.teams(e.members)
        if e.name.strip():
            line = t("channel.opened", self.lang, members=members, name=escape(e.name))
        else:
            line = t("channel.opened_unnamed", self.lang, members=members)
        self.say(line, 1)

    def on_intelligence_leaked(self, e: ev.IntelligenceLeaked) -> None:
        what, leaked_round = describe_leak(self.sc, self.lang, e.leaked, self)
        line = t("leak.head", self.lang, teams=self.teams(e.teams), round=leaked_round, what=what)
        self.say(f"[magenta]{line}[/magenta]", 1)

    def on_action_withdrawn(self, e: ev.ActionWithdrawn) -> None:
        line = t(
            "action.withdrawn", self.lang, team=self.name(e.team), action=self.action_named(e.uid)
        )
        self.say(_sentence(line, self.lang), 1)

    def on_action_voided(self, e: ev.ActionVoided) -> None:
        lang = self.lang
        action = self.action_named(e.uid)
        reason = t("narrate.game_ended", lang) if e.reason == ev.GAME_ENDED else escape(e.reason)
        if reason.strip():
            line = t(
                "action.voided_why", lang, team=self.name(e.team), action=action, reason=reason
            )
        else:  # the reason is for the acting team
            line = t("action.voided", lang, team=self.name(e.team), action=action)
        self.say(_sentence(line, lang), 1)

    def on_actions_resolved(self, e: ev.ActionsResolved) -> None:
        lang = self.lang
        if e.left:
            line = t("rules.resolved_left", lang, count=len(e.resolved), left=len(e.left))
        else:
            line = t("rules.resolved", lang, count=len(e.resolved))
        self.say(f"[dim]{line}[/dim]", 1)

    def on_game_paused(self, e: ev.GamePaused) -> None:
        self.say(f"[dim]{pause_text(e, self.lang)}[/dim]")

    def on_game_resumed(self, e: ev.GameResumed) -> None:
        self.say(f"[dim]{resume_text(e, self.lang)}[/dim]")

    def on_clock_set(self, e: ev.ClockSet) -> None:
        self.say(f"[dim]{clock_text(e, self.lang)}[/dim]")

    def on_game_revealed(self, e: ev.GameRevealed) -> None:
        self.say(f"[dim]{t('game.revealed_all', self.lang)}[/dim]")

    def on_agent_seated(self, e: ev.AgentSeated) -> None:
        key = "agent.seated" if e.seated else "agent.unseated"
        self.say(f"[dim]{t(key, self.lang, team=self.name(e.team))}[/dim]", 1)

    def advisor(self, team: str, index: int | None) -> str:
        advisors = self.sc.team[team].advisors if team in self.sc.team else ()
        if index is None or not 0 <= index < len(advisors):
            return t("advice.staff", self.lang)
        return localize(advisors[index].name, self.lang)

    def on_advisors_asked(self, e: ev.AdvisorsAsked) -> None:
        if e.question:
            who, question = escape(self.advisor(e.team, e.advisor)), escape(e.question)
            line = t(
                "advice.asked", self.lang, team=self.name(e.team), advisor=who, question=question
            )
        else:
            line = t("advice.asked_moves", self.lang, team=self.name(e.team))
        self.say(f"[blue]{line}[/blue]", 1)

    def on_advice_given(self, e: ev.AdviceGiven) -> None:
        who = escape(self.advisor(e.team, e.advisor))
        if e.source == "heuristic":  # the three best moves: each names its advisor
            line = t("advice.moves_given", self.lang, team=self.name(e.team), text=escape(e.text))
        else:
            key = "advice.unavailable" if e.source == "unavailable" else "advice.answered"
            line = t(key, self.lang, advisor=who, text=escape(e.text))
        self.say(f"[blue]{line}[/blue]", 1)

    def on_advisors_set(self, e: ev.AdvisorsSet) -> None:
        state = "on" if e.enabled else "off"
        scope = "all" if e.number is None else "round"
        line = t(f"advice.set.{state}_{scope}", self.lang, team=self.name(e.team), number=e.number)
        self.say(f"[dim]{line}[/dim]", 1)

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
                self.say(t("narrate.held", self.lang, agreement=rec, hazard=pct(e.threshold)), 1)
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
        self.say(
            t(
                "action.line",
                lang,
                team=f"[bold]{self.name(sub.team)}[/bold]",
                action=self.action_label(sub.action, sub.description),
                instrument=t(f"instrument.{sub.instrument}", lang),
                secret=secret,
                target=target,
            ),
            1,
        )
        a = self.assessed.get(e.uid)
        roll = self.rolled.get(e.uid)
        if a is not None and roll is not None:
            self.say(self.judged(a, spec, e.success), 2)
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

    def judged(self, a: ev.ActionAssessed, spec: Action | None, success: bool) -> str:
        """How the odds were judged, and why, then how the dice fell: "The adjudicators
        judged it likely to succeed (75%). The dice fell against it: it failed." """
        lang = self.lang
        why = [
            f"{self.label(spec.modifiers[i].note)} ({'+' if add >= 0 else '−'}{pct(abs(add))})"
            for i, add in a.modifiers
            if spec is not None and 0 <= i < len(spec.modifiers)
        ]
        if a.rationale.strip():
            why.append(escape(a.rationale.strip()))
        key = "narrate.judged.rules" if a.method == "rules" else "narrate.judged.people"
        judged = t(key, lang, words=odds_words(a.probability, lang), p=pct(a.probability))
        mark = "、" if lang == "ja" else "; "
        odds = t("narrate.why", lang, judged=judged, why=mark.join(why)) if why else judged
        if success:
            dice = f"[green]{t('narrate.dice.success', lang)}[/green]"
        else:
            dice = f"[red]{t('narrate.dice.failure', lang)}[/red]"
        return _sentence(odds, lang) + ("" if lang == "ja" else " ") + dice

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
            hazard = pct(roll.threshold) if roll else "?"
            line = t("agreement.broken.hazard", lang, agreement=agreement, hazard=hazard)
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

    def on_game_forked(self, e: ev.GameForked) -> None:
        said = t("game.forked", self.lang, commitment=e.seed_commitment[:8], forced=len(e.forced))
        self.say(f"[dim]{said}[/dim]")

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
    ev.ActionWithdrawn: Narrator.on_action_withdrawn,
    ev.ActionVoided: Narrator.on_action_voided,
    ev.ActionsResolved: Narrator.on_actions_resolved,
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
    ev.GamePaused: Narrator.on_game_paused,
    ev.GameResumed: Narrator.on_game_resumed,
    ev.ClockSet: Narrator.on_clock_set,
    ev.GameRevealed: Narrator.on_game_revealed,
    ev.GameEnded: Narrator.on_game_ended,
    ev.GameForked: Narrator.on_game_forked,
    ev.AdvisorsAsked: Narrator.on_advisors_asked,
    ev.AdviceGiven: Narrator.on_advice_given,
    ev.AdvisorsSet: Narrator.on_advisors_set,
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


def describe_leak(
    scenario: Scenario, lang: str, leaked: str, known: Narrator | None = None
) -> tuple[str, int | str]:
    """A leaked event in words (Rich markup), as its recipients read it, and its round.

    ``known`` is the reader's narrator so far: what it already knows of the actions the
    leaked event names (a leak of an outcome reads as the outcome, told with its action).
    """
    try:
        event = ev.event_from_dict(json.loads(leaked))
    except (ValueError, ev.EventFormatError):
        return t("leak.unreadable", lang), "?"
    what = leak_words(scenario, lang, event, known, vague=True)
    return _sentence(what or t("leak.other", lang, seq=event.seq), lang), event.round


def leak_words(
    scenario: Scenario,
    lang: str,
    event: ev.Event,
    known: Narrator | None = None,
    vague: bool = False,
) -> str | None:
    """An event passed on as intelligence, in its recipients' words; None when they could
    not tell what it was about: an event whose story needs what they never saw, or (unless
    ``vague``, which tells it of "an action") anything about an action they never heard of
    (its odds, roll, arguments, withdrawal). The white cell is offered only what reads well."""
    sub = Narrator(scenario, lang)
    if known is not None:
        sub.submitted = dict(known.submitted)
        sub.assessed = dict(known.assessed)
        sub.rolled = dict(known.rolled)
        sub.agreement_kinds = dict(known.agreement_kinds)
        sub.channels = dict(known.channels)
    what: str | None
    if isinstance(event, ev.ActionSubmitted):
        sub.submitted[event.uid] = event
        key = "leak.secret_action" if event.secret else "leak.action"
        what = t(key, lang, team=sub.name(event.team), action=sub.action_named(event.uid))
    elif isinstance(event, ev.ActionAssessed):
        what = t("leak.odds", lang, action=sub.action_named(event.uid), p=pct(event.probability))
    elif isinstance(event, ev.DiceRolled) and event.purpose == "action":
        key = "leak.roll_success" if event.success else "leak.roll_failure"
        what = t(key, lang, action=sub.action_named(event.subject))
    else:
        try:
            sub.on(event)
        except (KeyError, IndexError, ValueError):  # about something this reader never saw
            return None
        told = [line.strip() for line in sub.lines if line.strip()]
        what = " ".join(told) if told else None
    return None if sub.vague and not vague else what


def narrate(scenario: Scenario, events: Iterable[ev.Event], lang: str = "en") -> list[str]:
    """Lines of Rich markup telling the game in ``lang``."""
    n = Narrator(scenario, lang)
    for e in events:
        n.on(e)
    return n.lines
