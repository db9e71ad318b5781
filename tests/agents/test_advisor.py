"""A team's advisors, pure: the three best moves as the team can judge them, in English and
Japanese, voiced by the advisor whose expertise fits; never a hidden variable's true value;
and a model advisor's prompt made from the team's own view alone."""

from __future__ import annotations

import pytest

from whitecell.agents.advisor import advice, advisor_messages, best_moves, voice
from whitecell.engine import CONTROL, Game, team_seat
from whitecell.engine import commands as cmd
from whitecell.engine.view import _hidden
from whitecell.scenario.compiled import localize
from whitecell.scenario.library import load_bundled

SC = load_bundled("ukraine-ceasefire-2025")
TEAMS = SC.team_ids


def game(seed: int = 3, round_open: bool = True) -> Game:
    g = Game(SC, seed)
    g.handle(cmd.StartGame(seat=CONTROL))
    if round_open:
        g.handle(cmd.OpenRound(seat=CONTROL, number=1))
    return g


def hide_the_truth(g: Game, team: str) -> dict[str, float]:
    """Every variable hidden from ``team`` set to a true value far from anything the team
    can know (its estimates, the variables' starting values), with a telltale decimal."""
    s = g.state
    truths = {}
    for k, i in enumerate(_hidden(SC, team)):
        var = SC.vars[i]
        value = round(var.lo + (var.hi - var.lo) * (0.13 + 0.07 * (k % 10)), 0) + 0.7
        value = min(value, var.hi - 0.3)
        s.v[i] = value
        truths[var.key] = value
    s.version += 1  # the state changed under the views: projections are made again
    return truths


@pytest.mark.parametrize("team", TEAMS)
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_advice_names_three_moves_each_voiced_by_one_of_the_teams_advisors(team, lang):
    text = advice(game().view(team_seat(team)), lang)
    lines = text.splitlines()
    assert len(lines) >= 4  # a heading, then one paragraph a move
    names = [localize(a.name, lang) for a in SC.team[team].advisors]
    for rank, line in enumerate(lines[1:4], start=1):
        assert line.startswith(f"{rank}. ")
        assert any(f"{rank}. {n}" in line for n in names), line
        assert "%" in line  # the odds as the team judges them


def test_the_advice_is_in_the_language_asked_for():
    g = game()
    en = advice(g.view(team_seat("usa")), "en")
    ja = advice(g.view(team_seat("usa")), "ja")
    assert en.startswith("Our three best moves") and "If it works" in en
    assert ja.startswith("今の見立て") and "成功すれば" in ja
    assert not any("\u3040" <= ch <= "\u30ff" for ch in en)


def test_between_rounds_the_advice_is_for_the_next_action_round():
    text = advice(game(round_open=False).view(team_seat("russia")), "en")
    assert text.startswith("No action round is open now; for the next one")


def test_the_moves_are_the_best_by_expected_utility_and_their_odds_are_the_teams_own():
    g = game()
    view = g.view(team_seat("russia"))
    moves = best_moves(view, "en", k=99)
    assert len(moves) > 3
    utilities = [m.utility for m in moves]
    assert utilities == sorted(utilities, reverse=True)
    assert [m.action.id for m in best_moves(view, "en")] == [m.action.id for m in moves[:3]]
    ctx = view.context()
    from whitecell.adjudication.rules import odds

    for m in moves:
        assert m.p == pytest.approx(odds(ctx, SC, m.action, "russia", m.target))


def test_a_military_move_is_voiced_by_the_military_advisor_and_a_diplomatic_one_by_the_diplomat():
    russia = SC.team["russia"]
    names = [a.name["en"] for a in russia.advisors]
    assert names[voice(russia, "military")] == "Retired Marine lieutenant colonel"
    assert names[voice(russia, "diplomatic")] == "Former ambassador to Moscow"


@pytest.mark.parametrize("team", TEAMS)
def test_the_advice_never_cites_a_hidden_variables_true_value(team):
    g = game()
    before = {lang: advice(g.view(team_seat(team)), lang) for lang in ("en", "ja")}
    truths = hide_the_truth(g, team)
    assert truths, "every team has variables it cannot see (so the check can fail)"
    view = g.view(team_seat(team))
    for lang in ("en", "ja"):
        text = advice(view, lang)
        for key, value in truths.items():
            assert f"{value:.1f}" not in text, (key, value)
        # the advice reads the team's picture, not the state: the hidden truth changed, the
        # advice did not
        assert text == before[lang]
        prompt = "\n".join(m for _, m in advisor_messages(view, 0, "Where do we stand?", lang))
        for key, value in truths.items():
            assert f"{value:.1f}" not in prompt, (key, value)


def test_the_advice_moves_with_what_the_team_believes():
    """Intelligence on a hidden variable changes the team's odds or worths (so the advice
    does read the team's estimates, not constants)."""
    g = game()
    team = "usa"
    view = g.view(team_seat(team))
    before = [(m.action.id, m.target, round(m.utility, 9)) for m in best_moves(view, "en", k=99)]
    for i in _hidden(SC, team):
        var = SC.vars[i]
        g.state.intel.setdefault(team, {})[var.key] = (var.lo, True, 1)
    g.state.version += 1
    after = [
        (m.action.id, m.target, round(m.utility, 9))
        for m in best_moves(g.view(team_seat(team)), "en", k=99)
    ]
    assert before != after


def test_the_same_view_gives_the_same_advice_whatever_the_games_secret_seed():
    a = advice(game(seed=1).view(team_seat("china")), "en")
    b = advice(game(seed=987654321).view(team_seat("china")), "en")
    assert a == b


@pytest.mark.parametrize("team", TEAMS)
def test_an_advisors_prompt_holds_its_own_teams_brief_and_no_other_teams(team):
    g = game()
    for lang in ("en", "ja"):
        prompt = "\n".join(m for _, m in advisor_messages(g.view(team_seat(team)), 0, "?", lang))
        own = SC.team[team]
        assert localize(own.brief, lang) in prompt
        assert all(localize(o, lang) in prompt for o in own.private_objectives)
        for other in SC.teams:
            if other.id == team:
                continue
            assert localize(other.brief, lang) not in prompt, other.id
            for o in other.private_objectives:
                assert localize(o, lang) not in prompt, (other.id, o)


def test_an_advisor_answers_in_persona_in_the_users_language():
    g = game()
    system, _user = advisor_messages(g.view(team_seat("russia")), 1, "Can we take the city?", "ja")
    assert "退役海兵隊中佐" in system[1] and "日本語" in system[1]
    assert "地上作戦と戦力生成" in system[1]
    assert "Can we take the city?" in _user[1]
