"""Live games in the server: the decide/append/evolve loop, wake-ups for streams, agents.

One :class:`LiveGame` per game holds the folded state in memory. Commands for a
game are handled one at a time under its lock: decide against the state, append
to the store (with the request's idempotency answer, in one transaction), then
fold the events into memory and wake every stream waiting on the game. Reads
never touch the database.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from anyio import to_thread

from whitecell.adjudication.rules import assess_command
from whitecell.agents.heuristic import HeuristicAgent
from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.engine.decide import decide
from whitecell.engine.errors import RuleViolation
from whitecell.engine.evolve import evolve
from whitecell.engine.game import Game
from whitecell.engine.seats import ADJUDICATOR, CONTROL, team_seat
from whitecell.engine.state import MAX_SEED
from whitecell.i18n import LANGUAGES
from whitecell.play import agent_rng
from whitecell.scenario.load import scenario_from_document
from whitecell.scenario.model import Scenario
from whitecell.store.sql import Conflict, Store


@dataclass
class Outcome:
    """What a command came to: an HTTP status and a JSON body."""

    status: int
    body: dict[str, Any]
    events: list[ev.Event] = field(default_factory=list)


def violation(
    message: str,
    code: str = "rule_violation",
    status: int = 409,
    messages: dict[str, str] | None = None,
) -> Outcome:
    """An error answer: ``message`` in English, and ``messages`` in each interface language
    (``{"en": ..., "ja": ...}``) when the error has them."""
    error: dict[str, Any] = {"code": code, "message": message}
    if messages is not None:
        error["messages"] = messages
    return Outcome(status, {"error": error})


def rule_violation(exc: RuleViolation) -> Outcome:
    """A rule's refusal, with its message in English and Japanese."""
    return violation(exc.message, messages={lang: exc.text(lang) for lang in LANGUAGES})


@dataclass
class LiveGame:
    id: str
    title: str
    game: Game
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # set when the game changes, then replaced: waiting streams need no lock to be woken
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    agents: dict[str, HeuristicAgent] = field(default_factory=dict)
    agent_turns: set[tuple[str, str]] = field(default_factory=set)  # (team, occasion) done

    @property
    def state(self) -> Any:
        return self.game.state

    @property
    def scenario(self) -> Scenario:
        return self.game.scenario


class Hub:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.games: dict[str, LiveGame] = {}
        self.listeners: list[Callable[[str, list[ev.Event]], None]] = []

    # -- loading and creating ------------------------------------------------
    def load_all(self) -> None:
        """Fold every stored game back into memory (after a restart)."""
        for row in self.store.games():
            scenario = scenario_from_document(row.scenario, f"game {row.id}")
            game = Game(scenario, row.seed)
            for event in self.store.events(row.id):
                evolve(game.state, event)
            live = LiveGame(row.id, row.title, game)
            self._seat_agents(live)
            # agents act under the lock of the command that gave them their turn, so every
            # turn up to now was taken before the server stopped: don't take them again
            for team in live.agents:
                live.agent_turns.update((team, f"round{r}") for r in range(1, game.state.round + 1))
                live.agent_turns.update((team, f"proposal{p}") for p in game.state.proposals)
            self.games[row.id] = live

    async def create(
        self, scenario: Scenario, title: str, created_by: str | None, seed: int | None = None
    ) -> LiveGame:
        game_id = secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")
        seed = secrets.randbelow(MAX_SEED) if seed is None else seed
        await to_thread.run_sync(
            lambda: self.store.create_game(
                game_id,
                dict(scenario.document),
                scenario.id,
                scenario.digest,
                seed,
                title,
                created_by,
            )
        )
        live = LiveGame(game_id, title, Game(scenario, seed))
        self.games[game_id] = live
        return live

    # -- commands ----------------------------------------------------------------
    async def execute(
        self, game_id: str, command: cmd.Command, principal: str, key: str | None
    ) -> Outcome:
        """Decide, store and fold one command; the same key is answered once."""
        live = self.games[game_id]
        principal = f"{principal}@{game_id}"  # a key belongs to one caller in one game
        async with live.lock:
            if key is not None:
                stored = await to_thread.run_sync(self.store.answer, principal, key)
                if stored is not None:
                    return Outcome(stored[0], stored[1] | {"replayed": True})
            outcome = await self._apply(live, command, principal, key)
            if outcome.events:
                await self._run_agents(live)
        if outcome.events:
            await self._wake(live, outcome.events)
        return outcome

    async def _apply(
        self, live: LiveGame, command: cmd.Command, principal: str, key: str | None
    ) -> Outcome:
        try:
            new = decide(live.state, command)
        except RuleViolation as exc:
            outcome = rule_violation(exc)
            if key is not None:
                await to_thread.run_sync(
                    self.store.append, live.id, [], (principal, key, outcome.status, outcome.body)
                )
            return outcome
        body = {"events": [ev.event_to_dict(e) for e in new]}
        answer = (principal, key, 200, body) if key is not None else None
        try:
            await to_thread.run_sync(self.store.append, live.id, new, answer)
        except Conflict:
            # a single server process holds the lock, so this means the store moved
            # under us (another process): reload and let the client retry
            await to_thread.run_sync(self._reload, live)
            return violation("the game moved on meanwhile; try again", "conflict", 409)
        for e in new:
            evolve(live.state, e)
        return Outcome(200, body, new)

    def _reload(self, live: LiveGame) -> None:
        for event in self.store.events(live.id, since=live.state.seq):
            evolve(live.state, event)

    async def _wake(self, live: LiveGame, new: list[ev.Event]) -> None:
        self._ring(live)
        for listener in self.listeners:
            listener(live.id, new)

    @staticmethod
    def _ring(live: LiveGame) -> None:
        event, live.changed = live.changed, asyncio.Event()
        event.set()

    async def poke(self, game_id: str) -> None:
        """Wake the game's streams so they re-check who may still listen (after a revoke)."""
        live = self.games.get(game_id)
        if live is not None:
            self._ring(live)

    async def wait(self, game_id: str, after: int, timeout: float) -> bool:
        """Wait until the game has an event numbered above ``after`` (or the timeout)."""
        live = self.games[game_id]
        while live.state.seq <= after:
            changed = live.changed
            try:
                async with asyncio.timeout(timeout):
                    await changed.wait()
            except TimeoutError:
                return live.state.seq > after
        return True

    # -- automated players in empty seats ------------------------------------------
    def _seat_agents(self, live: LiveGame) -> None:
        for team in live.state.agents:
            if team not in live.agents:
                seed = live.state.seed or 0
                live.agents[team] = HeuristicAgent(live.scenario, team, agent_rng(seed, team))

    async def _run_agents(self, live: LiveGame) -> None:
        """Let seated agents act on what just happened (each occasion once)."""
        self._seat_agents(live)
        for team in list(live.agents):
            if team not in live.state.agents:
                del live.agents[team]
        if not live.agents or live.state.paused or not live.state.round_open:
            return
        state = live.state
        spec = state.current_round
        for team, agent in live.agents.items():
            view = live.game.view(team_seat(team))
            if spec.kind == "action" and (team, f"round{state.round}") not in live.agent_turns:
                live.agent_turns.add((team, f"round{state.round}"))
                for command in agent.choose_actions(view):
                    await self._apply(live, command, f"agent:{team}", None)
            if spec.kind == "negotiation":
                for p in list(state.proposals.values()):
                    occasion = f"proposal{p.pid}"
                    if (
                        p.status == "open"
                        and team in p.parties
                        and team not in p.signed
                        and (team, occasion) not in live.agent_turns
                    ):
                        live.agent_turns.add((team, occasion))
                        await self._apply(
                            live, agent.respond(view, p, may_counter=False), f"agent:{team}", None
                        )

    # -- helpers for pages ----------------------------------------------------------
    def suggestion(self, game_id: str, uid: str) -> cmd.Assess | None:
        """The rule-based adjudicator's suggestion for a submitted catalogue action."""
        live = self.games[game_id]
        rec = live.state.actions.get(uid)
        if rec is None or rec.action not in live.scenario.action:
            return None
        return assess_command(live.game.view(ADJUDICATOR), rec)


__all__ = ["CONTROL", "Hub", "LiveGame", "Outcome", "rule_violation", "violation"]
