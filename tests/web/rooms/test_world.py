"""The state of the world as a seat may see it: each variable's value and its trend over
the rounds, values the seat may not see read as unknown (or as its intelligence says),
per-team variables side by side, and the outcomes once the game has ended."""

from __future__ import annotations

from tests.web.rooms.games import (
    in_round,
    label,
    name,
    room,
    rule,
    submit,
    team,
    us_secret_game,
)
from whitecell.engine import CONTROL, OBSERVER, Game, Seat
from whitecell.engine import commands as cmd
from whitecell.scenario.compiled import localize
from whitecell.web.rooms.world import HEIGHT, WIDTH, Metric


def metric(game: Game, seat: Seat, key: str, lang: str = "en") -> Metric:
    world = room(game, seat, lang).world
    found = [m for m in world.metrics if m.key == key]
    found += [m for g in world.groups for _, _, m in g.rows if m.key == key]
    (only,) = found
    return only


def value(game: Game, key: str) -> float:
    return game.state.v[game.scenario.var[key].index]


def two_rounds() -> tuple[Game, dict[str, float]]:
    """Russia's offensive succeeds in round 1; after round 1 closes (the war grinds on as it
    closes), Turkey's public diplomacy succeeds in round 2. Returns the game and the values
    as they stood once round 1 had closed."""
    game = in_round(1)
    rule(game, submit(game, "russia", "spring_offensive"), 1.0)
    game.handle(cmd.CloseRound(seat=CONTROL, number=1))
    after_one = {v.key: game.state.v[v.index] for v in game.scenario.vars}
    game.handle(cmd.OpenRound(seat=CONTROL, number=2))
    rule(game, submit(game, "turkey", "public_diplomacy"), 1.0)
    return game, after_one


def test_the_world_lists_the_variables_of_no_team_in_the_scenarios_order() -> None:
    game = in_round(1)
    metrics = room(game, team("usa")).world.metrics
    globals_ = [v for v in game.scenario.vars if v.team is None]
    assert [m.key for m in metrics] == [v.key for v in globals_]
    assert [m.label for m in metrics] == [localize(v.label, "en") for v in globals_]
    casualties = next(m for m in metrics if m.key == "casualties")
    assert casualties.unit == localize(game.scenario.var["casualties"].unit, "en")
    assert (casualties.lo, casualties.hi) == (0, 500)


def test_a_value_the_team_may_not_see_reads_as_unknown() -> None:
    game = in_round(1)
    hidden = metric(game, team("usa"), "europe_unity")  # Europe's own business
    assert (hidden.visible, hidden.value, hidden.shown, hidden.trend) == (False, None, "", [])
    assert hidden.estimate is None and hidden.change is None
    own = metric(game, team("europe"), "europe_unity")
    initial = game.scenario.var["europe_unity"].initial
    assert (own.visible, own.value, own.shown) == (True, initial, f"{initial:g}")
    assert metric(game, CONTROL, "spoiler_risk").visible  # the white cell's alone
    assert not metric(game, team("ukraine"), "spoiler_risk").visible


def test_a_metric_follows_its_value_round_by_round() -> None:
    game, after_one = two_rounds()
    momentum = metric(game, team("usa"), "talks_momentum")
    initial = game.scenario.var["talks_momentum"].initial
    assert momentum.trend == [initial, after_one["talks_momentum"], value(game, "talks_momentum")]
    assert momentum.trend[1] < initial and momentum.trend[2] > momentum.trend[1]
    assert momentum.change == momentum.trend[2] - momentum.trend[1]
    unmoved = metric(game, team("usa"), "us_aid")
    assert len(set(unmoved.trend)) == 1 and unmoved.change in (None, 0)
    flag = metric(game, team("usa"), "peacekeepers_offered")
    assert flag.flag and flag.value == 0 and flag.trend == []  # a flag draws no line


def test_a_rounds_point_includes_what_happened_as_the_round_closed() -> None:
    game, after_one = two_rounds()
    front = metric(game, team("usa"), "front_line")  # the war ground on as round 1 closed
    assert front.trend[1] == after_one["front_line"]


def test_a_trend_ends_at_the_value_shown_even_when_a_secret_action_moved_it() -> None:
    game, uid = us_secret_game()  # the US's secret pause moves the (public) front line
    assert game.state.actions[uid].success
    for seat in (team("russia"), OBSERVER):
        front = metric(game, seat, "front_line")
        assert front.value == value(game, "front_line")
        assert front.trend[-1] == front.value


def test_a_trends_points_are_spread_across_the_box_and_scaled_to_the_range() -> None:
    game, _ = two_rounds()
    momentum = metric(game, team("usa"), "talks_momentum")
    points = [tuple(map(float, p.split(","))) for p in momentum.points.split()]
    assert [x for x, _ in points] == [0.0, WIDTH / 2, WIDTH]
    ys = [y for _, y in points]
    assert all(2 <= y <= HEIGHT - 2 for y in ys)
    # higher is up: the lowest value is drawn lowest
    low = momentum.trend.index(min(momentum.trend))
    assert ys[low] == max(ys)
    assert metric(game, team("usa"), "europe_unity").points == ""  # nothing to draw


def test_per_team_variables_are_grouped_with_a_row_per_team() -> None:
    game = in_round(1)
    usa = room(game, team("usa"))
    (cohesion,) = usa.world.groups
    assert cohesion.label == localize(game.scenario.var["cohesion.usa"].label, "en")
    assert [t for t, _, _ in cohesion.rows] == list(game.scenario.team_ids)
    assert [c for _, c, _ in cohesion.rows] == [usa.colour[t] for t in game.scenario.team_ids]
    seen = {t: m.value for t, _, m in cohesion.rows if m.visible}
    assert seen == {"usa": value(game, "cohesion.usa")}  # its own government only
    everyone = {t for t, _, m in room(game, CONTROL).world.groups[0].rows if m.visible}
    assert everyone == set(game.scenario.team_ids)


def test_intelligence_on_a_hidden_value_is_shown_as_an_estimate() -> None:
    game = in_round(1)
    rule(game, submit(game, "usa", "intelligence_assessment", "russia"), 1.0)
    estimated, exact, when = game.state.intel["usa"]["cohesion.russia"]
    russia = metric(game, team("usa"), "cohesion.russia")
    assert russia.value is None
    assert russia.estimate == {"value": estimated, "exact": exact, "round": when}
    assert when == 1 and not exact  # a noisy estimate, made in round 1
    assert metric(game, team("china"), "cohesion.russia").estimate is None  # the US's alone


def test_the_outcomes_are_listed_once_the_game_has_ended() -> None:
    game = in_round(1)
    assert room(game, OBSERVER).world.outcomes == []
    game.handle(cmd.CloseRound(seat=CONTROL, number=1))
    game.handle(cmd.EndGame(seat=CONTROL))
    outcomes = dict(room(game, OBSERVER).world.outcomes)
    spec = {o.id: localize(o.label, "en") for o in game.scenario.outcomes}
    assert list(outcomes) == list(spec.values())
    assert outcomes[spec["front_line"]] == value(game, "front_line")
    assert outcomes[spec["ceasefire_reached"]] is False  # nobody signed one


def test_the_world_speaks_japanese() -> None:
    game = in_round(1)
    world = room(game, team("usa"), "ja").world
    assert world.metrics[0].label == label(game, "front_line", "ja")
    assert world.metrics[0].unit == localize(game.scenario.var["front_line"].unit, "ja")
    assert world.groups[0].label == localize(game.scenario.var["cohesion.usa"].label, "ja")
    assert name(game, "usa", "ja") != name(game, "usa")


def test_no_team_nor_the_observer_reads_a_value_it_may_not_see() -> None:
    game, _ = two_rounds()
    rule(game, submit(game, "usa", "intelligence_assessment", "europe"), 1.0)
    sc = game.scenario
    for seat in (team("russia"), team("china"), OBSERVER):
        world = room(game, seat).world
        shown = world.metrics + [m for g in world.groups for _, _, m in g.rows]
        for m in shown:
            var = sc.var[m.key]
            may = var.visibility == "public" or (
                var.visibility == "owner" and var.owner == seat.team
            )
            assert m.visible == may, m.key
            if not may:
                assert (m.value, m.trend, m.points) == (None, [], ""), m.key
                assert m.estimate is None  # the US's intelligence is the US's
