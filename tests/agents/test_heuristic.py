"""Heuristic agents and the mediator: they reason on their own view, maximise expected utility
when made near-deterministic, respect the action limit, and sign only what beats their
reservation; the mediator prefers durable packages when support is equal.

Values here are worked out by hand from the scenario: a preference weight w on a 0-100
variable values a change of d at w * d / 100.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

from whitecell.adjudication.rules import assess, assess_command, odds
from whitecell.agents.heuristic import HeuristicAgent
from whitecell.agents.mediator import Mediator
from whitecell.engine import ADJUDICATOR, CONTROL, OBSERVER, Game, View, team_seat
from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.engine.errors import RuleViolation
from whitecell.scenario.library import load_bundled
from whitecell.selftest.runner import case_scenario

COLD = 1e-4  # a temperature at which softmax and sigmoid choices are all but certain


def text(en: str) -> dict[str, str]:
    return {"en": en, "ja": en}


def action(action_id: str, gain: float, **extra: Any) -> dict[str, Any]:
    """A red action whose success raises red's own morale by ``gain``."""
    return {
        "id": action_id,
        "label": text(action_id),
        "instrument": "diplomatic",
        "teams": ["red"],
        "on_success": {"change": {"morale.actor": gain}},
        "narrative": {"success": text("yes"), "failure": text("no")},
        **extra,
    }


def odds_scenario(steady_gain: float = 10) -> Any:
    """Red may gamble against blue (20 %, or 90 % while blue's morale is below 43: a morale
    only blue may see) or play steady (50 %); both pay red's morale. Spying is exact."""
    return case_scenario(
        {
            "actions": [
                action(
                    "gamble",
                    10,
                    targets=["blue"],
                    base_probability=0.2,
                    modifiers=[
                        {"when": "morale.target < 43", "add": 0.7, "note": text("demoralised")}
                    ],
                ),
                action("steady", steady_gain, base_probability=0.5),
                {
                    "id": "spy",
                    "on_success": {"reveal": ["morale.target"], "reveal_precision": "exact"},
                },
            ],
            "automation": {"temperature": COLD},
        }
    )


def resolve(game: Game, team: str, action_id: str, target: str | None = None) -> str:
    uid = game.handle(cmd.SubmitAction(seat=team_seat(team), action=action_id, target=target))[
        0
    ].uid
    game.handle(cmd.Assess(seat=ADJUDICATOR, uid=uid, probability=1.0))
    game.handle(cmd.Roll(seat=ADJUDICATOR, uid=uid))
    game.handle(cmd.PublishOutcome(seat=CONTROL, uid=uid))
    return uid


def round_one(scenario: Any, seed: int = 1) -> Game:
    game = Game(scenario, seed)
    game.handle(cmd.StartGame(seat=CONTROL))
    game.handle(cmd.OpenRound(seat=CONTROL, number=1))
    return game


def agent(scenario: Any, team: str, seed: int = 0) -> HeuristicAgent:
    return HeuristicAgent(scenario, team, random.Random(seed))


def first_choice(scenario: Any, game: Game, team: str = "red") -> tuple[str, str | None]:
    chosen = agent(scenario, team).choose_actions(View(game.state, team_seat(team)))
    assert chosen
    return chosen[0].action, chosen[0].target


# -- odds from the agent's own view ------------------------------------------------------


def test_an_agent_estimates_odds_from_its_belief_and_the_umpire_from_the_truth() -> None:
    scenario = odds_scenario()
    game = round_one(scenario)
    resolve(game, "blue", "aid")  # blue's morale: 40 -> 45, hidden from red
    assert game.state.value("morale.blue") == 45
    spec = scenario.action["gamble"]
    red = View(game.state, team_seat("red"))
    # red still believes the prior (40 < 43): the modifier holds in red's eyes
    assert odds(red.context(), scenario, spec, "red", "blue") == pytest.approx(0.9)
    assert assess(red, "gamble", "red", "blue").probability == pytest.approx(0.9)
    # the umpire sees 45: it does not
    umpire = View(game.state, ADJUDICATOR)
    assert assess(umpire, "gamble", "red", "blue").probability == pytest.approx(0.2)
    uid = game.handle(cmd.SubmitAction(seat=team_seat("red"), action="gamble", target="blue"))[
        0
    ].uid
    command = assess_command(umpire, game.state.actions[uid])
    assert command.probability == pytest.approx(0.2)
    assert command.modifiers == ()


def test_an_agent_acts_on_its_belief_and_changes_its_mind_on_intelligence() -> None:
    scenario = odds_scenario()
    game = round_one(scenario)
    resolve(game, "blue", "aid")  # truth 45: gamble really is 20 %, worth 0.02 to red
    # red believes 40: gamble 0.9 * 0.10 = 0.09 beats steady 0.5 * 0.10 = 0.05
    assert first_choice(scenario, game) == ("gamble", "blue")
    resolve(game, "red", "spy", "blue")  # exact report: 45
    assert View(game.state, team_seat("red")).estimate("morale.blue") == (45, True, 1)
    # now gamble 0.2 * 0.10 = 0.02 loses to steady 0.05
    assert first_choice(scenario, game) == ("steady", None)


def test_with_a_very_low_temperature_an_agent_picks_the_highest_expected_utility() -> None:
    # steady paying 20 is worth 0.5 * 0.20 = 0.10, above gamble's believed 0.9 * 0.10 = 0.09
    scenario = odds_scenario(steady_gain=20)
    game = round_one(scenario)
    for seed in range(20):
        chosen = agent(scenario, "red", seed).choose_actions(View(game.state, team_seat("red")))
        assert (chosen[0].action, chosen[0].target) == ("steady", None)


def test_a_cold_agent_fills_its_allowance_with_the_next_best_action_rather_than_stopping():
    """Two actions are allowed and both beat holding back (worth 0): after the best, the
    draw without replacement must go on to the next best; only drawing "hold" ends it."""
    scenario = odds_scenario(steady_gain=20)
    game = round_one(scenario)
    assert scenario.rounds[0].actions_per_team == 2
    chosen = agent(scenario, "red").choose_actions(View(game.state, team_seat("red")))
    assert [(c.action, c.target) for c in chosen] == [("steady", None), ("gamble", "blue")]


def test_an_agent_that_values_nothing_it_can_do_holds_back() -> None:
    scenario = case_scenario({"automation": {"temperature": COLD, "hold_value": 0.5}})
    game = round_one(scenario)
    for team in ("red", "blue", "green"):
        assert agent(scenario, team).choose_actions(View(game.state, team_seat(team))) == []


# -- the action limit ------------------------------------------------------------------


def test_an_agent_never_submits_more_actions_than_the_round_allows(ukraine) -> None:
    game = round_one(ukraine)
    limit = ukraine.rounds[0].actions_per_team
    counts = set()
    for team in ukraine.team_ids:
        view = View(game.state, team_seat(team))
        for seed in range(60):
            player = agent(ukraine, team, seed)
            player.temperature = 50.0  # nearly uniform: as many picks as possible
            chosen = player.choose_actions(view)
            counts.add(len(chosen))
            assert len(chosen) <= limit
            assert len({c.action for c in chosen}) == len(chosen)
            assert all(c.seat == team_seat(team) for c in chosen)
    assert limit in counts  # the limit is reached, so it is what stops the agents


def test_in_a_one_action_round_an_agent_submits_at_most_one(base_scenario) -> None:
    game = round_one(base_scenario)
    for number in (1, 2):
        game.handle(cmd.CloseRound(seat=CONTROL, number=number))
        game.handle(cmd.OpenRound(seat=CONTROL, number=number + 1))
    assert base_scenario.rounds[2].actions_per_team == 1
    lengths = set()
    for team in ("red", "blue", "green"):
        for seed in range(40):
            player = agent(base_scenario, team, seed)
            player.temperature = 50.0
            chosen = player.choose_actions(View(game.state, team_seat(team)))
            lengths.add(len(chosen))
    assert lengths == {0, 1}


def test_every_action_an_agent_chooses_is_one_the_rules_accept(ukraine) -> None:
    for seed in range(30):
        game = round_one(ukraine, seed)
        for team in ukraine.team_ids:
            player = agent(ukraine, team, seed)
            player.temperature = 50.0
            for command in player.choose_actions(View(game.state, team_seat(team))):
                try:
                    game.handle(command)
                except RuleViolation as exc:  # pragma: no cover - the failure message
                    pytest.fail(f"{team} chose {command.action}: {exc.message}")


# -- negotiation --------------------------------------------------------------------------


def negotiation_scenario(**patch: Any) -> Any:
    """The truce with two more optional clauses: ``gift`` (+40 to red's morale) and
    ``tribute`` (-30 to red's morale)."""
    clause = {"parties": ["red", "blue"]}
    base = {
        "negotiation": {
            "clauses": [
                {"id": "gift", "label": text("gift"), **clause},
                {"id": "tribute", "label": text("tribute"), **clause},
            ]
        },
        "automation": {"temperature": COLD},
    }
    base["negotiation"]["clauses"][0]["on_sign"] = {"change": {"morale.red": 40}}
    base["negotiation"]["clauses"][1]["on_sign"] = {"change": {"morale.red": -30}}
    base["negotiation"]["agreements"] = [
        {"id": "truce", "optional_clauses": ["monitors", "amnesty", "gift", "tribute"]}
    ]
    for key, value in patch.items():
        base[key] = value
    return case_scenario(base)


# Red's worth of each clause in round 2 (two round closes to come): truce_line lowers
# tension 10 on signing and 5 a round, red weighs tension -0.5: 0.05 + 2 * 0.025 = 0.10.
RED_WORTH = {"truce_line": 0.10, "monitors": 0.0, "amnesty": 0.05, "gift": 0.40, "tribute": -0.30}
RED_RESERVATION = 0.05


def round_two(scenario: Any, seed: int = 1) -> Game:
    game = round_one(scenario, seed)
    game.handle(cmd.CloseRound(seat=CONTROL, number=1))
    game.handle(cmd.OpenRound(seat=CONTROL, number=2))
    return game


def tabled(game: Game, clauses: tuple[str, ...]) -> Any:
    pid = game.handle(cmd.TableProposal(seat=CONTROL, agreement="truce", clauses=clauses))[0].pid
    return game.state.proposals[pid]


def test_an_agents_appraisal_matches_the_hand_worked_clause_values() -> None:
    scenario = negotiation_scenario()
    game = round_two(scenario)
    values, reservation = agent(scenario, "red").appraise(View(game.state, team_seat("red")))
    assert reservation == pytest.approx(RED_RESERVATION)
    for clause, worth in RED_WORTH.items():
        assert values[clause] == pytest.approx(worth), clause


def test_an_agent_signs_a_package_worth_more_than_its_reservation() -> None:
    scenario = negotiation_scenario()
    game = round_two(scenario)
    package = tabled(game, ("truce_line", "gift"))
    assert sum(RED_WORTH[c] for c in package.clauses) > RED_RESERVATION
    view = View(game.state, team_seat("red"))
    for seed in range(30):
        answer = agent(scenario, "red", seed).respond(view, package)
        assert answer == cmd.SignProposal(seat=team_seat("red"), pid=package.pid)


def test_an_agent_rejects_a_package_worth_less_than_its_reservation() -> None:
    scenario = negotiation_scenario()
    game = round_two(scenario)
    package = tabled(game, ("truce_line", "tribute"))
    assert sum(RED_WORTH[c] for c in package.clauses) < RED_RESERVATION
    view = View(game.state, team_seat("red"))
    for seed in range(30):
        answer = agent(scenario, "red", seed).respond(view, package, may_counter=False)
        assert answer == cmd.RejectProposal(seat=team_seat("red"), pid=package.pid)


def test_an_agent_counters_a_poor_package_with_the_best_one_clause_change_it_would_sign():
    scenario = negotiation_scenario()
    game = round_two(scenario)
    package = tabled(game, ("truce_line", "tribute"))
    view = View(game.state, team_seat("red"))
    answer = agent(scenario, "red").respond(view, package, may_counter=True)
    assert isinstance(answer, cmd.TableProposal)
    assert answer.counter_to == package.pid and answer.agreement == "truce"
    variants = []
    for clause in scenario.agreements["truce"].optional:
        if clause in package.clauses:
            variants.append(tuple(c for c in package.clauses if c != clause))
        else:
            variants.append((*package.clauses, clause))

    def worth(clauses: tuple[str, ...]) -> float:
        return sum(RED_WORTH[c] for c in clauses)

    assert set(answer.clauses) in [set(v) for v in variants]
    assert worth(answer.clauses) == pytest.approx(max(worth(v) for v in variants))
    assert worth(answer.clauses) > RED_RESERVATION
    events = game.handle(answer)  # and the counter is a legal proposal
    assert isinstance(events[0], ev.ProposalTabled)


def test_an_agent_that_cannot_improve_a_poor_package_enough_rejects_it() -> None:
    # with a reservation of 0.5 no one-clause change to (truce_line, tribute) is enough
    scenario = negotiation_scenario(
        teams=[{"id": "red", "negotiation": {"reservation": "0.5"}}],
    )
    game = round_two(scenario)
    package = tabled(game, ("truce_line", "tribute"))
    answer = agent(scenario, "red").respond(View(game.state, team_seat("red")), package)
    assert answer == cmd.RejectProposal(seat=team_seat("red"), pid=package.pid)


# -- the mediator ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ukraine-ceasefire-2025", "nuclear-cascade-2025"])
def test_the_mediator_weighs_the_parties_the_scenario_names(name: str) -> None:
    """The mediator finds a package's parties by bits, one a team; for every agreement and
    every package of up to three clauses they are the scenario's own, in team order."""
    scenario = load_bundled(name)
    mediator = Mediator(scenario)
    for kind in scenario.agreements:
        for size in range(4):
            for clauses in itertools.combinations(scenario.clauses, size):
                bits = mediator.agreement_bits[kind]
                for c in clauses:
                    bits |= mediator.clause_bits[c]
                named = tuple(scenario.team_ids[i] for i in mediator.parties(bits))
                assert named == scenario.agreement_parties(kind, clauses)


def mediator_package(scenario: Any) -> tuple[str, ...]:
    game = round_two(scenario)
    return Mediator(scenario).package(View(game.state, OBSERVER), "truce")


def test_the_mediator_adds_a_clause_that_lowers_the_hazard_when_support_is_equal(
    base_scenario,
) -> None:
    """Monitors cut the truce's hazard (beta -1.0) and cost red and blue nothing, and green,
    the monitors' party, gains from them: support is the same with or without them."""
    package = mediator_package(base_scenario)
    assert "monitors" in package
    assert package[0] == "truce_line"
    # amnesty changes neither support (no one refuses anyway) nor the hazard: left out
    assert "amnesty" not in package


def test_the_mediator_leaves_out_a_clause_that_raises_the_hazard() -> None:
    scenario = case_scenario(
        {
            "negotiation": {
                "agreements": [
                    {
                        "id": "truce",
                        "hazard": {
                            "base": 0.2,
                            "covariates": [
                                {"id": "monitored", "value": "clauses.monitors", "beta": 1.0}
                            ],
                        },
                    }
                ]
            }
        }
    )
    assert mediator_package(scenario) == ("truce_line",)


def test_the_mediator_puts_support_before_durability() -> None:
    # green now asks more than monitors give it: adding them would cost a signature
    scenario = case_scenario({"teams": [{"id": "green", "negotiation": {"reservation": "1.0"}}]})
    assert "monitors" not in mediator_package(scenario)
    # red asks more than the truce line alone (0.10): amnesty (+0.05) wins red over
    scenario = case_scenario({"teams": [{"id": "red", "negotiation": {"reservation": "0.12"}}]})
    assert "amnesty" in mediator_package(scenario)


# -- why it acts -------------------------------------------------------------------------


def test_an_agent_says_why_in_one_short_sentence_from_what_it_weighed() -> None:
    """The odds as the team judges them (from its own view: 90 % for the gamble it believes
    in) and the preference the action's success serves."""
    scenario = odds_scenario()
    game = round_one(scenario)
    resolve(game, "blue", "aid")  # blue's morale is 45 in truth; red believes 40
    [choice] = agent(scenario, "red").choose_actions(View(game.state, team_seat("red")))[:1]
    assert (choice.action, choice.target) == ("gamble", "blue")
    assert choice.rationale == (
        "We judge it almost certain to succeed (90%); success would bring higher Morale (Red)."
    )
    game.handle(choice)  # the rules accept it as the team's case to the adjudicators


def test_an_agent_gives_its_reasons_in_the_scenarios_first_language() -> None:
    scenario = case_scenario(
        {"meta": {"languages": ["ja", "en"]}, "automation": {"temperature": COLD}}
    )
    game = round_one(scenario)
    chosen = agent(scenario, "red").choose_actions(View(game.state, team_seat("red")))
    assert chosen
    for command in chosen:
        assert command.rationale.startswith("成功の見込みは「")
        assert command.rationale.endswith("。") and len(command.rationale) < 200


def test_every_automated_action_comes_with_one_sentence(ukraine) -> None:
    from whitecell.play import play_game

    game = play_game(ukraine, 21)
    submitted = [e for e in game.events if isinstance(e, ev.ActionSubmitted)]
    assert submitted and all(e.rationale for e in submitted)
    assert all(e.rationale.count(".") == 1 for e in submitted)  # one sentence each
