"""A team's actions: the action form's choices as the team can judge them, what it has
done this round and how many actions it has left, its members' drafts, and its own odds
and rolls (never another team's, nor another team's secret actions)."""

from __future__ import annotations

from tests.web.rooms.games import (
    SECRET_RESULT,
    SECRET_WHY,
    action_label,
    in_round,
    label,
    name,
    owned,
    room,
    rule,
    submit,
    team,
    us_secret_game,
)
from whitecell.engine import ADJUDICATOR, CONTROL, OBSERVER, Game
from whitecell.engine import commands as cmd
from whitecell.engine.commands import MAX_ARGUMENTS
from whitecell.i18n import estimative
from whitecell.scenario.compiled import localize
from whitecell.scenario.library import load_bundled
from whitecell.web.rooms.actions import Choice, Effect


def choice(game: Game, who: str, action: str, lang: str = "en") -> Choice:
    (found,) = [c for c in room(game, team(who), lang).acts.catalogue if c.id == action]
    return found


def test_a_team_is_offered_the_actions_of_its_catalogue_in_the_scenarios_order() -> None:
    game = in_round(1)
    offered = [c.id for c in room(game, team("usa")).acts.catalogue]
    assert offered == [a.id for a in game.scenario.actions if "usa" in a.teams]
    assert "spring_offensive" not in offered  # Russia's alone
    assert room(game, OBSERVER).acts.catalogue == []  # an observer takes no actions


def test_a_team_may_target_only_the_teams_an_action_allows_and_never_itself() -> None:
    game = in_round(1)
    anyone = choice(game, "usa", "intelligence_assessment")
    others = [t for t in game.scenario.team_ids if t != "usa"]
    assert anyone.targets == [(t, name(game, t)) for t in others]
    assert choice(game, "usa", "threaten_aid_cut").targets == [("ukraine", name(game, "ukraine"))]
    assert choice(game, "usa", "restore_aid").targets == []  # it takes no target


def test_the_odds_are_offered_as_a_band_in_estimative_words() -> None:
    game = in_round(1)
    diplomacy = choice(game, "usa", "public_diplomacy")
    p = game.scenario.action["public_diplomacy"].base_probability
    assert [(o.target, o.percent) for o in diplomacy.odds] == [(None, round(p * 100))]
    assert diplomacy.odds[0].words == estimative(p, "en")
    assert diplomacy.band == f"{estimative(p, 'en')} ({round(p * 100)}%)"
    # one band per target the team may choose
    channel = choice(game, "usa", "back_channel")
    assert [o.target for o in channel.odds] == [t for t, _ in channel.targets]


def test_a_team_judges_the_odds_from_what_it_believes_not_from_what_it_cannot_see() -> None:
    game = in_round(1)
    spec = game.scenario.action["direct_talks"]
    (united,) = spec.modifiers  # a united Europe protests: Europe's unity is Europe's secret
    game.handle(
        cmd.FireInject(seat=CONTROL, news="Europe closes ranks.", effects=(("europe_unity", 20.0),))
    )
    assert game.state.v[game.scenario.var["europe_unity"].index] > 60  # the modifier holds
    believed = choice(game, "usa", "direct_talks").odds[0]
    assert believed.percent == round(spec.base_probability * 100)
    assert believed.words == estimative(spec.base_probability, "en")
    uid = submit(game, "usa", "direct_talks", "russia")
    (case,) = room(game, ADJUDICATOR).desk.queue
    assert case["uid"] == uid
    assert round(case["suggested"], 6) == round(spec.base_probability + united.add, 6)
    assert case["suggested_words"] != believed.words  # the true odds read differently


def test_effects_are_worded_with_the_variables_labels_and_signed_amounts() -> None:
    game = in_round(1)
    pause = choice(game, "usa", "pause_intelligence")
    assert pause.success == [
        Effect(label(game, "front_line"), "+4"),
        Effect(label(game, "us_ukraine_relations"), "−10"),
        Effect(label(game, "talks_momentum"), "+6"),
    ]
    assert pause.failure == [Effect(owned(game, "cohesion.usa"), "−2")]
    shown = repr(pause.success + pause.failure)
    assert "us_ukraine_relations" not in shown and "cohesion.usa" not in shown


def test_a_choice_says_when_it_also_changes_what_the_team_cannot_see() -> None:
    game = in_round(1)
    pause = choice(game, "usa", "pause_intelligence")  # it raises the spoilers' strength too
    assert pause.unseen
    assert label(game, "spoiler_risk") not in repr(pause.success)
    assert not choice(game, "usa", "restore_aid").unseen  # all of it in plain view


def test_an_effect_on_the_targets_copy_is_named_without_a_team_until_one_is_chosen() -> None:
    game = in_round(1)
    squeeze = choice(game, "russia", "energy_leverage")
    base = localize(game.scenario.var["cohesion.europe"].label, "en")
    assert Effect(base, "−8", of_target=True) in squeeze.success
    # the intelligence an assessment reveals is the target's too
    assessment = choice(game, "russia", "intelligence_assessment")
    assert assessment.success == [Effect(base, reveals=True, of_target=True)]


def test_an_action_whose_condition_does_not_hold_is_offered_as_unavailable() -> None:
    game = in_round(1)
    assert not choice(game, "russia", "abandon_ceasefire").available  # no ceasefire yet
    assert choice(game, "russia", "spring_offensive").available


def test_a_team_sees_how_many_actions_it_has_left_this_round() -> None:
    game = in_round(1)
    limit = game.scenario.rounds[0].actions_per_team
    acts = room(game, team("usa")).acts
    assert (acts.limit, acts.used, acts.left, acts.open) == (limit, 0, limit, True)
    submit(game, "usa", "restore_aid")
    acts = room(game, team("usa")).acts
    assert (acts.used, acts.left) == (1, limit - 1)
    assert room(game, team("russia")).acts.left == limit  # each team counts its own
    for _ in range(limit - 1):
        submit(game, "usa", "public_diplomacy")
    assert room(game, team("usa")).acts.left == 0


def test_an_action_withdrawn_gives_the_action_back() -> None:
    game = in_round(1)
    limit = game.scenario.rounds[0].actions_per_team
    uid = submit(game, "russia", "spring_offensive")
    (entry,) = room(game, team("russia")).acts.mine
    assert entry.withdraw and room(game, team("russia")).acts.left == limit - 1
    assert [a.uid for a in room(game, team("usa")).acts.others] == [uid]
    game.handle(cmd.WithdrawAction(seat=team("russia"), uid=uid))
    acts = room(game, team("russia")).acts
    (entry,) = acts.mine
    assert entry.status == "withdrawn" and not entry.withdraw
    assert (acts.used, acts.left) == (0, limit)
    assert room(game, team("usa")).acts.others == []  # taken back: no longer this round's


def test_a_members_draft_appears_for_the_lead_and_goes_when_submitted() -> None:
    game = in_round(1)
    (drafted,) = game.handle(
        cmd.DraftAction(
            seat=team("usa"),
            by="Bo",
            action="threaten_aid_cut",
            target="ukraine",
            rationale="Kyiv must sign",
        )
    )
    (draft,) = room(game, team("usa"), person="Ana").acts.drafts
    assert draft["draft"] == drafted.draft  # type: ignore[attr-defined]
    assert (draft["by"], draft["label"], draft["target_name"], draft["rationale"]) == (
        "Bo",
        action_label(game, "threaten_aid_cut"),
        name(game, "ukraine"),
        "Kyiv must sign",
    )
    assert room(game, team("ukraine")).acts.drafts == []  # the US's own note
    submit(game, "usa", "threaten_aid_cut", "ukraine", draft=draft["draft"])
    acts = room(game, team("usa")).acts
    assert acts.drafts == []
    assert [a.label for a in acts.mine] == [action_label(game, "threaten_aid_cut")]


def test_a_team_reads_its_own_odds_and_roll_once_its_action_is_ruled_on() -> None:
    game = in_round(1)
    uid = submit(game, "usa", "restore_aid")  # public: every team hears of it
    (before,) = room(game, team("usa")).acts.mine
    assert (before.probability, before.roll, before.success) == (None, None, None)
    rule(game, uid, 0.7)
    record = game.state.actions[uid]
    (mine,) = room(game, team("usa")).acts.mine
    assert (mine.probability, mine.words) == (0.7, estimative(0.7, "en"))
    assert (mine.roll, mine.success) == (record.roll, record.success)
    assert mine.status == "applied" and not mine.withdraw
    (theirs,) = room(game, team("russia")).acts.all  # others learn what, not the odds
    assert theirs.uid == uid and theirs.success == record.success
    assert (theirs.probability, theirs.roll, theirs.words) == (None, None, "")


def test_a_team_argues_for_its_own_action_and_against_others_while_they_are_open() -> None:
    game = in_round(1)
    uid = submit(game, "russia", "spring_offensive")
    (own,) = room(game, team("russia")).acts.mine
    (rival,) = room(game, team("ukraine")).acts.others
    assert (own.argue, rival.argue) == ("for", "against")
    for i in range(MAX_ARGUMENTS):
        game.handle(cmd.Argue(seat=team("ukraine"), uid=uid, side="against", text=f"no {i}"))
    (rival,) = room(game, team("ukraine")).acts.others
    assert rival.argue is None  # its arguments are spent
    assert [a["text"] for a in rival.arguments] == [f"no {i}" for i in range(MAX_ARGUMENTS)]
    assert room(game, team("russia")).acts.mine[0].argue == "for"
    game.handle(cmd.Assess(seat=ADJUDICATOR, uid=uid, probability=0.5))
    game.handle(cmd.Roll(seat=ADJUDICATOR, uid=uid))
    assert room(game, team("russia")).acts.mine[0].argue is None  # the die is cast


def test_the_action_form_speaks_japanese() -> None:
    game = in_round(1)
    pause = choice(game, "usa", "pause_intelligence", "ja")
    spec = game.scenario.action["pause_intelligence"]
    assert pause.label == localize(spec.label, "ja")
    assert pause.odds[0].words == estimative(spec.base_probability, "ja")
    assert pause.targets == [("ukraine", name(game, "ukraine", "ja"))]
    assert pause.failure[0].label == owned(game, "cohesion.usa", "ja")
    assert pause.success[0].label == label(game, "front_line", "ja")


def test_another_teams_secret_action_is_never_listed_nor_its_rationale_told() -> None:
    game, uid = us_secret_game()
    secret = action_label(game, "pause_intelligence")
    for seat in (team("russia"), team("ukraine"), OBSERVER):
        acts = room(game, seat).acts
        assert uid not in [a.uid for a in acts.all]
        told = repr([acts.all, acts.others, acts.mine, acts.drafts, acts.catalogue])
        for word in (SECRET_WHY, SECRET_RESULT, secret, "pause_intelligence"):
            assert word not in told
    (own,) = room(game, team("usa")).acts.mine
    assert (own.uid, own.rationale) == (uid, SECRET_WHY)


def test_an_action_whose_condition_names_its_target_is_offered_when_it_holds_against_one() -> None:
    """The nuclear cascade's conditions name the target ("the target's ..."): the form asks
    them of each possible target rather than of none."""
    sc = load_bundled("nuclear-cascade-2025")
    game = Game(sc, 3)
    game.handle(cmd.StartGame(seat=CONTROL))
    game.handle(cmd.OpenRound(seat=CONTROL, number=1))
    for who in sc.team_ids:
        choices = room(game, team(who)).acts.catalogue
        assert [c.id for c in choices] == [a.id for a in sc.actions if who in a.teams]
