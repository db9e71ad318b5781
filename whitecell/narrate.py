"""A game told round by round, in English or Japanese, from its events.

Pure: events and scenario in, lines of Rich markup out. The narrator reads a
list of events already filtered by a view, so it tells each audience only what
that audience may know.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

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

    # -- events ----------------------------------------------------------
    def on(self, e: ev.Event) -> None:
        lang = self.lang
        if isinstance(e, ev.GameStarted):
            self.say(f"[bold]{self.label(self.sc.title)}[/bold]")
            self.say(f"[dim]{t('game.seed', lang, commitment=e.seed_commitment[:16] + '…')}[/dim]")
        elif isinstance(e, ev.RoundOpened):
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
        elif isinstance(e, ev.ActionSubmitted):
            self.submitted[e.uid] = e
        elif isinstance(e, ev.ActionAssessed):
            self.assessed[e.uid] = e
        elif isinstance(e, ev.DiceRolled):
            self.on_roll(e)
        elif isinstance(e, ev.OutcomeApplied):
            self.on_outcome(e)
        elif isinstance(e, ev.IntelligenceReport):
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
                f"[magenta]{t('intel.report', lang, team=self.name(e.team), items=items)}"
                "[/magenta]",
                2,
            )
        elif isinstance(e, ev.MessageSent):
            self.say(
                t(
                    "talks.message",
                    lang,
                    sender=self.name(e.sender),
                    to=self.teams(e.to),
                    text=escape(e.text),
                ),
                1,
            )
        elif isinstance(e, ev.ProposalTabled):
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
        elif isinstance(e, ev.ProposalSigned):
            self.say(t("talks.signed", lang, team=self.name(e.team)), 2)
        elif isinstance(e, ev.ProposalAccepted):
            self.say(t("talks.accepted", lang, team=self.name(e.team)), 2)
        elif isinstance(e, ev.ProposalRejected):
            key = "talks.rejected_reason" if e.reason else "talks.rejected"
            self.say(t(key, lang, team=self.name(e.team), reason=escape(e.reason)), 2)
        elif isinstance(e, ev.AgreementSigned):
            self.agreement_kinds[e.uid] = e.agreement
            self.track(e.changes)
            agreement = self.label(self.sc.agreements[e.agreement].label)
            line = t("talks.in_force", lang, agreement=agreement, parties=self.teams(e.parties))
            self.say(f"[bold green]{line}[/bold green]", 1)
        elif isinstance(e, ev.AgreementBroken):
            self.track(e.changes)
            self.on_broken(e)
        elif isinstance(e, ev.InjectFired):
            self.track(e.changes)
            inject = self.sc.inject.get(e.inject)
            head = (
                t("news.label", lang)
                if "*" in e.audience
                else t("news.private", lang, teams=self.teams(e.audience))
            )
            text = self.label(inject.news) if inject is not None else escape(e.news)
            self.say(f"[yellow]{head}: {text}[/yellow]", 1)
        elif isinstance(e, ev.NewsPublished):
            self.say(
                f"[yellow]{t('news.label', lang)}: {escape(e.text)}[/yellow]", 2 if e.about else 1
            )
        elif isinstance(e, ev.StatementPublished):
            self.say(t("statement.line", lang, team=self.name(e.team), text=escape(e.text)), 1)
        elif isinstance(e, ev.ResultReported):
            self.say(t("result.line", lang, team=self.name(e.team), text=escape(e.text)), 2)
        elif isinstance(e, ev.ArgumentMade):
            sub = self.submitted.get(e.uid)
            spec = self.sc.action.get(sub.action) if sub else None
            action = self.label(spec.label) if spec else e.uid
            key = "argument.for" if e.side == "for" else "argument.against"
            self.say(t(key, lang, team=self.name(e.team), action=action, text=escape(e.text)), 1)
        elif isinstance(e, ev.ChannelOpened):
            line = t("channel.opened", lang, members=self.teams(e.members), name=escape(e.name))
            self.say(line, 1)
        elif isinstance(e, ev.IntelligenceLeaked):
            self.say(t("leak.line", lang, source=e.source, teams=self.teams(e.teams)), 1)
        elif isinstance(e, ev.GamePaused | ev.GameResumed | ev.GameRevealed):
            key = {
                "game_paused": "game.paused",
                "game_resumed": "game.resumed",
                "game_revealed": "game.revealed_all",
            }[e.type]
            self.say(f"[dim]{t(key, lang)}[/dim]")
        elif isinstance(e, ev.AgentSeated):
            key = "agent.seated" if e.seated else "agent.unseated"
            self.say(f"[dim]{t(key, lang, team=self.name(e.team))}[/dim]", 1)
        elif isinstance(e, ev.UpkeepApplied):
            self.track(e.changes)
        elif isinstance(e, ev.DynamicApplied):
            self.track(e.changes)
            rule = next((r for r in self.sc.dynamics if r.id == e.rule), None)
            if rule is not None and rule.news is not None:
                who = self.sc.actor_name(e.team, lang) if e.team else ""
                self.say(f"[cyan]{escape(story(localize(rule.news, lang), lang, who))}[/cyan]", 1)
        elif isinstance(e, ev.RoundClosed):
            self.on_round_closed(e)
        elif isinstance(e, ev.GameEnded):
            self.on_end(e)

    def on_roll(self, e: ev.DiceRolled) -> None:
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

    def on_outcome(self, e: ev.OutcomeApplied) -> None:
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

    def on_broken(self, e: ev.AgreementBroken) -> None:
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

    def on_end(self, e: ev.GameEnded) -> None:
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


def narrate(scenario: Scenario, events: Iterable[ev.Event], lang: str = "en") -> list[str]:
    """Lines of Rich markup telling the game in ``lang``."""
    n = Narrator(scenario, lang)
    for e in events:
        n.on(e)
    return n.lines
