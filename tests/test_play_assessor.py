"""Automated play assesses actions by the rules without building an adjudicator's view;
the command it gives is the one the rule adjudicator gives through the view."""

from __future__ import annotations

import pytest

from whitecell.adjudication.rules import assess_command
from whitecell.engine.game import Game
from whitecell.engine.seats import ADJUDICATOR
from whitecell.engine.state import ActionRecord
from whitecell.play import play_game, rule_assessment, rule_assessor
from whitecell.scenario.library import load_bundled


@pytest.mark.parametrize("scenario_id", ["ukraine-ceasefire-2025", "nuclear-cascade-2025"])
def test_the_fast_assessment_is_the_rule_adjudicators(
    scenario_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[float] = []

    def checking(game: Game, rec: ActionRecord) -> None:
        fast = rule_assessment(game, rec)
        assert fast == assess_command(game.view(ADJUDICATOR), rec)
        compared.append(fast.probability)
        rule_assessor(game, rec)

    monkeypatch.setattr("whitecell.play.rule_assessor", checking)
    sc = load_bundled(scenario_id)
    for seed in range(40):
        play_game(sc, seed)
    assert len(compared) > 500
    assert len(set(compared)) > 5, "modifiers should move the odds in some of these games"
