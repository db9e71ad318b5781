"""Withdrawn and voided actions never happened: every count, projection and view treats
them as not taken. Submitted drafts are gone. The round clock stops and starts with the
game. Logs written before any of this still load."""

from __future__ import annotations

import json

from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.engine.game import Game, replay
from whitecell.engine.log import dump_log, parse_log, replay_log
from whitecell.engine.seats import ADJUDICATOR, CONTROL, OBSERVER, team_seat
from whitecell.engine.view import View
from whitecell.scenario import Scenario
from whitecell.scenario.expr import FAILED, SUCCEEDED, TAKEN

RED, BLUE = team_seat("red"), team_seat("blue")


def started(scenario: Scenario, deadline: str | None = None) -> Game:
    game = Game(scenario, 1)
    game.handle(cmd.StartGame(seat=CONTROL))
    game.handle(cmd.OpenRound(seat=CONTROL, number=1, deadline=deadline))
    return game


def test_set_aside_actions_are_not_taken_anywhere(base_scenario: Scenario) -> None:
    game = started(base_scenario)
    game.handle(cmd.SubmitAction(seat=RED, action="patrol"))  # a3, withdrawn
    game.handle(cmd.SubmitAction(seat=RED, action="sabotage", target="blue"))  # a4, voided
    game.handle(cmd.SubmitAction(seat=BLUE, action="patrol"))  # a5, applied
    game.handle(cmd.WithdrawAction(seat=RED, uid="a3"))
    game.handle(cmd.Assess(seat=ADJUDICATOR, uid="a4", probability=1.0))
    game.handle(cmd.Roll(seat=ADJUDICATOR, uid="a4"))
    game.handle(cmd.VoidAction(seat=CONTROL, uid="a4", reason="Out of bounds."))
    game.handle(cmd.ResolveByRules(seat=ADJUDICATOR))
    state = game.state
    assert [state.actions[u].status for u in ("a3", "a4", "a5")] == [
        "withdrawn",
        "voided",
        "applied",
    ]
    assert not state.actions["a3"].taken and not state.actions["a4"].taken
    assert state.action_counts["patrol"][TAKEN] == 1
    assert state.action_counts["sabotage"] == [0, 0, 0]
    assert state.submitted[(1, "red")] == 0 and state.submitted[(1, "blue")] == 1
    for seat in (RED, BLUE, OBSERVER):
        counts = View(state, seat).context().action_counts
        assert counts["patrol"][TAKEN] == 1
        assert counts["sabotage"][TAKEN] == 0
        done = counts["patrol"][SUCCEEDED] + counts["patrol"][FAILED]
        assert done == 1
    # the fold from the log agrees with the game's own state
    assert replay(base_scenario, game.events).snapshot() == state.snapshot()
    game.handle(cmd.CloseRound(seat=CONTROL, number=1))


def test_a_set_aside_action_stays_in_views_with_its_status(base_scenario: Scenario) -> None:
    game = started(base_scenario)
    game.handle(cmd.SubmitAction(seat=RED, action="sabotage", target="blue"))
    game.handle(cmd.VoidAction(seat=CONTROL, uid="a3", reason="Not plausible."))
    mine = {a["uid"]: a for a in game.view(RED).to_dict()["actions"]}
    assert mine["a3"]["status"] == "voided"
    assert game.view(BLUE).to_dict()["actions"] == []  # a secret stays secret
    assert not [e for e in game.view(BLUE).events() if isinstance(e, ev.ActionVoided)]


def test_the_reason_of_a_void_reaches_the_acting_team_only(base_scenario: Scenario) -> None:
    game = started(base_scenario)
    game.handle(cmd.SubmitAction(seat=RED, action="patrol"))
    game.handle(cmd.VoidAction(seat=CONTROL, uid="a3", reason="REASON-FOR-RED"))
    seen = {
        seat: [e for e in game.view(seat).events() if isinstance(e, ev.ActionVoided)]
        for seat in (RED, BLUE, OBSERVER, ADJUDICATOR)
    }
    assert seen[RED][0].reason == "REASON-FOR-RED"
    assert seen[ADJUDICATOR][0].reason == "REASON-FOR-RED"
    assert seen[BLUE][0].reason == "" and seen[OBSERVER][0].reason == ""


def test_a_resolution_of_a_secret_action_reaches_its_team_only(base_scenario: Scenario) -> None:
    game = started(base_scenario)
    game.handle(cmd.SubmitAction(seat=RED, action="sabotage", target="blue"))
    chain = game.handle(cmd.ResolveByRules(seat=CONTROL))
    for e in chain:
        assert e.audience in (("red",), ("white",)), e
    assert not [e for e in game.view(BLUE).events() if e.seq > 3]
    assert not [e for e in game.view(OBSERVER).events() if e.seq > 3]


def test_submitted_drafts_are_gone_and_others_drafts_untouched(base_scenario: Scenario) -> None:
    game = started(base_scenario)
    game.handle(cmd.DraftAction(seat=RED, action="patrol"))  # d3
    game.handle(cmd.DraftAction(seat=RED, action="sabotage", target="blue"))  # d4
    game.handle(cmd.SubmitAction(seat=RED, action="patrol", draft="d3"))
    assert set(game.state.drafts) == {"d4"}
    assert [d.draft for d in game.view(RED).drafts()] == ["d4"]
    # which draft a team submitted is its own business, like its rationale
    submitted = [e for e in game.view(BLUE).events() if isinstance(e, ev.ActionSubmitted)]
    assert submitted[0].draft is None
    assert replay(base_scenario, game.events).snapshot() == game.state.snapshot()


def test_a_tabled_proposal_draft_is_gone(base_scenario: Scenario) -> None:
    game = Game(base_scenario, 1)
    game.handle(cmd.StartGame(seat=CONTROL))
    game.handle(cmd.DraftProposal(seat=RED, agreement="truce", clauses=("truce_line",)))
    game.handle(cmd.OpenRound(seat=CONTROL, number=1))
    game.handle(cmd.CloseRound(seat=CONTROL, number=1))
    game.handle(cmd.OpenRound(seat=CONTROL, number=2))
    game.handle(cmd.TableProposal(seat=RED, agreement="truce", clauses=("truce_line",), draft="d2"))
    assert game.state.drafts == {}


def test_the_round_clock_stops_while_paused(base_scenario: Scenario) -> None:
    game = started(base_scenario, deadline="2025-01-10T17:00:00+00:00")
    game.handle(cmd.PauseGame(seat=CONTROL, at="2025-01-10T16:50:00+00:00"))
    state = game.state
    assert state.deadline is None and state.remaining == 600.0
    assert game.view(RED).to_dict()["remaining"] == 600.0
    game.handle(cmd.ResumeGame(seat=CONTROL, at="2025-01-10T17:30:00+00:00"))
    assert state.deadline == "2025-01-10T17:40:00+00:00" and state.remaining is None
    game.handle(cmd.SubmitAction(seat=RED, action="patrol", at="2025-01-10T17:39:59+00:00"))
    assert replay(base_scenario, game.events).snapshot() == state.snapshot()


def test_automated_play_has_no_clock(base_scenario: Scenario) -> None:
    """No time given: pauses record nothing, the deadline stays as it was, and submitting
    is never late."""
    game = started(base_scenario, deadline="2000-01-01T00:00:00+00:00")
    game.handle(cmd.PauseGame(seat=CONTROL))
    game.handle(cmd.ResumeGame(seat=CONTROL))
    assert game.state.deadline == "2000-01-01T00:00:00+00:00"
    game.handle(cmd.SubmitAction(seat=RED, action="patrol"))


def test_closing_the_round_while_paused_drops_the_time_left(base_scenario: Scenario) -> None:
    game = started(base_scenario, deadline="2025-01-10T17:00:00+00:00")
    game.handle(cmd.PauseGame(seat=CONTROL, at="2025-01-10T16:50:00+00:00"))
    game.handle(cmd.CloseRound(seat=CONTROL, number=1))
    game.handle(cmd.ResumeGame(seat=CONTROL, at="2025-01-10T18:00:00+00:00"))
    assert game.state.deadline is None and game.state.remaining is None


def test_logs_written_before_these_fields_still_load(base_scenario: Scenario) -> None:
    game = started(base_scenario, deadline="2025-01-10T17:00:00+00:00")
    game.handle(cmd.PauseGame(seat=CONTROL))
    game.handle(cmd.ResumeGame(seat=CONTROL))
    game.handle(cmd.SubmitAction(seat=RED, action="patrol"))
    lines = dump_log(base_scenario, game.events).splitlines()
    old = [lines[0]]
    for line in lines[1:]:
        data = json.loads(line)
        new_fields = {"game_paused": "remaining", "game_resumed": "deadline"}
        new_fields["action_submitted"] = "draft"
        data.pop(new_fields.get(data["type"], "-"), None)
        old.append(json.dumps(data))
    log = parse_log("\n".join(old) + "\n")
    paused = next(e for e in log.events if isinstance(e, ev.GamePaused))
    assert paused.remaining is None
    state = replay_log(log)
    assert state.deadline == "2025-01-10T17:00:00+00:00"
    assert state.actions["a5"].status == "submitted"
