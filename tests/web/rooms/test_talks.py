"""The talks a seat may follow: its channels and their messages, the proposals it is party
to (with their counters, signatures and rejections) and the agreements, whose breakdown
hazard only the white cell reads."""

from __future__ import annotations

import math

from tests.web.rooms.games import (
    SECRET_CHAT,
    in_round,
    name,
    room,
    team,
    us_secret_game,
)
from whitecell.engine import CONTROL, OBSERVER, Game
from whitecell.engine import commands as cmd
from whitecell.scenario.compiled import localize
from whitecell.web.rooms.talks import SHOWN

REASON = "Kyiv will never be neutral"


def table(game: Game, who: str, *clauses: str, counter_to: str | None = None) -> str:
    (tabled,) = game.handle(
        cmd.TableProposal(
            seat=team(who), agreement="ceasefire", clauses=clauses, counter_to=counter_to
        )
    )
    return tabled.pid  # type: ignore[attr-defined]


def haggled() -> tuple[Game, list[str]]:
    """The first Ankara talks: Russia tables a ceasefire, Ukraine counters with a prisoner
    exchange, Russia counters with neutrality and signs; Ukraine rejects it, saying why."""
    game = in_round(3)
    first = table(game, "russia", "ceasefire_line")
    second = table(game, "ukraine", "ceasefire_line", "prisoner_exchange", counter_to=first)
    third = table(
        game, "russia", "ceasefire_line", "prisoner_exchange", "neutrality", counter_to=second
    )
    game.handle(cmd.SignProposal(seat=team("russia"), pid=third))
    game.handle(cmd.RejectProposal(seat=team("ukraine"), pid=third, reason=REASON))
    return game, [first, second, third]


def signed(*clauses: str) -> Game:
    """The first Ankara talks end in a ceasefire with ``clauses``, signed by every party."""
    game = in_round(3)
    pid = table(game, "russia", *clauses)
    for party in game.state.proposals[pid].parties:
        game.handle(cmd.SignProposal(seat=team(party), pid=pid))
    return game


def test_a_team_follows_its_own_chat_and_the_channels_it_belongs_to_only() -> None:
    game, _ = us_secret_game()
    game.handle(cmd.OpenChannel(seat=team("usa"), members=("europe",), name="Transatlantic"))
    seen = {
        who: [(c.id, c.name, c.own_chat) for c in room(game, team(who)).talks.channels]
        for who in ("russia", "china", "usa", "ukraine")
    }
    (between,) = [c for c in game.state.channels.values() if c.members == ("russia", "china")]
    pair = ", ".join(name(game, t) for t in between.members)  # unnamed: named by its members
    (atlantic,) = [c.channel for c in game.state.channels.values() if c.name == "Transatlantic"]
    assert seen["russia"] == [
        ("team:russia", name(game, "russia"), True),
        (between.channel, pair, False),
    ]
    assert seen["china"][1:] == [(between.channel, pair, False)]
    assert seen["usa"][1:] == [(atlantic, "Transatlantic", False)]
    assert seen["ukraine"] == [("team:ukraine", name(game, "ukraine"), True)]
    assert room(game, OBSERVER).talks.channels == []


def test_a_channel_counts_every_message_but_shows_only_the_newest() -> None:
    game = in_round(1)
    sent = SHOWN + 5
    for i in range(1, sent + 1):
        game.handle(cmd.SendMessage(seat=team("usa"), by="Bo", channel="team:usa", text=f"m{i}"))
    (chat,) = room(game, team("usa")).talks.channels
    assert chat.total == sent  # the unread badge counts them all
    assert len(chat.messages) == SHOWN
    assert [m["text"] for m in chat.messages[:1] + chat.messages[-1:]] == ["m6", f"m{sent}"]
    assert chat.messages[-1]["sender"] == name(game, "usa") and chat.messages[-1]["by"] == "Bo"


def test_a_message_to_teams_by_name_reaches_only_those_teams() -> None:
    game = in_round(1)
    game.handle(
        cmd.SendMessage(seat=team("turkey"), to=("russia", "ukraine"), text="Come to Ankara")
    )
    for who in ("russia", "ukraine", "turkey"):
        (message,) = room(game, team(who)).talks.direct
        assert message["text"] == "Come to Ankara"
        assert message["to"] == [name(game, "russia"), name(game, "ukraine")]
    assert room(game, team("usa")).talks.direct == []


def test_a_counter_proposal_carries_the_proposals_it_answers_oldest_first() -> None:
    game, (first, second, third) = haggled()
    talks = room(game, team("russia")).talks
    assert [(p.pid, p.history) for p in talks.proposals] == [
        (third, [first, second]),
        (second, [first]),
        (first, []),
    ]  # the newest first
    assert [p.status for p in talks.proposals] == ["rejected", "countered", "countered"]
    assert talks.open_proposals == []


def test_a_rejection_is_shown_with_who_rejected_and_why() -> None:
    game, (_, _, third) = haggled()
    for who in ("russia", "ukraine"):
        (rejected,) = [p for p in room(game, team(who)).talks.proposals if p.pid == third]
        assert rejected.rejected == [(name(game, "ukraine"), REASON)]


def test_a_party_sees_who_signed_and_whether_it_has_signed_itself() -> None:
    game, (_, _, third) = haggled()
    russia = next(p for p in room(game, team("russia")).talks.proposals if p.pid == third)
    ukraine = next(p for p in room(game, team("ukraine")).talks.proposals if p.pid == third)
    assert russia.signed == ukraine.signed == [name(game, "russia")]
    assert (russia.i_signed, ukraine.i_signed) == (True, False)
    assert russia.mine and ukraine.mine
    sc = game.scenario
    assert russia.clauses == [
        localize(sc.clauses[c].label, "en")
        for c in ("ceasefire_line", "prisoner_exchange", "neutrality")
    ]
    assert russia.automated == []
    game.handle(cmd.SeatAgent(seat=CONTROL, team="ukraine"))  # a model plays Kyiv now
    russia = next(p for p in room(game, team("russia")).talks.proposals if p.pid == third)
    assert russia.automated == [name(game, "ukraine")]


def test_an_agreement_in_force_shows_its_breakdown_hazard_to_control_only() -> None:
    game = signed("ceasefire_line")
    (agreement,) = room(game, CONTROL).talks.agreements
    assert agreement.in_force and agreement.signed_round == 3
    assert agreement.label == localize(game.scenario.agreements["ceasefire"].label, "en")
    assert agreement.hazard is not None and 0 < agreement.hazard < 1
    for seat in (team("russia"), team("china"), OBSERVER):
        (seen,) = room(game, seat).talks.agreements
        assert seen.in_force and seen.hazard is None


def test_a_monitoring_mission_lowers_the_hazard_control_sees_by_its_covariate() -> None:
    plain = room(signed("ceasefire_line"), CONTROL).talks.agreements[0].hazard
    game = signed("ceasefire_line", "un_monitoring")
    (monitored,) = room(game, CONTROL).talks.agreements
    sc = game.scenario
    (monitoring,) = [c for c in sc.agreements["ceasefire"].covariates if c.id == "monitoring"]
    moved = [ref.text for ref, _ in sc.clauses["un_monitoring"].on_sign.change]
    assert moved == ["turkey_standing"]  # signing it moves nothing else the hazard reads
    assert plain is not None and monitored.hazard is not None
    assert math.isclose(monitored.hazard / plain, math.exp(monitoring.beta))


def test_the_kinds_of_agreement_say_which_is_in_force_and_which_clauses_are_required() -> None:
    game = in_round(3)
    (kind,) = room(game, team("usa")).talks.kinds
    spec = game.scenario.agreements["ceasefire"]
    assert kind["label"] == localize(spec.label, "en") and not kind["in_force"]
    required = [c["id"] for c in kind["clauses"] if c["required"]]
    assert required == list(spec.required) == ["ceasefire_line"]
    by_id = {c["id"]: c["parties"] for c in kind["clauses"]}
    assert by_id["peacekeepers"] == ["europe"]  # ticking it makes Europe a party
    game = signed("ceasefire_line")
    assert room(game, team("usa")).talks.kinds[0]["in_force"]


def test_a_teams_proposal_drafts_are_its_own() -> None:
    game = in_round(3)
    game.handle(
        cmd.DraftProposal(
            seat=team("ukraine"),
            by="Oksana",
            agreement="ceasefire",
            clauses=("ceasefire_line", "security_guarantees"),
        )
    )
    (draft,) = room(game, team("ukraine")).talks.drafts
    assert draft["by"] == "Oksana"
    assert draft["clauses"] == [
        localize(game.scenario.clauses[c].label, "en")
        for c in ("ceasefire_line", "security_guarantees")
    ]
    assert room(game, team("russia")).talks.drafts == []


def test_the_talks_speak_japanese() -> None:
    game, (_, _, third) = haggled()
    sc = game.scenario
    proposal = next(p for p in room(game, team("russia"), "ja").talks.proposals if p.pid == third)
    assert proposal.agreement_label == localize(sc.agreements["ceasefire"].label, "ja")
    assert proposal.sponsor_name == name(game, "russia", "ja")
    assert proposal.clauses[0] == localize(sc.clauses["ceasefire_line"].label, "ja")
    assert proposal.rejected == [(name(game, "ukraine", "ja"), REASON)]


def test_a_team_never_reads_another_teams_channel_or_proposals() -> None:
    game, _ = us_secret_game()
    for seat in (team("usa"), team("ukraine"), OBSERVER):
        talks = room(game, seat).talks
        told = repr([talks.channels, talks.direct, talks.proposals, talks.drafts])
        assert SECRET_CHAT not in told
    game, _ = haggled()
    for seat in (team("china"), team("usa"), OBSERVER):
        talks = room(game, seat).talks
        assert talks.proposals == []
        assert REASON not in repr([talks.proposals, talks.channels, talks.direct])
