"""The game log as JSON Lines: a header with the format version and the scenario,
then one event per line. Text in, text out; files are the caller's business.

The header embeds the whole scenario so a log can be replayed, verified and
reported on with nothing else at hand, even after the scenario file changed.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson

from whitecell.engine.events import (
    READERS,
    Event,
    EventFormatError,
    event_from_dict,
    event_to_dict,
)
from whitecell.engine.evolve import fold
from whitecell.engine.state import State, new_state
from whitecell.scenario.build import document_digest
from whitecell.scenario.compiled import Scenario
from whitecell.scenario.load import ScenarioError, scenario_from_document

LOG_FORMAT = "whitecell-log"
LOG_VERSION = 1


class LogError(Exception):
    """A log that cannot be read, with where and why."""

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(f"{source}:{line}: {message}")
        self.source = source
        self.line = line
        self.message = message


@dataclass(frozen=True)
class GameLog:
    scenario: Scenario
    events: list[Event]
    header: dict[str, Any]
    source: str = "<log>"


def log_header(scenario: Scenario) -> dict[str, Any]:
    return {
        "format": LOG_FORMAT,
        "version": LOG_VERSION,
        "scenario_id": scenario.id,
        "scenario_digest": scenario.digest,
        "scenario": scenario.document,
    }


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def event_line(event: Event) -> str:
    return dumps(event_to_dict(event))


def dump_log(scenario: Scenario, events: Iterable[Event]) -> str:
    """The whole log as text, ending with a newline; the same game gives the same bytes."""
    lines = [dumps(log_header(scenario))]
    lines += [event_line(e) for e in events]
    return "\n".join(lines) + "\n"


def parse_header(first: str, source: str) -> tuple[dict[str, Any], Scenario]:
    try:
        header = json.loads(first)
    except json.JSONDecodeError:
        raise LogError(source, 1, "not a whitecell log: the first line is not JSON") from None
    if not isinstance(header, dict) or header.get("format") != LOG_FORMAT:
        raise LogError(
            source, 1, f"not a whitecell log (expected a header with format '{LOG_FORMAT}')"
        )
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise LogError(source, 1, "the header has no valid format version")
    if version > LOG_VERSION:
        raise LogError(
            source,
            1,
            f"log format version {version} is newer than this whitecell "
            f"reads (up to {LOG_VERSION}): upgrade whitecell",
        )
    if version < 1:
        raise LogError(source, 1, f"unknown log format version {version}")
    document = header.get("scenario")
    if not isinstance(document, dict):
        raise LogError(source, 1, "the header has no embedded scenario")
    if document_digest(document) != header.get("scenario_digest"):
        raise LogError(
            source, 1, "the embedded scenario does not match its digest (the log was altered)"
        )
    try:
        scenario = scenario_from_document(document, f"{source}:1 (embedded scenario)")
    except ScenarioError as exc:
        first_problem = exc.problems[0] if exc.problems else "invalid"
        raise LogError(source, 1, f"the embedded scenario is not valid: {first_problem}") from None
    return header, scenario


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Reading a log allocates hundreds of thousands of small objects and none of them form
    cycles; left on, the collector rescans them again and again (1.7 s instead of 0.6 s for
    120,000 events here)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_freeze_count() == 0:
                # the new objects go straight to the oldest generation, unscanned (else the
                # next collection scans them all once more: 70 ms for 120,000 events); not
                # where a server or an ensemble froze its own objects, which stay frozen
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def parse_log(text: str, source: str = "<log>") -> GameLog:
    """Read a whole log; raise :class:`LogError` at the first line that is wrong."""
    with _gc_paused():
        return _parse_log(text, source)


def _parse_log(text: str, source: str) -> GameLog:
    if not text.strip():
        raise LogError(source, 1, "the log is empty")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    elif len(lines) > 1:
        # a last line without its newline is how an interrupted write looks
        try:
            json.loads(lines[-1])
        except json.JSONDecodeError:
            raise LogError(
                source, len(lines), "the last line is cut off (the log is truncated)"
            ) from None
    header, scenario = parse_header(lines[0], source)
    events: list[Event] = []
    loads = orjson.loads
    readers = READERS
    for number, line in enumerate(lines[1:], start=2):
        try:
            data = loads(line)
        except orjson.JSONDecodeError:
            raise LogError(
                source, number, "not a JSON event (the log is damaged or truncated)"
            ) from None
        # event_from_dict's fast path, inlined: a hundred thousand lines make a call show
        kind = data.get("type") if data.__class__ is dict else None
        reader = readers.get(kind) if kind.__class__ is str else None
        event = reader(data) if reader is not None else None
        if event is None:  # the slow path says exactly what is wrong
            try:
                event = event_from_dict(data)
            except EventFormatError as exc:
                raise LogError(source, number, str(exc)) from None
        if event.seq != number - 1:
            raise LogError(
                source,
                number,
                f"event number {event.seq} where {number - 1} was expected "
                "(events missing or out of order)",
            )
        events.append(event)
    return GameLog(scenario=scenario, events=events, header=header, source=source)


def replay_log(log: GameLog, seed: int | None = None) -> State:
    """Fold a parsed log into its state; an event that does not fit the game so far
    (a tampered or mismatched log) becomes a LogError naming it, not a traceback."""
    state = new_state(log.scenario, seed)
    try:
        with _gc_paused():
            fold(state, log.events)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        bad = log.events[len(state.events)]
        raise LogError(
            log.source,
            bad.seq + 1,
            f"event {bad.seq} ({bad.type}) does not fit "
            f"the game so far ({type(exc).__name__}: {exc})",
        ) from None
    return state
