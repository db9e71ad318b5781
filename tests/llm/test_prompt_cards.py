"""Model prompts carry the reference cards their seat may read: every card for the
adjudicator, the public ones (and those opened to it) for a team."""

from __future__ import annotations

from whitecell.agents.prompt import act_messages, assess_messages
from whitecell.engine import ADJUDICATOR, CONTROL, Game, team_seat
from whitecell.engine import commands as cmd
from whitecell.scenario.library import load_bundled


def _game() -> Game:
    game = Game(load_bundled("nuclear-cascade-2025"), 5)
    game.handle(cmd.StartGame(seat=CONTROL))
    game.handle(cmd.OpenRound(seat=CONTROL, number=1))
    game.handle(cmd.CloseRound(seat=CONTROL, number=1))
    game.handle(cmd.OpenRound(seat=CONTROL, number=2))
    return game


def test_the_adjudicator_prompt_has_every_card_and_its_citable_figures() -> None:
    game = _game()
    uid = game.handle(cmd.SubmitAction(seat=team_seat("france"), action="strategic_dialogue"))[
        0
    ].uid
    rec = game.state.actions[uid]
    messages = assess_messages(game.view(ADJUDICATOR), rec, 0.65, {}, "en")
    user = messages[1][1]
    assert "# Reference cards" in user
    assert "cards.arsenals.france_warheads = 290" in user
    assert "cards.us_defense_department.budget_billion_usd = 857" in user
    assert "GBU-31" in user


def test_a_teams_prompt_has_only_the_cards_it_may_read() -> None:
    game = _game()
    user = act_messages(game.view(team_seat("poland")), {}, "en")[1][1]
    assert "Nuclear arsenals in early 2025" in user
    assert "857" not in user and "GBU-31" not in user
