"""Language-model players and adjudicators: ask, check, retry once, else fall back.

A model's answer is read into engine commands and checked by the same ``decide`` a
human's commands go through (``check`` tries them on a copy of the game). A wrong
answer is shown to the model with what was wrong, once; a second wrong answer, or a
spent token budget, hands the turn to the heuristic player (or the rule adjudicator),
and the turn says why so the game's log can record it. Pure: the model is passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from whitecell.adjudication.rules import assess_command
from whitecell.agents import orders, prompt
from whitecell.agents.heuristic import HeuristicAgent
from whitecell.agents.language_model import Budget, LanguageModel, Messages
from whitecell.engine import commands as cmd
from whitecell.engine.seats import ADJUDICATOR
from whitecell.engine.seats import CONTROL as _CONTROL
from whitecell.engine.state import ActionRecord, ProposalRecord
from whitecell.engine.view import View

Check = Callable[[Sequence[cmd.Command]], str | None]  # the first rule broken, or None


@dataclass(frozen=True)
class Exchange:
    """One call to the model, as the log records it."""

    attempt: int
    messages: Messages
    response: str
    prompt_tokens: int
    completion_tokens: int
    model: str
    error: str  # why the answer was not used ("" when it was)


@dataclass
class Turn:
    subject: str
    purpose: str
    commands: list[cmd.Command]
    exchanges: list[Exchange] = field(default_factory=list)
    fallback: str | None = None  # why the heuristic played this turn, if it did

    def records(self) -> list[cmd.Command]:
        """The control commands that keep this turn's exchanges (and fallback) in the log."""
        out: list[cmd.Command] = [
            cmd.RecordModelCall(
                seat=_CONTROL,
                subject=self.subject,
                purpose=self.purpose,
                model=x.model,
                attempt=x.attempt,
                messages=x.messages,
                response=x.response,
                prompt_tokens=x.prompt_tokens,
                completion_tokens=x.completion_tokens,
                error=x.error,
            )
            for x in self.exchanges
        ]
        if self.fallback:
            out.append(
                cmd.RecordFallback(
                    seat=_CONTROL, subject=self.subject, purpose=self.purpose, reason=self.fallback
                )
            )
        return out


def _converse(
    model: LanguageModel,
    budget: Budget,
    subject: str,
    purpose: str,
    messages: Messages,
    schema: dict[str, Any],
    read: Callable[[str], list[cmd.Command]],
    check: Check,
    lang: str,
) -> tuple[list[cmd.Command] | None, list[Exchange], str]:
    """(commands, exchanges, last error); commands is None when the model's turn failed."""
    exchanges: list[Exchange] = []
    error = ""
    for attempt in (1, 2):
        if budget.exhausted:
            return None, exchanges, "budget"
        reply = model.complete(messages, schema, subject=subject, purpose=purpose)
        budget.spend(reply)
        try:
            commands = read(reply.text)
            error = check(commands) or ""
        except orders.OrderError as exc:
            commands, error = [], str(exc)
        exchanges.append(
            Exchange(
                attempt,
                messages,
                reply.text,
                reply.prompt_tokens,
                reply.completion_tokens,
                reply.model,
                error,
            )
        )
        if not error:
            return commands, exchanges, ""
        messages = prompt.retry_messages(messages, reply.text, error, lang)
    return None, exchanges, error


def _why(error: str, budget: Budget, subject: str) -> str | None:
    """The fallback's reason, said once per seat for a spent budget."""
    if error == "budget":
        if subject in budget.announced:
            return None
        budget.announced.add(subject)
        return (
            f"token budget reached ({budget.used:,} of {budget.limit:,} tokens): "
            "the heuristic player finishes the game for this seat"
        )
    return f"model output rejected: {error}"


class ModelPlayer:
    """A team played by a language model, with the heuristic player as its understudy."""

    def __init__(
        self, team: str, model: LanguageModel, understudy: HeuristicAgent, budget: Budget, lang: str
    ) -> None:
        self.team = team
        self.subject = f"team:{team}"
        self.model = model
        self.understudy = understudy
        self.budget = budget
        self.lang = lang

    def act(self, view: View, check: Check) -> Turn:
        schema = orders.act_schema(view)
        messages = prompt.act_messages(view, schema, self.lang)
        commands, exchanges, error = _converse(
            self.model,
            self.budget,
            self.subject,
            "act",
            messages,
            schema,
            lambda text: orders.read_act(text, view),
            check,
            self.lang,
        )
        if commands is not None:
            return Turn(self.subject, "act", commands, exchanges)
        fallback: list[cmd.Command] = list(self.understudy.choose_actions(view))
        return Turn(
            self.subject, "act", fallback, exchanges, _why(error, self.budget, self.subject)
        )

    def respond(self, view: View, p: ProposalRecord, may_counter: bool, check: Check) -> Turn:
        schema = orders.respond_schema(view, p, may_counter)
        messages = prompt.respond_messages(view, p, schema, may_counter, self.lang)
        commands, exchanges, error = _converse(
            self.model,
            self.budget,
            self.subject,
            "respond",
            messages,
            schema,
            lambda text: [orders.read_respond(text, view, p, may_counter)],
            check,
            self.lang,
        )
        if commands is not None:
            return Turn(self.subject, "respond", commands, exchanges)
        fallback = [self.understudy.respond(view, p, may_counter=may_counter)]
        return Turn(
            self.subject, "respond", fallback, exchanges, _why(error, self.budget, self.subject)
        )


class ModelAdjudicator:
    """Odds from a language model, checked to lie in [0, 1]; the rules' odds otherwise."""

    subject = "adjudicator"

    def __init__(self, model: LanguageModel, budget: Budget, lang: str) -> None:
        self.model = model
        self.budget = budget
        self.lang = lang

    def assess(self, view: View, rec: ActionRecord, check: Check) -> Turn:
        assert view.seat == ADJUDICATOR
        rules = assess_command(view, rec)
        suggested = rules.probability if rules.method == "rules" else None
        schema = orders.assess_schema()
        messages = prompt.assess_messages(view, rec, suggested, schema, self.lang)

        def read(text: str) -> list[cmd.Command]:
            p, rationale = orders.read_assess(text)
            sc = view.sc
            return [
                cmd.Assess(
                    seat=ADJUDICATOR,
                    uid=rec.uid,
                    probability=min(max(p, sc.min_probability), sc.max_probability),
                    rationale=rationale,
                    method="llm",
                    suggested=suggested,
                )
            ]

        commands, exchanges, error = _converse(
            self.model,
            self.budget,
            self.subject,
            "assess",
            messages,
            schema,
            read,
            check,
            self.lang,
        )
        if commands is not None:
            return Turn(self.subject, "assess", commands, exchanges)
        return Turn(
            self.subject, "assess", [rules], exchanges, _why(error, self.budget, self.subject)
        )
