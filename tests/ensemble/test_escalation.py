"""The escalation index over an ensemble: all teams' per round as a fan (mean and the
5/25/50/75/95th percentiles), over the whole game, per team, and one team's per round by
who played it; the summary only gains keys, so older readers still read it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from whitecell.ensemble.run import Task, learn, run_chunk
from whitecell.ensemble.seeds import run_seed
from whitecell.ensemble.stats import Aggregate
from whitecell.escalation import escalation_index
from whitecell.play import play_game
from whitecell.report import ensemble_report
from whitecell.report.ensemble import build_ensemble_report
from whitecell.scenario.library import load_bundled

RUNS = 40
SEED = 77


@pytest.fixture(scope="module")
def scenario():
    return learn(dict(load_bundled("ukraine-ceasefire-2025").document))


@pytest.fixture(scope="module")
def summary(scenario) -> dict:
    aggregate = Aggregate(scenario)
    aggregate.add(run_chunk(Task(None, scenario.digest, SEED, 0, RUNS // 2)))
    aggregate.add(run_chunk(Task(None, scenario.digest, SEED, RUNS // 2, RUNS - RUNS // 2)))
    return aggregate.summary()


@pytest.fixture(scope="module")
def replayed(scenario) -> np.ndarray:
    """Each run played again on its own and scored game by game: (runs, rounds, teams)."""
    out = []
    for run in range(RUNS):
        game = play_game(scenario, run_seed(SEED, run))
        index = escalation_index(scenario, game.state.actions.values(), len(scenario.rounds))
        out.append(
            [[index.per_team[t][r] for t in scenario.team_ids] for r in range(len(scenario.rounds))]
        )
    return np.array(out)


def test_the_summary_gives_a_fan_of_all_teams_index_for_every_round(summary, scenario) -> None:
    fan = summary["escalation"]["rounds"]
    assert [r["round"] for r in fan] == list(range(1, len(scenario.rounds) + 1))
    for r in fan:
        assert set(r) == {"round", "mean", "p5", "p25", "p50", "p75", "p95"}
        assert r["p5"] <= r["p25"] <= r["p50"] <= r["p75"] <= r["p95"]


def test_the_fan_s_figures_are_those_of_the_runs_scored_one_by_one(summary, replayed) -> None:
    overall = replayed.sum(axis=2)
    for r, got in enumerate(summary["escalation"]["rounds"]):
        assert got["mean"] == pytest.approx(overall[:, r].mean(), abs=1e-6)
        for q in (5, 25, 50, 75, 95):
            assert got[f"p{q}"] == np.percentile(overall[:, r], q, method="inverted_cdf")
    total = summary["escalation"]["total"]
    assert total["mean"] == pytest.approx(overall.sum(axis=1).mean(), abs=1e-6)
    assert total["p50"] == np.percentile(overall.sum(axis=1), 50, method="inverted_cdf")


def test_negotiation_rounds_take_no_actions_so_their_index_is_zero(summary, scenario) -> None:
    for r, spec in enumerate(scenario.rounds):
        if spec.kind == "negotiation":
            got = summary["escalation"]["rounds"][r]
            assert got["mean"] == got["p5"] == got["p95"] == 0.0


def test_each_team_and_each_kind_of_player_has_its_own_figures(summary, scenario, replayed) -> None:
    escalation = summary["escalation"]
    assert list(escalation["teams"]) == list(scenario.team_ids)
    russia = scenario.team_ids.index("russia")
    assert escalation["teams"]["russia"][0]["mean"] == pytest.approx(
        replayed[:, 0, russia].mean(), abs=1e-6
    )
    heuristic = escalation["by_kind"]["heuristic"]
    assert heuristic["team_runs"] == RUNS * len(scenario.team_ids)
    assert heuristic["rounds"][0]["mean"] == pytest.approx(replayed[:, 0, :].mean(), abs=1e-6)
    # automated plays have no people and, without --agents, no models: the summary says so
    assert set(escalation["by_kind"]) == {"heuristic"}
    assert escalation["kinds_missing"] == ["model", "human"]
    assert escalation["ladder"]["nuclear"] == 60.0


def test_the_summary_keeps_every_key_it_had_before_the_escalation_index(summary) -> None:
    assert {"runs", "outcomes", "variables", "paths", "distinct_paths", "balance"} <= set(summary)
    json.dumps(summary)  # still plain JSON


def _header(summary: dict, scenario) -> dict:
    return {
        "format": "whitecell-ensemble",
        "version": 1,
        "scenario": scenario.id,
        "seed": SEED,
        **summary,
    }


def test_the_ensemble_report_draws_the_fan_with_its_numbers_as_a_table(summary, scenario) -> None:
    html = ensemble_report(_header(summary, scenario), scenario=scenario).decode()
    section = html[html.index('<section id="escalation"') :]
    section = section[: section.index("</section>")]
    assert '<svg role="img" aria-label="Escalation index by round"' in section
    assert '<table id="escalation-table">' in section
    assert section.count('<th scope="row">R') == len(scenario.rounds)
    assert "language model, people" in section  # the kinds no run had
    md = ensemble_report(
        _header(summary, scenario), fmt="md", lang="ja", scenario=scenario
    ).decode()
    assert "## エスカレーション指数" in md and "| 合計 |" in md


def test_a_summary_without_the_index_still_makes_a_report(summary, scenario) -> None:
    older = {k: v for k, v in _header(summary, scenario).items() if k != "escalation"}
    assert build_ensemble_report(older, scenario, "en").escalation is None
    assert 'id="escalation"' not in ensemble_report(older, scenario=scenario).decode()
