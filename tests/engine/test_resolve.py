"""Ruling on a round by the rules in one command, and ending a game in mid-round: the chain
of events is what the single commands would have made, and the verifier accepts it."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from whitecell.adjudication.rules import assess_command, assess_in
from whitecell.agents.heuristic import HeuristicAgent
from whitecell.agents.mediator import Mediator
from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.engine.decide import rule_odds
from whitecell.engine.errors import RuleViolation
from whitecell.engine.evolve import evolve
from whitecell.engine.game import Game, replay
from whitecell.engine.log import dump_log, parse_log
from whitecell.engine.seats import ADJUDICATOR, CONTROL, team_seat
from whitecell.engine.view import View
from whitecell.play import agent_rng, negotiation_round, play_game
from whitecell.scenario import Scenario
from whitecell.scenario.library import load_bundled
from whitecell.verify import verify_log

SCENARIOS = ("ukraine-ceasefire-2025", "nuclear-cascade-2025")


def submit_all(game: Game, seed: int) -> None:
    """Every team's heuristic moves for the open action round, as automated play makes them."""
    sc = game.scenario
    for team in sc.team_ids:
        agent = HeuristicAgent(sc, team, agent_rng(seed + game.state.round, team))
        for command in agent.choose_actions(game.view(team_seat(team))):
            try:
                game.handle(command)
            except RuleViolation:  # an availability the team could not see
                continue


def ruled_by_the_rules(sc: Scenario, seed: int, *, end_mid_round: str | None) -> Game:
    """A game whose action rounds are each ruled by one resolve_by_rules; with
    ``end_mid_round`` the game ends in its last action round, its actions submitted and
    open, with that choice."""
    game = Game(sc, seed)
    last_action = max(r.number for r in sc.rounds if r.kind == "action")
    agents = {t: HeuristicAgent(sc, t, agent_rng(seed, t)) for t in sc.team_ids}
    game.handle(cmd.StartGame(seat=CONTROL))
    for rnd in sc.rounds:
        game.handle(cmd.OpenRound(seat=CONTROL, number=rnd.number))
        if rnd.kind == "action":
            submit_all(game, seed)
            if rnd.number == last_action and end_mid_round is not None:
                break
            if any(a.unresolved for a in game.state.actions.values()):
                game.handle(cmd.ResolveByRules(seat=ADJUDICATOR))
        else:
            negotiation_round(game, agents, Mediator(sc))
        game.handle(cmd.CloseRound(seat=CONTROL, number=rnd.number))
    game.handle(cmd.EndGame(seat=CONTROL, open_actions=end_mid_round))
    return game


@pytest.mark.parametrize("scenario_id", SCENARIOS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_game_ruled_by_the_rules_verifies(scenario_id: str, seed: int) -> None:
    sc = load_bundled(scenario_id)
    game = ruled_by_the_rules(sc, seed, end_mid_round=None)
    assert any(isinstance(e, ev.ActionsResolved) for e in game.events)
    verdict = verify_log(parse_log(dump_log(sc, game.events)))
    assert verdict.ok, verdict.message
    assert replay(sc, game.events).snapshot() == game.state.snapshot()


@pytest.mark.parametrize("scenario_id", SCENARIOS)
@pytest.mark.parametrize("choice", ["resolve", "void"])
@pytest.mark.parametrize("seed", [4, 5])
def test_a_game_ended_in_mid_round_verifies(scenario_id: str, choice: str, seed: int) -> None:
    sc = load_bundled(scenario_id)
    game = ruled_by_the_rules(sc, seed, end_mid_round=choice)
    state = game.state
    assert state.ended and not state.round_open
    assert any(isinstance(e, ev.ActionVoided) for e in game.events) == (choice == "void")
    assert not [a for a in state.actions.values() if a.unresolved]
    verdict = verify_log(parse_log(dump_log(sc, game.events)))
    assert verdict.ok, verdict.message
    assert replay(sc, game.events).snapshot() == state.snapshot()


def test_the_rules_odds_in_the_engine_are_the_adjudicators(ukraine: Scenario) -> None:
    """decide's copy of the rule (the engine cannot import adjudication) gives the odds and
    modifiers the adjudicator's rule gives, in every state of a played game."""
    game = play_game(ukraine, 11)
    state = replay(ukraine, [])
    compared = 0
    for e in game.events:
        evolve(state, e)
        if not isinstance(e, ev.RoundOpened | ev.OutcomeApplied):
            continue
        for spec in ukraine.actions:
            for team in sorted(spec.teams):
                for target in (None,) if spec.targets is None else spec.targets:
                    if target == team:
                        continue
                    ours = rule_odds(state, ukraine, spec, team, target)
                    theirs = assess_in(state, ukraine, spec.id, team, target)
                    assert ours == (theirs.probability, theirs.modifiers)
                    compared += 1
    assert compared > 1000


def test_resolving_matches_the_single_commands(base_scenario: Scenario) -> None:
    """Assess by the rules, roll and publish, one command at a time, make the same events."""
    steps = [
        cmd.StartGame(seat=CONTROL),
        cmd.OpenRound(seat=CONTROL, number=1),
        cmd.SubmitAction(seat=team_seat("red"), action="sabotage", target="blue"),
        cmd.SubmitAction(seat=team_seat("blue"), action="spy", target="red"),
        cmd.SubmitAction(seat=team_seat("green"), action="aid"),
    ]
    one, many = Game(base_scenario, 9), Game(base_scenario, 9)
    for step in steps:
        one.handle(step)
        many.handle(step)
    chain = one.handle(cmd.ResolveByRules(seat=ADJUDICATOR))
    pending = list(many.state.actions.values())
    for rec in pending:
        many.handle(assess_command(View(many.state, ADJUDICATOR), rec))
    for rec in pending:
        many.handle(cmd.Roll(seat=ADJUDICATOR, uid=rec.uid))
    for rec in pending:
        many.handle(cmd.PublishOutcome(seat=ADJUDICATOR, uid=rec.uid))
    single = many.events[len(steps) :]
    assert [ev.event_to_dict(e) for e in chain[:-1]] == [ev.event_to_dict(e) for e in single]
    assert isinstance(chain[-1], ev.ActionsResolved)
    assert one.state.values() == many.state.values()


def test_ending_in_mid_round_closes_it_as_close_round_does(base_scenario: Scenario) -> None:
    """The round's closing events are the same whether control closes it, then ends the
    game, or ends the game with the round open."""
    steps = [
        cmd.StartGame(seat=CONTROL),
        cmd.OpenRound(seat=CONTROL, number=1),
        cmd.CloseRound(seat=CONTROL, number=1),
        cmd.OpenRound(seat=CONTROL, number=2),
        cmd.TableProposal(seat=team_seat("red"), agreement="truce", clauses=("truce_line",)),
        cmd.SignProposal(seat=team_seat("red"), pid="p6"),
        cmd.SignProposal(seat=team_seat("blue"), pid="p6"),
    ]
    for seed in range(1, 8):
        closed, ended = Game(base_scenario, seed), Game(base_scenario, seed)
        for step in steps:
            closed.handle(step)
            ended.handle(step)
        closed.handle(cmd.CloseRound(seat=CONTROL, number=2))
        closed.handle(cmd.EndGame(seat=CONTROL))
        ended.handle(cmd.EndGame(seat=CONTROL, open_actions="void"))
        assert [ev.event_to_dict(e) for e in closed.events] == [
            ev.event_to_dict(e) for e in ended.events
        ]


def test_a_tampered_rules_assessment_in_a_chain_fails_verification(
    base_scenario: Scenario,
) -> None:
    game = Game(base_scenario, 3)
    for step in (
        cmd.StartGame(seat=CONTROL),
        cmd.OpenRound(seat=CONTROL, number=1),
        cmd.SubmitAction(seat=team_seat("red"), action="patrol"),
        cmd.ResolveByRules(seat=CONTROL),
        cmd.CloseRound(seat=CONTROL, number=1),
        cmd.EndGame(seat=CONTROL),
    ):
        game.handle(step)
    text = dump_log(base_scenario, game.events).replace('"probability":0.6', '"probability":0.7')
    text = text.replace('"threshold":0.6', '"threshold":0.7')
    verdict = verify_log(parse_log(text))
    assert not verdict.ok
    assert "the rules give 0.6" in verdict.message


def test_an_outcome_of_a_voided_action_fails_verification(base_scenario: Scenario) -> None:
    game = Game(base_scenario, 3)
    for step in (
        cmd.StartGame(seat=CONTROL),
        cmd.OpenRound(seat=CONTROL, number=1),
        cmd.SubmitAction(seat=team_seat("red"), action="patrol"),
        cmd.Assess(seat=ADJUDICATOR, uid="a3", probability=1.0),
        cmd.Roll(seat=ADJUDICATOR, uid="a3"),
        cmd.PublishOutcome(seat=ADJUDICATOR, uid="a3"),
        cmd.CloseRound(seat=CONTROL, number=1),
        cmd.EndGame(seat=CONTROL),
    ):
        game.handle(step)
    events = list(game.events)
    voided = ev.ActionVoided(
        seq=6, round=1, audience=("*",), actor="control", uid="a3", team="red", reason="x"
    )
    forged = [*events[:5], voided] + [replace(e, seq=e.seq + 1) for e in events[5:]]
    verdict = verify_log(parse_log(dump_log(base_scenario, forged)))
    assert not verdict.ok
    assert "which was voided" in verdict.message


def test_free_form_actions_are_left_and_voided_at_the_end(base_scenario: Scenario) -> None:
    game = Game(base_scenario, 2)
    for step in (
        cmd.StartGame(seat=CONTROL),
        cmd.OpenRound(seat=CONTROL, number=1),
        cmd.SubmitAction(
            seat=team_seat("red"), action="free", instrument="military", description="Dig in."
        ),
        cmd.SubmitAction(seat=team_seat("blue"), action="aid"),
    ):
        game.handle(step)
    game.handle(cmd.ResolveByRules(seat=ADJUDICATOR))
    assert game.state.actions["a3"].status == "submitted"
    assert game.state.actions["a4"].status == "applied"
    game.handle(cmd.EndGame(seat=CONTROL, open_actions="resolve"))
    assert game.state.actions["a3"].status == "voided"
    assert verify_log(parse_log(dump_log(base_scenario, game.events))).ok


def test_the_order_of_resolution_is_the_order_of_submission(base_scenario: Scenario) -> None:
    game = Game(base_scenario, random.Random(5).randrange(1000))
    for step in (
        cmd.StartGame(seat=CONTROL),
        cmd.OpenRound(seat=CONTROL, number=1),
        cmd.SubmitAction(seat=team_seat("green"), action="aid"),
        cmd.SubmitAction(seat=team_seat("red"), action="patrol"),
        cmd.SubmitAction(seat=team_seat("blue"), action="aid"),
    ):
        game.handle(step)
    chain = game.handle(cmd.ResolveByRules(seat=CONTROL))
    rolled = [e.subject for e in chain if isinstance(e, ev.DiceRolled)]
    assert rolled == ["a3", "a4", "a5"]
