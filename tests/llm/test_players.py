"""Language-model players and adjudicators against a model server on loopback.

The server in ``fake_server`` stands in for a model server (vLLM, Ollama, llama.cpp,
a hosted API): no model weights can be downloaded here, so it is a real HTTP server
speaking the OpenAI chat-completions protocol whose answers are scripted. Each test
scripts the path it checks: valid output, invalid JSON, an answer that breaks a rule,
a 429, a 500, a stall past the client's timeout, a server that never recovers.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.llm.fake_server import FOREIGN_ACTION, VALID_RATIONALE, FakeModelServer, running
from whitecell.agents.language_model import Budget
from whitecell.engine import events as ev
from whitecell.llm.client import OpenAIModel
from whitecell.llm.settings import ModelSettings, build_cast
from whitecell.play import GameStopped, play_game
from whitecell.scenario.library import load_bundled

SCENARIO = "ukraine-ceasefire-2025"
SEED = 11


@pytest.fixture
def server() -> Iterator[FakeModelServer]:
    with running() as s:
        yield s


def game_with(
    server: FakeModelServer, *, agents=("usa=llm",), adjudicator="rules", budget=None, timeout=5.0
):
    sc = load_bundled(SCENARIO)
    settings = ModelSettings(
        agents=tuple(agents), adjudicator=adjudicator, max_tokens_per_game=budget
    )
    model = OpenAIModel(server.url, "scripted", timeout=timeout, backoff=0.01, attempts=3)
    cast, spent = build_cast(sc, settings, SEED, "en", model=model)
    return play_game(sc, SEED, cast=cast), spent, model


def called(game, subject="team:usa", purpose=None) -> list[ev.ModelCalled]:
    return [
        e
        for e in game.events
        if isinstance(e, ev.ModelCalled) and e.subject == subject and purpose in (None, e.purpose)
    ]


def fell_back(game) -> list[ev.ModelFellBack]:
    return [e for e in game.events if isinstance(e, ev.ModelFellBack)]


def usa_actions(game) -> list[ev.ActionSubmitted]:
    return [e for e in game.events if isinstance(e, ev.ActionSubmitted) and e.team == "usa"]


def test_valid_answers_are_played_and_every_exchange_is_kept_for_control(server):
    game, spent, _ = game_with(server)
    assert game.state.ended
    calls = called(game)
    assert {e.purpose for e in calls} >= {"act", "respond"}
    assert all(e.error == "" and e.attempt == 1 for e in calls)
    assert all(e.audience == ("control",) for e in calls)
    assert len(calls) == len(server.requests)
    assert [e.rationale for e in usa_actions(game)] == [VALID_RATIONALE] * len(usa_actions(game))
    assert not fell_back(game)
    # the log keeps the prompt sent and the answer received, with their token counts
    first = server.requests[0]["body"]
    assert [list(m) for m in calls[0].messages] == [
        [m["role"], m["content"]] for m in first["messages"]
    ]
    assert spent.used == sum(e.prompt_tokens + e.completion_tokens for e in calls) > 0


def test_invalid_json_is_shown_to_the_model_once_and_the_retry_is_played(server):
    server.script.extend(["invalid_json"])
    game, _, _ = game_with(server)
    first, second = called(game)[:2]
    assert first.attempt == 1 and "not JSON" in first.error
    assert second.attempt == 2 and second.error == ""
    retry = server.requests[1]["body"]["messages"]
    assert retry[-2]["role"] == "assistant" and "oops" in retry[-2]["content"]
    assert retry[-1]["role"] == "user" and "not JSON" in retry[-1]["content"]
    assert usa_actions(game)[0].rationale == VALID_RATIONALE
    assert not fell_back(game)


def test_a_second_bad_answer_hands_the_turn_to_the_heuristic_player(server):
    server.script.extend(["invalid_json", "invalid_json"])
    game, _, _ = game_with(server)
    fallbacks = fell_back(game)
    assert len(fallbacks) == 1
    assert fallbacks[0].reason.startswith("model output rejected: the answer is not JSON")
    assert fallbacks[0].subject == "team:usa" and fallbacks[0].purpose == "act"
    first_round = [e for e in usa_actions(game) if e.round == 1]
    # the heuristic's own rationales, not the model's
    assert first_round and all(e.rationale.startswith("We judge it") for e in first_round)
    assert game.state.ended


def test_an_answer_that_breaks_a_rule_is_refused_by_decide_and_the_model_told_why(server):
    server.script.extend(["rule_break"])
    game, _, _ = game_with(server)
    first, second = called(game, purpose="act")[:2]
    assert FOREIGN_ACTION in first.response
    assert first.error  # the engine's own words for the broken rule
    assert second.error == "" and second.attempt == 2
    assert first.error in server.requests[1]["body"]["messages"][-1]["content"]
    assert FOREIGN_ACTION not in {e.action for e in usa_actions(game)}


@pytest.mark.parametrize("failure", ["429", "500", "timeout"])
def test_transient_server_failures_are_retried_without_troubling_the_game(server, failure):
    server.script.extend([failure])
    server.stall = 1.5
    game, _, model = game_with(server, timeout=0.5)
    assert model.retries >= 1
    assert len(server.requests) == len(called(game)) + 1  # one request more than answers used
    assert all(e.error == "" for e in called(game))
    assert game.state.ended and not fell_back(game)


def test_a_dead_server_stops_the_game_with_its_log_so_far(server):
    server.script.extend(["500"] * 10)
    with pytest.raises(GameStopped) as stopped:
        game_with(server)
    assert "did not answer" in stopped.value.reason and "500" in stopped.value.reason
    game = stopped.value.game
    assert game.state.started and not game.state.ended
    assert len(server.requests) == 3  # the client's bounded attempts


def test_a_spent_token_budget_lets_the_heuristic_players_finish_and_says_so_once(server):
    game, spent, _ = game_with(server, agents=("usa=llm", "russia=llm"), budget=1)
    assert spent.exhausted
    reasons = [(e.subject, e.reason) for e in fell_back(game)]
    assert len(reasons) == 2 and {s for s, _ in reasons} == {"team:usa", "team:russia"}
    assert all("token budget reached" in r for _, r in reasons)
    assert len(server.requests) == 1  # the first call spent it; no call after that
    assert game.state.ended


def test_the_model_adjudicator_sets_odds_within_the_scenarios_bounds(server):
    game, _, _ = game_with(server, agents=(), adjudicator="llm")
    assessed = [e for e in game.events if isinstance(e, ev.ActionAssessed)]
    assert assessed and all(e.method == "llm" and e.probability == 0.6 for e in assessed)
    assert all(e.suggested is not None for e in assessed)  # the rules' odds, for comparison
    assert all(e.rationale == VALID_RATIONALE for e in assessed)


def test_odds_outside_zero_to_one_are_refused_and_the_rules_take_over_after_a_retry(server):
    server.script.extend(["rule_break", "rule_break"])
    game, _, _ = game_with(server, agents=(), adjudicator="llm")
    first = next(e for e in game.events if isinstance(e, ev.ActionAssessed))
    assert first.method == "rules"
    calls = called(game, "adjudicator")
    assert "1.7" in calls[0].error and calls[1].attempt == 2
    assert fell_back(game)[0].reason.startswith("model output rejected: probability 1.7")


def test_a_budget_stops_before_a_call_as_large_as_the_largest_would_break_it():
    from whitecell.agents.language_model import Reply

    budget = Budget(100)
    assert not budget.exhausted
    budget.spend(Reply("{}", 20, 10, "m"))
    assert (budget.used, budget.exhausted) == (30, False)  # 30 + 30 <= 100
    budget.spend(Reply("{}", 15, 5, "m"))
    assert (budget.used, budget.exhausted) == (50, False)  # 50 + 30 <= 100
    budget.spend(Reply("{}", 10, 10, "m"))
    assert (budget.used, budget.exhausted) == (70, False)  # 70 + 30 == 100
    budget.spend(Reply("{}", 1, 1, "m"))
    assert budget.exhausted  # 72 + 30 > 100
    assert Budget(None).exhausted is False
