"""Reference cards and dynamics rules in a game's after-action report: the control report
holds every card; the public report those an observer may read (all of them once the
game is revealed); the rules that applied are in the timeline."""

from __future__ import annotations

import copy
import dataclasses
from functools import cache

from tests.engine.test_dynamics import played as small_game
from tests.engine.test_dynamics import scenario as small_scenario
from whitecell.engine import events as ev
from whitecell.engine.log import GameLog, dump_log, parse_log
from whitecell.play import play_game
from whitecell.report import game_report
from whitecell.report.aar import GameReport, build_game_report
from whitecell.scenario.compiled import Scenario
from whitecell.scenario.library import load_bundled
from whitecell.scenario.load import scenario_from_document

CASCADE = "nuclear-cascade-2025"


def cascade(reveal_at_end: bool) -> Scenario:
    base = load_bundled(CASCADE)
    if base.reveal_at_end == reveal_at_end:
        return base
    document = copy.deepcopy(dict(base.document))
    document["meta"]["reveal_at_end"] = reveal_at_end
    return scenario_from_document(document, "<variant>")


@cache
def log_of(reveal_at_end: bool, seed: int = 3) -> GameLog:
    sc = cascade(reveal_at_end)
    return parse_log(dump_log(sc, play_game(sc, seed).events), "game.jsonl")


def build(log: GameLog, audience: str, lang: str = "en") -> GameReport:
    return build_game_report(log, lang=lang, audience=audience, verdict="")


def titles(report: GameReport) -> list[str]:
    return [c.title for c in report.cards]


def test_the_control_report_has_every_reference_card_with_its_figures_and_source() -> None:
    report = build(log_of(False), "control")
    assert titles(report) == [
        "Nuclear arsenals in early 2025",
        "The US Department of Defense in 2025",
        "Collaborative Combat Aircraft production",
        'The Israeli F-35I in "beast mode"',
    ]
    arsenals = report.cards[0]
    assert ("france_warheads", "290") in arsenals.facts
    assert arsenals.audience == "for everyone"
    assert report.cards[1].audience == "for adjudicators and the white cell"
    assert arsenals.url.startswith("https://www.defenseone.com/")
    assert "Patrick Tucker" in arsenals.source


def test_the_public_report_keeps_the_adjudicators_cards_until_the_reveal() -> None:
    kept = build(log_of(False), "public")
    assert titles(kept) == ["Nuclear arsenals in early 2025"]
    assert "857" not in repr(dataclasses.asdict(kept).get("cards"))
    revealed = build(log_of(True), "debrief")
    assert len(revealed.cards) == 4
    assert titles(build(log_of(True), "public")) == ["Nuclear arsenals in early 2025"]


def test_cards_are_in_japanese_in_a_japanese_report() -> None:
    report = build(log_of(False), "control", lang="ja")
    assert report.cards[0].title == "2025年初頭の核戦力"
    assert report.cards[0].audience == "全員向け"


def test_the_markdown_report_has_a_reference_cards_section() -> None:
    control = game_report(log_of(False), fmt="md", audience="control").decode()
    public = game_report(log_of(False), fmt="md", audience="public").decode()
    assert "## Reference cards" in control and "## Reference cards" in public
    assert "GBU-31" in control and "GBU-31" not in public
    assert "`france_warheads` = 290" in public


def test_the_html_report_has_a_reference_cards_section_for_its_audience() -> None:
    """On a small game (a chart per variable makes the cascade's HTML slow to draw)."""
    sc = small_scenario(reveal_at_end=False)
    log = parse_log(dump_log(sc, small_game(sc).events), "small.jsonl")
    control = game_report(log, fmt="html", audience="control").decode()
    public = game_report(log, fmt="html", audience="public").decode()
    assert '<section id="cards">' in control and '<section id="cards">' in public
    assert "RIDGE-CARD-BODY" in control and "RIDGE-CARD-BODY" not in public
    assert "WEATHER-CARD-BODY" in public
    assert "The plot grows" in control, "the rules that applied are in the timeline"


def test_the_timeline_lists_the_rules_that_applied_as_each_audience_may_know() -> None:
    log = log_of(False)
    control = build(log, "control")
    public = build(log, "public")
    applied = [e for e in log.events if isinstance(e, ev.DynamicApplied)]
    assert sum(len(r.rules) for r in control.rounds) == len(applied)
    told = [e for e in applied if "*" in e.audience]
    assert sum(len(r.rules) for r in public.rounds) == len(told) < len(applied)
    labels = [rule.label for r in control.rounds for rule in r.rules]
    assert any(label.startswith("Proliferation pressure drifts (") for label in labels)
    assert not any(
        "Proliferation pressure drifts" in rule.label for r in public.rounds for rule in r.rules
    )
