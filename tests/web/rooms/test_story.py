"""What has happened, as a seat may know it: the story in chapters (the newest round
first, each in the order things happened) and the announcements, a banner each."""

from __future__ import annotations

from tests.web.rooms.games import (
    SECRET_CHAT,
    SECRET_RESULT,
    SECRET_WHY,
    action_label,
    in_round,
    label,
    room,
    rule,
    submit,
    team,
    us_secret_game,
)
from whitecell.engine import CONTROL, OBSERVER, Game, Seat
from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.scenario.compiled import localize
from whitecell.web.rooms.story import KEEP


def round_label(game: Game, number: int, lang: str = "en") -> str:
    return localize(game.scenario.rounds[number - 1].label, lang)


def chapter(game: Game, seat: Seat, number: int, lang: str = "en") -> list[str]:
    (found,) = [c for c in room(game, seat, lang).story.chapters if c.round == number]
    return found.lines


def at(lines: list[str], text: str) -> int:
    """Where the first line that says ``text`` is."""
    return next(i for i, line in enumerate(lines) if text in line)


def test_the_story_is_told_in_chapters_the_newest_round_first() -> None:
    game = in_round(2)
    chapters = room(game, OBSERVER).story.chapters
    assert [c.round for c in chapters] == [2, 1, 0]  # 0: before the first round
    assert localize(game.scenario.title, "en") in chapters[-1].lines[0]
    assert any(round_label(game, 1) in line for line in chapters[1].lines)


def test_within_a_round_things_are_told_in_the_order_they_happened() -> None:
    game = in_round(1)
    rule(game, submit(game, "russia", "spring_offensive"), 1.0)
    game.handle(cmd.PublishStatement(seat=team("ukraine"), text="We will not yield"))
    lines = chapter(game, OBSERVER, 1)
    header = at(lines, round_label(game, 1))
    offensive = at(lines, action_label(game, "spring_offensive"))
    statement = at(lines, "We will not yield")
    assert header < offensive < statement
    assert all("[" not in line for line in lines)  # plain text, no terminal markup


def test_a_chapter_begins_with_its_rounds_heading() -> None:
    game = in_round(1)
    rule(game, submit(game, "russia", "spring_offensive"), 1.0)
    game.handle(cmd.CloseRound(seat=CONTROL, number=1))
    game.handle(cmd.OpenRound(seat=CONTROL, number=2))
    lines = chapter(game, OBSERVER, 2)
    assert round_label(game, 2) in lines[0]
    assert not any(label(game, "front_line") in line for line in lines)  # round 1's doing


def test_announcements_are_the_newest_few_newest_first_each_with_its_tone() -> None:
    game = in_round(3)
    for _ in range(KEEP):  # more banners in this round than a room shows
        game.handle(cmd.PauseGame(seat=CONTROL))
        game.handle(cmd.ResumeGame(seat=CONTROL))
    (tabled,) = game.handle(
        cmd.TableProposal(seat=team("russia"), agreement="ceasefire", clauses=("ceasefire_line",))
    )
    for party in ("russia", "ukraine"):
        game.handle(cmd.SignProposal(seat=team(party), pid=tabled.pid))  # type: ignore[attr-defined]
    announcements = room(game, team("turkey")).story.announcements
    assert len(announcements) == KEEP
    seqs = [a.seq for a in announcements]
    assert seqs == sorted(seqs, reverse=True)
    newest = announcements[0]
    signed = next(e for e in game.events if isinstance(e, ev.AgreementSigned))
    assert (newest.seq, newest.tone, newest.round) == (signed.seq, "good", 3)
    assert localize(game.scenario.agreements["ceasefire"].label, "en") in newest.text
    tones = {a.seq: a.tone for a in announcements}
    for e in game.events:
        if e.seq in tones and isinstance(e, ev.InjectFired):
            assert tones[e.seq] == "warn"
        if e.seq in tones and isinstance(e, ev.RoundOpened):
            assert tones[e.seq] == "info"


def test_a_new_round_clears_the_last_rounds_banners_and_the_story_keeps_them() -> None:
    game = in_round(1)
    (fired,) = game.handle(cmd.FireInject(seat=CONTROL, inject="plot_rumour"))
    game.handle(cmd.CloseRound(seat=CONTROL, number=1))
    between = room(game, team("ukraine")).story
    assert fired.seq in [a.seq for a in between.announcements]  # closed, not yet replaced
    game.handle(cmd.OpenRound(seat=CONTROL, number=2))
    story = room(game, team("ukraine")).story
    assert story.announcements and all(a.round == 2 for a in story.announcements)
    news = localize(game.scenario.inject["plot_rumour"].news, "en")
    assert any(news in line for c in story.chapters if c.round == 1 for line in c.lines)


def test_a_chat_is_told_in_the_story_but_not_announced() -> None:
    game = in_round(1)
    (sent,) = game.handle(cmd.SendMessage(seat=team("usa"), channel="team:usa", text="Hold firm"))
    story = room(game, team("usa")).story
    assert any("Hold firm" in line for line in story.lines_of(sent.seq))
    assert sent.seq not in [a.seq for a in story.announcements]
    assert room(game, team("russia")).story.lines_of(sent.seq) == []


def test_news_for_one_team_is_announced_to_that_team_only() -> None:
    game = in_round(1)
    (fired,) = game.handle(cmd.FireInject(seat=CONTROL, inject="plot_rumour"))
    news = localize(game.scenario.inject["plot_rumour"].news, "en")
    (banner,) = [a for a in room(game, team("ukraine")).story.announcements if a.seq == fired.seq]
    assert banner.tone == "warn" and news in banner.text
    for seat in (team("usa"), OBSERVER):
        story = room(game, seat).story
        assert fired.seq not in [a.seq for a in story.announcements]
        assert news not in repr(story.chapters)


def test_the_story_speaks_japanese() -> None:
    game = in_round(1)
    rule(game, submit(game, "russia", "spring_offensive"), 1.0)
    lines = chapter(game, OBSERVER, 1, "ja")
    assert any(round_label(game, 1, "ja") in line for line in lines)
    assert any(action_label(game, "spring_offensive", "ja") in line for line in lines)
    assert not any(action_label(game, "spring_offensive") in line for line in lines)


def test_no_team_nor_the_observer_is_told_another_teams_secrets() -> None:
    game, _ = us_secret_game()
    secret = action_label(game, "pause_intelligence")
    for seat in (team("ukraine"), team("europe"), OBSERVER):
        story = room(game, seat).story
        told = repr([story.chapters, story.announcements])
        for word in (SECRET_WHY, SECRET_RESULT, SECRET_CHAT, secret):
            assert word not in told, (seat, word)
    own = repr(room(game, team("usa")).story.chapters)
    assert SECRET_RESULT in own and secret in own and SECRET_CHAT not in own
    assert SECRET_CHAT in repr(room(game, team("china")).story.chapters)
