"""Fog of war: what each seat may read of a game, through ``View`` (the only read path)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from whitecell.engine import ADJUDICATOR, CONTROL, OBSERVER, Game, Seat, View, team_seat
from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.engine.evolve import evolve
from whitecell.selftest.runner import case_scenario

SEED = 730194825117
TEAMS = ("red", "blue", "green")
MARKERS = {"red": "RED-SECRET", "blue": "BLUE-SECRET", "green": "GREEN-SECRET"}
NOTES = {  # distinctive message texts -> the teams that may read them
    "NOTE-RED-TO-BLUE": {"red", "blue"},
    "NOTE-BLUE-TO-GREEN": {"blue", "green"},
    "NOTE-UN-TO-RED-AND-BLUE": {"red", "blue"},
    "NOTE-RED-TO-UN": {"red"},
}


# -- a small game with every kind of audience -----------------------------------------


def submit(game: Game, team: str, action: str, target: str | None = None) -> str:
    return game.handle(cmd.SubmitAction(seat=team_seat(team), action=action, target=target))[0].uid


def resolve(game: Game, uid: str, probability: float = 1.0) -> list[ev.Event]:
    """Assess at ``probability`` (1.0 always succeeds, 0.0 always fails), roll, apply."""
    game.handle(cmd.Assess(seat=ADJUDICATOR, uid=uid, probability=probability))
    game.handle(cmd.Roll(seat=ADJUDICATOR, uid=uid))
    return game.handle(cmd.PublishOutcome(seat=CONTROL, uid=uid))


def act(game: Game, team: str, action: str, target: str | None = None, p: float = 1.0) -> str:
    uid = submit(game, team, action, target)
    resolve(game, uid, p)
    return uid


def say(game: Game, seat: Seat, to: tuple[str, ...], text: str, sender: str | None = None):
    game.handle(cmd.SendMessage(seat=seat, to=to, text=text, sender=sender))


class Rich:
    """Round 1: secret and public actions, intelligence, messages; round 2: two proposals
    (one with green as a party, one without), an agreement; rounds left to play."""

    def __init__(self, scenario: Any) -> None:
        self.game = game = Game(scenario, SEED)
        self.state = game.state
        game.handle(cmd.StartGame(seat=CONTROL))
        game.handle(cmd.OpenRound(seat=CONTROL, number=1))
        self.sabotage = act(game, "red", "sabotage", "blue")  # secret: morale.blue, plot
        self.patrol = act(game, "red", "patrol")  # public
        self.aid = act(game, "blue", "aid")  # public, changes blue's own morale
        self.expose = act(game, "blue", "expose_plot")  # secret, exact intel on plot
        self.spy = act(game, "green", "spy", "red")  # secret, noisy intel on morale.red
        say(game, team_seat("red"), ("blue",), "NOTE-RED-TO-BLUE")
        say(game, team_seat("blue"), ("green",), "NOTE-BLUE-TO-GREEN")
        say(game, CONTROL, ("red", "blue"), "NOTE-UN-TO-RED-AND-BLUE", sender="un")
        say(game, team_seat("red"), ("un",), "NOTE-RED-TO-UN")
        game.handle(cmd.CloseRound(seat=CONTROL, number=1))
        game.handle(cmd.OpenRound(seat=CONTROL, number=2))
        table = cmd.TableProposal
        self.p_all = game.handle(
            table(seat=CONTROL, agreement="truce", clauses=("truce_line", "monitors"))
        )[0].pid
        self.p_red = game.handle(
            table(seat=team_seat("red"), agreement="truce", clauses=("truce_line", "amnesty"))
        )[0].pid
        game.handle(cmd.AcceptProposal(seat=team_seat("blue"), pid=self.p_red))
        for team in TEAMS:
            game.handle(cmd.SignProposal(seat=team_seat(team), pid=self.p_all))
        game.handle(cmd.CloseRound(seat=CONTROL, number=2))  # hazard and leak: white cell
        game.handle(cmd.OpenRound(seat=CONTROL, number=3))
        game.handle(cmd.CloseRound(seat=CONTROL, number=3))
        # a record for control alone (no command makes one today; a log may hold one)
        evolve(
            self.state,
            ev.MessageSent(
                seq=self.state.seq + 1,
                round=self.state.round,
                audience=("control",),
                actor="control",
                sender="control",
                to=(),
                channel=None,
                text="NOTE-FOR-CONTROL-ONLY",
            ),
        )

    def end(self) -> None:
        self.game.handle(cmd.EndGame(seat=CONTROL))

    def view(self, who: str | Seat) -> View:
        return View(self.state, who if isinstance(who, Seat) else team_seat(who))


@pytest.fixture
def rich(base_scenario) -> Rich:
    return Rich(base_scenario)


def seqs(events: list[ev.Event]) -> list[int]:
    return [e.seq for e in events]


def mentions(e: ev.Event, uid: str) -> bool:
    data = ev.event_to_dict(e)
    return uid in (data.get("uid"), data.get("subject"), data.get("source"), data.get("pid"))


def as_text(view: View, lang: str = "en") -> str:
    return json.dumps(view.to_dict(lang), ensure_ascii=False)


# -- who reads which events ------------------------------------------------------------


def test_the_game_has_public_team_white_cell_and_control_only_events(rich) -> None:
    audiences = {e.audience for e in rich.state.events}
    assert {("*",), ("white",), ("control",), ("red",), ("red", "blue")} <= audiences


def test_rolls_against_odds_from_hidden_variables_are_the_white_cells(rich) -> None:
    """The truce's hazard and the leak's chance are worked out from variables the teams
    may not see: their rolls reach control and the adjudicator only."""
    white = [
        e.seq
        for e in rich.state.events
        if isinstance(e, ev.DiceRolled) and e.purpose in ("hazard", "inject")
    ]
    assert len(white) >= 2
    for seat in (*map(team_seat, TEAMS), OBSERVER):
        assert not set(white) & set(seqs(rich.view(seat).events())), seat
    for seat in (CONTROL, ADJUDICATOR):
        assert set(white) <= set(seqs(rich.view(seat).events())), seat


def test_an_observer_sees_only_public_events_and_all_of_them(rich) -> None:
    public = [e.seq for e in rich.state.events if "*" in e.audience]
    assert seqs(rich.view(OBSERVER).events()) == public
    assert len(public) < len(rich.state.events)


def test_a_seat_of_a_team_not_in_the_game_sees_what_an_observer_sees(rich) -> None:
    stranger = rich.view(team_seat("purple"))
    assert seqs(stranger.events()) == seqs(rich.view(OBSERVER).events())
    text = as_text(stranger)
    for marker in MARKERS.values():
        assert marker not in text


def test_the_adjudicator_sees_every_event_except_control_only_records(rich) -> None:
    expected = [e.seq for e in rich.state.events if "control" not in e.audience]
    assert seqs(rich.view(ADJUDICATOR).events()) == expected
    assert len(expected) < len(rich.state.events)


def test_control_sees_every_event_unredacted(rich) -> None:
    assert rich.view(CONTROL).events() == rich.state.events


def test_events_since_a_number_are_those_numbered_above_it(rich) -> None:
    view = rich.view("red")
    everything = view.events()
    assert view.events(since=10) == [e for e in everything if e.seq > 10]
    assert view.events(since=-5) == everything


def test_a_team_sees_its_own_secret_action_with_assessment_roll_and_outcome(rich) -> None:
    kinds = {e.type for e in rich.view("red").events() if mentions(e, rich.sabotage)}
    assert kinds == {"action_submitted", "action_assessed", "dice_rolled", "outcome_applied"}
    assert rich.sabotage in {a["uid"] for a in rich.view("red").to_dict()["actions"]}


@pytest.mark.parametrize("seat", [team_seat("blue"), team_seat("green"), OBSERVER])
def test_no_other_seat_of_players_sees_a_teams_secret_action(rich, seat) -> None:
    view = rich.view(seat)
    assert not [e for e in view.events() if mentions(e, rich.sabotage)]
    assert rich.sabotage not in {a["uid"] for a in view.to_dict()["actions"]}
    assert f'"{rich.sabotage}"' not in as_text(view)


def test_the_white_cell_sees_every_secret_action(rich) -> None:
    for seat in (CONTROL, ADJUDICATOR):
        uids = {a["uid"] for a in rich.view(seat).to_dict()["actions"]}
        assert {rich.sabotage, rich.spy, rich.expose, rich.patrol, rich.aid} <= uids


def test_an_intelligence_report_and_its_roll_reach_only_the_spying_team(rich) -> None:
    def intel(view: View) -> set[str]:
        return {
            e.type
            for e in view.events()
            if (isinstance(e, ev.IntelligenceReport) and e.source == rich.spy)
            or (isinstance(e, ev.DiceRolled) and e.purpose == "intel" and e.subject == rich.spy)
        }

    assert intel(rich.view("green")) == {"intelligence_report", "dice_rolled"}
    for seat in ("red", "blue", OBSERVER):
        assert intel(rich.view(seat)) == set()


def test_messages_reach_only_their_sender_and_recipients(rich) -> None:
    for text, readers in NOTES.items():
        for team in TEAMS:
            view = rich.view(team)
            seen = any(isinstance(e, ev.MessageSent) and e.text == text for e in view.events())
            assert seen == (team in readers), (text, team)
            assert (text in as_text(view)) == (team in readers), (text, team)
        assert text not in as_text(rich.view(OBSERVER))
        assert text in as_text(rich.view(ADJUDICATOR))


def test_a_proposal_is_seen_by_its_parties_and_sponsor_only(rich) -> None:
    def sees(team: str, pid: str) -> bool:
        view = rich.view(team)
        listed = pid in {p["pid"] for p in view.to_dict()["proposals"]}
        in_events = any(
            isinstance(e, ev.ProposalTabled | ev.ProposalAccepted) and e.pid == pid
            for e in view.events()
        )
        assert listed == in_events
        return listed

    assert [sees(t, rich.p_red) for t in TEAMS] == [True, True, False]
    assert [sees(t, rich.p_all) for t in TEAMS] == [True, True, True]
    assert rich.p_red not in {p["pid"] for p in rich.view(OBSERVER).to_dict()["proposals"]}


def test_the_agreement_itself_is_public(rich) -> None:
    for seat in (*TEAMS, OBSERVER):
        agreements = rich.view(seat).to_dict()["agreements"]
        assert [a["agreement"] for a in agreements] == ["truce"]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_team_reads_its_own_private_objectives_and_no_one_elses(rich, lang) -> None:
    for team in TEAMS:
        text = as_text(rich.view(team), lang)
        for owner, marker in MARKERS.items():
            assert (marker in text) == (owner == team), (team, owner)
    observer = as_text(rich.view(OBSERVER), lang)
    assert not any(m in observer for m in MARKERS.values())
    umpire = as_text(rich.view(ADJUDICATOR), lang)
    assert all(m in umpire for m in MARKERS.values())


# -- hidden variables ------------------------------------------------------------------


def outcome_in(view: View, uid: str) -> ev.OutcomeApplied:
    return next(e for e in view.events() if isinstance(e, ev.OutcomeApplied) and e.uid == uid)


def test_changes_to_a_variable_a_team_cannot_see_are_cut_from_a_public_event(rich) -> None:
    full = outcome_in(rich.view(CONTROL), rich.aid)
    assert [c[0] for c in full.changes] == ["morale.blue"]
    assert outcome_in(rich.view("blue"), rich.aid).changes == full.changes
    for seat in ("red", "green", OBSERVER):
        assert outcome_in(rich.view(seat), rich.aid).changes == ()
    # the log itself is untouched by what a view cuts
    assert outcome_in(rich.view(CONTROL), rich.aid).changes == full.changes


def test_a_public_action_touching_a_control_only_variable_hides_that_change_even_from_its_actor(
    base_scenario,
) -> None:
    scenario = case_scenario(
        {
            "actions": [
                {
                    "id": "patrol",
                    "on_success": {"change": {"tension": 10, "plot": 5}, "set": {"alert": True}},
                }
            ]
        }
    )
    game = Game(scenario, SEED)
    game.handle(cmd.StartGame(seat=CONTROL))
    game.handle(cmd.OpenRound(seat=CONTROL, number=1))
    uid = act(game, "red", "patrol")
    umpire = outcome_in(View(game.state, ADJUDICATOR), uid)
    assert sorted(c[0] for c in umpire.changes) == ["alert", "plot", "tension"]
    for seat in (team_seat("red"), team_seat("blue"), OBSERVER):
        seen = outcome_in(View(game.state, seat), uid)
        assert sorted(c[0] for c in seen.changes) == ["alert", "tension"]
        data = View(game.state, seat).to_dict()
        assert data["variables"]["plot"]["value"] is None
        assert data["variables"]["tension"]["value"] == 60


def start(scenario: Any) -> Game:
    game = Game(scenario, SEED)
    game.handle(cmd.StartGame(seat=CONTROL))
    game.handle(cmd.OpenRound(seat=CONTROL, number=1))
    return game


def test_a_hidden_variable_reads_as_the_prior_until_intelligence_arrives(base_scenario) -> None:
    game = start(base_scenario)
    act(game, "blue", "aid")  # morale.blue: 40 -> 45, which only blue (and the cell) may see
    var = base_scenario.var["morale.blue"]
    assert game.state.value("morale.blue") == 45
    red = View(game.state, team_seat("red"))
    assert red.value("morale.blue") is None
    assert red.estimate("morale.blue") is None
    assert red.belief(var) == 40 == var.initial
    assert red.context().v[var.index] == 40
    assert red.to_dict()["variables"]["morale.blue"] == {
        "value": None,
        "visible": False,
        "estimate": None,
    }
    blue = View(game.state, team_seat("blue"))
    assert blue.belief(var) == 45
    assert blue.to_dict()["variables"]["morale.blue"] == {"value": 45, "visible": True}


def test_after_an_intelligence_report_a_hidden_variable_reads_as_the_estimate(base_scenario):
    game = start(base_scenario)
    act(game, "blue", "aid")  # morale.blue 45
    spy = act(game, "red", "spy", "blue")
    red = View(game.state, team_seat("red"))
    report = next(e for e in red.events() if isinstance(e, ev.IntelligenceReport))
    assert report.source == spy and report.team == "red"
    [(key, estimate, exact)] = report.estimates
    assert key == "morale.blue" and exact is False
    assert abs(estimate - 45) <= base_scenario.var["morale.blue"].noise + 0.05
    var = base_scenario.var["morale.blue"]
    assert red.estimate("morale.blue") == (estimate, False, 1)
    assert red.belief(var) == estimate
    assert red.context().v[var.index] == estimate
    assert red.value("morale.blue") is None
    assert red.to_dict()["variables"]["morale.blue"] == {
        "value": None,
        "visible": False,
        "estimate": {"value": estimate, "exact": False, "round": 1},
    }
    # the estimate is red's alone
    green = View(game.state, team_seat("green"))
    assert green.belief(var) == 40
    assert green.to_dict()["variables"]["morale.blue"]["estimate"] is None


def test_an_exact_report_is_the_truth_then_and_does_not_follow_later_changes(
    base_scenario,
) -> None:
    game = start(base_scenario)
    act(game, "blue", "expose_plot")  # exact intelligence on plot (20)
    act(game, "red", "sabotage", "blue")  # then plot: 20 -> 35, unseen by blue
    var = base_scenario.var["plot"]
    assert game.state.value("plot") == 35
    blue = View(game.state, team_seat("blue"))
    assert blue.estimate("plot") == (20, True, 1)
    assert blue.belief(var) == 20
    assert blue.context().v[var.index] == 20
    assert blue.to_dict()["variables"]["plot"] == {
        "value": None,
        "visible": False,
        "estimate": {"value": 20, "exact": True, "round": 1},
    }
    assert View(game.state, ADJUDICATOR).belief(var) == 35


def test_a_teams_own_and_public_variables_read_true(rich) -> None:
    for team in TEAMS:
        variables = rich.view(team).to_dict()["variables"]
        for var in rich.state.scenario.vars:
            own = var.visibility == "owner" and var.owner == team
            if var.visibility == "public" or own:
                assert variables[var.key] == {"value": rich.state.v[var.index], "visible": True}
            else:
                assert variables[var.key]["value"] is None
                assert variables[var.key]["visible"] is False


# -- the end of the game ---------------------------------------------------------------


def test_the_seed_is_in_no_views_data_before_the_end(rich) -> None:
    seats = [CONTROL, ADJUDICATOR, OBSERVER, team_seat("purple"), *map(team_seat, TEAMS)]
    for seat in seats:
        data = rich.view(seat).to_dict()
        assert data["seed"] is None
        assert str(SEED) not in json.dumps(data, ensure_ascii=False), seat
    rich.end()
    for seat in seats:
        assert rich.view(seat).to_dict()["seed"] == SEED


def test_after_the_end_with_reveal_everyone_reads_everything_but_control_only_records(rich):
    rich.end()
    assert rich.state.scenario.reveal_at_end
    not_control = [e for e in rich.state.events if "control" not in e.audience]
    truth = rich.state.values()
    for seat in (*map(team_seat, TEAMS), OBSERVER):
        view = rich.view(seat)
        assert view.events() == not_control, seat
        data = view.to_dict()
        assert {k: v["value"] for k, v in data["variables"].items()} == truth
        text = json.dumps(data, ensure_ascii=False)
        assert all(m in text for m in MARKERS.values())
        assert all(note in text for note in NOTES)
        uids = {a["uid"] for a in data["actions"]}
        assert {rich.sabotage, rich.spy, rich.expose} <= uids
        assert {p["pid"] for p in data["proposals"]} == {rich.p_all, rich.p_red}
    assert len(not_control) < len(rich.state.events)


def test_without_reveal_at_end_the_fog_stays_after_the_end() -> None:
    rich = Rich(case_scenario({"meta": {"reveal_at_end": False}}))
    rich.end()
    assert rich.state.ended
    red = rich.view("red")
    assert not [e for e in red.events() if mentions(e, rich.spy)]
    assert red.to_dict()["variables"]["plot"]["value"] is None
    assert MARKERS["green"] not in as_text(red)
    assert seqs(rich.view(OBSERVER).events()) == [
        e.seq for e in rich.state.events if "*" in e.audience
    ]


# -- leaks through public records ---------------------------------------------------------


def test_a_secret_action_that_ends_an_agreement_does_not_name_its_actor_to_other_teams() -> None:
    """The world learns the truce broke; it must not learn which secret move broke it."""
    scenario = case_scenario(
        {
            "actions": [{"id": "break_truce", "visibility": "secret"}],
            "negotiation": {"agreements": [{"id": "truce", "hazard": {"base": 0.0}}]},
        }
    )
    game = start(scenario)
    game.handle(cmd.CloseRound(seat=CONTROL, number=1))
    game.handle(cmd.OpenRound(seat=CONTROL, number=2))
    pid = game.handle(cmd.TableProposal(seat=CONTROL, agreement="truce", clauses=("truce_line",)))[
        0
    ].pid
    for team in ("red", "blue"):
        game.handle(cmd.SignProposal(seat=team_seat(team), pid=pid))
    game.handle(cmd.CloseRound(seat=CONTROL, number=2))
    game.handle(cmd.OpenRound(seat=CONTROL, number=3))
    uid = act(game, "red", "break_truce")
    assert not game.state.agreements[next(iter(game.state.agreements))].in_force
    for seat in (team_seat("blue"), team_seat("green"), OBSERVER):
        view = View(game.state, seat)
        broken = [e for e in view.events() if isinstance(e, ev.AgreementBroken)]
        assert len(broken) == 1  # the break itself is public
        assert not [e for e in view.events() if mentions(e, uid)], seat
        assert broken[0].culprit != "red", seat
        data = view.to_dict()
        assert f'"{uid}"' not in json.dumps(data), seat
        assert [a["culprit"] for a in data["agreements"]] != ["red"], seat


def test_a_public_hazard_roll_does_not_depend_on_a_variable_a_team_cannot_see() -> None:
    """Two games alike in all red can see, one with a hidden (control-only) variable moved
    by an inject only green hears of: red's view of the truce's durability roll must not
    differ, or red could read the hidden variable off the roll's threshold."""
    scenario = case_scenario(
        {
            "negotiation": {
                "agreements": [
                    {
                        "id": "truce",
                        "hazard": {
                            "base": 0.2,
                            "covariates": [
                                {"id": "monitored", "value": "clauses.monitors", "beta": -1.0},
                                {"id": "plotting", "value": "plot / 10", "beta": 0.3},
                            ],
                        },
                    }
                ]
            },
            # the leak fires only when control fires it
            "injects": [{"id": "leak", "when": "round > 5"}],
        }
    )

    def hazard_thresholds_red_sees(fire_leak: bool) -> list[float]:
        game = start(scenario)
        game.handle(cmd.CloseRound(seat=CONTROL, number=1))
        game.handle(cmd.OpenRound(seat=CONTROL, number=2))
        pid = game.handle(
            cmd.TableProposal(seat=CONTROL, agreement="truce", clauses=("truce_line",))
        )[0].pid
        for team in ("red", "blue"):
            game.handle(cmd.SignProposal(seat=team_seat(team), pid=pid))
        if fire_leak:
            game.handle(cmd.FireInject(seat=CONTROL, inject="leak"))  # green only: plot +10
        game.handle(cmd.CloseRound(seat=CONTROL, number=2))
        red = View(game.state, team_seat("red"))
        assert red.value("plot") is None
        return [
            e.threshold
            for e in red.events()
            if isinstance(e, ev.DiceRolled) and e.purpose == "hazard"
        ]

    assert hazard_thresholds_red_sees(fire_leak=False) == hazard_thresholds_red_sees(fire_leak=True)


def test_another_teams_public_action_shows_its_result_but_not_its_odds_or_roll(base_scenario):
    """The odds of a public action come from modifiers that may read variables other teams
    cannot see, so only the acting team learns them; everyone learns the outcome."""
    game = Game(base_scenario, 5)
    game.handle(cmd.StartGame(seat=CONTROL))
    game.handle(cmd.OpenRound(seat=CONTROL, number=1))
    uid = game.handle(cmd.SubmitAction(seat=team_seat("red"), action="patrol"))[0].uid
    game.handle(
        cmd.Assess(
            seat=ADJUDICATOR, uid=uid, probability=0.4, method="rules", modifiers=((0, -0.2),)
        )
    )
    game.handle(cmd.Roll(seat=ADJUDICATOR, uid=uid))
    game.handle(cmd.PublishOutcome(seat=CONTROL, uid=uid))
    red = {a["uid"]: a for a in game.view(team_seat("red")).to_dict()["actions"]}[uid]
    blue = {a["uid"]: a for a in game.view(team_seat("blue")).to_dict()["actions"]}[uid]
    assert red["probability"] == 0.4 and red["roll"] is not None
    assert blue["probability"] is None and blue["roll"] is None
    assert blue["success"] == red["success"]
    blue_types = [
        e.type
        for e in game.view(team_seat("blue")).events()
        if getattr(e, "uid", None) == uid or getattr(e, "subject", None) == uid
    ]
    assert blue_types == ["action_submitted", "outcome_applied"]


def test_a_team_that_knows_of_a_free_form_action_still_counts_the_catalogues() -> None:
    """Free-form actions are not in the catalogue: a team's projection counts the
    catalogue's actions it knows of and passes over the free-form ones."""
    from whitecell.scenario.library import load_bundled

    game = Game(load_bundled("ukraine-ceasefire-2025"), 5)
    game.handle(cmd.StartGame(seat=CONTROL))
    game.handle(cmd.OpenRound(seat=CONTROL, number=1))
    free = dict(action="free", description="A quiet word", instrument="diplomatic")
    game.handle(cmd.SubmitAction(seat=team_seat("turkey"), secret=False, **free))
    game.handle(cmd.SubmitAction(seat=team_seat("usa"), action="restore_aid"))
    counts = game.view(team_seat("russia")).context().action_counts
    assert "free" not in counts
    assert counts["restore_aid"][0] == 1
