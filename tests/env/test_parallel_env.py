"""The PettingZoo environment: it passes PettingZoo's own API and seed tests; its mask allows
exactly the moves the rules accept; a team's observation never depends on what the team cannot
see; rewards are the change in the team's preference value; an episode is the scenario's
rounds; an illegal index is a hold and is reported; the same seed replays an episode.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
from gymnasium.utils.env_checker import data_equivalence
from pettingzoo.test import parallel_api_test, parallel_seed_test

from whitecell.agents.heuristic import HeuristicAgent
from whitecell.engine import Game, decide, team_seat
from whitecell.engine.errors import RuleViolation
from whitecell.ensemble.seeds import run_seed
from whitecell.env import STANCES, WhitecellParallelEnv, parallel_env
from whitecell.selftest.runner import case_scenario

UKRAINE = "ukraine-ceasefire-2025"
HOLD, FOLLOW, REFUSE, ACCEPT = 0, 0, 1, 2


def legal(obs: dict[str, Any], rng: random.Random) -> dict[str, int]:
    """A random allowed index for every team."""
    return {
        t: rng.choice([int(i) for i in np.flatnonzero(o["action_mask"])]) for t, o in obs.items()
    }


def hidden_plot_scenario() -> Any:
    """The rule-case scenario plus a red move that requires the control-only ``plot`` (20 at
    the start) to be below 30: red can only judge it by the prior."""
    return case_scenario(
        {
            "actions": [
                {
                    "id": "quiet_raid",
                    "label": {"en": "Quiet raid", "ja": "Quiet raid"},
                    "instrument": "military",
                    "teams": ["red"],
                    "requires": "plot < 30",
                    "base_probability": 0.5,
                    "on_success": {"change": {"tension": 5}},
                    "narrative": {
                        "success": {"en": "ok", "ja": "ok"},
                        "failure": {"en": "no", "ja": "no"},
                    },
                }
            ]
        }
    )


def set_value(game: Game, key: str, value: float) -> None:
    """Change a variable behind the rules' back (and drop the views' cached pictures)."""
    game.state.v[game.scenario.var[key].index] = value
    game.state.version += 1


def preference_value(game: Game, team: str, values: list[float]) -> float:
    return sum(w * values[i] for i, w in game.scenario.team[team].preferences)


# -- PettingZoo's own tests ----------------------------------------------------------


@pytest.mark.parametrize("scenario", [UKRAINE, "base"])
def test_passes_pettingzoo_parallel_api_test(scenario: str, base_scenario: Any) -> None:
    env = parallel_env(base_scenario if scenario == "base" else scenario, seed=5)
    parallel_api_test(env, num_cycles=50)


def test_passes_pettingzoo_parallel_seed_test() -> None:
    parallel_seed_test(lambda: parallel_env(UKRAINE), num_cycles=50)


def test_observations_and_masks_lie_in_their_spaces_through_an_episode() -> None:
    env = parallel_env(UKRAINE)
    obs, _ = env.reset(seed=11)
    rng = random.Random(11)
    layout = env.observation_layout()
    while env.agents:
        for team, o in obs.items():
            assert env.observation_space(team).contains(o)
            assert o["observation"].shape == (len(layout),)
        obs, *_ = env.step(legal(obs, rng))
    for team, o in obs.items():
        assert env.observation_space(team).contains(o)


def test_one_action_space_for_all_teams_sized_by_the_team_with_most_moves() -> None:
    env = parallel_env(UKRAINE)
    sc = env.scenario
    pairs = {
        t: sum(
            1 if a.targets is None else len([x for x in a.targets if x != t])
            for a in sc.actions
            if t in a.teams
        )
        for t in sc.team_ids
    }
    assert {env.action_space(t).n for t in sc.team_ids} == {1 + max(pairs.values())}
    for t in sc.team_ids:
        meanings = env.action_meanings(t)
        assert meanings[0] == "hold"
        assert len([m for m in meanings if m != "-"]) == 1 + pairs[t]


def test_the_moves_are_the_ones_the_heuristic_agents_weigh(ukraine: Any) -> None:
    env = parallel_env(ukraine)
    for team in ukraine.team_ids:
        agent = HeuristicAgent(ukraine, team, random.Random(0))
        theirs = [(g[0].id, target) for g in agent.groups for target, _, _ in g[4]]
        ours = [(m.action.id, m.target) for m in (env.move(team, i) for i in range(1, 99)) if m]
        assert ours == theirs


# -- masks -----------------------------------------------------------------------------


def test_the_mask_allows_exactly_the_moves_the_rules_accept() -> None:
    """In every action round, each index: allowed iff ``decide`` accepts its command. Teams
    sign everything in negotiations, so the ceasefire is in force in round 4 and Russia's
    moves that require it open up."""
    env = parallel_env(UKRAINE)
    obs, _ = env.reset(seed=3)
    rng = random.Random(3)
    seen = {"allowed": 0, "refused": 0, "gated_open": 0}
    while env.agents:
        game = env.game
        assert game is not None
        if game.state.current_round.kind == "action":
            for team in env.agents:
                mask = obs[team]["action_mask"]
                assert mask[HOLD] == 1
                for i in range(1, env.n_actions):
                    move = env.move(team, i)
                    if move is None:
                        assert mask[i] == 0
                        continue
                    try:
                        decide(game.state, move.command(team))
                        accepted = True
                    except RuleViolation:
                        accepted = False
                    assert bool(mask[i]) == accepted, (team, move.label, game.state.round)
                    seen["allowed" if accepted else "refused"] += 1
                    if accepted and move.requires is not None:
                        seen["gated_open"] += 1
            obs, *_ = env.step(legal(obs, rng))
        else:
            obs, *_ = env.step(dict.fromkeys(env.agents, ACCEPT))
    assert seen["allowed"] and seen["refused"] and seen["gated_open"], seen


def test_negotiation_rounds_allow_the_three_stances_only() -> None:
    env = parallel_env(UKRAINE)
    obs, infos = env.reset(seed=1)
    for _ in range(2):
        obs, _, _, _, infos = env.step(dict.fromkeys(env.agents, HOLD))
    assert infos["russia"]["round_kind"] == "negotiation"
    for team in env.agents:
        expected = [1] * len(STANCES) + [0] * (env.n_actions - len(STANCES))
        assert obs[team]["action_mask"].tolist() == expected
        assert infos[team]["action_mask"].tolist() == expected


def test_signing_everything_makes_the_ceasefire_and_one_refusal_blocks_it() -> None:
    def third_round(stances: dict[str, int]) -> list[dict[str, Any]]:
        env = parallel_env(UKRAINE)
        env.reset(seed=2)
        for _ in range(2):
            env.step(dict.fromkeys(env.agents, HOLD))
        _, _, _, _, infos = env.step(stances)
        assert {t: i["played"] for t, i in infos.items()} == {
            t: STANCES[s] for t, s in stances.items()
        }
        return [a for a in infos["russia"]["view"]["agreements"] if a["signed_round"] == 3]

    teams = parallel_env(UKRAINE).possible_agents
    signed = third_round(dict.fromkeys(teams, ACCEPT))
    assert [a["agreement"] for a in signed] == ["ceasefire"]
    assert third_round({**dict.fromkeys(teams, ACCEPT), "russia": REFUSE}) == []


# -- what a team sees --------------------------------------------------------------------


def test_a_teams_observation_never_depends_on_variables_it_cannot_see() -> None:
    """After two rounds of spying, push each variable a team cannot see to its bounds: the
    team's observation, mask and raw view stay the same; pushing one it sees moves them."""
    env = parallel_env(UKRAINE)
    obs, _ = env.reset(seed=4)
    spy = {t: env.action_meanings(t).index("intelligence_assessment:usa") for t in ("russia",)}
    for _ in range(2):
        obs, *_ = env.step({**dict.fromkeys(env.agents, HOLD), **spy})
    game = env.game
    assert game is not None
    layout = env.observation_layout()
    estimated = [
        name.split(":", 1)[1]
        for name, x in zip(layout, obs["russia"]["observation"], strict=True)
        if name.startswith("estimated:") and x == 1.0
    ]
    assert estimated, "the test should cover a hidden variable the team holds an estimate of"
    checked = 0
    for team in env.agents:
        view = game.view(team_seat(team))
        before = env.observe(team)
        raw = view.to_dict()
        for var in env.scenario.vars:
            old = game.state.v[var.index]
            for pushed in (var.lo, var.hi):
                set_value(game, var.key, pushed)
                after = env.observe(team)
                if view.sees_var(var):
                    if pushed != old:
                        assert not data_equivalence(before, after), (team, var.key)
                else:
                    assert data_equivalence(before, after), (team, var.key)
                    assert game.view(team_seat(team)).to_dict()["variables"] == raw["variables"]
                    checked += 1
            set_value(game, var.key, old)
    assert checked


def test_the_mask_judges_a_hidden_condition_by_the_teams_own_picture() -> None:
    env = parallel_env(hidden_plot_scenario())
    obs, _ = env.reset(seed=1)
    raid = env.action_meanings("red").index("quiet_raid")
    assert obs["red"]["action_mask"][raid] == 1
    assert env.game is not None
    set_value(env.game, "plot", 50)
    assert data_equivalence(env.observe("red"), obs["red"])


def test_a_move_the_rules_refuse_on_the_true_state_is_a_hold_and_reported() -> None:
    env = parallel_env(hidden_plot_scenario())
    env.reset(seed=1)
    raid = env.action_meanings("red").index("quiet_raid")
    assert env.game is not None
    set_value(env.game, "plot", 50)  # red still believes 20
    _, _, _, _, infos = env.step({**dict.fromkeys(env.agents, HOLD), "red": raid})
    assert infos["red"]["played"] == "hold"
    assert infos["red"]["refused"]
    assert not infos["red"]["illegal_action"]
    assert not [a for a in env.game.state.actions.values() if a.team == "red"]


def test_infos_carry_the_teams_raw_view() -> None:
    env = parallel_env(UKRAINE)
    obs, infos = env.reset(seed=9)
    obs, _, _, _, infos = env.step(legal(obs, random.Random(9)))
    assert env.game is not None
    for team in env.agents:
        assert infos[team]["view"] == env.game.view(team_seat(team)).to_dict("en")
        assert infos[team]["view"]["seat"] == f"team:{team}"


def test_state_is_the_white_cells_picture() -> None:
    env = parallel_env(UKRAINE)
    obs, _ = env.reset(seed=1)
    layout = env.observation_layout()
    state = env.state()
    assert env.state_space.contains(state)
    visible = [x for n, x in zip(layout, state, strict=True) if n.startswith("visible:")]
    assert visible == [1.0] * len(env.scenario.vars)
    assert env.game is not None
    set_value(env.game, "spoiler_risk", 99)
    assert not data_equivalence(env.state(), state)
    assert data_equivalence(env.observe("ukraine"), obs["ukraine"])


# -- rewards -------------------------------------------------------------------------------


@pytest.mark.parametrize("reward_from", ["state", "belief"])
def test_rewards_are_the_change_in_the_teams_preference_value(reward_from: str) -> None:
    """Over the true state by default, over the team's own picture if asked; the two differ
    when something a team cares about but cannot see moves."""
    env = parallel_env(UKRAINE, reward_from=reward_from)  # type: ignore[arg-type]
    obs, _ = env.reset(seed=6)
    rng = random.Random(6)
    game = env.game
    assert game is not None

    def values() -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {"state": {}, "belief": {}}
        for team in env.possible_agents:
            view = game.view(team_seat(team))
            beliefs = [view.belief(v) for v in game.scenario.vars]
            out["state"][team] = preference_value(game, team, game.state.v)
            out["belief"][team] = preference_value(game, team, beliefs)
        return out

    other = "belief" if reward_from == "state" else "state"
    before = values()
    nonzero = differ = 0
    while env.agents:
        obs, rewards, *_ = env.step(legal(obs, rng))
        after = values()
        for team, r in rewards.items():
            assert r == pytest.approx(after[reward_from][team] - before[reward_from][team])
            nonzero += r != 0
            differ += abs(r - (after[other][team] - before[other][team])) > 1e-9
        before = after
    assert nonzero and differ


# -- episodes ---------------------------------------------------------------------------


def test_an_episode_is_the_scenarios_rounds_and_then_everyone_terminates() -> None:
    env = parallel_env(UKRAINE)
    obs, infos = env.reset(seed=12)
    rng = random.Random(12)
    kinds = [infos["usa"]["round_kind"]]
    steps = 0
    while env.agents:
        obs, _, terminations, truncations, infos = env.step(legal(obs, rng))
        steps += 1
        last = steps == len(env.scenario.rounds)
        assert terminations == dict.fromkeys(env.possible_agents, last)
        assert truncations == dict.fromkeys(env.possible_agents, False)
        kinds.append(infos["usa"]["round_kind"])
    assert steps == len(env.scenario.rounds)
    assert kinds == [r.kind for r in env.scenario.rounds] + [None]
    assert env.game is not None and env.game.state.ended
    assert env.step({}) == ({}, {}, {}, {}, {})


def test_an_illegal_index_is_a_hold_and_reported() -> None:
    """Masked moves, indices past the space and non-numbers all play as index 0, so the game
    goes exactly as if the team had held."""

    def play(actions: dict[str, Any]) -> tuple[Any, ...]:
        env = parallel_env(UKRAINE)
        env.reset(seed=13)
        return env.step({**dict.fromkeys(env.agents, HOLD), **actions}), env

    env = parallel_env(UKRAINE)
    env.reset(seed=13)
    abandon = env.action_meanings("russia").index("abandon_ceasefire")  # no ceasefire yet
    wild = {"russia": abandon, "china": env.n_actions - 1, "usa": 999, "turkey": "spring"}
    (obs, rewards, _, _, infos), wild_env = play(wild)
    (obs0, rewards0, _, _, infos0), _ = play({})
    assert data_equivalence(obs, obs0)
    assert rewards == rewards0
    for team in wild:
        assert infos[team]["illegal_action"] and infos[team]["played"] == "hold"
        assert infos[team]["refused"] is None
        assert not infos0[team]["illegal_action"]
    assert not infos["ukraine"]["illegal_action"]
    assert wild_env.game is not None and not wild_env.game.state.actions


def test_an_illegal_index_in_talks_follows_the_heuristic() -> None:
    env = parallel_env(UKRAINE)
    env.reset(seed=13)
    for _ in range(2):
        env.step(dict.fromkeys(env.agents, HOLD))
    *_, infos = env.step({**dict.fromkeys(env.agents, FOLLOW), "russia": 7})
    assert infos["russia"]["illegal_action"] and infos["russia"]["played"] == "follow"


# -- seeds -------------------------------------------------------------------------------------


def trajectory(env: WhitecellParallelEnv, seed: int | None, actions_seed: int) -> list[Any]:
    obs, infos = env.reset(seed=seed)
    rng = random.Random(actions_seed)
    out: list[Any] = [obs, infos]
    while env.agents:
        out.append(env.step(legal(obs, rng)))
        obs = out[-1][0]
    return out


def test_the_same_seed_replays_an_episode_and_another_seed_does_not() -> None:
    a = trajectory(parallel_env(UKRAINE), 21, 0)
    b = trajectory(parallel_env(UKRAINE), 21, 0)
    c = trajectory(parallel_env(UKRAINE), 22, 0)
    assert data_equivalence(a, b)
    assert not data_equivalence(a, c)


def test_episodes_after_a_seeded_reset_are_the_runs_of_that_seed() -> None:
    env = parallel_env(UKRAINE, seed=21)
    first = trajectory(env, None, 0)  # the constructor's seed
    assert env.game_seed == run_seed(21, 0)
    second = trajectory(env, None, 0)
    assert env.game_seed == run_seed(21, 1)
    assert not data_equivalence(first, second)
    again = parallel_env(UKRAINE)
    assert data_equivalence(trajectory(again, 21, 0), first)
    assert data_equivalence(trajectory(again, None, 0), second)


# -- rendering -----------------------------------------------------------------------------------


def test_ansi_rendering_tells_the_round_and_no_mode_renders_nothing() -> None:
    env = parallel_env(UKRAINE, render_mode="ansi")
    env.reset(seed=1)
    env.step(dict.fromkeys(env.agents, HOLD))
    text = env.render()
    assert isinstance(text, str) and "Round 1" in text and "[/" not in text
    env.step(dict.fromkeys(env.agents, HOLD))
    text = env.render()
    assert isinstance(text, str) and "Round 3" in text and "Round 1" not in text
    quiet = parallel_env(UKRAINE)
    quiet.reset(seed=1)
    with pytest.warns(UserWarning, match="render_mode"):
        assert quiet.render() is None
