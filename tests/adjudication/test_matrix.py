"""Matrix adjudication, as rules: the acting team argues for, the others against; each
argument the adjudicator counts as strong moves the odds by the scenario's step; the
log holds the arguments and the count, and ``verify`` recomputes the odds from them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from whitecell.adjudication.matrix import matrix_odds
from whitecell.agents.seating import Cast
from whitecell.engine import ADJUDICATOR, CONTROL, Game, team_seat
from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.engine.errors import RuleViolation
from whitecell.engine.log import GameLog, dump_log, log_header, parse_log
from whitecell.play import play_game
from whitecell.selftest.runner import case_scenario
from whitecell.verify import verify_log

STEP = 0.15
PRESSURE = {
    "id": "pressure",
    "label": {"en": "Pressure", "ja": "圧力"},
    "instrument": "diplomatic",
    "teams": ["red"],
    "targets": ["blue", "green"],
    "base_probability": 0.5,
    "modifiers": [
        {
            "when": "tension >= 50",
            "add": 0.1,
            "note": {"en": "tension helps", "ja": "緊張が追い風"},
        },
        {"when": "tension >= 50", "add": -0.1, "note": {"en": "the target is wary", "ja": "警戒"}},
    ],
    "on_success": {"change": {"tension": -5, "morale.actor": 10}},  # red wants this
    "narrative": {
        "success": {"en": "{actor} leans on {target}.", "ja": "{actor}が{target}に圧力。"},
        "failure": {"en": "{target} shrugs.", "ja": "{target}は動じない。"},
    },
}


@pytest.fixture(scope="module")
def scenario():
    return case_scenario(
        {"actions": [PRESSURE], "adjudication": {"matrix_step": STEP}}, name="matrix"
    )


def opened(scenario) -> Game:
    game = Game(scenario, 99)
    game.handle(cmd.StartGame(seat=CONTROL))
    game.handle(cmd.OpenRound(seat=CONTROL, number=1))
    return game


def submit(game: Game, team: str, action: str, target: str | None) -> str:
    return game.handle(cmd.SubmitAction(seat=team_seat(team), action=action, target=target))[0].uid


def argue(game: Game, team: str, uid: str, side: str, text: str = "because") -> list[ev.Event]:
    return game.handle(cmd.Argue(seat=team_seat(team), uid=uid, side=side, text=text))


def test_the_acting_team_argues_for_and_the_others_against(scenario):
    game = opened(scenario)
    uid = submit(game, "red", "pressure", "blue")
    [made] = argue(game, "red", uid, "for", "we hold the high ground")
    assert (made.team, made.side, made.audience) == ("red", "for", ("*",))
    argue(game, "blue", uid, "against")
    argue(game, "green", uid, "against")
    assert [(t, s) for t, s, _ in game.state.actions[uid].arguments] == [
        ("red", "for"),
        ("blue", "against"),
        ("green", "against"),
    ]
    with pytest.raises(RuleViolation, match="only the acting team argues for"):
        argue(game, "blue", uid, "for")
    with pytest.raises(RuleViolation, match="cannot argue against its own"):
        argue(game, "red", uid, "against")
    with pytest.raises(RuleViolation, match="'for' or 'against'"):
        argue(game, "red", uid, "sideways")
    with pytest.raises(RuleViolation, match="only a team"):
        game.handle(cmd.Argue(seat=ADJUDICATOR, uid=uid, side="for", text="x"))


def test_another_teams_secret_action_cannot_be_argued_about_or_found(scenario):
    game = opened(scenario)
    uid = submit(game, "red", "sabotage", "blue")
    with pytest.raises(RuleViolation, match=f"no submitted action '{uid}'"):
        argue(game, "blue", uid, "against")
    [made] = argue(game, "red", uid, "for")
    assert made.audience == ("red",)


def test_arguments_close_when_the_die_is_rolled_and_are_limited_per_team(scenario):
    game = opened(scenario)
    uid = submit(game, "red", "pressure", "blue")
    for _ in range(cmd.MAX_ARGUMENTS):
        argue(game, "blue", uid, "against")
    with pytest.raises(RuleViolation, match="at most 3 arguments"):
        argue(game, "blue", uid, "against")
    game.handle(cmd.Assess(seat=ADJUDICATOR, uid=uid, probability=0.5))
    game.handle(cmd.Roll(seat=ADJUDICATOR, uid=uid))
    with pytest.raises(RuleViolation):
        argue(game, "red", uid, "for")


def test_each_strong_argument_moves_the_odds_by_the_step_and_no_more(scenario):
    game = opened(scenario)
    uid = submit(game, "red", "pressure", "blue")
    argue(game, "red", uid, "for")
    argue(game, "red", uid, "for")
    argue(game, "blue", uid, "against")
    rec = game.state.actions[uid]
    assert matrix_odds(scenario, rec, [(0, STEP), (1, STEP), (2, -STEP)]) == 0.65
    with pytest.raises(RuleViolation, match=r"moves the odds by exactly -0\.15"):
        game.handle(
            cmd.Assess(
                seat=ADJUDICATOR, uid=uid, probability=0.5, method="matrix", modifiers=((2, 0.15),)
            )
        )
    with pytest.raises(RuleViolation, match="no argument number 7"):
        game.handle(
            cmd.Assess(
                seat=ADJUDICATOR, uid=uid, probability=0.5, method="matrix", modifiers=((7, 0.15),)
            )
        )
    with pytest.raises(RuleViolation, match="counts once"):
        game.handle(
            cmd.Assess(
                seat=ADJUDICATOR,
                uid=uid,
                probability=0.8,
                method="matrix",
                modifiers=((0, 0.15), (0, 0.15)),
            )
        )


def finished(scenario, seed: int = 5) -> GameLog:
    game = play_game(scenario, seed, cast=Cast(matrix=True))
    return parse_log(dump_log(scenario, game.events), "matrix.jsonl")


def test_automated_matrix_play_logs_the_arguments_and_verifies(scenario):
    log = finished(scenario)
    assessed = [e for e in log.events if isinstance(e, ev.ActionAssessed)]
    assert assessed and all(e.method == "matrix" for e in assessed)
    argued = [e for e in log.events if isinstance(e, ev.ArgumentMade)]
    assert {e.side for e in argued} == {"for", "against"}
    assert verify_log(log).ok


def test_verify_catches_matrix_odds_that_do_not_follow_the_count(scenario):
    log = finished(scenario)
    at = next(
        i for i, e in enumerate(log.events) if isinstance(e, ev.ActionAssessed) and e.modifiers
    )
    events = list(log.events)
    events[at] = replace(events[at], probability=round(events[at].probability + 0.05, 6))
    verdict = verify_log(GameLog(log.scenario, events, log_header(log.scenario), "x"))
    assert not verdict.ok and "strong argument" in verdict.message


def test_an_argument_from_a_wrong_belief_is_weak(scenario):
    """Red believes blue's morale is still 40 (it cannot see it) and cites "the target is
    demoralised" for its sabotage; blue's aid has lifted it to 45, so the argument is weak."""
    from whitecell.agents.seating import matrix_assessor

    game = opened(scenario)
    aid = submit(game, "blue", "aid", None)
    game.handle(cmd.Assess(seat=ADJUDICATOR, uid=aid, probability=1.0))
    game.handle(cmd.Roll(seat=ADJUDICATOR, uid=aid))
    game.handle(cmd.PublishOutcome(seat=CONTROL, uid=aid))
    assert game.state.value("morale.blue") == 45
    uid = submit(game, "red", "sabotage", "blue")
    matrix_assessor("en")(game, game.state.actions[uid])
    [made] = [e for e in game.events if isinstance(e, ev.ArgumentMade)]
    assert made.text == "the target is demoralised"
    [assessed] = [e for e in game.events if isinstance(e, ev.ActionAssessed) and e.uid == uid]
    assert assessed.modifiers == () and assessed.probability == 0.5
