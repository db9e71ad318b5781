"""Advisors in the engine: a team's questions and their answers are events for that team
and control alone (never adjudicators, observers or other teams, not even once the game
is revealed); control turns them on and off per team and round; answers are recorded once
per question; the log folds back to the same settings, questions and token counts."""

from __future__ import annotations

import json

import pytest

from whitecell.engine import ADJUDICATOR, CONTROL, OBSERVER, Game, View, team_seat
from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.engine.errors import RuleViolation
from whitecell.engine.evolve import fold
from whitecell.engine.state import new_state
from whitecell.scenario.library import load_bundled

SC = load_bundled("ukraine-ceasefire-2025")
ADVICE = (ev.AdvisorsAsked, ev.AdviceGiven, ev.AdvisorsSet)


def played() -> Game:
    """A game in which the US asks twice (answers recorded), control switches the US's
    advisors off for round 2, and everything is revealed at the end."""
    g = Game(SC, 5)
    g.handle(cmd.StartGame(seat=CONTROL))
    g.handle(cmd.OpenRound(seat=CONTROL, number=1))
    usa = team_seat("usa")
    asked = g.handle(cmd.AskAdvisors(seat=usa, lang="en"))[0]
    g.handle(cmd.RecordAdvice(seat=CONTROL, question=asked.seq, text="1. Talk to Moscow."))
    asked = g.handle(cmd.AskAdvisors(seat=usa, question="Will Kyiv sign?", advisor=1))[0]
    g.handle(
        cmd.RecordAdvice(
            seat=CONTROL,
            question=asked.seq,
            advisor=1,
            text="Not yet.",
            source="model",
            model="m",
            prompt_tokens=120,
            completion_tokens=30,
        )
    )
    g.handle(cmd.SetAdvisors(seat=CONTROL, team="usa", enabled=False, number=2))
    g.handle(cmd.EndGame(seat=CONTROL, open_actions="void"))
    g.handle(cmd.RevealAll(seat=CONTROL))
    return g


def advice_events(view: View) -> list[ev.Event]:
    return [e for e in view.events() if isinstance(e, ADVICE)]


def test_advisor_events_are_addressed_to_the_asking_team_alone():
    g = played()
    found = [e for e in g.state.events if isinstance(e, ADVICE)]
    assert len(found) == 5
    assert all(e.audience == ("usa",) for e in found)


def test_the_team_and_control_read_them_and_nobody_else_even_after_the_reveal():
    g = played()
    assert g.state.revealed
    assert len(advice_events(g.view(team_seat("usa")))) == 5
    assert len(advice_events(g.view(CONTROL))) == 5
    for seat in (ADJUDICATOR, OBSERVER, *(team_seat(t) for t in SC.team_ids if t != "usa")):
        assert advice_events(g.view(seat)) == [], seat
    # a public report's view keeps them out too
    assert advice_events(View(g.state, OBSERVER, keep_secrets=True)) == []


def test_the_tokens_of_a_teams_model_advisors_are_counted_from_its_answers():
    assert played().state.advice_tokens == {"usa": 150}


def test_the_log_folds_back_to_the_same_advisors_settings_questions_and_tokens():
    g = played()
    lines = [json.dumps(ev.event_to_dict(e)) for e in g.state.events]
    again = fold(new_state(SC, 5), (ev.event_from_dict(json.loads(x)) for x in lines))
    assert again.snapshot() == g.state.snapshot()
    assert again.advisors == {("usa", 2): False}


def test_advisors_switched_off_for_a_round_are_refused_with_a_clear_message_then_back():
    g = Game(SC, 5)
    g.handle(cmd.StartGame(seat=CONTROL))
    g.handle(cmd.SetAdvisors(seat=CONTROL, team="usa", enabled=False, number=1))
    g.handle(cmd.OpenRound(seat=CONTROL, number=1))
    with pytest.raises(RuleViolation) as refused:
        g.handle(cmd.AskAdvisors(seat=team_seat("usa")))
    assert refused.value.text("en", names=g.state) == (
        "the white cell has turned the advisors of United States off for round 1"
    )
    assert "米国" in refused.value.text("ja", names=g.state)
    g.handle(cmd.AskAdvisors(seat=team_seat("russia")))  # another team's are on
    g.handle(cmd.CloseRound(seat=CONTROL, number=1))  # between rounds: round 2's setting
    g.handle(cmd.AskAdvisors(seat=team_seat("usa")))


def test_advisors_off_for_every_round_stay_off_until_control_turns_them_on():
    g = Game(SC, 5)
    g.handle(cmd.StartGame(seat=CONTROL))
    g.handle(cmd.SetAdvisors(seat=CONTROL, team="usa", enabled=False))
    for number in range(1, len(SC.rounds) + 1):
        assert not g.state.advisors_on("usa", number)
    g.handle(cmd.SetAdvisors(seat=CONTROL, team="usa", enabled=True, number=1))
    assert g.state.advisors_on("usa", 1) and not g.state.advisors_on("usa", 2)


def test_an_answer_is_recorded_once_and_only_for_a_question_asked():
    g = Game(SC, 5)
    g.handle(cmd.StartGame(seat=CONTROL))
    asked = g.handle(cmd.AskAdvisors(seat=team_seat("usa")))[0]
    with pytest.raises(RuleViolation, match="no question numbered 99"):
        g.handle(cmd.RecordAdvice(seat=CONTROL, question=99, text="?"))
    with pytest.raises(RuleViolation, match="control seat"):
        g.handle(cmd.RecordAdvice(seat=team_seat("usa"), question=asked.seq, text="forged"))
    with pytest.raises(RuleViolation, match="no advisor number 5"):
        g.handle(cmd.RecordAdvice(seat=CONTROL, question=asked.seq, text="?", advisor=5))
    g.handle(cmd.RecordAdvice(seat=CONTROL, question=asked.seq, text="once"))
    with pytest.raises(RuleViolation, match="waiting for an answer"):
        g.handle(cmd.RecordAdvice(seat=CONTROL, question=asked.seq, text="twice"))


def test_only_a_team_asks_advisors_and_only_while_the_game_runs():
    g = Game(SC, 5)
    with pytest.raises(RuleViolation, match="not started"):
        g.handle(cmd.AskAdvisors(seat=team_seat("usa")))
    g.handle(cmd.StartGame(seat=CONTROL))
    with pytest.raises(RuleViolation, match="only a team"):
        g.handle(cmd.AskAdvisors(seat=CONTROL))
    with pytest.raises(RuleViolation, match="1001 characters long"):
        g.handle(cmd.AskAdvisors(seat=team_seat("usa"), question="x" * 1001))
    with pytest.raises(RuleViolation, match="en or ja"):
        g.handle(cmd.AskAdvisors(seat=team_seat("usa"), lang="fr"))
