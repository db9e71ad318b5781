"""The game log: JSON Lines with a versioned header embedding the scenario, then one event
per line. It round-trips exactly, and every kind of damage is a LogError naming its line."""

from __future__ import annotations

import gc
import json
import math
from typing import Any

import pytest

from whitecell.engine import ADJUDICATOR, CONTROL, Game, RuleViolation, team_seat
from whitecell.engine import commands as cmd
from whitecell.engine.game import replay
from whitecell.engine.log import LogError, dump_log, parse_log, replay_log
from whitecell.play import play_game

SEED = 31337


@pytest.fixture(scope="module")
def played(base_scenario):
    return play_game(base_scenario, SEED)


@pytest.fixture(scope="module")
def text(base_scenario, played) -> str:
    return dump_log(base_scenario, played.events)


def lines_of(text: str) -> list[str]:
    assert text.endswith("\n")
    return text[:-1].split("\n")


def text_of(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def first_line_of_type(lines: list[str], kind: str) -> int:
    """The 1-based line number of the first event of ``kind``."""
    for number, line in enumerate(lines, start=1):
        if number > 1 and json.loads(line)["type"] == kind:
            return number
    raise AssertionError(f"no {kind} event in the log")


def edited(text: str, number: int, edit: Any) -> str:
    """The log with line ``number`` (1-based) replaced by ``edit(parsed line)``."""
    lines = lines_of(text)
    data = json.loads(lines[number - 1])
    result = edit(data)
    lines[number - 1] = json.dumps(data if result is None else result, ensure_ascii=False)
    return text_of(lines)


def refused(text: str, line: int, *words: str) -> LogError:
    with pytest.raises(LogError) as info:
        parse_log(text, "game.jsonl")
    error = info.value
    assert error.line == line, str(error)
    assert error.source == "game.jsonl"
    assert str(error).startswith(f"game.jsonl:{line}: ")
    for word in words:
        assert word in error.message, error.message
    return error


# -- the format ---------------------------------------------------------------


def test_a_log_is_a_header_line_then_one_line_per_event(text, played) -> None:
    lines = lines_of(text)
    assert len(lines) == 1 + len(played.events)
    for number, line in enumerate(lines[1:], start=1):
        assert json.loads(line)["seq"] == number


def test_the_header_carries_the_format_its_version_and_the_whole_scenario(
    text, base_scenario
) -> None:
    header = json.loads(lines_of(text)[0])
    assert header["format"] == "whitecell-log"
    assert header["version"] == 1
    assert header["scenario_id"] == base_scenario.id == "selftest-border"
    assert header["scenario_digest"] == base_scenario.digest
    assert header["scenario"] == json.loads(json.dumps(base_scenario.document))
    log = parse_log(text)
    assert log.scenario.digest == base_scenario.digest
    assert log.header["version"] == 1


def test_dump_and_parse_round_trip_exactly(text, played, base_scenario) -> None:
    log = parse_log(text)
    assert log.events == played.events
    assert dump_log(log.scenario, log.events) == text
    assert dump_log(base_scenario, played.events) == text  # dumping twice gives the same bytes


def test_a_bundled_scenario_game_round_trips_exactly(ukraine) -> None:
    game = play_game(ukraine, 11)
    text = dump_log(ukraine, game.events)
    log = parse_log(text)
    assert log.events == game.events
    assert dump_log(log.scenario, log.events) == text
    assert replay_log(log).snapshot() == game.state.snapshot()


def test_replaying_a_parsed_log_rebuilds_the_live_state(text, played) -> None:
    state = replay_log(parse_log(text))
    assert state.snapshot() == played.state.snapshot()
    assert state.revealed_seed == SEED


def test_a_log_of_an_unfinished_game_round_trips_too(base_scenario, played) -> None:
    events = played.events[:20]
    text = dump_log(base_scenario, events)
    log = parse_log(text)
    assert log.events == events
    assert replay_log(log).snapshot() == replay(base_scenario, events).snapshot()


# -- damage: the header -----------------------------------------------------------


@pytest.mark.parametrize("damaged", ["", "\n", "   \n\n"])
def test_an_empty_log_is_refused_at_line_1(damaged: str) -> None:
    refused(damaged, 1, "empty")


def test_a_first_line_that_is_not_json_is_refused_at_line_1(text) -> None:
    lines = lines_of(text)
    lines[0] = "whitecell log, version one"
    refused(text_of(lines), 1, "first line is not JSON")


def test_a_header_of_another_format_is_refused_at_line_1(text) -> None:
    def other(header: dict[str, Any]) -> None:
        header["format"] = "some-other-log"

    refused(edited(text, 1, other), 1, "not a whitecell log")
    refused(edited(text, 1, lambda header: [header]), 1, "not a whitecell log")


def test_a_newer_format_version_is_refused_with_advice_to_upgrade(text) -> None:
    def newer(header: dict[str, Any]) -> None:
        header["version"] = 2

    refused(edited(text, 1, newer), 1, "version 2", "upgrade")


@pytest.mark.parametrize("version", [0, -1, "1", 1.5, True, None])
def test_a_header_without_a_valid_version_is_refused(text, version) -> None:
    def bad(header: dict[str, Any]) -> None:
        header["version"] = version

    refused(edited(text, 1, bad), 1)


def test_a_tampered_embedded_scenario_is_refused_for_its_digest(text) -> None:
    def tamper(header: dict[str, Any]) -> None:
        header["scenario"]["actions"][0]["base_probability"] = 0.99

    refused(edited(text, 1, tamper), 1, "digest")


# -- damage: the events --------------------------------------------------------------


def test_a_line_that_is_not_json_is_refused_with_its_line_number(text) -> None:
    lines = lines_of(text)
    lines[6] = lines[6][: len(lines[6]) // 2]  # line 7, half of an event
    refused(text_of(lines), 7, "not a JSON event")
    lines = lines_of(text)
    lines[4] = ""
    refused(text_of(lines), 5, "not a JSON event")


def test_a_log_whose_lines_are_not_one_event_each_is_refused_at_the_first_bad_line(text) -> None:
    """An event split over two lines (a line that is not JSON by itself), with two events
    joined on a later line so the count still matches, is damage all the same."""
    lines = lines_of(text)
    first = lines[1]
    cut = first.index(',"seq"')
    damaged = [lines[0], first[:cut], first[cut + 1 :], lines[2] + "," + lines[3], *lines[4:]]
    refused(text_of(damaged), 2)


def test_a_truncated_last_line_is_refused_as_a_truncated_log(text) -> None:
    lines = lines_of(text)
    cut = "\n".join(lines)[:-7]  # an interrupted write: the last line half written, no newline
    refused(cut, len(lines), "truncated")


def test_a_complete_last_line_without_its_newline_is_accepted(text, played) -> None:
    log = parse_log(text.rstrip("\n"))
    assert log.events == played.events


def test_an_unknown_event_type_is_refused_with_its_line_number(text) -> None:
    def unknown(event: dict[str, Any]) -> None:
        event["type"] = "game_teleported"

    refused(edited(text, 4, unknown), 4, "unknown event type", "game_teleported")


@pytest.mark.parametrize("kind", [["dice_rolled"], {"a": 1}, None, 7])
def test_an_event_type_that_is_not_text_is_refused_not_a_crash(text, kind) -> None:
    """An unhashable type (a list, an object) once escaped as a TypeError traceback."""

    def odd(event: dict[str, Any]) -> None:
        event["type"] = kind

    refused(edited(text, 4, odd), 4, "unknown event type")


def test_a_line_that_is_json_but_not_an_object_is_refused(text) -> None:
    refused(edited(text, 4, lambda event: [event]), 4, "JSON object")


def test_an_event_missing_a_field_is_refused_naming_the_field(text) -> None:
    number = first_line_of_type(lines_of(text), "action_submitted")

    def drop(event: dict[str, Any]) -> None:
        del event["team"]

    refused(edited(text, number, drop), number, "missing", "team")


def test_an_event_with_an_unknown_field_is_refused(text) -> None:
    def extra(event: dict[str, Any]) -> None:
        event["mood"] = "grim"

    refused(edited(text, 3, extra), 3, "unknown field", "mood")


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("action_submitted", "seq", "5"),
        ("action_submitted", "secret", "no"),
        ("action_submitted", "audience", "*"),
        ("action_assessed", "probability", "0.5"),
        ("dice_rolled", "success", 1),
        ("dice_rolled", "index", 0.0),
        ("round_opened", "round", None),
        ("game_started", "seed_commitment", 12),
    ],
)
def test_an_event_field_of_the_wrong_type_is_refused(text, kind, field, value) -> None:
    number = first_line_of_type(lines_of(text), kind)

    def wrong(event: dict[str, Any]) -> None:
        event[field] = value

    refused(edited(text, number, wrong), number, "wrong type", field)


@pytest.mark.parametrize(
    "bad_change",
    [
        ["tension", "50.0", 60.0],  # a string where a number belongs
        ["tension", 50.0],  # a change is three items
        [7, 50.0, 60.0],  # a number where the key belongs
        "tension",
    ],
)
def test_a_nested_field_of_the_wrong_type_is_refused(text, bad_change) -> None:
    lines = lines_of(text)
    number = next(
        n
        for n, line in enumerate(lines, start=1)
        if n > 1 and json.loads(line)["type"] == "outcome_applied" and json.loads(line)["changes"]
    )

    def wrong(event: dict[str, Any]) -> None:
        event["changes"][0] = bad_change

    refused(edited(text, number, wrong), number, "wrong type", "changes")


def test_events_out_of_order_are_refused_at_the_first_misplaced_line(text) -> None:
    lines = lines_of(text)
    lines[3], lines[4] = lines[4], lines[3]
    refused(text_of(lines), 4, "out of order", "event number 4", "3 was expected")


def test_a_missing_event_is_refused_where_the_gap_is(text) -> None:
    lines = lines_of(text)
    del lines[5]  # the event numbered 5
    refused(text_of(lines), 6, "out of order", "event number 6", "5 was expected")


# -- events that parse but do not fit the game ------------------------------------------


def test_an_outcome_for_an_unknown_action_becomes_a_log_error_on_replay(text) -> None:
    number = first_line_of_type(lines_of(text), "outcome_applied")

    def unknown(event: dict[str, Any]) -> None:
        event["uid"] = "a999"

    log = parse_log(edited(text, number, unknown), "game.jsonl")
    with pytest.raises(LogError) as info:
        replay_log(log)
    assert info.value.line == number
    assert f"event {number - 1} (outcome_applied)" in info.value.message
    assert "does not fit" in info.value.message


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("action_assessed", "uid", "a999"),
        ("proposal_signed", "pid", "p999"),
        ("round_opened", "date", "the ides of March"),
    ],
)
def test_other_events_that_do_not_fit_become_log_errors_on_replay(text, kind, field, value):
    number = first_line_of_type(lines_of(text), kind)

    def unfit(event: dict[str, Any]) -> None:
        event[field] = value

    log = parse_log(edited(text, number, unfit))
    with pytest.raises(LogError) as info:
        replay_log(log)
    assert info.value.line == number


def test_a_change_to_an_unknown_variable_becomes_a_log_error_on_replay(text) -> None:
    lines = lines_of(text)
    number = next(
        n
        for n, line in enumerate(lines, start=1)
        if n > 1 and json.loads(line)["type"] == "outcome_applied" and json.loads(line)["changes"]
    )

    def unknown(event: dict[str, Any]) -> None:
        event["changes"][0][0] = "weather"

    log = parse_log(edited(text, number, unknown))
    with pytest.raises(LogError) as info:
        replay_log(log)
    assert info.value.line == number


# -- whatever the rules accept can be logged and read back ----------------------------------


def started(scenario, seed: int = SEED) -> Game:
    game = Game(scenario, seed)
    game.handle(cmd.StartGame(seat=CONTROL))
    game.handle(cmd.OpenRound(seat=CONTROL, number=1))
    return game


def reads_back(scenario, game: Game) -> None:
    text = dump_log(scenario, game.events)
    log = parse_log(text)
    text.encode("utf-8")  # and it can be saved as UTF-8
    assert dump_log(log.scenario, log.events) == text
    assert replay_log(log).snapshot() == game.state.snapshot()


@pytest.mark.parametrize("seed", [0, 1, 2**63 - 1])
def test_a_game_with_any_seed_it_accepts_writes_a_log_that_reads_back(base_scenario, seed):
    game = Game(base_scenario, seed)
    game.handle(cmd.StartGame(seat=CONTROL))
    game.handle(cmd.EndGame(seat=CONTROL))
    reads_back(base_scenario, game)


@pytest.mark.parametrize("seed", [-1, 2**63, 2**64, 10**30, 1.5, True])
def test_a_seed_a_log_could_not_hold_exactly_is_refused_when_the_game_is_made(base_scenario, seed):
    with pytest.raises(ValueError, match="seed is a whole number from 0 to"):
        Game(base_scenario, seed)


@pytest.mark.parametrize("add", [0.1, -0.25, 1, math.nan, math.inf, -math.inf])
def test_an_assessment_the_rules_accept_is_one_the_log_can_hold(base_scenario, add) -> None:
    game = started(base_scenario)
    uid = game.handle(cmd.SubmitAction(seat=team_seat("red"), action="patrol"))[0].uid
    try:
        game.handle(cmd.Assess(seat=ADJUDICATOR, uid=uid, probability=0.5, modifiers=((0, add),)))
    except RuleViolation:
        return  # refusing odds that are not a finite number is fine
    reads_back(base_scenario, game)


@pytest.mark.parametrize(
    "text",
    [
        'quotes " and \\ backslashes',
        "line\nbreaks\r\nand\ttabs \u2028 \x00 nul",
        "日本語と絵文字 🕊️",
        "half an emoji \ud83d",  # a lone surrogate, as cutting a JavaScript string can leave
    ],
)
def test_a_message_the_rules_accept_is_one_the_log_can_hold(base_scenario, text) -> None:
    game = started(base_scenario)
    try:
        game.handle(cmd.SendMessage(seat=team_seat("red"), to=("blue",), text=text))
    except RuleViolation:
        return  # refusing text that is not valid Unicode is fine
    reads_back(base_scenario, game)


def test_a_seated_players_kind_is_kept_in_the_log_and_older_logs_read_heuristic():
    from whitecell.engine import events as ev

    seated = ev.AgentSeated(
        seq=7, round=1, audience=("*",), actor="control", team="usa", seated=True, kind="llm"
    )
    line = ev.event_to_dict(seated)
    assert line["kind"] == "llm" and ev.event_from_dict(line) == seated
    older = {k: v for k, v in line.items() if k != "kind"}  # written before the field existed
    assert ev.event_from_dict(older).kind == "heuristic"
    import pytest

    with pytest.raises(ev.EventFormatError, match="missing field"):
        ev.event_from_dict({k: v for k, v in line.items() if k != "team"})


def test_reading_a_log_leaves_the_collector_as_it_found_it(text, played) -> None:
    """Reading pauses the cyclic collector and hands the new objects to its oldest
    generation; the collector comes back on, and objects a server or an ensemble froze
    (gc.freeze) stay frozen."""
    assert gc.isenabled()
    parse_log(text)
    assert gc.isenabled()
    gc.disable()
    try:
        parse_log(text)
        assert not gc.isenabled()  # off before, off after
    finally:
        gc.enable()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        log = parse_log(text)
        assert gc.get_freeze_count() == frozen
        assert log.events == played.events
    finally:
        gc.unfreeze()
