"""What each room shows, read from the seat's view alone: no server, no store."""

from __future__ import annotations

from whitecell.engine import ADJUDICATOR, CONTROL, OBSERVER, Game, team_seat
from whitecell.engine import commands as cmd
from whitecell.scenario.library import load_bundled
from whitecell.web.rooms import PANELS, Room, Seating

SECRET_WHY = "only-the-us-may-read-this"


def game_in_round_one() -> tuple[Game, str]:
    """Round 1 open: the US has taken a secret action against Ukraine, with a rationale."""
    game = Game(load_bundled("ukraine-ceasefire-2025"), 11)
    game.handle(cmd.StartGame(seat=CONTROL))
    game.handle(cmd.OpenRound(seat=CONTROL, number=1))
    uid = game.handle(
        cmd.SubmitAction(
            seat=team_seat("usa"),
            action="pause_intelligence",
            target="ukraine",
            rationale=SECRET_WHY,
        )
    )[0].uid
    return game, uid


def seating(person: str = "Ana", lead: bool = True) -> Seating:
    return Seating(game="g1", title="Ankara", person=person, lead=lead)


def test_a_team_reads_its_own_brief_and_no_other_teams_private_objectives() -> None:
    game, _ = game_in_round_one()
    usa = Room(game.view(team_seat("usa")), seating(), "en")
    assert usa.brief is not None and usa.brief["id"] == "usa" and usa.brief["private_objectives"]
    assert usa.team_name == game.scenario.team["usa"].name["en"]
    others = [t for t in game.scenario.teams if t.id != "usa"]
    shown = repr(usa.brief)
    assert all(o["en"] not in shown for t in others for o in t.private_objectives)
    assert "desk" not in PANELS["team"] and "log" not in PANELS["team"]


def test_a_secret_action_shows_in_its_teams_room_and_in_controls_but_nowhere_else() -> None:
    game, uid = game_in_round_one()
    rooms = {
        "usa": Room(game.view(team_seat("usa")), seating(), "en"),
        "russia": Room(game.view(team_seat("russia")), seating(), "en"),
        "observer": Room(game.view(OBSERVER), seating(), "en"),
        "control": Room(game.view(CONTROL), seating(), "en"),
    }
    seen = {name: [a.uid for a in r.acts.all] for name, r in rooms.items()}
    assert seen == {"usa": [uid], "russia": [], "observer": [], "control": [uid]}
    for name in ("russia", "observer"):
        told = repr(rooms[name].acts.all) + repr(rooms[name].story.chapters)
        assert SECRET_WHY not in told and "pause_intelligence" not in told


def test_the_desk_offers_the_rules_odds_for_each_open_action() -> None:
    game, uid = game_in_round_one()
    desk = Room(game.view(ADJUDICATOR), seating("Judge"), "en").desk
    (case,) = desk.queue
    assert case["uid"] == uid and 0 < case["suggested"] < 1
    assert case["suggested_words"]  # an estimative word beside the number
    assert case["estimates"] is None  # blind: nothing to compare with yet


def test_an_adjudicator_sees_the_panels_estimates_only_after_making_one() -> None:
    game, uid = game_in_round_one()
    game.handle(cmd.EstimateOdds(seat=ADJUDICATOR, by="Judge A", uid=uid, probability=0.4))
    before = Room(game.view(ADJUDICATOR), seating("Judge B"), "en").desk.queue[0]
    assert before["estimates"] is None and before["my_estimate"] is None
    game.handle(cmd.EstimateOdds(seat=ADJUDICATOR, by="Judge B", uid=uid, probability=0.6))
    after = Room(game.view(ADJUDICATOR), seating("Judge B"), "en").desk.queue[0]
    assert after["estimates"] == [("Judge A", 0.4), ("Judge B", 0.6)]
    assert after["median"] == 0.5 and round(after["spread"], 6) == 0.2


def test_control_sees_the_log_and_the_links_it_was_given() -> None:
    game, _ = game_in_round_one()
    control = Room(game.view(CONTROL), seating("White cell"), "en").control
    assert [e["seq"] for e in control.log] == [3, 2, 1]  # newest first
    assert control.log[0]["type"] == "action_submitted"
    assert control.links == [] and control.notices == []


def test_every_seat_kind_has_its_panels_and_names_are_in_the_readers_language() -> None:
    game, _ = game_in_round_one()
    assert set(PANELS) == {"control", "adjudicator", "team", "observer"}
    en = Room(game.view(team_seat("usa")), seating(), "en")
    ja = Room(game.view(team_seat("usa")), seating(), "ja")
    assert en.names["russia"] != ja.names["russia"]
    assert en.round_kind == "action" and en.round_open and en.phase == "action"
    assert en.layout[0][0] == "act"  # an action round puts the action form first
