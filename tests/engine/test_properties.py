"""Properties of the engine under random play, legal and illegal.

Hypothesis drives a game with a mix of commands that move it on (start, open a round,
submit, assess, roll, apply, table, sign, close, end) and commands from any seat with any
verb and arguments drawn from the scenario's ids and junk (observers, unknown teams,
made-up uids and pids, odds outside [0, 1], empty texts, wrong round numbers). After every
command:

(a) the only exception is RuleViolation;
(b) every variable stays within its declared range (flags 0 or 1);
(c) a refused command leaves the state exactly as it was, and ``decide`` never writes to
    the state even when it accepts;
(d) replaying the events from scratch gives the live state (checked at the end, also
    through the JSON Lines log);
(e) no team's view holds another team's secret actions, messages of channels it is not in,
    proposals it is not party to, other teams' private objectives, or the value of a variable
    it cannot see other than its own intelligence estimate (checked while the game runs).
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from whitecell.engine import (
    ADJUDICATOR,
    CONTROL,
    OBSERVER,
    Game,
    RuleViolation,
    Seat,
    View,
    decide,
    team_seat,
)
from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.engine.game import replay
from whitecell.engine.log import dump_log, parse_log, replay_log
from whitecell.engine.state import State
from whitecell.selftest.runner import case_scenario

SEED = 424242
JUNK_IDS = ["purple", "", "control", "*", "white", "engine"]
MARKERS = {"red": "RED-SECRET", "blue": "BLUE-SECRET", "green": "GREEN-SECRET"}
PROBABILITIES = st.one_of(
    st.floats(min_value=0.0, max_value=1.0),
    st.sampled_from(
        [0, 1, 0.0, 1.0, -0.01, 1.01, 2.0, -1, math.nan, math.inf, -math.inf, True, False]
    ),
)

SETTINGS = settings(
    max_examples=70,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# -- drawing commands ------------------------------------------------------------------


class Drawer:
    """Draws the next command for the game's current state."""

    def __init__(self, data: Any, state: State) -> None:
        self.data = data
        self.state = state
        self.sc = state.scenario
        self.notes = 0

    def draw(self, strategy: Any) -> Any:
        return self.data.draw(strategy)

    def pick(self, items: Any) -> Any:
        return self.draw(st.sampled_from(list(items)))

    # pools mixing the scenario's ids with junk
    def seats(self) -> list[Seat]:
        return [
            CONTROL,
            ADJUDICATOR,
            OBSERVER,
            *map(team_seat, self.sc.team_ids),
            team_seat("purple"),
        ]

    def uid(self) -> str:
        return self.pick([*self.state.actions, "a0", "a999", "p1", "g1", ""])

    def pid(self) -> str:
        return self.pick([*self.state.proposals, "p0", "p999", "a1", ""])

    def who(self) -> str:
        return self.pick([*self.sc.team_ids, *self.sc.roles, *JUNK_IDS])

    def note(self, sender: str, to: tuple[str, ...]) -> str:
        """Message text: blank, too long, or a distinctive note naming its channel."""
        kind = self.draw(st.sampled_from(["note", "note", "note", "empty", "blank", "long"]))
        if kind == "empty":
            return ""
        if kind == "blank":
            return " \n\t"
        if kind == "long":
            return "x" * (cmd.MAX_TEXT + 1)
        self.notes += 1
        return f"NOTE#{self.state.seq}#{self.notes}#{sender}>{'+'.join(to)}"

    def clauses(self, agreement: str) -> tuple[str, ...]:
        kind = self.sc.agreements.get(agreement)
        if kind is None or self.draw(st.integers(0, 5)) == 0:
            pool = [*self.sc.clauses, "bogus"]
            return tuple(self.draw(st.lists(st.sampled_from(pool), max_size=4)))
        optional = self.draw(st.lists(st.sampled_from(list(kind.optional)), unique=True))
        return (*kind.required, *optional) if kind.optional else tuple(kind.required)

    # the two kinds of command
    def command(self) -> cmd.Command:
        if self.draw(st.integers(0, 9)) < 8:
            return self.onward()
        return self.anything()

    def onward(self) -> cmd.Command:
        """A command that plausibly moves the game on."""
        s = self.state
        if not s.started:
            return cmd.StartGame(seat=CONTROL)
        if s.ended:
            return self.anything()
        if not s.round_open:
            if s.round < len(self.sc.rounds):
                return cmd.OpenRound(seat=CONTROL, number=s.round + 1)
            return cmd.EndGame(seat=CONTROL)
        if s.current_round.kind == "action":
            return self.in_action_round()
        return self.in_negotiation_round()

    def in_action_round(self) -> cmd.Command:
        s = self.state
        pending = [a for a in s.actions.values() if a.round == s.round and a.status != "applied"]
        if pending:
            choice = self.pick(["resolve"] * 6 + ["submit", "submit", "say", "close"])
        else:
            choice = self.pick(["submit"] * 5 + ["close"] * 3 + ["say"] * 2)
        if choice == "resolve":
            rec = self.pick(pending)
            umpire = self.pick([ADJUDICATOR, CONTROL])
            if rec.status == "submitted" or (rec.status == "assessed" and self.draw(st.booleans())):
                n = len(self.sc.action[rec.action].modifiers)
                mods = self.draw(
                    st.lists(st.tuples(st.integers(0, n), st.floats(-1, 1)), max_size=2)
                )
                return cmd.Assess(
                    seat=umpire,
                    uid=rec.uid,
                    probability=self.draw(PROBABILITIES),
                    method=self.pick([*sorted(cmd.ASSESSMENT_METHODS), "oracle"]),
                    modifiers=tuple(mods),
                    rationale=self.pick(["", "because", "y" * (cmd.MAX_TEXT + 1)]),
                )
            if rec.status == "assessed":
                return cmd.Roll(seat=umpire, uid=rec.uid)
            return cmd.PublishOutcome(seat=umpire, uid=rec.uid)
        if choice == "close":
            return cmd.CloseRound(seat=CONTROL, number=s.round)
        if choice == "say":
            return self.message()
        limit = s.current_round.actions_per_team
        free = [t for t in self.sc.team_ids if s.submitted.get((s.round, t), 0) < limit]
        team = self.pick(free * 4 + list(self.sc.team_ids))
        open_to = [a for a in self.sc.actions if team in a.teams] or list(self.sc.actions)
        spec = self.pick(open_to)
        if spec.targets is None:
            target = None
        else:
            others = [t for t in spec.targets if t != team]
            target = self.pick(others * 4 + [*spec.targets, "purple"])
        return cmd.SubmitAction(seat=team_seat(team), action=spec.id, target=target)

    def in_negotiation_round(self) -> cmd.Command:
        s = self.state
        open_ = [p for p in s.proposals.values() if p.status == "open"]
        choice = self.pick(["table", "answer", "answer", "answer", "answer", "counter", "close"])
        if choice == "table" and self.draw(st.booleans()):
            return self.message()
        if choice in ("answer", "counter") and open_:
            p = self.pick(open_)
            unsigned = [t for t in p.parties if t not in p.signed]
            team = self.pick([*unsigned, *unsigned, *unsigned, *p.audience, *self.sc.team_ids])
            if choice == "counter":
                return cmd.TableProposal(
                    seat=team_seat(team),
                    agreement=p.agreement,
                    clauses=self.clauses(p.agreement),
                    counter_to=p.pid,
                )
            verb = self.pick(["sign", "sign", "accept", "reject"])
            if verb == "sign":
                return cmd.SignProposal(seat=team_seat(team), pid=p.pid)
            if verb == "accept":
                return cmd.AcceptProposal(seat=team_seat(team), pid=p.pid)
            return cmd.RejectProposal(seat=team_seat(team), pid=p.pid, reason="no")
        if choice == "close":
            return cmd.CloseRound(seat=CONTROL, number=s.round)
        agreement = self.pick(list(self.sc.agreements))
        seat = self.pick([CONTROL, *map(team_seat, self.sc.team_ids)])
        return cmd.TableProposal(seat=seat, agreement=agreement, clauses=self.clauses(agreement))

    def message(self) -> cmd.SendMessage:
        seat = self.pick([CONTROL, *map(team_seat, self.sc.team_ids), ADJUDICATOR])
        sender = None
        if seat == CONTROL:
            sender = self.pick([None, "control", *self.sc.roles, "purple"])
        to = tuple(self.draw(st.lists(st.sampled_from(self.recipients()), max_size=3)))
        name = seat.team or sender or "control"
        return cmd.SendMessage(seat=seat, to=to, text=self.note(name, to), sender=sender)

    def recipients(self) -> list[str]:
        return [*self.sc.team_ids, *self.sc.roles, "purple", "control"]

    def anything(self) -> cmd.Command:
        """Any seat, any verb, arguments from the scenario's ids and junk."""
        seat = self.pick(self.seats())
        verb = self.draw(st.integers(0, 13))
        rounds = len(self.sc.rounds)
        number = self.draw(st.integers(-1, rounds + 2))
        if verb == 0:
            return cmd.StartGame(seat=seat)
        if verb == 1:
            return cmd.OpenRound(seat=seat, number=number)
        if verb == 2:
            return cmd.CloseRound(seat=seat, number=number)
        if verb == 3:
            action = self.pick([a.id for a in self.sc.actions] + ["nuke", ""])
            return cmd.SubmitAction(seat=seat, action=action, target=self.pick([None, self.who()]))
        if verb == 4:
            return cmd.Assess(seat=seat, uid=self.uid(), probability=self.draw(PROBABILITIES))
        if verb == 5:
            return cmd.Roll(seat=seat, uid=self.uid())
        if verb == 6:
            return cmd.PublishOutcome(seat=seat, uid=self.uid())
        if verb == 7:
            sender = self.pick([None, self.who()])
            to = tuple(self.draw(st.lists(st.sampled_from([*self.recipients(), ""]), max_size=3)))
            text = self.note(seat.team or sender or seat.kind, to)
            return cmd.SendMessage(seat=seat, to=to, text=text, sender=sender)
        if verb == 8:
            agreement = self.pick([*self.sc.agreements, "peace"])
            return cmd.TableProposal(
                seat=seat,
                agreement=agreement,
                clauses=self.clauses(agreement),
                counter_to=self.pick([None, self.pid()]),
                sponsor=self.pick([None, self.who()]),
            )
        if verb == 9:
            return cmd.AcceptProposal(seat=seat, pid=self.pid())
        if verb == 10:
            return cmd.RejectProposal(seat=seat, pid=self.pid(), reason=self.pick(["", "no"]))
        if verb == 11:
            return cmd.SignProposal(seat=seat, pid=self.pid())
        if verb == 12:
            return cmd.FireInject(seat=seat, inject=self.pick([*self.sc.inject, "meteor"]))
        return cmd.EndGame(seat=seat)


# -- the checks ----------------------------------------------------------------------------


def frozen(state: State) -> Any:
    """A deep copy of the state's defining data (snapshot shares its dicts with the state)."""
    return copy.deepcopy(state.snapshot())


def assert_in_range(state: State) -> None:
    for var in state.scenario.vars:
        value = state.v[var.index]
        assert not math.isnan(value), var.key
        if var.is_flag:
            assert value in (0.0, 1.0), (var.key, value)
        else:
            assert var.lo <= value <= var.hi, (var.key, value, var.lo, var.hi)


def step(game: Game, command: cmd.Command) -> bool:
    """Apply one command with checks (a) to (c); True if the rules accepted it."""
    state = game.state
    before = frozen(state)
    count = len(state.events)
    try:
        decided = decide(state, command)
    except RuleViolation as exc:
        assert exc.message
        assert frozen(state) == before, f"refused {command!r} changed the state"
        assert len(state.events) == count
        return False
    assert frozen(state) == before, f"decide wrote to the state for {command!r}"
    assert decided, f"{command!r} was accepted but caused no event"
    new = game.handle(command)
    assert new == decided  # decide is a pure function of state and command
    assert [e.seq for e in new] == list(range(count + 1, count + 1 + len(new)))
    assert_in_range(state)
    return True


def teams_of(sc: Any, p: Any) -> set[str]:
    """Who may read a proposal, from the scenario itself: the parties its agreement and
    clauses name, and the sponsor when a team tabled it."""
    needed = set(sc.agreements[p.agreement].parties)
    for clause in p.clauses:
        needed |= set(sc.clauses[clause].parties)
    if p.sponsor in sc.team:
        needed.add(p.sponsor)
    return needed


def latest_intel(state: State, team: str) -> dict[str, tuple[float, bool, int]]:
    book: dict[str, tuple[float, bool, int]] = {}
    for e in state.events:
        if isinstance(e, ev.IntelligenceReport) and e.team == team:
            for key, value, exact in e.estimates:
                book[key] = (value, exact, e.round)
    return book


def assert_fog(state: State, seat: Seat) -> None:
    """Check (e) for a team seat or an observer, while the game runs."""
    assert not state.ended
    sc = state.scenario
    team = seat.team
    secret = {a.uid for a in state.actions.values() if a.secret and a.team != team}
    hidden_notes = [
        e.text
        for e in state.events
        if isinstance(e, ev.MessageSent) and team != e.sender and team not in e.to
    ]
    hidden_pids = {pid for pid, p in state.proposals.items() if team not in teams_of(sc, p)}
    visible = {
        var.key
        for var in sc.vars
        if var.visibility == "public" or (var.visibility == "owner" and var.owner == team)
    }
    view = View(state, seat)
    for e in view.events():
        data = ev.event_to_dict(e)
        assert "control" not in e.audience
        assert "*" in e.audience or team in e.audience
        for name in ("uid", "subject", "source"):
            assert data.get(name) not in secret, (seat, data)
        if isinstance(e, ev.ProposalTabled | ev.ProposalAccepted):
            assert e.pid not in hidden_pids, (seat, data)
        if isinstance(e, ev.ProposalRejected | ev.ProposalSigned):
            assert e.pid not in hidden_pids, (seat, data)
        if isinstance(e, ev.MessageSent):
            assert team in (e.sender, *e.to), (seat, data)
        if isinstance(e, ev.IntelligenceReport):
            assert e.team == team, (seat, data)
        for key, *_ in data.get("changes", ()):
            assert key in visible, (seat, key, data)
    for lang in ("en", "ja"):
        data = view.to_dict(lang)
        text = json.dumps(data, ensure_ascii=False)
        for uid in secret:
            assert f'"{uid}"' not in text, (seat, uid)
        for note in hidden_notes:
            assert note not in text, (seat, note)
        assert not hidden_pids & {p["pid"] for p in data["proposals"]}, seat
        for owner, marker in MARKERS.items():
            if owner in sc.team and owner != team:
                assert marker not in text, (seat, marker)
        assert data["seed"] is None
    book = latest_intel(state, team) if team else {}
    data = view.to_dict()
    context = view.context()
    for var in sc.vars:
        entry = data["variables"][var.key]
        if var.key in visible:
            assert entry["value"] == state.v[var.index]
            continue
        assert entry["value"] is None and view.value(var.key) is None, (seat, var.key)
        known = book.get(var.key)
        if known is None:
            assert entry["estimate"] is None
            assert view.belief(var) == var.initial == context.v[var.index]
        else:
            value, exact, rnd = known
            assert entry["estimate"] == {"value": value, "exact": exact, "round": rnd}
            assert view.belief(var) == value == context.v[var.index]


def assert_replays(game: Game) -> None:
    """(d): the events, folded from scratch or read back from the log, give the live state."""
    sc, state = game.scenario, game.state
    live = state.snapshot()
    assert replay(sc, game.events, SEED).snapshot() == live
    text = dump_log(sc, game.events)
    log = parse_log(text)
    assert log.events == game.events
    assert dump_log(log.scenario, log.events) == text
    assert replay_log(log).snapshot() == live


def finish(game: Game) -> None:
    """Play the game out with plain legal commands (resolve, close, open, end)."""
    s = game.state
    if not s.started:
        step(game, cmd.StartGame(seat=CONTROL))
    while not s.ended:
        if s.round_open:
            for rec in [a for a in s.actions.values() if a.round == s.round]:
                if rec.status == "submitted":
                    assert step(game, cmd.Assess(seat=ADJUDICATOR, uid=rec.uid, probability=0.5))
                if rec.status == "assessed":
                    assert step(game, cmd.Roll(seat=ADJUDICATOR, uid=rec.uid))
                if rec.status == "rolled":
                    assert step(game, cmd.PublishOutcome(seat=CONTROL, uid=rec.uid))
            assert step(game, cmd.CloseRound(seat=CONTROL, number=s.round))
        elif s.round < len(s.scenario.rounds):
            assert step(game, cmd.OpenRound(seat=CONTROL, number=s.round + 1))
        else:
            assert step(game, cmd.EndGame(seat=CONTROL))


def play(data: Any, scenario: Any, steps: int, fog_seats: list[Seat]) -> Game:
    game = Game(scenario, SEED)
    drawer = Drawer(data, game.state)
    for _ in range(steps):
        accepted = step(game, drawer.command())
        if accepted and not game.state.ended:
            for seat in fog_seats:
                assert_fog(game.state, seat)
    assert_replays(game)
    return game


# -- the properties ----------------------------------------------------------------------


@SETTINGS
@given(data=st.data(), steps=st.integers(1, 90))
def test_random_play_keeps_every_rule_of_the_engine(base_scenario, data, steps) -> None:
    seats = [*map(team_seat, base_scenario.team_ids), OBSERVER]
    play(data, base_scenario, steps, seats)


@pytest.fixture(scope="module")
def cornered():
    """The base scenario with every variable starting next to a bound, so effects, clauses
    and injects keep running into the ends of the ranges."""
    return case_scenario(
        {
            "variables": [
                {"id": "tension", "min": 40, "max": 100, "initial": 96},
                {"id": "morale", "initial": {"red": 3, "blue": 97, "green": 99}},
                {"id": "plot", "initial": 92},
            ]
        }
    )


@settings(SETTINGS, max_examples=40)
@given(data=st.data(), steps=st.integers(1, 90))
def test_random_play_keeps_every_variable_in_range_at_the_ends_of_the_ranges(
    cornered, data, steps
) -> None:
    seats = [*map(team_seat, cornered.team_ids), OBSERVER]
    play(data, cornered, steps, seats)


@settings(SETTINGS, max_examples=25)
@given(data=st.data(), steps=st.integers(60, 200))
def test_long_random_games_reach_the_end_and_reveal_everything_but_control_records(
    base_scenario, data, steps
) -> None:
    game = play(data, base_scenario, steps, [])
    finish(game)
    state = game.state
    assert state.ended
    assert_replays(game)
    not_control = [e for e in state.events if "control" not in e.audience]
    for seat in [*map(team_seat, base_scenario.team_ids), OBSERVER]:
        view = View(state, seat)
        assert view.events() == not_control
        data_ = view.to_dict()
        assert {k: v["value"] for k, v in data_["variables"].items()} == state.values()
        assert data_["seed"] == SEED
        assert {a["uid"] for a in data_["actions"]} == set(state.actions)


def test_the_random_driver_reaches_every_phase_of_a_game(base_scenario) -> None:
    """A guard for the properties above: the commands they draw do play whole games."""
    reached: set[str] = set()

    @settings(
        max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    @given(data=st.data())
    def run(data: Any) -> None:
        game = Game(base_scenario, SEED)
        drawer = Drawer(data, game.state)
        for _ in range(200):
            step(game, drawer.command())
        reached.update(e.type for e in game.events)

    run()
    assert {
        "action_submitted",
        "outcome_applied",
        "intelligence_report",
        "message_sent",
        "proposal_tabled",
        "proposal_rejected",
        "agreement_signed",
        "round_closed",
        "game_ended",
    } <= reached


@settings(SETTINGS, max_examples=20)
@given(data=st.data(), steps=st.integers(1, 120))
def test_random_play_of_the_bundled_scenario_keeps_every_rule_of_the_engine(
    ukraine, data, steps
) -> None:
    seats = [team_seat("ukraine"), team_seat("russia"), team_seat("europe"), OBSERVER]
    play(data, ukraine, steps, seats)
