"""A game's after-action review as plain data, read through one seat's ``view``.

Pure: a parsed log in, a :class:`GameReport` out. The control report reads
through the white cell's seat; the public one through the observer's, so the
fog of war in a report is the engine's fog of war and nothing decides it twice.
Renderers (HTML, Markdown, PDF) only lay this data out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text

from whitecell.engine import events as ev
from whitecell.engine.dice import commitment
from whitecell.engine.evolve import evolve
from whitecell.engine.log import GameLog
from whitecell.engine.seats import CONTROL, OBSERVER
from whitecell.engine.state import new_state
from whitecell.engine.view import View
from whitecell.escalation import KINDS, escalation_index, player_kinds
from whitecell.i18n import estimative, t
from whitecell.narrate import (
    clock_text,
    describe_leak,
    fmt,
    pause_text,
    pct,
    resume_text,
    story,
)
from whitecell.scenario.compiled import Scenario, localize
from whitecell.turning import describe, swing_text

DECISIVE_SHOWN = 6
_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$")  # linked as it is, in HTML and Markdown


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class ActionEntry:
    uid: str
    team: str
    team_id: str
    label: str
    instrument: str
    target: str | None
    secret: bool
    rationale: str = ""  # the team's case to the adjudicators
    probability: float | None = None
    words: str = ""
    method: str = ""  # rules | human | llm | matrix
    suggested: float | None = None
    modifiers: list[tuple[str, str]] = field(default_factory=list)  # (signed odds, note)
    ruling: str = ""  # the adjudicator's rationale
    roll: float | None = None
    success: bool | None = None
    edited: bool = False
    narrative: str = ""
    changes: list[Change] = field(default_factory=list)
    results: list[str] = field(default_factory=list)  # private results reported to the team
    arguments: list[tuple[str, str, str, bool]] = field(
        default_factory=list
    )  # team, side, text, strong


@dataclass
class RuleEntry:
    label: str  # the rule, and the team it applied to
    news: str
    changes: list[Change]


@dataclass
class CardEntry:
    title: str
    body: str
    facts: list[tuple[str, str]]  # (name, value)
    audience: str
    source: str  # "title, author (date) url", or ""
    url: str


@dataclass
class RoundEntry:
    number: int
    kind: str
    label: str
    dates: str
    venue: str
    actions: list[ActionEntry] = field(default_factory=list)
    talks: list[str] = field(default_factory=list)  # proposals, counters, signatures
    injects: list[tuple[str, str]] = field(default_factory=list)  # (label, news)
    rules: list[RuleEntry] = field(default_factory=list)  # dynamics rules that applied
    news: list[str] = field(default_factory=list)  # news, statements, intelligence
    control: list[str] = field(default_factory=list)  # hazard rolls, pauses, leaks
    messages: int = 0
    model_calls: int = 0
    model_tokens: int = 0
    changes: list[Change] = field(default_factory=list)


@dataclass
class AgreementLife:
    label: str
    clauses: str
    parties: str
    signed_round: int
    broken_round: int | None
    in_force: bool
    ended_by: str  # who or what broke it ("" while in force)


@dataclass
class Decisive:
    round: int
    text: str
    changes: list[Change]
    bears_on: str  # the outcomes it moved
    weight: float


@dataclass
class Series:
    key: str
    label: str
    family: str  # the variable's base name: per-team variables share one chart
    family_label: str
    team: str  # the team's name for a per-team variable, else ""
    unit: str
    lo: float
    hi: float
    values: list[float]  # start, then the end of each round played
    is_flag: bool


@dataclass
class TeamEntry:
    id: str
    name: str
    automated: bool
    public_objectives: list[str]
    private_objectives: list[str] | None  # None: not shown to this audience


@dataclass
class EscalationRow:
    """One line of the escalation index: a team's (or all teams') index of each round."""

    name: str
    colour: str  # the team's colour ("" for all teams)
    kind: str  # who chose the team's actions: human | heuristic | model (mixed: joined)
    values: list[float]
    total: float


@dataclass
class EscalationEntry:
    """The escalation index of the game as this audience may know it (see
    :mod:`whitecell.escalation`): the teams' rows, then all teams'."""

    rounds: list[str]  # R1, R2...
    rows: list[EscalationRow]
    overall: EscalationRow
    ladder: list[tuple[str, float, int]]  # (rung's label, weight, actions counted on it)
    by_kind: list[tuple[str, float, int]]  # (kind, mean index per team and round, teams)
    unscored: int
    partial: bool  # secret actions this audience may not read are left out


@dataclass
class GameReport:
    lang: str
    audience: str
    scenario_id: str
    title: str
    summary: str
    digest: str
    start_date: str
    end_date: str
    teams: list[TeamEntry]
    seed_commitment: str
    seed: int | None
    seed_matches: bool | None
    verdict: str  # what verify_log said, or why it could not run
    ended: bool
    revealed: bool
    rounds: list[RoundEntry]
    agreements: list[AgreementLife]
    outcomes: list[tuple[str, str]]
    decisive: list[Decisive]
    series: list[Series]
    round_labels: list[str]  # x axis of the series: start, R1, R2...
    relations: list[list[tuple[int, int]]]  # [actor][target] -> (actions, successes)
    relation_teams: list[str]
    events: int
    cards: list[CardEntry] = field(default_factory=list)
    escalation: EscalationEntry | None = None
    debrief: DebriefEntry | None = None  # forks' answers; None: the effect-size ranking


@dataclass
class TurningEntry:
    round: int
    text: str  # who did what, how it came out
    swing: str  # the outcome after what happened and the other way, in words
    size: float  # the swing, 0..1 (the bar's length)


@dataclass
class ForecastLine:
    label: str  # the outcome's
    points: list[tuple[float, float, float]]  # (p, ci_low, ci_high) at start, after R1...


@dataclass
class DebriefEntry:
    """The counterfactual turning points, the forecast over the rounds, and how typical
    the game was: what ``whitecell.debrief`` measured, in the report's language."""

    turning: list[TurningEntry]
    forks: int
    seed: int
    forecast_rounds: list[str]
    forecast: list[ForecastLine]
    forecast_runs: int
    typical: list[str]


class _Reader:
    """Walks the seat's events in order and files each under its round."""

    def __init__(self, log: GameLog, view: View, lang: str) -> None:
        self.sc: Scenario = log.scenario
        self.view = view
        self.lang = lang
        self.rounds: dict[int, RoundEntry] = {}
        self.actions: dict[str, ActionEntry] = {}
        self.agreements: dict[str, AgreementLife] = {}
        self.kinds: dict[str, str] = {}  # agreement uid -> kind
        self.commitment = ""
        self.seed: int | None = None
        self.outcomes: list[tuple[str, str]] = []

    # -- names -------------------------------------------------------------
    def name(self, who: str | None) -> str:
        return "—" if who is None else self.sc.actor_name(who, self.lang)

    def label(self, text: object) -> str:
        return localize(text, self.lang)  # type: ignore[arg-type]

    def names(self, ids: tuple[str, ...] | list[str]) -> str:
        return self.sep.join(self.name(x) for x in ids)

    @property
    def sep(self) -> str:
        return "、" if self.lang == "ja" else ", "

    def clauses(self, ids: tuple[str, ...]) -> str:
        return self.sep.join(self.label(self.sc.clauses[c].label) for c in ids)

    def var_label(self, key: str) -> str:
        var = self.sc.var[key]
        base = self.label(var.label)
        return f"{base} ({self.name(var.team)})" if var.team else base

    def changes(self, changes: ev.Changes) -> list[Change]:
        out = []
        for key, old, new in changes:
            if self.sc.var[key].is_flag:
                yes, no = t("game.yes", self.lang), t("game.no", self.lang)
                out.append(Change(self.var_label(key), yes if old else no, yes if new else no))
            else:
                out.append(Change(self.var_label(key), fmt(old), fmt(new)))
        return out

    def round(self, number: int) -> RoundEntry:
        entry = self.rounds.get(number)
        if entry is None:
            entry = self.rounds[number] = self._new_round(number)
        return entry

    def _new_round(self, number: int) -> RoundEntry:
        lang = self.lang
        if not 1 <= number <= len(self.sc.rounds):
            return RoundEntry(number, "", "", "", "")
        spec = self.sc.rounds[number - 1]
        return RoundEntry(
            number=number,
            kind=t(f"round.kind.{spec.kind}", lang),
            label=self.label(spec.label),
            dates="",
            venue=self.label(spec.venue) if spec.venue else "",
        )

    # -- events: one reader per event type (the table _READERS below) ---------
    def read(self, e: ev.Event) -> None:
        handler = _READERS.get(type(e))
        if handler is not None:  # the events in LEFT_OUT have no place in the report
            handler(self, e)

    def on_game_started(self, e: ev.GameStarted) -> None:
        self.commitment = e.seed_commitment

    def on_round_opened(self, e: ev.RoundOpened) -> None:
        spec = self.sc.rounds[e.round - 1]
        end = dt.date.fromisoformat(e.date) + spec.duration
        amount, unit = spec.duration_text[:-1], spec.duration_text[-1]
        duration = t(f"duration.{unit}", self.lang, n=amount)
        self.round(e.round).dates = t(
            "round.dates", self.lang, start=e.date, end=end.isoformat(), duration=duration
        )

    def on_action_submitted(self, e: ev.ActionSubmitted) -> None:
        spec = self.sc.action.get(e.action)
        label = (
            self.label(spec.label) if spec else f"{t('action.free', self.lang)}: {e.description}"
        )
        entry = ActionEntry(
            uid=e.uid,
            team=self.name(e.team),
            team_id=e.team,
            label=label,
            instrument=t(f"instrument.{e.instrument}", self.lang),
            target=self.name(e.target) if e.target else None,
            secret=e.secret,
            rationale=e.rationale,
        )
        self.actions[e.uid] = entry
        self.round(e.round).actions.append(entry)

    def on_action_assessed(self, e: ev.ActionAssessed) -> None:
        entry = self.actions.get(e.uid)
        if entry is None:
            return
        spec = self.sc.action.get(self.view.state.actions[e.uid].action)
        entry.probability = e.probability
        entry.words = estimative(e.probability, self.lang)
        entry.method = e.method
        entry.suggested = e.suggested
        entry.ruling = e.rationale
        if e.method == "matrix":  # the "modifiers" are the arguments counted as strong
            strong = {i for i, _ in e.modifiers}
            entry.arguments = [
                (team, side, text, k in strong)
                for k, (team, side, text, _) in enumerate(entry.arguments)
            ]
            entry.modifiers = []
            return
        entry.modifiers = [
            (f"{'+' if add >= 0 else '−'}{abs(add) * 100:.0f}%", self.label(spec.modifiers[i].note))
            for i, add in e.modifiers
            if spec is not None and 0 <= i < len(spec.modifiers)
        ]

    def on_dice_rolled(self, e: ev.DiceRolled) -> None:
        if e.purpose == "action":
            entry = self.actions.get(e.subject)
            if entry is not None:
                entry.roll = e.value
            return
        lang = self.lang
        if e.purpose == "hazard":
            kind = self.kinds.get(e.subject)
            agreement = self.label(self.sc.agreements[kind].label) if kind else e.subject
            key = "report.hazard.broke" if e.success else "agreement.held"
            line = t(
                key, lang, agreement=agreement, roll=f"{e.value:.2f}", hazard=f"{e.threshold:.2f}"
            )
        elif e.purpose == "inject":
            inject = self.sc.inject.get(e.subject)
            line = t(
                "report.inject_roll",
                lang,
                inject=self.label(inject.label) if inject else e.subject,
                roll=f"{e.value:.2f}",
                chance=pct(e.threshold),
                result=t("action.success" if e.success else "action.failure", lang),
            )
        elif e.purpose == "dynamic":
            rule_id, _, team = e.subject.partition(".")
            line = t(
                "report.rule_roll",
                lang,
                rule=self.rule_label(rule_id, team or None),
                roll=f"{e.value:.2f}",
                chance=pct(e.threshold),
                result=t("action.success" if e.success else "action.failure", lang),
            )
        else:
            line = t("report.intel_roll", lang, subject=e.subject, roll=f"{e.value:.2f}")
        self.round(e.round).control.append(line)

    def on_outcome_applied(self, e: ev.OutcomeApplied) -> None:
        entry = self.actions.get(e.uid)
        if entry is None:
            return
        entry.success = e.success
        entry.edited = e.edited
        entry.changes = self.changes(e.changes)
        record = self.view.state.actions[e.uid]
        spec = self.sc.action.get(record.action)
        if spec is not None and not e.edited:
            text = spec.narrative_success if e.success else spec.narrative_failure
            entry.narrative = story(
                self.label(text),
                self.lang,
                self.name(record.team),
                self.name(record.target) if record.target else "",
            )

    def on_argument_made(self, e: ev.ArgumentMade) -> None:
        entry = self.actions.get(e.uid)
        if entry is not None:
            entry.arguments.append((self.name(e.team), e.side, e.text, False))

    def on_model_fell_back(self, e: ev.ModelFellBack) -> None:
        self.round(e.round).control.append(
            t("report.model_fallback", self.lang, seat=self.seat_name(e.subject), reason=e.reason)
        )

    def on_model_called(self, e: ev.ModelCalled) -> None:
        self.round(e.round).model_calls += 1
        self.round(e.round).model_tokens += e.prompt_tokens + e.completion_tokens

    def seat_name(self, subject: str) -> str:
        team = subject.removeprefix("team:")
        return self.name(team) if team in self.sc.team else t("report.adjudicator", self.lang)

    def on_result_reported(self, e: ev.ResultReported) -> None:
        entry = self.actions.get(e.uid)
        if entry is not None:
            entry.results.append(e.text)

    def rule_label(self, rule_id: str, team: str | None) -> str:
        rule = next((r for r in self.sc.dynamics if r.id == rule_id), None)
        label = self.label(rule.label) if rule is not None else rule_id
        return f"{label} ({self.name(team)})" if team else label

    def on_dynamic_applied(self, e: ev.DynamicApplied) -> None:
        rule = next((r for r in self.sc.dynamics if r.id == e.rule), None)
        news = ""
        if rule is not None and rule.news is not None:
            news = story(self.label(rule.news), self.lang, self.name(e.team) if e.team else "")
        self.round(e.round).rules.append(
            RuleEntry(self.rule_label(e.rule, e.team), news, self.changes(e.changes))
        )

    def on_inject_fired(self, e: ev.InjectFired) -> None:
        if e.inject in self.sc.inject:
            spec = self.sc.inject[e.inject]
            item = (self.label(spec.label), self.label(spec.news))
        else:
            item = (t("report.adhoc_inject", self.lang), e.news)
        self.round(e.round).injects.append(item)

    def on_news_published(self, e: ev.NewsPublished) -> None:
        self.round(e.round).news.append(e.text)

    def on_statement_published(self, e: ev.StatementPublished) -> None:
        self.round(e.round).news.append(
            t("statement.line", self.lang, team=self.name(e.team), text=e.text)
        )

    def on_intelligence_report(self, e: ev.IntelligenceReport) -> None:
        items = self.sep.join(
            t(
                "intel.exact" if exact else "intel.noisy",
                self.lang,
                label=self.var_label(k),
                value=fmt(v),
            )
            for k, v, exact in e.estimates
        )
        self.round(e.round).news.append(
            t("intel.report", self.lang, team=self.name(e.team), items=items)
        )

    def on_intelligence_leaked(self, e: ev.IntelligenceLeaked) -> None:
        what = Text.from_markup(describe_leak(self.sc, self.lang, e.leaked)[0]).plain
        self.round(e.round).control.append(
            t("report.leak", self.lang, teams=self.names(e.teams), what=what)
        )

    def set_aside(self, uid: str) -> ActionEntry | None:
        """Take a withdrawn or voided action out of its round's actions: it never happened."""
        entry = self.actions.pop(uid, None)
        if entry is not None:
            for r in self.rounds.values():
                if entry in r.actions:
                    r.actions.remove(entry)
        return entry

    def on_action_withdrawn(self, e: ev.ActionWithdrawn) -> None:
        entry = self.set_aside(e.uid)
        if entry is not None:
            line = t("report.withdrawn", self.lang, team=entry.team, action=entry.label)
            self.round(e.round).control.append(line)

    def on_action_voided(self, e: ev.ActionVoided) -> None:
        entry = self.set_aside(e.uid)
        if entry is None:
            return
        line = t("report.void", self.lang, team=entry.team, action=entry.label)
        reason = t("narrate.game_ended", self.lang) if e.reason == ev.GAME_ENDED else e.reason
        self.round(e.round).control.append(f"{line} — {reason}" if reason.strip() else line)

    def on_clock_set(self, e: ev.ClockSet) -> None:
        self.round(e.round).control.append(clock_text(e, self.lang))

    def on_message_sent(self, e: ev.MessageSent) -> None:
        self.round(e.round).messages += 1

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
        self.round(e.round).talks.append(line)

    def on_proposal_accepted(self, e: ev.ProposalAccepted) -> None:
        self.round(e.round).talks.append(t("talks.accepted", self.lang, team=self.name(e.team)))

    def on_proposal_rejected(self, e: ev.ProposalRejected) -> None:
        key = "talks.rejected_reason" if e.reason else "talks.rejected"
        line = t(key, self.lang, team=self.name(e.team), reason=e.reason)
        self.round(e.round).talks.append(line)

    def on_proposal_signed(self, e: ev.ProposalSigned) -> None:
        self.round(e.round).talks.append(t("talks.signed", self.lang, team=self.name(e.team)))

    def on_agreement_signed(self, e: ev.AgreementSigned) -> None:
        label = self.label(self.sc.agreements[e.agreement].label)
        self.kinds[e.uid] = e.agreement
        self.round(e.round).talks.append(
            t("talks.in_force", self.lang, agreement=label, parties=self.names(e.parties))
        )
        self.agreements[e.uid] = AgreementLife(
            label=label,
            clauses=self.clauses(e.clauses),
            parties=self.names(e.parties),
            signed_round=e.round,
            broken_round=None,
            in_force=True,
            ended_by="",
        )

    def on_agreement_broken(self, e: ev.AgreementBroken) -> None:
        lang = self.lang
        label = self.label(self.sc.agreements[e.agreement].label)
        if e.cause == "action":
            who = self.name(e.culprit) if e.culprit else t("report.unknown_culprit", lang)
            line = t("agreement.broken.action", lang, agreement=label, culprit=who)
        elif e.cause == "inject":
            who = (
                self.label(self.sc.inject[e.source].label)
                if e.source in self.sc.inject
                else e.source
            )
            line = t("agreement.broken.inject", lang, agreement=label, inject=who)
        else:
            who = t("report.breakdown", lang)
            line = t("report.broken.hazard", lang, agreement=label)
        self.round(e.round).talks.append(line)
        life = self.agreements.get(e.uid)
        if life is not None:
            life.in_force = False
            life.broken_round = e.round
            life.ended_by = who

    def on_game_paused(self, e: ev.GamePaused) -> None:
        self.round(e.round).control.append(pause_text(e, self.lang))

    def on_game_resumed(self, e: ev.GameResumed) -> None:
        self.round(e.round).control.append(resume_text(e, self.lang))

    def on_agent_seated(self, e: ev.AgentSeated) -> None:
        key = "agent.seated" if e.seated else "agent.unseated"
        self.round(e.round).control.append(t(key, self.lang, team=self.name(e.team)))

    def advisor(self, team: str, index: int | None) -> str:
        advisors = self.sc.team[team].advisors if team in self.sc.team else ()
        if index is None or not 0 <= index < len(advisors):
            return t("advice.staff", self.lang)
        return self.label(advisors[index].name)

    def on_advisors_asked(self, e: ev.AdvisorsAsked) -> None:
        """A team's question to its advisors (only control's report reads it)."""
        team = self.name(e.team)
        if e.question:
            who = self.advisor(e.team, e.advisor)
            line = t("advice.asked", self.lang, team=team, advisor=who, question=e.question)
        else:
            line = t("advice.asked_moves", self.lang, team=team)
        self.round(e.round).control.append(line)

    def on_advice_given(self, e: ev.AdviceGiven) -> None:
        text = " ".join(e.text.split())
        if e.source == "heuristic":  # the three best moves: each names its advisor
            line = t("advice.moves_given", self.lang, team=self.name(e.team), text=text)
        else:
            key = "advice.unavailable" if e.source == "unavailable" else "advice.answered"
            line = t(key, self.lang, advisor=self.advisor(e.team, e.advisor), text=text)
        self.round(e.round).control.append(line)

    def on_advisors_set(self, e: ev.AdvisorsSet) -> None:
        key = f"advice.set.{'on' if e.enabled else 'off'}_{'all' if e.number is None else 'round'}"
        line = t(key, self.lang, team=self.name(e.team), number=e.number)
        self.round(e.round).control.append(line)

    def on_game_ended(self, e: ev.GameEnded) -> None:
        self.seed = e.seed
        outcome = {o.id: o for o in self.sc.outcomes}
        for key, value in e.outcomes:
            if isinstance(value, bool):
                shown = t("game.yes" if value else "game.no", self.lang)
            else:
                shown = fmt(value)
            self.outcomes.append((self.label(outcome[key].label), shown))


# Where each event goes in the report, by its exact class. Every event type is either
# here or in LEFT_OUT; tests/report/test_aar_coverage.py checks that none is forgotten.
_READERS: dict[type[ev.Event], Callable[[_Reader, Any], None]] = {
    ev.GameStarted: _Reader.on_game_started,
    ev.RoundOpened: _Reader.on_round_opened,
    ev.ActionSubmitted: _Reader.on_action_submitted,
    ev.ActionWithdrawn: _Reader.on_action_withdrawn,
    ev.ActionVoided: _Reader.on_action_voided,
    ev.ActionAssessed: _Reader.on_action_assessed,
    ev.DiceRolled: _Reader.on_dice_rolled,
    ev.OutcomeApplied: _Reader.on_outcome_applied,
    ev.ArgumentMade: _Reader.on_argument_made,
    ev.ResultReported: _Reader.on_result_reported,
    ev.IntelligenceReport: _Reader.on_intelligence_report,
    ev.MessageSent: _Reader.on_message_sent,
    ev.StatementPublished: _Reader.on_statement_published,
    ev.ProposalTabled: _Reader.on_proposal_tabled,
    ev.ProposalAccepted: _Reader.on_proposal_accepted,
    ev.ProposalRejected: _Reader.on_proposal_rejected,
    ev.ProposalSigned: _Reader.on_proposal_signed,
    ev.AgreementSigned: _Reader.on_agreement_signed,
    ev.AgreementBroken: _Reader.on_agreement_broken,
    ev.DynamicApplied: _Reader.on_dynamic_applied,
    ev.InjectFired: _Reader.on_inject_fired,
    ev.NewsPublished: _Reader.on_news_published,
    ev.IntelligenceLeaked: _Reader.on_intelligence_leaked,
    ev.AgentSeated: _Reader.on_agent_seated,
    ev.GamePaused: _Reader.on_game_paused,
    ev.GameResumed: _Reader.on_game_resumed,
    ev.ClockSet: _Reader.on_clock_set,
    ev.ModelCalled: _Reader.on_model_called,
    ev.ModelFellBack: _Reader.on_model_fell_back,
    ev.GameEnded: _Reader.on_game_ended,
    ev.AdvisorsAsked: _Reader.on_advisors_asked,
    ev.AdviceGiven: _Reader.on_advice_given,
    ev.AdvisorsSet: _Reader.on_advisors_set,
}

# The events the report leaves out of its rounds on purpose, and why.
LEFT_OUT: dict[type[ev.Event], str] = {
    ev.GameForked: "a fork's mark: the report's verification line names both seeds",
    ev.RoundClosed: "a round's dates come from its opening; its changes from the variables",
    ev.UpkeepApplied: "what agreements cost each round shows in the round's changes",
    ev.ChannelOpened: "the report counts messages; who talks to whom in which room it leaves out",
    ev.OddsEstimated: "a blind estimate is an adjudicator's working note; the ruling is shown",
    ev.ActionAssigned: "who rules on an action is the white cell's routing, not the game",
    ev.ActionDrafted: "a draft is a team's private note; only what it submits happened",
    ev.ProposalDrafted: "a draft is a team's private note; only what it tables happened",
    ev.GameRevealed: "the report says whether all was revealed (``revealed``), not when",
    ev.ActionsResolved: "each action resolved by the rules is shown with its odds, roll and "
    "outcome; the white cell's summary of the ruling adds nothing to them",
}


def _series(log: GameLog, view: View, lang: str) -> tuple[list[Series], list[str]]:
    """Every variable this audience may see, at the start and at the end of each round.

    The values come from the full fold, not from the events the audience saw: a public
    variable moved by a secret action has still moved, and everyone can read it."""
    sc = log.scenario
    state = new_state(sc, None)
    snapshots: list[list[float]] = [list(state.v)]
    current = 0
    for e in log.events:
        if e.round > current:
            if current:
                snapshots.append(list(state.v))
            current = e.round
        evolve(state, e)
    if current:
        snapshots.append(list(state.v))
    labels = [t("report.start", lang)] + [f"R{n}" for n in range(1, len(snapshots))]
    out = []
    for var in sc.vars:
        if not view.sees_var(var):
            continue
        label = localize(var.label, lang)
        if var.team:
            label = f"{label} ({sc.actor_name(var.team, lang)})"
        out.append(
            Series(
                key=var.key,
                label=label,
                family=var.base,
                family_label=localize(var.label, lang),
                team=sc.actor_name(var.team, lang) if var.team else "",
                unit=localize(var.unit, lang) if var.unit else "",
                lo=var.lo,
                hi=var.hi,
                values=[snap[var.index] for snap in snapshots],
                is_flag=var.is_flag,
            )
        )
    return out, labels


def _decisive(log: GameLog, view: View, reader: _Reader) -> list[Decisive]:
    """The rolls and decisions that moved what the outcomes read, largest first.

    A change's weight is its share of the variable's range; signing or breaking an
    agreement, or an inject firing, that an outcome names outright weighs a whole range.
    """
    sc = log.scenario
    lang = reader.lang
    reads: dict[str, list[str]] = {}
    named: dict[str, list[str]] = {}  # "agreements.X" / "injects.Y" -> outcome labels
    for o in sc.outcomes:
        label = localize(o.label, lang)
        for key in o.value.reads:
            reads.setdefault(key, []).append(label)
        for kind in sc.agreements:
            if f"agreements.{kind}." in o.value.source:
                named.setdefault(f"agreements.{kind}", []).append(label)
        for inject in sc.inject:
            if f"injects.{inject}" in o.value.source:
                named.setdefault(f"injects.{inject}", []).append(label)
    found: list[Decisive] = []
    for e in view.events():
        changes: ev.Changes = getattr(e, "changes", ()) or ()
        weight = 0.0
        touched: list[str] = []
        for key, old, new in changes:
            if key in reads:
                var = sc.var[key]
                span = (var.hi - var.lo) or 1.0
                weight += abs(new - old) / span
                touched += reads[key]
        if isinstance(e, ev.AgreementSigned | ev.AgreementBroken):
            touched_now = named.get(f"agreements.{e.agreement}", [])
            weight += 1.0 if touched_now else 0.0
            touched += touched_now
        if isinstance(e, ev.InjectFired):
            touched_now = named.get(f"injects.{e.inject}", [])
            weight += 1.0 if touched_now else 0.0
            touched += touched_now
        if weight <= 0 or not isinstance(
            e,
            ev.OutcomeApplied
            | ev.AgreementSigned
            | ev.AgreementBroken
            | ev.InjectFired
            | ev.DynamicApplied,
        ):
            continue
        text = _decision_text(e, reader)
        bears = reader.sep.join(dict.fromkeys(touched))
        found.append(Decisive(e.round, text, reader.changes(changes), bears, round(weight, 4)))
    found.sort(key=lambda d: -d.weight)
    return found[:DECISIVE_SHOWN]


def _decision_text(e: ev.Event, reader: _Reader) -> str:
    lang = reader.lang
    if isinstance(e, ev.OutcomeApplied):
        a = reader.actions[e.uid]
        result = t("action.success" if e.success else "action.failure", lang)
        if a.probability is not None and a.roll is not None:
            odds = t("report.odds_roll", lang, p=pct(a.probability), roll=f"{a.roll:.2f}")
            return f"{a.team} — {a.label}: {result} ({odds})"
        return f"{a.team} — {a.label}: {result}"
    if isinstance(e, ev.AgreementSigned):
        label = reader.label(reader.sc.agreements[e.agreement].label)
        return t("talks.in_force", lang, agreement=label, parties=reader.names(e.parties))
    if isinstance(e, ev.AgreementBroken):
        life = reader.agreements.get(e.uid)
        label = reader.label(reader.sc.agreements[e.agreement].label)
        return t("report.broken_by", lang, agreement=label, by=life.ended_by if life else "—")
    if isinstance(e, ev.DynamicApplied):
        return t("report.rule_applied", lang, rule=reader.rule_label(e.rule, e.team))
    assert isinstance(e, ev.InjectFired)
    if e.inject in reader.sc.inject:
        return t("report.inject_fired", lang, inject=reader.label(reader.sc.inject[e.inject].label))
    return t("report.inject_fired", lang, inject=t("report.adhoc_inject", lang))


def _relations(view: View, reader: _Reader) -> list[list[tuple[int, int]]]:
    """Who aimed how many actions at whom, and how many succeeded (as this audience knows)."""
    ids = list(reader.sc.team_ids)
    where = {team: i for i, team in enumerate(ids)}
    grid = [[(0, 0) for _ in ids] for _ in ids]
    for a in view.actions():
        if a.target in where and a.team in where and a.taken:
            n, k = grid[where[a.team]][where[a.target]]
            grid[where[a.team]][where[a.target]] = (n + 1, k + (1 if a.success else 0))
    return grid


# the teams' colours, as the rooms show them (t0..t7 in the scenario's order)
TEAM_COLOURS = (
    "#8a2c36",
    "#1f4d94",
    "#2a6649",
    "#6f3a8c",
    "#8a5300",
    "#236a75",
    "#5a4b1c",
    "#9b3469",
)


def _escalation(log: GameLog, view: View, reader: _Reader) -> EscalationEntry | None:
    """The escalation index over the actions this audience may know about: a secret-keeping
    report never counts a secret action (``View.actions`` leaves them out)."""
    sc = log.scenario
    if not sc.scores_escalation:
        return None
    state = view.state
    played = state.round
    actions = view.actions()
    index = escalation_index(sc, actions, played)
    kinds = player_kinds(log.events)
    team_kinds: dict[str, list[str]] = {}
    for rec in actions:
        kind = kinds.get(rec.uid)
        if kind is not None and rec.taken and kind not in team_kinds.setdefault(rec.team, []):
            team_kinds[rec.team].append(kind)
    labels = [f"R{n}" for n in range(1, played + 1)]
    rows = []
    for i, team in enumerate(sc.team_ids):
        values = list(index.per_team[team])
        rows.append(
            EscalationRow(
                name=reader.name(team),
                colour=TEAM_COLOURS[i % len(TEAM_COLOURS)],
                kind="+".join(team_kinds.get(team, [])),
                values=values,
                total=sum(values),
            )
        )
    overall = EscalationRow(
        t("report.escalation.all", reader.lang), "", "", list(index.overall), index.total
    )
    action_rounds = [r for r in range(played) if sc.rounds[r].kind == "action"]
    by_kind = []
    for kind in KINDS:
        teams = [team for team in sc.team_ids if team_kinds.get(team) == [kind]]
        cells = [index.per_team[team][r] for team in teams for r in action_rounds]
        if cells:
            by_kind.append((kind, sum(cells) / len(cells), len(teams)))
    return EscalationEntry(
        rounds=labels,
        rows=rows,
        overall=overall,
        ladder=[
            (localize(level.label, reader.lang), level.weight, index.rungs.get(level.id, 0))
            for level in sc.ladder
        ],
        by_kind=by_kind,
        unscored=index.unscored,
        partial=not view.omniscient,
    )


def _cards(view: View, reader: _Reader) -> list[CardEntry]:
    """The reference cards this audience may read."""
    lang = reader.lang
    out = []
    for card in view.cards():
        if card.public:
            audience = t("report.card.audience.public", lang)
        elif card.teams:
            audience = t("report.card.audience.teams", lang, teams=reader.names(card.teams))
        else:
            audience = t("report.card.audience.adjudicators", lang)
        src = card.source
        out.append(
            CardEntry(
                title=localize(card.title, lang),
                body=localize(card.body, lang),
                facts=[(name, fmt(value)) for name, value in card.facts],
                audience=audience,
                source="" if src is None else f"{src.title}, {src.author} ({src.date})",
                url="" if src is None or not _SAFE_URL.match(src.url) else src.url,
            )
        )
    return out


def _debrief(log: GameLog, view: View, reader: _Reader, found: dict[str, Any]) -> DebriefEntry:
    """The debrief's figures for this report's reader: only events its seat may see."""
    sc, lang = log.scenario, reader.lang
    seen = {e.seq for e in view.events()}
    turning: list[TurningEntry] = []
    done: set[int] = set()
    for entry in found["turning_points"]["turning_points"]:
        visible = entry["seq"] in seen or (
            entry["kind"] == "action" and entry["subject"] in reader.actions
        )
        if entry["seq"] in done or not visible or abs(entry["swing"]) < 0.005:
            continue
        done.add(entry["seq"])
        turning.append(
            TurningEntry(
                entry["round"],
                describe(sc, log.events, entry, lang),
                swing_text(sc, entry, lang),
                abs(entry["swing"]),
            )
        )
        if len(turning) == DECISIVE_SHOWN:
            break
    # forks see the whole game: a version that keeps secrets leaves the line out, since its
    # jumps would show when a secret move came off
    line = found["forecast_line"] if view.seat == CONTROL or view.revealed else []
    forecast = [
        ForecastLine(
            localize(o.label, lang),
            [
                (
                    p["outcomes"][o.id]["p"],
                    p["outcomes"][o.id]["ci_low"],
                    p["outcomes"][o.id]["ci_high"],
                )
                for p in line
            ],
        )
        for o in sc.headlines()
        if line and all(o.id in p["outcomes"] for p in line)
    ]
    rounds = [t("report.start", lang) if p["round"] == 0 else f"R{p['round']}" for p in line]
    typical = [
        t(
            "report.typical.line",
            lang,
            outcome=localize(next(o.label for o in sc.outcomes if o.id == x["outcome"]), lang),
            value=t("game.yes" if x["value"] else "game.no", lang),
            p=pct(x["p"]),
            low=pct(x["ci_low"]),
            high=pct(x["ci_high"]),
            runs=f"{x['runs']:,}",
        )
        for x in found["typical"]
    ]
    return DebriefEntry(
        turning,
        found["turning_points"]["forks"],
        found["seed"],
        rounds,
        forecast,
        found["forecast_runs"],
        typical,
    )


def build_game_report(
    log: GameLog,
    *,
    lang: str,
    audience: str,
    verdict: str,
    debrief: dict[str, Any] | None = None,
) -> GameReport:
    """``audience`` is "control" (everything), "debrief" (what an observer may read, with
    everything revealed once the game is) or "public" (what an observer may read while
    secrets are kept, even after the game revealed them: a version to hand out)."""
    sc = log.scenario
    state = new_state(sc, None)
    for e in log.events:
        evolve(state, e)
    seat = CONTROL if audience == "control" else OBSERVER
    view = View(state, seat, keep_secrets=audience == "public")
    reader = _Reader(log, view, lang)
    for e in view.events():
        reader.read(e)
    for number in range(1, state.round + 1):
        reader.round(number)
    series, round_labels = _series(log, view, lang)
    for s in series:
        for i, entry in enumerate(sorted(reader.rounds.values(), key=lambda r: r.number)):
            if i + 1 < len(s.values) and s.values[i] != s.values[i + 1]:
                entry.changes += reader.changes(((s.key, s.values[i], s.values[i + 1]),))
    teams = []
    as_dict = {d["id"]: d for d in view.to_dict(lang)["teams"]}
    for team in sc.teams:
        d = as_dict[team.id]
        teams.append(
            TeamEntry(
                id=team.id,
                name=d["name"],
                automated=team.id in state.agents,
                public_objectives=d["public_objectives"],
                private_objectives=d.get("private_objectives"),
            )
        )
    seed = reader.seed
    return GameReport(
        lang=lang,
        audience=audience,
        scenario_id=sc.id,
        title=localize(sc.title, lang),
        summary=localize(sc.summary, lang),
        digest=sc.digest,
        start_date=sc.start_date.isoformat(),
        end_date=str(state.date) if state.date else "",
        teams=teams,
        seed_commitment=reader.commitment,
        seed=seed,
        seed_matches=None if seed is None else commitment(seed) == reader.commitment,
        verdict=verdict,
        ended=state.ended,
        revealed=view.revealed,
        rounds=[reader.rounds[n] for n in sorted(reader.rounds) if n >= 1],
        agreements=list(reader.agreements.values()),
        outcomes=reader.outcomes,
        decisive=_decisive(log, view, reader),
        series=series,
        round_labels=round_labels,
        relations=_relations(view, reader),
        relation_teams=[reader.name(x) for x in sc.team_ids],
        events=len(view.events()),
        cards=_cards(view, reader),
        debrief=_debrief(log, view, reader, debrief) if debrief is not None else None,
        escalation=_escalation(log, view, reader),
    )
