"""A room's core: who is looking, at which moment of the game, which panels come first,
and narration as plain text."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.web.rooms.games import (
    SECRET_WHY,
    close_round,
    in_round,
    name,
    new_game,
    room,
    seating,
    submit,
    team,
    us_secret_game,
)
from whitecell.engine import ADJUDICATOR, CONTROL, OBSERVER
from whitecell.engine import commands as cmd
from whitecell.scenario.compiled import localize
from whitecell.web.i18n import translations
from whitecell.web.rooms import PANELS, Room
from whitecell.web.rooms.base import DEFAULT_LAYOUT, LAYOUTS, plain


@pytest.mark.parametrize(("kind", "phase"), sorted(LAYOUTS) + [(k, "*") for k in DEFAULT_LAYOUT])
def test_every_layout_names_only_panels_its_seat_may_fetch_and_each_once(
    kind: str, phase: str
) -> None:
    main, side = LAYOUTS.get((kind, phase)) or DEFAULT_LAYOUT[kind]
    assert main, "the phase's job comes first"
    assert set(main + side) <= set(PANELS[kind])  # a typo would drop a panel silently
    assert len(set(main + side)) == len(main + side)


def test_the_phase_follows_the_game() -> None:
    game = new_game()
    phases = [room(game, OBSERVER).phase]
    game.handle(cmd.StartGame(seat=CONTROL))
    game.handle(cmd.OpenRound(seat=CONTROL, number=1))
    phases.append(room(game, OBSERVER).phase)
    close_round(game)
    phases.append(room(game, OBSERVER).phase)
    game = in_round(3)
    phases.append(room(game, OBSERVER).phase)
    close_round(game)
    game.handle(cmd.EndGame(seat=CONTROL))
    phases.append(room(game, OBSERVER).phase)
    assert phases == ["before", "action", "between", "negotiation", "ended"]


def test_a_room_puts_the_job_of_the_phase_first() -> None:
    action = in_round(1)
    talks = in_round(3)
    assert room(action, team("usa")).layout[0][0] == "act"
    assert room(talks, team("usa")).layout[0][0] == "proposals"
    assert room(action, ADJUDICATOR).layout[0] == ("desk",)
    assert "negotiation" in room(talks, CONTROL).layout[0]
    assert room(talks, OBSERVER).layout[0] == ("story",)
    close_round(action)
    between = room(action, team("usa")).layout
    assert between[0][0] == "story" and "act" in between[1]  # what it did, beside


def test_the_round_is_named_with_its_label_and_venue_and_what_comes_next() -> None:
    game = in_round(3)
    spec = game.scenario.rounds[2]
    usa = room(game, team("usa"))
    assert (usa.round, usa.rounds, usa.round_kind) == (3, len(game.scenario.rounds), spec.kind)
    assert usa.round_label == localize(spec.label, "en")
    assert spec.venue is not None and usa.venue == localize(spec.venue, "en")
    assert usa.next_round == 4
    assert usa.date == str(game.state.date)
    last = in_round(len(game.scenario.rounds))
    assert room(last, team("usa")).next_round is None
    assert room(in_round(1), team("usa")).venue == ""  # an action round meets nowhere


def test_narration_reads_as_plain_text_without_markup_or_a_terminals_rules() -> None:
    assert plain("[bold cyan]━━ Round 1 · Action round[/bold cyan]") == "Round 1 · Action round"
    assert plain("  [dim]2025-02-17 → 2025-03-03[/dim]") == "2025-02-17 → 2025-03-03"
    assert plain("[magenta]Report for Ukraine: a − b[/magenta]") == "Report for Ukraine: a − b"
    assert plain(r"Ukraine: \[not markup]") == "Ukraine: [not markup]"  # escaped by the narrator


def test_a_seat_is_named_as_people_say_it_in_the_readers_language() -> None:
    game = in_round(1)
    en, ja = room(game, OBSERVER), room(game, OBSERVER, "ja")
    assert en.seat_name("team:russia") == name(game, "russia")
    assert ja.seat_name("team:russia") == name(game, "russia", "ja")
    assert en.seat_name("control") == "White cell"
    assert ja.seat_name("control") == translations("ja").gettext("White cell") != "White cell"
    assert ja.names["un_mediator"] == name(game, "un_mediator", "ja")  # roles too


def test_each_team_keeps_one_colour_in_every_room() -> None:
    game = in_round(1)
    colours = [room(game, seat).colour for seat in (team("usa"), CONTROL, OBSERVER)]
    assert colours[0] == colours[1] == colours[2]
    assert len(set(colours[0].values())) == len(game.scenario.team_ids)


def test_a_team_reads_its_brief_in_japanese() -> None:
    game = in_round(1)
    brief = room(game, team("ukraine"), "ja").brief
    spec = game.scenario.team["ukraine"]
    assert brief is not None
    assert brief["brief"] == localize(spec.brief, "ja")
    assert brief["private_objectives"] == [localize(o, "ja") for o in spec.private_objectives]
    assert brief["advisors"][0]["name"] == localize(spec.advisors[0].name, "ja")
    assert room(game, team("ukraine"), "ja").title == "Ankara"  # the game's own name stays
    untitled = Room(game.view(OBSERVER), replace(seating(), title=""), "ja")
    assert untitled.title == localize(game.scenario.title, "ja")  # else the scenario's


def test_a_rooms_events_are_redacted_as_its_seat_may_read_them() -> None:
    game = in_round(1)
    uid = submit(game, "russia", "spring_offensive", rationale=SECRET_WHY)
    assert [e.uid for e in room(game, team("usa")).events if hasattr(e, "uid")] == [uid]
    for seat in (team("usa"), OBSERVER):
        assert SECRET_WHY not in repr(room(game, seat).events)  # argued to the umpires only
    assert SECRET_WHY in repr(room(game, team("russia")).events)
    assert SECRET_WHY in repr(room(game, ADJUDICATOR).events)


def test_after_the_game_everyone_reads_everything() -> None:
    game, uid = us_secret_game()
    assert not room(game, OBSERVER).revealed
    close_round(game)
    game.handle(cmd.EndGame(seat=CONTROL))
    assert game.scenario.reveal_at_end
    observer = room(game, OBSERVER)
    assert observer.revealed and observer.phase == "ended"
    assert uid in [a.uid for a in observer.acts.all]
