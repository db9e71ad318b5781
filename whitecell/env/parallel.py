"""The PettingZoo parallel environment: one agent per team, one step per round.

See :mod:`whitecell.env` for the observation, action, reward and seeding rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from gymnasium import logger, spaces
from pettingzoo import ParallelEnv
from rich.text import Text

from whitecell.adjudication.rules import assess_command
from whitecell.agents.heuristic import HeuristicAgent
from whitecell.agents.mediator import Mediator
from whitecell.engine import commands as cmd
from whitecell.engine.errors import RuleViolation
from whitecell.engine.game import Game
from whitecell.engine.seats import ADJUDICATOR, CONTROL, OBSERVER, team_seat
from whitecell.engine.state import ProposalRecord
from whitecell.engine.view import View
from whitecell.ensemble.seeds import run_seed
from whitecell.env.encoding import Move, encode, observation_layout, preference_value, team_moves
from whitecell.narrate import narrate
from whitecell.play import agent_rng, negotiation_round
from whitecell.scenario.compiled import Scenario
from whitecell.scenario.library import load_bundled

STANCES = ("follow", "refuse", "accept")  # a team's choices in a negotiation round
HOLD = 0  # action index 0: no action (in negotiation rounds: follow the heuristic)

Obs = dict[str, np.ndarray]
RewardFrom = Literal["state", "belief"]


class _Negotiator:
    """The heuristic negotiator, unless this round's stance is to refuse or sign everything.

    Sign and reject are always allowed where the talks ask a party to answer (the proposal
    is open, the party has not signed, the agreement is not in force), so the talks need
    no fallback. It holds its heuristic agent rather than extending it: the agent may be
    compiled (whitecell.native), and Python classes cannot extend compiled ones.
    """

    def __init__(self, agent: HeuristicAgent) -> None:
        self.agent = agent
        self.stance = "follow"

    def respond(self, view: View, p: ProposalRecord, *, may_counter: bool = True) -> cmd.Command:
        if self.stance == "refuse":
            return cmd.RejectProposal(seat=self.agent.seat, pid=p.pid)
        if self.stance == "accept":
            return cmd.SignProposal(seat=self.agent.seat, pid=p.pid)
        return self.agent.respond(view, p, may_counter=may_counter)


class WhitecellParallelEnv(ParallelEnv[str, Obs, int]):
    """A whitecell game as a PettingZoo :class:`~pettingzoo.ParallelEnv`."""

    metadata: dict[str, Any] = {  # noqa: RUF012 (PettingZoo reads it from the class)
        "name": "whitecell_v0",
        "render_modes": ["human", "ansi"],
        "is_parallelizable": True,
    }

    def __init__(
        self,
        scenario: str | Scenario = "ukraine-ceasefire-2025",
        seed: int | None = None,
        render_mode: str | None = None,
        lang: str = "en",
        reward_from: RewardFrom = "state",
    ) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode is one of {self.metadata['render_modes']} or None")
        if reward_from not in ("state", "belief"):
            raise ValueError("reward_from is 'state' or 'belief'")
        sc = load_bundled(scenario) if isinstance(scenario, str) else scenario
        self.scenario = sc
        self.render_mode = render_mode
        self.lang = lang
        self.reward_from: RewardFrom = reward_from
        self.possible_agents: list[str] = list(sc.team_ids)
        self.agents: list[str] = []
        self._moves = {team: team_moves(sc, team) for team in sc.team_ids}
        most = max((len(m) for m in self._moves.values()), default=0)
        self.n_actions = max(len(STANCES), 1 + most)
        self._layout = observation_layout(sc)
        size = len(self._layout)
        self._action_spaces = {t: spaces.Discrete(self.n_actions) for t in self.possible_agents}
        self._observation_spaces = {
            t: spaces.Dict(
                {
                    "observation": spaces.Box(0.0, 1.0, (size,), np.float32),
                    "action_mask": spaces.Box(0, 1, (self.n_actions,), np.int8),
                }
            )
            for t in self.possible_agents
        }
        self.state_space = spaces.Box(0.0, 1.0, (size,), np.float32)
        self._seed = seed
        self._base: int | None = None  # the seed of the current run of episodes
        self._episode = 0
        self.game_seed: int | None = None
        self.game: Game | None = None
        self._masks: dict[str, np.ndarray] = {}
        self._values: dict[str, float] = {}
        self._negotiators: dict[str, _Negotiator] = {}
        self._mediator = Mediator(sc)
        self._rendered = 0

    # -- spaces and meanings ----------------------------------------------------
    def observation_space(self, agent: str) -> spaces.Space[Any]:
        return self._observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space[Any]:
        return self._action_spaces[agent]

    def observation_layout(self) -> tuple[str, ...]:
        """Names of the entries of ``observation`` (the same for every team)."""
        return self._layout

    def action_meanings(self, agent: str) -> tuple[str, ...]:
        """What each index does in an action round: ``hold``, then ``action`` or
        ``action:target``; indices past the team's moves are never allowed."""
        labels = ("hold", *(m.label for m in self._moves[agent]))
        return labels + ("-",) * (self.n_actions - len(labels))

    def move(self, agent: str, index: int) -> Move | None:
        """The catalogue move index ``index`` stands for in an action round (None: hold)."""
        moves = self._moves[agent]
        return moves[index - 1] if 1 <= index <= len(moves) else None

    # -- episode ------------------------------------------------------------------
    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Obs], dict[str, dict[str, Any]]]:
        """Start a new game; ``options`` are ignored."""
        if seed is not None:
            self._base, self._episode = int(seed), 0
        elif self._base is None:
            base = self._seed if self._seed is not None else np.random.SeedSequence().entropy
            self._base, self._episode = int(base), 0  # type: ignore[arg-type]
        assert self._base is not None
        self.game_seed = run_seed(self._base, self._episode)
        self._episode += 1
        sc = self.scenario
        game = self.game = Game(sc, self.game_seed)
        game.handle(cmd.StartGame(seat=CONTROL))
        game.handle(cmd.OpenRound(seat=CONTROL, number=1))
        self._negotiators = {
            t: _Negotiator(HeuristicAgent(sc, t, agent_rng(self.game_seed, t))) for t in sc.team_ids
        }
        self._rendered = 0
        self.agents = list(self.possible_agents)
        self._values = {t: self._value(t) for t in self.agents}
        obs, infos = {}, {}
        for t in self.agents:
            obs[t], infos[t] = self._observe(t)
        return obs, infos

    def step(
        self, actions: dict[str, int]
    ) -> tuple[
        dict[str, Obs],
        dict[str, float],
        dict[str, bool],
        dict[str, bool],
        dict[str, dict[str, Any]],
    ]:
        """Play the open round with each team's choice (a team left out plays index 0),
        close it and open the next, or end the game after the last."""
        game = self.game
        if game is None or not self.agents:
            return {}, {}, {}, {}, {}
        s = game.state
        rnd = s.current_round
        assert rnd is not None  # a step is taken with a round open
        chosen: dict[str, int] = {}
        illegal: dict[str, bool] = {}
        for team in self.agents:
            index = _as_index(actions.get(team, HOLD))
            ok = index is not None and 0 <= index < self.n_actions and self._masks[team][index]
            chosen[team] = index if ok and index is not None else HOLD
            illegal[team] = not ok
        refused: dict[str, str] = {}
        if rnd.kind == "action":
            played = {t: self.action_meanings(t)[i] for t, i in chosen.items()}
            for team, message in self._action_round(chosen).items():
                refused[team], played[team] = message, "hold"
        else:
            played = {t: STANCES[i] for t, i in chosen.items()}
            for team, negotiator in self._negotiators.items():
                negotiator.stance = played.get(team, "follow")
            negotiation_round(game, self._negotiators, self._mediator)
        game.handle(cmd.CloseRound(seat=CONTROL, number=rnd.number))
        done = s.round >= len(self.scenario.rounds)
        if done:
            game.handle(cmd.EndGame(seat=CONTROL))
        else:
            game.handle(cmd.OpenRound(seat=CONTROL, number=s.round + 1))
        obs, rewards, infos = {}, {}, {}
        for team in self.agents:
            value = self._value(team)
            rewards[team] = value - self._values[team]
            self._values[team] = value
            obs[team], infos[team] = self._observe(team)
            infos[team].update(
                played=played[team], illegal_action=illegal[team], refused=refused.get(team)
            )
        terminations = dict.fromkeys(self.agents, done)
        truncations = dict.fromkeys(self.agents, False)
        if done:
            self.agents = []
        if self.render_mode == "human":
            self.render()
        return obs, rewards, terminations, truncations, infos

    def _action_round(self, chosen: dict[str, int]) -> dict[str, str]:
        """Submit the chosen moves, then adjudicate by the rules with the game's dice, as
        automated games do. Returns the refusals: the team's view judged a move available
        that the rules, reading the true state, do not allow."""
        game = self.game
        assert game is not None
        s = game.state
        refused: dict[str, str] = {}
        for team, index in chosen.items():
            move = self.move(team, index)
            if move is None:
                continue
            try:
                game.handle(move.command(team))
            except RuleViolation as exc:
                refused[team] = exc.text(self.lang)
        pending = [a for a in s.actions.values() if a.round == s.round]
        umpire = game.view(ADJUDICATOR)
        for rec in pending:
            game.handle(assess_command(umpire, rec))
        for rec in pending:
            game.handle(cmd.Roll(seat=ADJUDICATOR, uid=rec.uid))
            game.handle(cmd.PublishOutcome(seat=CONTROL, uid=rec.uid))
        return refused

    # -- what a team sees and earns ---------------------------------------------
    def observe(self, agent: str) -> Obs:
        """The team's observation of the game now (what the last reset or step returned,
        unless the game was changed since)."""
        return self._observe(agent)[0]

    def _observe(self, team: str) -> tuple[Obs, dict[str, Any]]:
        game = self.game
        assert game is not None
        view = game.view(team_seat(team))
        mask = self._mask(view, team)
        self._masks[team] = mask
        s = game.state
        info: dict[str, Any] = {
            "view": view.to_dict(self.lang),
            "action_mask": mask.copy(),
            "round": s.round,
            "round_kind": s.current_round.kind if s.round_open and s.current_round else None,
            "played": None,
            "illegal_action": False,
            "refused": None,
        }
        return {"observation": encode(view), "action_mask": mask}, info

    def _mask(self, view: View, team: str) -> np.ndarray:
        """Index 0 always; in an action round each move whose condition holds as the team
        sees the state; in a negotiation round the three stances."""
        mask = np.zeros(self.n_actions, dtype=np.int8)
        mask[HOLD] = 1
        s = view.state
        current = s.current_round
        if s.ended or not s.round_open or current is None:
            return mask
        if current.kind == "action":
            for i, move in enumerate(self._moves[team], start=1):
                mask[i] = move.available(view)
        else:
            mask[: len(STANCES)] = 1
        return mask

    def _value(self, team: str) -> float:
        game = self.game
        assert game is not None
        values: Sequence[float]
        if self.reward_from == "state":
            values = game.state.v
        else:
            values = game.view(team_seat(team)).context().v
        return preference_value(self.scenario, team, values)

    def state(self) -> np.ndarray:
        """The true state in the observation layout (as the white cell sees it): for
        centralised critics, never for the teams' policies."""
        if self.game is None:
            raise RuntimeError("reset the environment first")
        return encode(self.game.view(CONTROL))

    # -- rendering ----------------------------------------------------------------
    def render(self) -> str | None:
        """The story since the last render, as the public sees it."""
        if self.render_mode is None:
            logger.warn("render() called without a render_mode")
            return None
        if self.game is None:
            return None
        events = self.game.view(OBSERVER).events(since=self._rendered)
        self._rendered = len(self.game.state.events)
        lines = narrate(self.scenario, events, self.lang)
        text = "\n".join(Text.from_markup(line).plain for line in lines)
        if self.render_mode == "human":
            print(text)
            return None
        return text

    def close(self) -> None:
        self.game = None
        self.agents = []


def _as_index(action: Any) -> int | None:
    """An action as an index, or None if it is not a whole number."""
    if isinstance(action, bool):
        return None
    if isinstance(action, int | np.integer):
        return int(action)
    if isinstance(action, np.ndarray) and action.shape == () and action.dtype.kind in "iu":
        return int(action)
    return None
