"""A PettingZoo environment for agent research: ``parallel_env(scenario_id, seed=...)``.

Agents are the scenario's teams; one ``step`` plays one round of the game.

Observations
    ``{"observation": float32 vector in [0, 1], "action_mask": int8 vector}`` per team,
    PettingZoo's convention for masked actions. The vector encodes the team's
    :class:`~whitecell.engine.view.View` and nothing else (layout in
    :mod:`whitecell.env.encoding`, names from ``env.observation_layout()``): a hidden
    variable shows as the team's estimate or prior, never its true value. ``infos[team]``
    holds the raw view (``view``, ``View.to_dict``), the mask again, the round and its kind,
    and after a step what the team played (``played``), whether its index was not allowed
    (``illegal_action``) and any refusal by the rules (``refused``). After the last round the
    game ends; a scenario that reveals everything at the end shows every team the truth in
    that final observation, as it does players at the debrief.

Actions
    ``Discrete(N)``, the same N for every team: 1 + the most (catalogue action, target)
    pairs any team could ever take (at least 3). In an action round index 0 holds back and
    index k plays the team's k-th pair (``env.action_meanings(team)``); the mask allows the
    pairs whose ``requires`` condition holds *as the team sees the state* (as the heuristic
    agents judge it), so the mask leaks nothing. A team plays at most one action per round
    here, even where the scenario allows more. In a negotiation round the env runs the
    talks as automated games do (the mediator tables packages, the parties answer) and the
    index sets the team's stance for the whole round: 0 follows the heuristic negotiator
    (sign, counter or reject by its preferences), 1 refuses everything put to it, 2 signs
    everything put to it. Teams that are party to nothing have nothing to answer.
    An index the mask does not allow (or not a whole number) plays index 0 and sets
    ``illegal_action``. A move the team's view judged available that the rules, reading the
    true state, refuse (a ``requires`` over a variable the team cannot see) is a hold, with
    the rules' message in ``refused``: what a human player would be told.

Adjudication
    The white cell's rules (:func:`~whitecell.adjudication.rules.assess_command`) with the
    game's own dice, injects and agreement hazards, exactly as ``whitecell play``.

Rewards
    The change over the step in the team's preference value: the sum over its scenario
    preferences of weight x variable, weights per unit of the variable's range, as the
    heuristic agents value changes. By default (``reward_from="state"``) over the true
    state: rewards are the environment's judgement, for training, and can reflect changes
    to variables the team cannot see. ``reward_from="belief"`` values the team's own
    picture instead. An episode's rewards sum to the final value minus the initial one.

Seeding
    ``reset(seed=s)`` plays game seed ``run_seed(s, 0)`` (:mod:`whitecell.ensemble.seeds`),
    and each later ``reset()`` without a seed the next run, ``run_seed(s, 1)`` and so on:
    the same seed gives the same episodes. Without any seed the first reset uses the
    constructor's ``seed``, else fresh entropy. The game seed in play is ``env.game_seed``.
    Heuristic negotiators draw from their own streams of the game seed, as in ``play``.

Other
    ``state()`` is the true state in the observation layout (the white cell's view), for
    centralised critics. ``render()`` tells what happened since the last call, as the public
    saw it (``render_mode`` "ansi" returns the text, "human" prints it). Terminations are
    all True after the last round; truncations are always False.
"""

from __future__ import annotations

from whitecell.env.encoding import Move, encode, observation_layout, preference_value, team_moves
from whitecell.env.parallel import STANCES, RewardFrom, WhitecellParallelEnv
from whitecell.scenario.compiled import Scenario


def parallel_env(
    scenario_id: str | Scenario = "ukraine-ceasefire-2025",
    seed: int | None = None,
    render_mode: str | None = None,
    lang: str = "en",
    reward_from: RewardFrom = "state",
) -> WhitecellParallelEnv:
    """The game of a bundled scenario (by id) or of a compiled :class:`Scenario`."""
    return WhitecellParallelEnv(
        scenario_id, seed=seed, render_mode=render_mode, lang=lang, reward_from=reward_from
    )


__all__ = [
    "STANCES",
    "Move",
    "WhitecellParallelEnv",
    "encode",
    "observation_layout",
    "parallel_env",
    "preference_value",
    "team_moves",
]
