"""The white cell's dashboard: each team's tile this round, what keeps the round from
closing, the injects with what they will do, the events it may leak (in the words the
receivers will read), and the log a page at a time."""

from __future__ import annotations

from typing import Any

from tests.web.rooms.games import (
    SECRET_CHAT,
    SECRET_RESULT,
    action_label,
    in_round,
    label,
    link,
    name,
    room,
    rule,
    submit,
    team,
    us_secret_game,
)
from whitecell.engine import ADJUDICATOR, CONTROL, OBSERVER, Game
from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.live.model_seats import Notice
from whitecell.scenario.compiled import localize
from whitecell.web.rooms import PANELS
from whitecell.web.rooms.actions import Effect
from whitecell.web.rooms.control import LOG_PAGE, TeamStatus

CONTROL_PANELS = ("controls", "teams", "queue", "injects", "seats", "log", "negotiation")


def tiles(game: Game, **kw: Any) -> dict[str, TeamStatus]:
    return {t.team: t for t in room(game, CONTROL, **kw).control.teams}


def test_each_teams_tile_counts_the_actions_it_submitted_this_round() -> None:
    game = in_round(1)
    limit = game.scenario.rounds[0].actions_per_team
    submit(game, "russia", "spring_offensive")
    taken_back = submit(game, "russia", "nuclear_signalling")
    submit(game, "usa", "restore_aid")
    game.handle(cmd.WithdrawAction(seat=team("russia"), uid=taken_back))
    shown = tiles(game)
    assert list(shown) == list(game.scenario.team_ids)
    assert {t: s.submitted for t, s in shown.items()} == {
        "russia": 1,
        "usa": 1,
        "ukraine": 0,
        "china": 0,
        "turkey": 0,
        "europe": 0,
    }
    assert {s.limit for s in shown.values()} == {limit}
    assert shown["usa"].name == name(game, "usa")
    talks = in_round(3)  # a negotiation round takes no actions
    assert {s.limit for s in tiles(talks).values()} == {0}


def test_a_tile_says_which_teams_automated_players_play_and_who_sits_at_the_others() -> None:
    game = in_round(1)
    game.handle(cmd.SeatAgent(seat=CONTROL, team="china", kind="llm"))
    game.handle(cmd.SeatAgent(seat=CONTROL, team="turkey"))
    links = [
        link("team:usa", "Ana", lead=True),
        link("team:usa", "Bo"),
        link("team:usa", "Cy", revoked=True),
    ]
    shown = tiles(game, agent_kinds={"china": "llm"}, links=links)
    assert (shown["china"].automated, shown["turkey"].automated) == ("llm", "heuristic")
    assert shown["usa"].automated is None
    assert shown["usa"].people == ["Ana ★", "Bo"]  # the lead starred, a revoked link gone


def test_a_tile_counts_the_open_proposals_waiting_for_the_teams_signature() -> None:
    game = in_round(3)
    (tabled,) = game.handle(
        cmd.TableProposal(
            seat=team("russia"), agreement="ceasefire", clauses=("ceasefire_line", "un_monitoring")
        )
    )
    game.handle(cmd.SignProposal(seat=team("russia"), pid=tabled.pid))  # type: ignore[attr-defined]
    shown = tiles(game)
    assert {t: s.waiting for t, s in shown.items() if s.waiting} == {"ukraine": 1, "turkey": 1}


def test_control_counts_the_actions_that_keep_the_round_from_closing() -> None:
    game = in_round(1)
    submit(game, "russia", "spring_offensive")
    free = submit(
        game, "turkey", "free", description="Close the Straits to all", instrument="military"
    )
    done = submit(game, "usa", "restore_aid")
    rule(game, done, 0.8)
    control = room(game, CONTROL).control
    assert (control.unresolved, control.free_unresolved) == (2, 1)
    game.handle(cmd.ResolveByRules(seat=ADJUDICATOR))  # the rules give the free one no odds
    control = room(game, CONTROL).control
    assert (control.unresolved, control.free_unresolved) == (1, 1)
    rule(game, free, 0.5)
    assert room(game, CONTROL).control.unresolved == 0
    game.handle(cmd.CloseRound(seat=CONTROL, number=1))  # nothing keeps it open now


def test_an_inject_is_previewed_with_its_news_and_effects_before_it_fires() -> None:
    game = in_round(1)
    previews = {i.id: i for i in room(game, CONTROL).control.injects}
    assert list(previews) == [i.id for i in game.scenario.injects]
    shortage = previews["european_shell_shortage"]
    spec = game.scenario.inject["european_shell_shortage"]
    assert (shortage.label, shortage.news) == (
        localize(spec.label, "en"),
        localize(spec.news, "en"),
    )
    assert shortage.effects == [
        Effect(label(game, "european_aid"), "−5"),
        Effect(label(game, "europe_unity"), "−3"),  # control sees what teams may not
    ]
    assert (shortage.round, shortage.conditional, shortage.fired, shortage.audience) == (
        2,
        False,
        False,
        [],
    )
    rumour = previews["plot_rumour"]
    assert rumour.conditional and rumour.audience == [name(game, "ukraine")]
    game.handle(cmd.FireInject(seat=CONTROL, inject="plot_rumour"))
    assert next(i for i in room(game, CONTROL).control.injects if i.id == "plot_rumour").fired
    game = in_round(2)  # an inject of a round fires as the round opens: it is not due then
    control = room(game, CONTROL).control
    assert next(i for i in control.injects if i.id == "european_shell_shortage").fired
    assert control.due == []


def test_control_is_offered_the_private_events_it_may_leak_in_words() -> None:
    game, _ = us_secret_game()
    leakable = room(game, CONTROL).control.leakable
    by_seq = {e.seq: e for e in game.events}
    assert leakable, "a game with secrets has something to leak"
    assert [x["seq"] for x in leakable] == sorted((x["seq"] for x in leakable), reverse=True)
    assert all("*" not in by_seq[x["seq"]].audience for x in leakable)  # public already
    assert all(x["round"] == by_seq[x["seq"]].round for x in leakable)
    told = {type(by_seq[x["seq"]]): x["what"] for x in leakable}
    submitted = told[ev.ActionSubmitted]
    assert name(game, "usa") in submitted and action_label(game, "pause_intelligence") in submitted
    assert SECRET_RESULT in told[ev.ResultReported]
    assert SECRET_CHAT in told[ev.MessageSent]
    assert all("[" not in x["what"] for x in leakable)  # no terminal markup


def test_the_odds_and_roll_of_an_action_the_receivers_never_heard_of_are_not_offered() -> None:
    game, uid = us_secret_game()
    offered = {x["seq"] for x in room(game, CONTROL).control.leakable}
    about = [
        e.seq
        for e in game.events
        if (isinstance(e, ev.ActionAssessed) and e.uid == uid)
        or (isinstance(e, ev.DiceRolled) and e.subject == uid)
        or (isinstance(e, ev.OutcomeApplied) and e.uid == uid)
    ]
    assert len(about) == 3 and offered.isdisjoint(about)
    # its submission is offered instead, which names the action
    (submitted,) = [
        e.seq for e in game.events if isinstance(e, ev.ActionSubmitted) and e.uid == uid
    ]
    assert submitted in offered


def test_a_leak_on_offer_says_which_team_acted() -> None:
    game, uid = us_secret_game()
    (submitted,) = [
        e.seq for e in game.events if isinstance(e, ev.ActionSubmitted) and e.uid == uid
    ]
    (offer,) = [x for x in room(game, CONTROL).control.leakable if x["seq"] == submitted]
    assert offer["who"] == name(game, "usa")


def test_the_odds_of_a_public_action_every_team_heard_of_may_be_leaked() -> None:
    game = in_round(1)
    uid = submit(game, "russia", "spring_offensive")  # public: every team reads it
    game.handle(cmd.Assess(seat=ADJUDICATOR, uid=uid, probability=0.45))  # Russia's alone
    (assessed,) = [e for e in game.events if isinstance(e, ev.ActionAssessed)]
    assert assessed.audience == ("russia",)
    offers = [x for x in room(game, CONTROL).control.leakable if x["seq"] == assessed.seq]
    assert len(offers) == 1
    assert action_label(game, "spring_offensive") in offers[0]["what"]


def test_an_argument_about_a_secret_action_is_not_offered_as_one_about_an_action() -> None:
    game = in_round(1)
    uid = submit(game, "usa", "pause_intelligence", "ukraine")
    game.handle(cmd.Argue(seat=team("usa"), uid=uid, side="for", text="Kyiv must feel it"))
    an_action = "an action"  # what narration calls an action its reader never heard of
    for offer in room(game, CONTROL).control.leakable:
        assert an_action not in offer["what"], offer


def test_the_log_is_paged_newest_first() -> None:
    game = in_round(1)
    for i in range(2 * LOG_PAGE + 20):
        game.handle(cmd.SendMessage(seat=team("usa"), channel="team:usa", text=f"m{i}"))
    total = len(game.events)
    control = room(game, CONTROL).control
    assert control.pages == 3 and control.page == 0
    assert [e["seq"] for e in control.log] == list(range(total, total - LOG_PAGE, -1))
    second = room(game, CONTROL, log_page=1).control
    assert [e["seq"] for e in second.log] == list(range(total - LOG_PAGE, total - 2 * LOG_PAGE, -1))
    last = room(game, CONTROL, log_page=99).control  # past the end: the oldest page
    assert last.page == 2 and [e["seq"] for e in last.log] == list(
        range(total - 2 * LOG_PAGE, 0, -1)
    )
    assert last.log[-1]["type"] == "game_started"
    newest = control.log[0]
    assert newest["type"] == "message_sent" and newest["audience"] == "usa"
    assert newest["told"].endswith(f": m{2 * LOG_PAGE + 19}")  # as the story tells it


def test_notices_about_model_seats_are_shown_newest_first_with_team_names() -> None:
    game = in_round(1)
    notices = [Notice("unavailable", "china"), Notice("budget", "turkey", "90%")]
    shown = room(game, CONTROL, notices=notices).control.notices
    assert shown == [
        {"kind": "budget", "team": name(game, "turkey"), "detail": "90%"},
        {"kind": "unavailable", "team": name(game, "china"), "detail": ""},
    ]


def test_the_dashboard_speaks_japanese() -> None:
    game, _ = us_secret_game()
    control = room(game, CONTROL, "ja").control
    spec = game.scenario.inject["european_shell_shortage"]
    shortage = next(i for i in control.injects if i.id == spec.id)
    assert (shortage.label, shortage.news) == (
        localize(spec.label, "ja"),
        localize(spec.news, "ja"),
    )
    assert shortage.effects[0].label == label(game, "european_aid", "ja")
    assert {t.name for t in control.teams} == {name(game, t, "ja") for t in game.scenario.team_ids}
    submitted = next(
        x for x in control.leakable if action_label(game, "pause_intelligence", "ja") in x["what"]
    )
    assert name(game, "usa", "ja") in submitted["what"]


def test_no_team_nor_observer_may_open_the_white_cells_panels() -> None:
    game, _ = us_secret_game()
    for seat in (team("usa"), team("russia"), OBSERVER):
        assert not set(CONTROL_PANELS) & set(PANELS[seat.kind])
        main, side = room(game, seat).layout
        assert not set(CONTROL_PANELS) & set(main + side)
