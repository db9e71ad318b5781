"""What a game's after-action report tells, and to whom: the rules of the debrief."""

from __future__ import annotations

import dataclasses

import pytest

from tests.report.games import SECRET_MARKERS, hand_played, played
from whitecell.engine import events as ev
from whitecell.engine.log import GameLog, replay_log
from whitecell.report.aar import GameReport, build_game_report


def build(log: GameLog, audience: str = "control", lang: str = "en") -> GameReport:
    return build_game_report(log, lang=lang, audience=audience, verdict="")


def texts(report: GameReport) -> str:
    """Every string the report holds, for looking for what must (not) be there."""
    return repr(dataclasses.asdict(report))


def actions(report: GameReport) -> list:
    return [a for r in report.rounds for a in r.actions]


@pytest.fixture(scope="module")
def kept() -> GameLog:
    """The hand-played game, in a scenario that keeps the fog of war after the end."""
    return hand_played(reveal_at_end=False)


def test_the_control_report_gives_every_action_its_odds_roll_ruling_and_result(kept):
    report = build(kept)
    rolls = {e.subject: e.value for e in kept.events if isinstance(e, ev.DiceRolled)}
    outcomes = {e.uid: e.success for e in kept.events if isinstance(e, ev.OutcomeApplied)}
    entries = actions(report)
    assert {a.uid for a in entries} == set(rolls) == set(outcomes)
    for a in entries:
        assert a.probability == 0.5
        assert a.roll == rolls[a.uid]
        assert a.success is outcomes[a.uid]
    usa = next(a for a in entries if a.team_id == "usa")
    assert usa.secret and usa.target == "Ukraine"
    assert usa.rationale == SECRET_MARKERS["usa_rationale"]
    assert usa.ruling == SECRET_MARKERS["usa_ruling"]
    assert usa.results == [SECRET_MARKERS["usa_result"]]


def first_played(has: type[ev.Event], where=lambda e: True) -> GameLog:
    """The first seed whose automated game has an event of type ``has`` (matching ``where``)."""
    for seed in range(1, 60):
        log = played(seed)
        if any(isinstance(e, has) and where(e) for e in log.events):
            return log
    raise AssertionError(f"no game in 60 seeds has a {has.type}")


def test_rule_adjudicated_actions_list_the_modifiers_behind_their_odds():
    log = first_played(ev.ActionAssessed, lambda e: e.modifiers)
    report = build(log)
    assessed = [e for e in log.events if isinstance(e, ev.ActionAssessed) and e.modifiers]
    entries = {a.uid: a for a in actions(report)}
    for e in assessed:
        assert len(entries[e.uid].modifiers) == len(e.modifiers)
        for (shown, _note), (_i, add) in zip(entries[e.uid].modifiers, e.modifiers, strict=True):
            assert shown.endswith(f"{abs(add) * 100:.0f}%")


def test_the_public_report_keeps_every_teams_secrets_when_the_scenario_does(kept):
    public = build(kept, "public")
    assert not any(a.secret for a in actions(public))
    everything = texts(public)
    for marker in SECRET_MARKERS.values():
        assert marker not in everything
    # nobody's odds, roll or case to the adjudicators either: those stay with the team
    for a in actions(public):
        assert (a.probability, a.roll, a.rationale, a.ruling) == (None, None, "", "")
    # and the control report of the same game has them all, so the check above can fail
    control = texts(build(kept))
    assert all(marker in control for marker in SECRET_MARKERS.values())


def test_the_public_report_charts_only_the_variables_everyone_may_see(kept):
    public = {s.key for s in build(kept, "public").series}
    control = {s.key for s in build(kept).series}
    sc = kept.scenario
    assert public == {v.key for v in sc.vars if v.visibility == "public"}
    assert control == {v.key for v in sc.vars}
    assert "spoiler_risk" in control - public


def test_a_scenario_that_reveals_all_at_the_end_shows_the_secrets_once_the_game_ended():
    ended = texts(build(hand_played(reveal_at_end=True), "debrief"))
    assert all(marker in ended for marker in SECRET_MARKERS.values())
    running = texts(build(hand_played(reveal_at_end=True, end=False), "debrief"))
    assert not any(marker in running for marker in SECRET_MARKERS.values())


def test_the_public_version_keeps_the_secrets_even_after_the_reveal():
    """Handed out beyond the seminar, a report keeps what the teams did in secret."""
    public = texts(build(hand_played(reveal_at_end=True), "public"))
    assert not any(marker in public for marker in SECRET_MARKERS.values())


def test_private_objectives_are_for_control_or_after_a_reveal(kept):
    assert all(t.private_objectives is None for t in build(kept, "public").teams)
    assert all(t.private_objectives for t in build(kept).teams)


def test_the_variables_over_the_rounds_are_the_fold_of_the_log():
    log = played()
    report = build(log, "public")
    final = replay_log(log).values()
    for s in report.series:
        assert s.values[0] == log.scenario.var[s.key].initial
        assert s.values[-1] == final[s.key]
        assert len(s.values) == len(log.scenario.rounds) + 1 == len(report.round_labels)


def test_a_public_variable_moved_by_a_secret_action_still_shows_where_it_went(kept):
    state = replay_log(kept)
    public = {s.key: s for s in build(kept, "public").series}
    assert public["front_line"].values[1] == state.value("front_line")
    assert public["us_ukraine_relations"].values[1] == state.value("us_ukraine_relations")


def broken_game() -> GameLog:
    """The first seed whose automated game signs a ceasefire that then breaks."""
    return first_played(ev.AgreementBroken)


def test_agreements_are_followed_from_signature_to_breakdown():
    log = broken_game()
    report = build(log)
    signed = [e for e in log.events if isinstance(e, ev.AgreementSigned)]
    broken = {e.uid: e for e in log.events if isinstance(e, ev.AgreementBroken)}
    assert len(report.agreements) == len(signed)
    for life, e in zip(report.agreements, signed, strict=True):
        assert life.signed_round == e.round
        assert life.in_force is (e.uid not in broken)
        if e.uid in broken:
            assert life.broken_round == broken[e.uid].round and life.ended_by


def test_what_decided_the_game_names_only_events_that_moved_what_the_outcomes_read():
    log = broken_game()
    report = build(log)
    assert report.decisive
    weights = [d.weight for d in report.decisive]
    assert weights == sorted(weights, reverse=True)
    assert all(d.bears_on for d in report.decisive)
    # the ceasefire's signature decides "a ceasefire was reached" outright: it must weigh in
    reached = next(o for o in log.scenario.outcomes if o.id == "ceasefire_reached")
    assert any(reached.label["en"] in d.bears_on for d in report.decisive)


def test_the_header_shows_the_commitment_and_the_revealed_seed_that_matches_it():
    report = build(played())
    started = next(e for e in played().events if isinstance(e, ev.GameStarted))
    assert report.seed_commitment == started.seed_commitment
    assert report.seed == 3 and report.seed_matches is True
    running = build(hand_played(reveal_at_end=True, end=False))
    assert running.seed is None and running.seed_matches is None and not running.outcomes


def test_the_report_speaks_japanese():
    report = build(played(), lang="ja")
    assert report.title.startswith("アンカラ")
    assert any("ラウンド" in r.kind for r in report.rounds)


def test_a_matrix_ruling_shows_each_argument_and_whether_it_counted():
    from tests.adjudication.test_matrix import PRESSURE, STEP, finished
    from whitecell.selftest.runner import case_scenario

    sc = case_scenario({"actions": [PRESSURE], "adjudication": {"matrix_step": STEP}})
    log = finished(sc)
    report = build(log)
    argued = [a for a in actions(report) if a.arguments]
    assert argued and all(a.method == "matrix" for a in argued)
    made = [e for e in log.events if isinstance(e, ev.ArgumentMade)]
    assert sum(len(a.arguments) for a in argued) == len(made)
    counted = sum(
        len(e.modifiers)
        for e in log.events
        if isinstance(e, ev.ActionAssessed) and e.method == "matrix"
    )
    assert sum(strong for a in argued for *_, strong in a.arguments) == counted


def test_model_calls_are_counted_for_control_and_absent_from_the_public_report():
    from tests.report.games import scenario
    from whitecell.agents.heuristic import HeuristicAgent
    from whitecell.agents.language_model import Budget, Reply
    from whitecell.agents.llm import ModelPlayer
    from whitecell.agents.seating import Cast
    from whitecell.engine.log import dump_log, parse_log
    from whitecell.play import agent_rng, play_game

    class Broken:  # a model that answers nonsense: every turn falls back to the heuristic
        name = "broken"

        def complete(self, messages, schema, *, subject, purpose):
            return Reply("MARKER-NONSENSE-ANSWER", 7, 3, "broken")

    sc = scenario(reveal_at_end=True)
    player = ModelPlayer(
        "usa", Broken(), HeuristicAgent(sc, "usa", agent_rng(2, "usa")), Budget(), "en"
    )
    game = play_game(sc, 2, cast=Cast(players={"usa": player}))
    log = parse_log(dump_log(sc, game.events), "g.jsonl")
    control, public = build(log), build(log, "public")
    assert (
        sum(r.model_calls for r in control.rounds)
        == sum(isinstance(e, ev.ModelCalled) for e in log.events)
        > 0
    )
    assert any("model output rejected" in line for r in control.rounds for line in r.control)
    assert sum(r.model_calls for r in public.rounds) == 0
    assert "MARKER-NONSENSE-ANSWER" not in texts(public)
    assert "model output rejected" not in texts(public)
