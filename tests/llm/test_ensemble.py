"""Ensembles with language-model seats, against the stand-in model server of ``fake_server``
(no model weights can be downloaded here): the same settings as ``play``, a token budget
for the whole ensemble, and a server that dies stopping the ensemble with its finished
runs kept."""

from __future__ import annotations

import dataclasses

from tests.llm.fake_server import running
from whitecell.ensemble.driver import run_ensemble, summary
from whitecell.ensemble.executors import InProcess, LocalProcesses
from whitecell.llm.settings import ModelSettings
from whitecell.scenario.library import load_bundled

RUNS = 4


def settings(url: str, **changes) -> ModelSettings:
    base = ModelSettings(agents=("usa=llm",), base_url=url, model="scripted", attempts=2)
    return dataclasses.replace(base, **changes)


def test_model_seats_play_every_run_and_the_summary_counts_their_calls():
    sc = load_bundled("ukraine-ceasefire-2025")
    with running() as server:
        result = run_ensemble(sc, RUNS, 1, InProcess(), chunk=2, models=settings(server.url))
        requests = len(server.requests)
    report = summary(sc, 1, InProcess(), [([], sc, result)])
    assert report["runs"] == RUNS and not report["interrupted"]
    assert report["models"]["calls"] == requests >= RUNS * 3  # three action rounds at least
    assert report["models"]["fallbacks"] == 0 and report["models"]["tokens"] > 0


def test_worker_processes_reach_the_server_too():
    sc = load_bundled("ukraine-ceasefire-2025")
    with running() as server:
        result = run_ensemble(sc, RUNS, 1, LocalProcesses(2), chunk=2, models=settings(server.url))
        assert result.models["calls"] == len(server.requests) > 0
    assert result.aggregate.n == RUNS


def test_a_budget_per_run_hands_the_rest_of_each_run_to_the_heuristic_players():
    sc = load_bundled("ukraine-ceasefire-2025")
    with running() as server:
        result = run_ensemble(
            sc, RUNS, 1, InProcess(), models=settings(server.url, max_tokens_per_game=3000)
        )
    assert result.models["fallbacks"] == RUNS  # said once in each run
    assert result.models["tokens"] <= RUNS * 3000


def test_a_dead_server_stops_the_ensemble_and_keeps_the_runs_that_finished():
    sc = load_bundled("ukraine-ceasefire-2025")
    with running() as server:
        calls_per_run = None

        def on_chunk(chunk):
            nonlocal calls_per_run
            calls_per_run = calls_per_run or chunk.model_calls
            server.script.extend(["500"] * 50)  # the server dies after the first chunk

        result = run_ensemble(
            sc, RUNS, 1, InProcess(), on_chunk, chunk=1, models=settings(server.url)
        )
    assert result.interrupted and result.stopped and "did not answer" in result.stopped
    assert result.aggregate.n == 1 and calls_per_run


def test_the_escalation_index_is_split_between_model_and_heuristic_seats():
    """One seat of six is the model's: its team's index is filed under "model", the five
    others' under "heuristic"; no run had people at the table."""
    sc = load_bundled("ukraine-ceasefire-2025")
    with running() as server:
        result = run_ensemble(sc, RUNS, 1, InProcess(), chunk=2, models=settings(server.url))
    escalation = summary(sc, 1, InProcess(), [([], sc, result)])["escalation"]
    kinds = escalation["by_kind"]
    assert kinds["model"]["team_runs"] == RUNS
    assert kinds["heuristic"]["team_runs"] == RUNS * (len(sc.team_ids) - 1)
    usa = [r["mean"] for r in escalation["teams"]["usa"]]
    assert [r["mean"] for r in kinds["model"]["rounds"]] == usa  # the model played the US
    assert escalation["kinds_missing"] == ["human"]
