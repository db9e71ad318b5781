"""The dice: commitment and rolls are pure functions of the seed, by the documented formula.

Roll ``n`` is SHA-256 over ``"whitecell-roll:{seed}:{n}"``, its first 7 bytes read as a
big-endian integer and divided by 2**56; the commitment is SHA-256 over
``"whitecell-seed:{seed}"``. The expected values below are recomputed here with hashlib
straight from that description, not taken from the engine.
"""

from __future__ import annotations

import hashlib
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from whitecell.engine import ADJUDICATOR, CONTROL, Game, team_seat
from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.engine.dice import Dice, commitment


def expected_roll(seed: int, n: int) -> float:
    digest = hashlib.sha256(f"whitecell-roll:{seed}:{n}".encode()).digest()
    return int.from_bytes(digest[:7], "big") / 2**56


def expected_commitment(seed: int) -> str:
    return hashlib.sha256(f"whitecell-seed:{seed}".encode()).hexdigest()


SEEDS = [0, 1, 7, 42, 20250217, -3, 2**63 + 11]


def test_the_commitment_is_the_sha256_of_the_seed_by_the_documented_formula() -> None:
    for seed in SEEDS:
        assert commitment(seed) == expected_commitment(seed)


def test_each_roll_is_the_seeds_hash_of_its_number_by_the_documented_formula() -> None:
    for seed in SEEDS:
        dice = Dice(seed)
        for n in [*range(12), 99, 1000, 123456]:
            assert dice.roll(n) == expected_roll(seed, n), (seed, n)


def test_a_roll_does_not_depend_on_the_rolls_asked_for_before_it() -> None:
    forwards = Dice(5)
    backwards = Dice(5)
    ahead = [forwards.roll(n) for n in range(20)]
    behind = [backwards.roll(n) for n in reversed(range(20))][::-1]
    again = [Dice(5).roll(n) for n in range(20)]
    assert ahead == behind == again


@settings(max_examples=300)
@given(seed=st.integers(min_value=-(2**70), max_value=2**70), n=st.integers(0, 10**9))
def test_every_roll_lies_in_the_unit_interval_open_at_one(seed: int, n: int) -> None:
    value = Dice(seed).roll(n)
    assert isinstance(value, float)
    assert 0.0 <= value < 1.0
    assert value == expected_roll(seed, n)


def test_different_seeds_give_different_commitments_and_different_rolls() -> None:
    seeds = range(60)
    sequences = {seed: tuple(Dice(seed).roll(n) for n in range(8)) for seed in seeds}
    for a, b in itertools.combinations(seeds, 2):
        assert commitment(a) != commitment(b)
        assert sequences[a] != sequences[b]
    # and within one seed the rolls are not all alike
    assert len(set(sequences[0])) == 8


def test_the_rolls_of_many_seeds_spread_over_the_whole_interval() -> None:
    values = [Dice(seed).roll(n) for seed in range(50) for n in range(40)]
    tenths = {int(v * 10) for v in values}
    assert tenths == set(range(10))
    assert 0.45 < sum(values) / len(values) < 0.55


def test_a_game_publishes_the_commitment_and_rolls_the_seeds_dice_in_order(base_scenario) -> None:
    seed = 8128
    game = Game(base_scenario, seed)
    started = game.handle(cmd.StartGame(seat=CONTROL))[0]
    assert isinstance(started, ev.GameStarted)
    assert started.seed_commitment == expected_commitment(seed)
    game.handle(cmd.OpenRound(seat=CONTROL, number=1))
    uids = []
    for team, action, target in [("red", "patrol", None), ("blue", "aid", None)]:
        uids.append(
            game.handle(cmd.SubmitAction(seat=team_seat(team), action=action, target=target))[0].uid
        )
    rolls = []
    for uid in uids:
        game.handle(cmd.Assess(seat=ADJUDICATOR, uid=uid, probability=0.5))
        rolls += game.handle(cmd.Roll(seat=ADJUDICATOR, uid=uid))
    assert [r.index for r in rolls] == [0, 1]
    assert [r.value for r in rolls] == [expected_roll(seed, 0), expected_roll(seed, 1)]
    assert [r.success for r in rolls] == [expected_roll(seed, n) < 0.5 for n in (0, 1)]
