"""The ensemble's statistics are honest: intervals cover, percentiles match, order is irrelevant."""

from __future__ import annotations

import math
import random
from collections import Counter
from statistics import NormalDist

import numpy as np
import pytest

from tests.ensemble.scenarios import coin_scenario
from whitecell.ensemble.driver import run_ensemble, tasks_for
from whitecell.ensemble.executors import InProcess
from whitecell.ensemble.run import run_chunk
from whitecell.ensemble.seeds import run_seed
from whitecell.ensemble.stats import BINS, Aggregate, wilson
from whitecell.scenario.compiled import Scenario

Z = NormalDist().inv_cdf(0.975)


def wilson_by_hand(x: int, n: int) -> tuple[float, float]:
    """Wilson (1927): (x + z²/2 ± z·sqrt(x(n-x)/n + z²/4)) / (n + z²)."""
    centre = x + Z * Z / 2
    half = Z * math.sqrt(x * (n - x) / n + Z * Z / 4)
    return (centre - half) / (n + Z * Z), (centre + half) / (n + Z * Z)


# (successes, n, published 95% Wilson interval to 4 places)
KNOWN = [
    (0, 10, 0.0, 0.2775),
    (10, 10, 0.7225, 1.0),
    (5, 10, 0.2366, 0.7634),
    (30, 100, 0.2189, 0.3958),
]


@pytest.mark.parametrize(("x", "n", "low", "high"), KNOWN)
def test_the_wilson_interval_is_the_textbook_one(x, n, low, high):
    p, ci_low, ci_high = wilson(x, n)
    assert p == x / n
    by_hand = wilson_by_hand(x, n)
    assert ci_low == pytest.approx(max(0.0, by_hand[0]), abs=1e-12)
    assert ci_high == pytest.approx(min(1.0, by_hand[1]), abs=1e-12)
    assert (ci_low, ci_high) == pytest.approx((low, high), abs=5e-5)


@pytest.mark.parametrize("n", [1, 10, 100, 1000])
def test_the_wilson_interval_contains_the_estimate_and_reaches_0_and_1_at_the_ends(n):
    for x in range(n + 1):
        p, low, high = wilson(x, n)
        assert 0.0 <= low <= p <= high <= 1.0, (x, n, low, p, high)
    assert wilson(0, n)[1] == 0.0
    assert wilson(n, n)[2] == 1.0


def test_the_wilson_interval_of_no_runs_is_undefined():
    assert all(math.isnan(v) for v in wilson(0, 0))


def test_the_95_percent_interval_covers_the_true_odds_in_about_95_percent_of_ensembles():
    """200 independent ensembles of 100 runs of a coin that lands with probability 0.3."""
    coin = coin_scenario(0.3)
    covered, successes, total = 0, 0, 0
    for ensemble_seed in range(1000, 1200):
        result = run_ensemble(coin, 100, ensemble_seed, InProcess())
        report = result.aggregate.summary()
        assert report["outcomes"]["tries"]["mean"] == 1.0, "red must patrol in every run"
        patrolled = report["outcomes"]["patrolled"]
        covered += patrolled["ci_low"] <= 0.3 <= patrolled["ci_high"]
        successes += patrolled["count"]
        total += report["runs"]
    assert total == 200 * 100
    assert 0.88 <= covered / 200 <= 0.99, f"coverage {covered / 200:.1%}"
    # the 20,000 runs together: within 4 standard errors of 0.3
    assert abs(successes / total - 0.3) < 4 * math.sqrt(0.3 * 0.7 / total)


def test_per_round_percentiles_of_a_variable_follow_its_known_distribution():
    """Two rounds of a 0.4 coin: tension after round r is 50 + 2r + 8K, K ~ Binomial(r, 0.4);
    alert is 1 once a patrol has succeeded. Quantiles of K: round 1 (0, 0, 1), round 2
    (0, 1, 2), every cumulative probability at least 0.07 from 5%, 50% and 95%."""
    coin = coin_scenario(0.4, rounds=2)
    report = run_ensemble(coin, 2000, 11, InProcess()).aggregate.summary()
    width = 100 / BINS  # tension runs from 0 to 100: percentiles are exact to one bin
    expected = {1: (52, 52, 60), 2: (54, 62, 70)}
    tension = report["variables"]["tension"]
    assert [r["round"] for r in tension] == [1, 2]
    for row in tension:
        got = (row["p5"], row["p50"], row["p95"])
        assert got == pytest.approx(expected[row["round"]], abs=width), row
    alert = report["variables"]["alert"]  # a flag: 0 or 1
    expected_alert = {1: (0, 0, 1), 2: (0, 1, 1)}
    for row in alert:
        got = (row["p5"], row["p50"], row["p95"])
        assert got == pytest.approx(expected_alert[row["round"]], abs=1 / BINS), row

    final = report["outcomes"]["final_tension"]  # exact percentiles of the same values
    assert (final["p5"], final["p50"], final["p95"]) == (54, 62, 70)
    sd = 8 * math.sqrt(2 * 0.4 * 0.6)
    assert final["mean"] == pytest.approx(54 + 8 * 0.8, abs=4 * sd / math.sqrt(2000))
    assert final["std"] == pytest.approx(sd, rel=0.08)
    patrolled = report["outcomes"]["patrolled"]  # at least one success in two
    assert patrolled["ci_low"] <= 1 - 0.6**2 <= patrolled["ci_high"]


def test_paths_and_their_example_runs_do_not_depend_on_the_order_chunks_arrive(
    base_scenario: Scenario,
):
    seed, runs = 8, 300
    chunks = [run_chunk(t) for t in tasks_for(base_scenario, runs, seed, chunk=16)]
    shuffled = chunks[:]
    random.Random(5).shuffle(shuffled)
    reports = []
    for order in (chunks, chunks[::-1], shuffled):
        aggregate = Aggregate(base_scenario)
        for chunk in order:
            aggregate.add(chunk)
        reports.append(aggregate.summary())
    assert reports[0] == reports[1] == reports[2]

    by_run = {c.start + i: path for c in chunks for i, path in enumerate(c.paths)}
    counts = Counter(by_run.values())
    paths = reports[0]["paths"]
    assert reports[0]["distinct_paths"] == len(counts) >= 3
    assert any(p["example_run"] > 0 for p in paths)
    for entry in paths:
        first = min(run for run, path in by_run.items() if path == entry["path"])
        assert entry["example_run"] == first, entry
        assert entry["example_seed"] == run_seed(seed, first)
        assert entry["count"] == counts[entry["path"]]
        assert entry["share"] == pytest.approx(counts[entry["path"]] / runs, abs=1e-6)


def test_the_summary_does_not_depend_on_the_chunk_size(base_scenario: Scenario):
    one = run_ensemble(base_scenario, 120, 4, InProcess(), chunk=1).aggregate.summary()
    big = run_ensemble(base_scenario, 120, 4, InProcess(), chunk=50).aggregate.summary()
    assert one == big


def test_numeric_outcomes_report_the_exact_mean_spread_and_percentiles(base_scenario: Scenario):
    chunks = [run_chunk(t) for t in tasks_for(base_scenario, 150, 21, chunk=32)]
    aggregate = Aggregate(base_scenario)
    for chunk in chunks[::-1]:
        aggregate.add(chunk)
    column = [o.id for o in base_scenario.outcomes].index("final_tension")
    values = np.concatenate([c.outcomes[:, column] for c in chunks])
    got = aggregate.summary()["outcomes"]["final_tension"]
    assert len(set(values)) > 2
    assert got["mean"] == pytest.approx(values.mean(), abs=1e-6)
    assert got["std"] == pytest.approx(values.std(ddof=1), abs=1e-6)
    for q in (5, 50, 95):
        assert got[f"p{q}"] == pytest.approx(np.percentile(values, q), abs=1e-6)
