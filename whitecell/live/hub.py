"""Live games in the server: the decide/append/evolve loop, wake-ups for streams, agents.

One :class:`LiveGame` per game holds the folded state in memory. Commands for a
game are handled one at a time under its lock: decide against the state, append
to the store (with the request's idempotency answer, in one transaction), then
fold the events into memory and wake every stream waiting on the game. Reads
never touch the database, and a command makes one write and no read: a retried key
and, with several processes, events another stored first are caught by the store's
keys (``_apply``); other processes' events mostly arrive inside their notification.

Memory does not grow with history: a server starts with the games still being played,
loads a finished one when someone opens it, and lets go of a finished game nobody has
touched for a few minutes (an idle running game after half an hour); games of one
scenario share its compiled form.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from anyio import CapacityLimiter, to_thread
from sqlalchemy.exc import SQLAlchemyError

from whitecell.adjudication.rules import assess_command
from whitecell.agents.advisor import advice
from whitecell.agents.heuristic import HeuristicAgent
from whitecell.agents.llm import ModelAdjudicator, ModelPlayer, Turn
from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.engine.decide import decide
from whitecell.engine.errors import RuleViolation
from whitecell.engine.evolve import evolve
from whitecell.engine.game import Game
from whitecell.engine.seats import ADJUDICATOR, CONTROL, team_seat
from whitecell.engine.state import MAX_SEED, State
from whitecell.i18n import LANGUAGES, t
from whitecell.live.model_seats import (
    MODEL_THREADS,
    Draft,
    ModelConfig,
    ModelSeats,
    Notice,
    advise,
    budget_from_log,
    draft_turn,
    notice_of,
    prompt_lang,
    team_turn,
)
from whitecell.play import agent_rng
from whitecell.scenario.compiled import Scenario
from whitecell.scenario.load import scenario_from_document
from whitecell.store.sql import Answer, Conflict, Store, read_events_note

T = TypeVar("T")
MAX_RETRIES = 8  # decisions retried when another server process stored first
# a game nobody touched (no command, no page, no stream: an open stream touches it at
# least every KEEPALIVE_S) is let go after this many seconds; opening it loads it again
UNLOAD_ENDED_AFTER = 300.0
UNLOAD_IDLE_AFTER = 1800.0
SWEEP_EVERY = 30.0
# finished games nobody is watching kept loaded at most (the least recently touched go
# first): a class that ends many games at once, or a crawl through old reports, does not
# fill the memory. Loading a finished game again takes 2 ms; each one kept cost some
# 0.6 MB of resident memory in bench/soak.py (64 kept: +30% after 800 games; 8: +9%)
MAX_ENDED_LOADED = 8

log = logging.getLogger("whitecell.web")


@dataclass
class Outcome:
    """What a command came to: an HTTP status and a JSON body."""

    status: int
    body: dict[str, Any]
    events: list[ev.Event] = field(default_factory=list)
    caught: list[ev.Event] = field(default_factory=list)  # other processes' events folded meanwhile


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


def rule_violation(exc: RuleViolation, state: State | None = None) -> Outcome:
    """A rule's refusal, with its message in English and Japanese; given the game's state,
    things are named as people say them ("Russia", "Launch a limited offensive")."""
    if state is None:
        return violation(exc.message, messages={lang: exc.text(lang) for lang in LANGUAGES})
    return violation(exc.text("en", names=state), messages=exc.texts(state))


@dataclass
class LiveGame:
    id: str
    title: str
    game: Game
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # set when the game changes, then replaced: waiting streams need no lock to be woken
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    roster: int = 0  # bumped when the game's people change (a name given, a link made or shut)
    agents: dict[str, HeuristicAgent] = field(default_factory=dict)
    agent_turns: set[tuple[str, str]] = field(default_factory=set)  # (team, occasion) done
    models: ModelSeats = field(default_factory=ModelSeats)
    turn_locks: dict[str, asyncio.Lock] = field(default_factory=dict)  # one turn a seat at once
    tasks: set[asyncio.Task[None]] = field(default_factory=set)  # model turns in flight
    touched: float = field(default_factory=time.monotonic)  # last command, page or stream
    waiters: int = 0  # streams waiting on the game now: it is not let go under them

    @property
    def state(self) -> State:
        return self.game.state

    @property
    def scenario(self) -> Scenario:
        return self.game.scenario


class Hub:
    def __init__(self, store: Store, model: ModelConfig | None = None) -> None:
        self.store = store
        self.model = model
        self.games: dict[str, LiveGame] = {}
        self.listeners: list[Callable[[str, list[ev.Event]], None]] = []
        self.model_threads = CapacityLimiter(MODEL_THREADS)
        self.on_seat: Callable[[str], None] | None = None  # a link changed in another process
        self.on_person: Callable[[str], None] | None = None  # a person named themselves there
        # a round closed by a command decided here (each process forecasts its own closes)
        self.on_round_closed: Callable[[LiveGame, int], None] | None = None
        # the game ended by a command decided here (each process debriefs its own ends)
        self.on_game_ended: Callable[[LiveGame], None] | None = None
        self.background: set[asyncio.Future[Any]] = set()
        self._scenarios: dict[str, Scenario] = {}  # compiled once per digest, shared
        self._swept = time.monotonic()

    # -- loading and creating ------------------------------------------------
    def load_all(self) -> None:
        """Fold the games still being played back into memory (after a restart); a
        finished game is loaded when someone opens it."""
        for row in self.store.games(unfinished=True):
            self.games[row.id] = self._load(row)

    def _scenario(self, row: Any) -> Scenario:
        """The game's compiled scenario, shared by every loaded game of the same digest
        (compiled scenarios are frozen)."""
        found = self._scenarios.get(row.digest) if row.digest else None
        if found is None:
            found = scenario_from_document(row.scenario, f"game {row.id}")
            if row.digest:
                self._scenarios[row.digest] = found
        return found

    def _load(self, row: Any) -> LiveGame:
        scenario = self._scenario(row)
        game = Game(scenario, row.seed)
        for event in self.store.events(row.id):
            evolve(game.state, event)
        live = LiveGame(row.id, row.title, game)
        self._remember_kinds(live)
        self._seat_agents(live)
        # agents act under the lock of the command that gave them their turn, so every
        # turn up to now was taken before the server stopped (or by another process)
        for team in live.scenario.team_ids:
            live.agent_turns.update((team, f"round{r}") for r in range(1, game.state.round + 1))
            live.agent_turns.update((team, f"proposal{p}") for p in game.state.proposals)
        return live

    def find(self, game_id: str) -> LiveGame | None:
        """The game, loaded from the store if it is not in memory (finished and let go,
        or created by another server process); touched, so it stays a while."""
        live = self.games.get(game_id)
        if live is None:
            row = self.store.game(game_id)
            if row is not None:
                live = self.games.setdefault(game_id, self._load(row))
        if live is not None:
            live.touched = time.monotonic()
        self.sweep()
        return live

    def held(self, game_id: str) -> LiveGame:
        """A game known to exist (a caller reached it a moment ago): KeyError if not."""
        live = self.games.get(game_id) or self.find(game_id)
        if live is None:
            raise KeyError(game_id)
        live.touched = time.monotonic()
        return live

    def sweep(self, now: float | None = None) -> list[str]:
        """Let go of games nobody has touched for a while (looked at every SWEEP_EVERY
        seconds unless ``now`` is given): a finished game after UNLOAD_ENDED_AFTER, a
        running one after UNLOAD_IDLE_AFTER; and of the least recently touched finished
        games beyond MAX_ENDED_LOADED. Never one with a command, a model's turn or a
        stream waiting on it. The ids let go, oldest first."""
        clock = time.monotonic() if now is None else now
        timed = now is not None or clock - self._swept >= SWEEP_EVERY
        spare = sum(live.state.ended for live in self.games.values()) - MAX_ENDED_LOADED
        if not timed and spare <= 0:
            return []
        if timed:
            self._swept = clock
        gone = []
        for game_id, live in sorted(self.games.items(), key=lambda kv: kv[1].touched):
            if live.lock.locked() or live.tasks or live.waiters:
                continue
            limit = UNLOAD_ENDED_AFTER if live.state.ended else UNLOAD_IDLE_AFTER
            if not (timed and clock - live.touched >= limit) and not (
                live.state.ended and spare > 0
            ):
                continue
            if self.games.get(game_id) is live:
                del self.games[game_id]
                gone.append(game_id)
                spare -= live.state.ended
        used = {live.scenario.digest for live in self.games.values()}
        for digest in [d for d in self._scenarios if d not in used]:
            del self._scenarios[digest]
        return gone

    # -- other server processes (PostgreSQL) ------------------------------------------
    def notice(self, payload: str) -> None:
        """A notification from a server process (this one's own are skipped)."""
        origin, _, what = payload.partition("|")
        if origin == self.store.origin:
            return
        kind, _, rest = what.partition(":")
        if kind == "events":
            game_id, seq, carried = read_events_note(what)
            # a game this process has not loaded is read whole when someone opens it here:
            # no process folds the games only others serve
            live = self.games.get(game_id)
            if live is not None and live.state.seq < seq:
                self.spawn(self.catch_up(live, carried))
        elif kind == "seat" and self.on_seat is not None:
            self.on_seat(rest)
        elif kind == "person" and self.on_person is not None:
            self.on_person(rest)
        elif kind == "resync":
            for live in list(self.games.values()):
                self.spawn(self.catch_up(live))

    def spawn(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def catch_up(self, live: LiveGame, carried: list[ev.Event] | None = None) -> None:
        """Fold what other processes stored, then wake this process's streams: the events
        a notification ``carried`` when they follow on from ours (no read), else those
        read from the database. If it cannot be read now, the next command or notification
        catches up."""
        async with live.lock:
            if carried and carried[-1].seq <= live.state.seq:
                return  # folded meanwhile (a command of ours caught up first)
            if carried and carried[0].seq == live.state.seq + 1:
                new = self._fold_caught(live, carried)
            else:
                try:
                    new = await self._sync(live)
                except SQLAlchemyError as exc:
                    log.warning("game %s: cannot catch up now (%s)", live.id, exc)
                    return
        if new:
            await self._wake(live, new)

    async def _sync(self, live: LiveGame) -> list[ev.Event]:
        """Under the game's lock: the events other processes stored since ours, folded."""
        return self._fold_caught(
            live, await to_thread.run_sync(self.store.events, live.id, live.state.seq)
        )

    def _fold_caught(self, live: LiveGame, new: list[ev.Event]) -> list[ev.Event]:
        """Fold other processes' events. Their occasions for automated players were
        theirs to act on, not ours."""
        for e in new:
            evolve(live.state, e)
            if isinstance(e, ev.RoundOpened):
                live.agent_turns.update((t, f"round{e.round}") for t in live.scenario.team_ids)
            elif isinstance(e, ev.ProposalTabled):
                live.agent_turns.update((t, f"proposal{e.pid}") for t in live.scenario.team_ids)
        if new:
            self._remember_kinds(live)
        return new

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
        scenario = self._scenarios.setdefault(scenario.digest, scenario)
        live = LiveGame(game_id, title, Game(scenario, seed))
        self.games[game_id] = live
        self.sweep()
        return live

    # -- commands ----------------------------------------------------------------
    async def execute(
        self,
        game_id: str,
        command: cmd.Command,
        principal: str,
        key: str | None,
        kind: str = "heuristic",
        fingerprint: str | None = None,
    ) -> Outcome:
        """Decide, store and fold one command; the same key is answered once. ``kind`` is
        the kind of automated player a ``SeatAgent`` command seats; ``fingerprint``
        (``Store.fingerprint`` of the body sent) tells a retry from a reused key."""
        live = self.held(game_id)
        principal = f"{principal}@{game_id}"  # a key belongs to one caller in one game
        async with live.lock:
            outcome = await self._apply(live, command, principal, key, fingerprint=fingerprint)
            if outcome.events and isinstance(command, cmd.SeatAgent):
                await self._seated(live, command, outcome.events, kind)
            if outcome.events and isinstance(command, cmd.AskAdvisors):
                await self._advise(live, outcome)
            if outcome.events:
                await self._run_agents(live)
        woken = outcome.caught + outcome.events
        if woken:
            await self._wake(live, woken)
        if self.on_round_closed is not None:
            for e in outcome.events:
                if isinstance(e, ev.RoundClosed):
                    self.on_round_closed(live, e.round)
        if self.on_game_ended is not None and any(
            isinstance(e, ev.GameEnded) for e in outcome.events
        ):
            self.on_game_ended(live)
        return outcome

    async def _apply(
        self,
        live: LiveGame,
        command: cmd.Command,
        principal: str,
        key: str | None,
        retries: int = 0,
        fingerprint: str | None = None,
    ) -> Outcome:
        """Optimistic: decide against the state in memory and store, one write and no
        read. The store's keys catch the rest: a key answered before (a retry) and, with
        several processes, events another process stored first (fold them, decide again).
        A refusal is only given against the stored game: another process may have moved
        it on in a way that makes the command right."""
        caught: list[ev.Event] = []
        while True:
            try:
                new = decide(live.state, command)
                break
            except RuleViolation as exc:
                if self.store.shared and not caught and (caught := await self._sync(live)):
                    continue
                outcome = rule_violation(exc, live.state)
                outcome.caught = caught
                if key is None:
                    return outcome
                refusal = (principal, key, outcome.status, outcome.body)
                try:
                    await self.store.append_soon(live.id, [], refusal, fingerprint)
                except Conflict:
                    # the key was answered before (a retry), here or in another process
                    stored = await self._store(self.store.answer, principal, key)
                    if stored is not None:
                        return self._replay(stored, fingerprint, caught)
                return outcome
        body = {"events": [ev.event_to_dict(e) for e in new]}
        answer = (principal, key, 200, body) if key is not None else None
        try:
            await self.store.append_soon(live.id, new, answer, fingerprint)
        except Conflict:
            # the key was answered before, or another process stored events first: replay
            # the answer, or fold what it stored and decide again (the client never sees
            # the collision)
            if key is not None:
                stored = await self._store(self.store.answer, principal, key)
                if stored is not None:
                    return self._replay(stored, fingerprint, caught)
            if not self.store.shared or retries >= MAX_RETRIES:
                await self._store(self._reload, live)
                return violation("the game moved on meanwhile; try again", "conflict", 409)
            caught += await self._sync(live)
            again = await self._apply(live, command, principal, key, retries + 1, fingerprint)
            again.caught = caught + again.caught
            return again
        for e in new:
            evolve(live.state, e)
        return Outcome(200, body, new, caught)

    async def _store(self, call: Callable[..., T], *args: Any) -> T:
        """A store call on the command path's rarer turns (a retried key, a conflict).
        SQLite's is made right here: one process writes its file, a write in WAL mode takes
        a third of a millisecond, and handing it to a thread cost far more (the thread
        waits for the interpreter lock held by the event loop, then the loop waits for the
        thread: two such hops a command made live commands ten times slower under load).
        PostgreSQL's goes over the network: a thread. The append itself is
        ``Store.append_soon``."""
        if self.store.shared:
            return await to_thread.run_sync(call, *args)
        return call(*args)

    @staticmethod
    def _replay(stored: Answer, fingerprint: str | None, caught: list[ev.Event]) -> Outcome:
        """A key's stored answer, replayed to a retry of its request. A key reused for a
        different request is refused (422) and changes nothing: replaying the old answer
        would tell the client its new request was decided (a corrected form kept getting
        its first refusal)."""
        if stored.answers(fingerprint):
            return Outcome(stored.status, stored.body | {"replayed": True}, caught=caught)
        key = "web.idempotency_key_reused"
        messages = {lang: t(key, lang) for lang in LANGUAGES}
        refused = violation(messages["en"], "idempotency_key_reused", 422, messages)
        refused.caught = caught
        return refused

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
        """The game's people changed (a name given, a link made, revoked or reissued): wake
        its streams, to re-check who may still listen and to tell the rooms' rolls of people.
        Names are no event of the game, so this is the only way the news travels."""
        live = self.games.get(game_id)
        if live is not None:
            live.roster += 1
            self._ring(live)

    async def wait(
        self, game_id: str, after: int, timeout: float, roster: int | None = None
    ) -> bool:
        """Wait until the game has an event numbered above ``after``, or (given the
        ``roster`` count a stream last saw) its people changed; False on the timeout."""
        live = self.held(game_id)

        def moved() -> bool:
            return live.state.seq > after or (roster is not None and live.roster != roster)

        live.waiters += 1
        try:
            while not moved():
                changed = live.changed
                try:
                    async with asyncio.timeout(timeout):
                        await changed.wait()
                except TimeoutError:
                    return moved()
            return True
        finally:
            live.waiters -= 1
            live.touched = time.monotonic()

    # -- automated players in empty seats ------------------------------------------
    def _seat_agents(self, live: LiveGame) -> None:
        models = live.models
        for team in live.state.agents:
            if team not in live.agents:
                seed = live.state.seed or 0
                agent = HeuristicAgent(live.scenario, team, agent_rng(seed, team))
                live.agents[team] = agent
                if models.kinds.get(team) == "llm" and self.model is not None:
                    # the heuristic player is the model's understudy
                    lang = prompt_lang(live.scenario)
                    budget = self._budget(live)
                    models.players[team] = ModelPlayer(team, self.model.model, agent, budget, lang)

    def _budget(self, live: LiveGame) -> Any:
        assert self.model is not None
        if live.models.budget is None:
            live.models.budget = budget_from_log(self.model.max_tokens_per_game, live.state.events)
        return live.models.budget

    async def _seated(
        self, live: LiveGame, command: cmd.SeatAgent, new: list[ev.Event], kind: str
    ) -> None:
        """Remember the kind of a seated player (the log keeps it too, in the event that
        seated it, so a restart, another process or an import seats it again)."""
        models = live.models
        models.kinds.pop(command.team, None)
        models.players.pop(command.team, None)
        live.agents.pop(command.team, None)
        if command.seated and kind == "llm":
            models.kinds[command.team] = kind

    def _remember_kinds(self, live: LiveGame) -> None:
        """The kind of each seated player, from the events that seated them."""
        kinds: dict[str, str] = {}
        for e in live.state.events:
            if isinstance(e, ev.AgentSeated):
                kinds[e.team] = e.kind if e.seated else "heuristic"
        for team in live.state.agents:
            if kinds.get(team) != "llm":
                continue
            if self.model is None:
                # seated as a model, but this server has none: the heuristic player plays
                live.models.notify(Notice("no_model", team))
                continue
            live.models.kinds[team] = "llm"

    def seat_kind(self, live: LiveGame, team: str) -> str:
        return "llm" if team in live.models.players else "heuristic"

    async def _run_agents(self, live: LiveGame) -> None:
        """Let seated agents act on what just happened (each occasion once). A model's
        turn is started here and taken in the background (see :meth:`_model_turn`)."""
        self._seat_agents(live)
        for team in list(live.agents):
            if team not in live.state.agents:
                del live.agents[team]
                live.models.players.pop(team, None)
                live.models.kinds.pop(team, None)
        if not live.agents or live.state.paused or not live.state.round_open:
            return
        state = live.state
        spec = state.current_round
        assert spec is not None  # a round is open
        for team, agent in live.agents.items():
            model = team in live.models.players
            view = live.game.view(team_seat(team))
            if spec.kind == "action" and (team, f"round{state.round}") not in live.agent_turns:
                live.agent_turns.add((team, f"round{state.round}"))
                if model:
                    self._start_turn(live, team, "act", None)
                else:
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
                        if model:
                            self._start_turn(live, team, "respond", p.pid)
                            continue
                        await self._apply(
                            live, agent.respond(view, p, may_counter=False), f"agent:{team}", None
                        )

    # -- language models -------------------------------------------------------------------
    def _start_turn(self, live: LiveGame, team: str, purpose: str, pid: str | None) -> None:
        thinking = live.models.thinking
        thinking[team] = thinking.get(team, 0) + 1
        task = asyncio.create_task(self._model_turn(live, team, purpose, pid))
        live.tasks.add(task)
        task.add_done_callback(live.tasks.discard)

    async def _model_turn(self, live: LiveGame, team: str, purpose: str, pid: str | None) -> None:
        """A model team's turn: thought out in a worker thread over a snapshot of the game
        (no lock held, so every other seat goes on), then recorded and played under the
        game's lock. A seat takes one turn at a time."""
        models = live.models
        try:
            async with live.turn_locks.setdefault(f"team:{team}", asyncio.Lock()):
                player = models.players.get(team)
                if player is None or live.state.ended:
                    return  # unseated, or the game ended, while the turn waited
                events = list(live.state.events)
                think = functools.partial(
                    team_turn, live.scenario, live.state.seed, events, player, purpose, pid
                )
                turn = await to_thread.run_sync(
                    think, limiter=self.model_threads, abandon_on_cancel=True
                )
                await self._play_turn(live, team, turn)
        except asyncio.CancelledError:
            raise
        except Exception:  # pragma: no cover - a bug: keep the server and tell the log
            log.exception("the model turn of %s in game %s failed", team, live.id)
        finally:
            models.thinking[team] = models.thinking.get(team, 1) - 1
            if models.thinking[team] <= 0:
                del models.thinking[team]

    async def _play_turn(self, live: LiveGame, team: str, turn: Turn) -> None:
        """Record a model turn's exchanges (control-only), then play its commands."""
        new: list[ev.Event] = []
        async with live.lock:
            if team not in live.models.players:
                return  # unseated while the model thought: the turn is not played
            for command in turn.records():
                new += (await self._apply(live, command, f"model:{team}", None)).events
            if turn.fallback:
                live.models.notify(notice_of(team, turn.fallback))
            refused = []
            for command in turn.commands:
                outcome = await self._apply(live, command, f"agent:{team}", None)
                new += outcome.events
                if outcome.status != 200:
                    refused.append(outcome.body["error"]["message"])
            if refused:
                # the game moved on while the model thought (a round closed, a pause)
                live.models.notify(Notice("refused", team, "; ".join(refused)))
            if new:
                await self._run_agents(live)
        if new or refused:
            await self._wake(live, new)

    # -- advisors ------------------------------------------------------------------------
    async def _advise(self, live: LiveGame, outcome: Outcome) -> None:
        """Answer a team's question to its advisors (under the game's lock). The three best
        moves are worked out now from the team's own view; a free-text question goes to
        the model in the background, and its answer is recorded when it comes."""
        asked = next(e for e in outcome.events if isinstance(e, ev.AdvisorsAsked))
        if asked.question and self.model is not None:
            task = asyncio.create_task(self._model_advice(live, asked))
            live.tasks.add(task)
            task.add_done_callback(live.tasks.discard)
            return
        if asked.question:  # no model here: the edge refuses these; an import may not
            text, source = t("advice.no_model", asked.lang), "unavailable"
        else:
            text, source = advice(live.game.view(team_seat(asked.team)), asked.lang), "heuristic"
        record = cmd.RecordAdvice(
            seat=CONTROL, question=asked.seq, advisor=asked.advisor, text=text, source=source
        )
        answer = await self._apply(live, record, f"advisor:{asked.team}", None)
        outcome.events += answer.events
        outcome.body["events"] = outcome.body["events"] + answer.body.get("events", [])

    async def answer_pending(self) -> None:
        """Questions to advisors that a stopped server left unanswered get their answers
        (at start). With several server processes, the one that took a question answers it."""
        if self.store.shared:
            return
        for live in list(self.games.values()):
            waiting = live.state.questions
            if not waiting:
                continue
            for asked in [e for e in live.state.events if e.seq in waiting]:
                if not isinstance(asked, ev.AdvisorsAsked):
                    continue
                outcome = Outcome(200, {"events": []}, [asked])
                async with live.lock:
                    await self._advise(live, outcome)
                if outcome.events[1:]:
                    await self._wake(live, outcome.events[1:])

    async def _model_advice(self, live: LiveGame, asked: ev.AdvisorsAsked) -> None:
        """A model advisor's answer, thought out in a worker thread, recorded under the lock."""
        assert self.model is not None
        try:
            events = list(live.state.events)
            think = functools.partial(
                advise, live.scenario, live.state.seed, events, self.model.model, asked
            )
            record = await to_thread.run_sync(
                think, limiter=self.model_threads, abandon_on_cancel=True
            )
            async with live.lock:
                answer = await self._apply(live, record, f"advisor:{asked.team}", None)
            if answer.events:
                await self._wake(live, answer.events)
        except asyncio.CancelledError:
            raise
        except Exception:  # pragma: no cover - a bug: keep the server and tell the log
            log.exception("the advisors of %s in game %s failed", asked.team, live.id)

    async def draft(self, game_id: str, uid: str, by: str | None) -> Draft:
        """The model adjudicator's draft odds for action ``uid``: asked in a worker thread,
        its exchanges recorded (control-only) with who asked, then kept for the desk."""
        assert self.model is not None
        live = self.held(game_id)
        adjudicator = ModelAdjudicator(
            self.model.model, self._budget(live), prompt_lang(live.scenario)
        )
        events = list(live.state.events)
        think = functools.partial(
            draft_turn, live.scenario, live.state.seed, events, adjudicator, uid
        )
        turn, rules = await to_thread.run_sync(
            think, limiter=self.model_threads, abandon_on_cancel=True
        )
        new: list[ev.Event] = []
        async with live.lock:
            for command in turn.records():
                new += (await self._apply(live, replace(command, by=by), "model:desk", None)).events
            models = live.models
            models.drafted += 1
            assess = turn.commands[0] if turn.commands and not turn.fallback else None
            draft = Draft(
                uid,
                models.drafted,
                assess.probability if isinstance(assess, cmd.Assess) else None,
                assess.rationale if isinstance(assess, cmd.Assess) else "",
                rules,
                turn.fallback,
                by or "",
            )
            models.drafts[uid] = draft
        if new:
            await self._wake(live, new)
        return draft

    async def shutdown(self) -> None:
        """Stop the model turns in flight (a thread's call is left to finish on its own)."""
        tasks = [t for live in self.games.values() for t in live.tasks]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task

    async def settled(self, game_id: str, timeout: float = 30.0) -> bool:
        """Wait until no model turn of the game is in flight (for tests and tools)."""
        live = self.held(game_id)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while live.tasks:
                    await asyncio.wait(list(live.tasks))
        return not live.tasks

    # -- helpers for pages ----------------------------------------------------------
    def suggestion(self, game_id: str, uid: str) -> cmd.Assess | None:
        """The rule-based adjudicator's suggestion for a submitted catalogue action."""
        live = self.held(game_id)
        rec = live.state.actions.get(uid)
        if rec is None or rec.action not in live.scenario.action:
            return None
        return assess_command(live.game.view(ADJUDICATOR), rec)


__all__ = ["CONTROL", "Hub", "LiveGame", "Outcome", "rule_violation", "violation"]
