"""Language models in the web app: team seats played by a model, and the desk's drafts.

A model's turn takes seconds, so it is thought out in a worker thread over a snapshot of
the game (the events up to the moment the turn began, folded into a fresh state) while
the game goes on; the hub then records the exchanges (control-only events) and plays the
turn's commands against the game as it is by then. A model server that does not answer
costs the turn, not the server: the heuristic understudy plays it and the log says why.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from whitecell.agents.language_model import Budget, LanguageModel, ModelUnavailable, Reply
from whitecell.agents.llm import ModelAdjudicator, ModelPlayer, Turn
from whitecell.agents.seating import checker
from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.engine.evolve import fold
from whitecell.engine.game import Game
from whitecell.engine.seats import ADJUDICATOR, team_seat
from whitecell.scenario.compiled import Scenario

SEAT_KINDS = ("heuristic", "llm")
MODEL_THREADS = 8  # model calls in flight at once, over all games
ADVISOR_TOKENS = 50_000  # tokens a team's model advisors may spend in a game, by default


@dataclass(frozen=True)
class ModelConfig:
    """The server's language model: one client for every game, and each game's budget."""

    model: LanguageModel
    max_tokens_per_game: int | None = None
    advisor_tokens_per_team: int | None = ADVISOR_TOKENS  # each team's advisors, per game

    @property
    def name(self) -> str:
        return str(getattr(self.model, "name", "model"))


class SharedBudget(Budget):
    """A game's budget, spent by several seats' turns in threads at once."""

    def __init__(self, limit: int | None) -> None:
        super().__init__(limit)
        self._lock = threading.Lock()

    def spend(self, reply: Reply) -> None:
        with self._lock:
            super().spend(reply)


def budget_from_log(limit: int | None, events: Sequence[ev.Event]) -> SharedBudget:
    """A game's budget as its log left it: what the models spent before a restart counts."""
    budget = SharedBudget(limit)
    for e in events:
        if isinstance(e, ev.ModelCalled):
            spent = e.prompt_tokens + e.completion_tokens
            budget.calls += 1
            budget.prompt += e.prompt_tokens
            budget.completion += e.completion_tokens
            budget.used += spent
            budget.largest = max(budget.largest, spent)
        elif isinstance(e, ev.ModelFellBack) and e.reason.startswith("token budget reached"):
            budget.announced.add(e.subject)
    return budget


def prompt_lang(sc: Scenario) -> str:
    """The language a model plays in: English when the scenario has it."""
    return "en" if "en" in sc.languages else sc.languages[0]


def snapshot(sc: Scenario, seed: int | None, events: Sequence[ev.Event]) -> Game:
    """A private copy of a game: the model's turn is thought out on it, off the event loop,
    while the live game goes on."""
    game = Game(sc, seed)
    fold(game.state, events)
    return game


def unavailable(exc: BaseException) -> str:
    if isinstance(exc, ModelUnavailable):
        return f"model server unavailable: {exc}"
    return f"model turn failed: {type(exc).__name__}: {exc}"


def team_turn(
    sc: Scenario,
    seed: int | None,
    events: Sequence[ev.Event],
    player: ModelPlayer,
    purpose: str,
    pid: str | None,
) -> Turn:
    """A model team's turn ("act", or "respond" to proposal ``pid``), in a worker thread.
    A server that cannot answer hands the turn to the heuristic understudy."""
    game = snapshot(sc, seed, events)
    view = game.view(team_seat(player.team))
    check = checker(game, player.lang)
    proposal = game.state.proposals.get(pid) if pid is not None else None
    try:
        if purpose == "act":
            return player.act(view, check)
        assert proposal is not None
        return player.respond(view, proposal, False, check)
    except Exception as exc:  # a model's failure must not stop the game
        reason = unavailable(exc)
    if purpose == "act":
        commands: list[cmd.Command] = list(player.understudy.choose_actions(view))
    else:
        assert proposal is not None
        commands = [player.understudy.respond(view, proposal, may_counter=False)]
    return Turn(player.subject, purpose, commands, [], reason)


def advise(
    sc: Scenario,
    seed: int | None,
    events: Sequence[ev.Event],
    model: LanguageModel,
    asked: ev.AdvisorsAsked,
) -> cmd.RecordAdvice:
    """A model advisor's answer to a team's question, in a worker thread: the prompt is
    made from the team's view of a snapshot of the game, and a server that cannot answer
    is recorded as such (the question still gets its answer event)."""
    from whitecell.agents.advisor import ADVICE_SCHEMA, advisor_messages, answer_of
    from whitecell.engine.seats import CONTROL

    game = snapshot(sc, seed, events)
    view = game.view(team_seat(asked.team))
    messages = advisor_messages(view, asked.advisor, asked.question, asked.lang)
    record = functools.partial(
        cmd.RecordAdvice, seat=CONTROL, question=asked.seq, advisor=asked.advisor
    )
    try:
        reply = model.complete(
            messages, ADVICE_SCHEMA, subject=f"team:{asked.team}", purpose="advise"
        )
    except Exception as exc:  # a model's failure must not stop the game
        return record(text=unavailable(exc)[: cmd.MAX_TEXT], source="unavailable")
    text = answer_of(reply.text)[: cmd.MAX_TEXT] or "…"
    return record(
        text=text,
        source="model",
        model=str(reply.model or getattr(model, "name", "model")),
        prompt_tokens=max(int(reply.prompt_tokens), 0),
        completion_tokens=max(int(reply.completion_tokens), 0),
    )


@dataclass
class Draft:
    """The model's draft assessment of one action, for the adjudicator to accept or change."""

    uid: str
    number: int  # drafts of one game, counted: names the desk's form fields
    probability: float | None  # None: the model gave none (see ``fallback``)
    rationale: str
    rules: float | None  # the rules' odds, when the rules have any
    fallback: str | None = None  # why there is no model draft
    by: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "probability": self.probability,
            "rationale": self.rationale,
            "suggested": self.rules,
            "fallback": self.fallback,
            "by": self.by,
        }


def draft_turn(
    sc: Scenario,
    seed: int | None,
    events: Sequence[ev.Event],
    adjudicator: ModelAdjudicator,
    uid: str,
) -> tuple[Turn, float | None]:
    """The model adjudicator's draft for ``uid`` and the rules' odds, in a worker thread."""
    from whitecell.adjudication.rules import assess_command

    game = snapshot(sc, seed, events)
    view = game.view(ADJUDICATOR)
    rec = game.state.actions[uid]
    rules = assess_command(view, rec) if rec.action in sc.action else None
    odds = rules.probability if rules is not None else None
    try:
        return adjudicator.assess(view, rec, checker(game, adjudicator.lang)), odds
    except Exception as exc:  # a model's failure must not stop the desk
        return Turn(adjudicator.subject, "assess", [], [], unavailable(exc)), odds


@dataclass
class Notice:
    """Something control should know about a model seat: a kind of notice and its values,
    worded by the control room's template in the reader's language."""

    kind: str  # unavailable | rejected | budget | refused | no_model
    team: str
    detail: str = ""


@dataclass
class ModelSeats:
    """One game's language-model state in the server."""

    kinds: dict[str, str] = field(default_factory=dict)  # team -> "llm" (else heuristic)
    players: dict[str, ModelPlayer] = field(default_factory=dict)
    budget: SharedBudget | None = None
    thinking: dict[str, int] = field(default_factory=dict)  # team -> turns in flight
    notices: list[Notice] = field(default_factory=list)
    drafts: dict[str, Draft] = field(default_factory=dict)
    drafted: int = 0

    def notify(self, notice: Notice, keep: int = 8) -> None:
        self.notices.append(notice)
        del self.notices[:-keep]


def notice_of(team: str, reason: str) -> Notice:
    """The notice for a turn the heuristic understudy played."""
    if reason.startswith(("model server unavailable", "model turn failed")):
        return Notice("unavailable", team, reason)
    if reason.startswith("token budget reached"):
        return Notice("budget", team, reason)
    return Notice("rejected", team, reason)


__all__ = [
    "ADVISOR_TOKENS",
    "SEAT_KINDS",
    "Draft",
    "ModelConfig",
    "ModelSeats",
    "Notice",
    "SharedBudget",
    "advise",
    "budget_from_log",
    "draft_turn",
    "notice_of",
    "prompt_lang",
    "team_turn",
]
