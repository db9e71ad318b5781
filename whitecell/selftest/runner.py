"""Rule cases: small data files that pin down one rule each, like the Diplomacy
adjudicator's DATC cases. Shipped with whitecell so anyone changing the engine or
writing a scenario can run ``whitecell selftest``.

A case file::

    rule: A team may not act twice beyond the round's limit.
    scenario:                      # optional: merged onto base.yaml (lists of items with
      rounds: [...]                # ids merge by id, other lists are replaced)
    seed: 1                        # optional (quote date-times, e.g. deadline: "2025-01-10T17:00",
                                   # or the server's time a command carries, at: "...")
    given:                         # what already happened: commands ...
      - [control, start_game]
      - [control, open_round, {number: 1}]
      - {type: message_sent, ...}  # ... or events, folded as they are
    when: [red, submit_action, {action: patrol}]
    then:
      events:                      # the events the command causes, in order; each lists
        - {type: action_submitted, team: red}   # the fields that must match
      values: {tension: 60}        # optional: variables afterwards
    # or
    then:
      violation: already submitted # a part of the RuleViolation's message

A command is ``[seat, verb]`` or ``[seat, verb, {args}]``: the seat as ``control``,
``adjudicator``, ``observer`` or a team id; the verb a command's wire name, as in the
JSON API (``start_game``, ``submit_action``, ``publish_outcome``, ``sign_proposal``...,
all of ``whitecell.engine.commands.COMMANDS``); the arguments the command's fields.
The old names ``start``, ``apply_outcome`` and ``sign_agreement`` are still accepted
(deprecated: see ``ALIASES`` there).
"""

from __future__ import annotations

import copy
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from whitecell.engine import commands as cmd
from whitecell.engine.errors import RuleViolation
from whitecell.engine.events import EventFormatError, event_from_dict, event_to_dict
from whitecell.engine.evolve import evolve
from whitecell.engine.game import Game
from whitecell.engine.seats import Seat
from whitecell.scenario.compiled import Scenario
from whitecell.scenario.load import ScenarioError, parse_scenario


class CaseError(Exception):
    """A case file that cannot be run as written."""


# A case's verbs are the commands' wire names, the same as the JSON API's ``type``;
# the deprecated old names (``start``, ``apply_outcome``...) still work, so people's own
# folders of cases keep running.
VERBS: dict[str, type[cmd.Command]] = {
    **cmd.COMMANDS,
    **{old: cmd.COMMANDS[new] for old, new in cmd.ALIASES.items()},
}
_TUPLE_ARGS = {"to", "clauses", "modifiers", "effects", "teams", "members", "messages"}


def _selftest_dir() -> Path:
    return Path(str(resources.files("whitecell.selftest")))


@cache
def base_document() -> dict[str, Any]:
    text = (_selftest_dir() / "base.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def bundled_cases() -> list[Path]:
    return sorted((_selftest_dir() / "cases").glob("*.yaml"))


def load_cases(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise CaseError(f"{folder}: not a folder of rule cases")
    return sorted(folder.glob("*.yaml"))


def merge(base: Any, patch: Any) -> Any:
    """Deep-merge ``patch`` onto ``base``: mappings key by key, lists of items with ids by id
    (``{id: x, remove: true}`` drops item x), any other value replaced."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            out[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    if (
        isinstance(base, list)
        and isinstance(patch, list)
        and patch
        and all(isinstance(x, dict) and "id" in x for x in base + patch)
    ):
        out_list = [copy.deepcopy(x) for x in base]
        index = {x["id"]: i for i, x in enumerate(out_list)}
        for item in patch:
            if item.get("remove"):
                out_list = [x for x in out_list if x["id"] != item["id"]]
                index = {x["id"]: i for i, x in enumerate(out_list)}
            elif item["id"] in index:
                out_list[index[item["id"]]] = merge(out_list[index[item["id"]]], item)
            else:
                out_list.append(copy.deepcopy(item))
                index[item["id"]] = len(out_list) - 1
        return out_list
    return copy.deepcopy(patch)


def case_scenario(patch: dict[str, Any] | None, name: str = "<case>") -> Scenario:
    doc = merge(base_document(), patch or {})
    try:
        return parse_scenario(doc, None, f"{name} (scenario)")
    except ScenarioError as exc:
        raise CaseError(
            "the case's scenario is not valid: " + "; ".join(str(p) for p in exc.problems[:3])
        ) from None


def command_from(entry: Any) -> cmd.Command:
    """``[seat, verb]`` or ``[seat, verb, {args}]`` to a command."""
    if not isinstance(entry, list) or len(entry) not in (2, 3):
        raise CaseError(f"a command is [seat, verb] or [seat, verb, {{args}}], not {entry!r}")
    seat_text, verb = entry[0], entry[1]
    args = dict(entry[2]) if len(entry) == 3 else {}
    if verb not in VERBS:
        raise CaseError(f"unknown verb {verb!r} (known: {', '.join(cmd.COMMANDS)})")
    try:
        seat = Seat.parse(str(seat_text))
    except ValueError as exc:
        raise CaseError(str(exc)) from None
    for key in _TUPLE_ARGS & set(args):
        value = args[key]
        args[key] = tuple(tuple(v) if isinstance(v, list) else v for v in value)
    try:
        return VERBS[verb](seat=seat, **args)
    except TypeError as exc:
        raise CaseError(f"bad arguments for {verb}: {exc}") from None


def _given_event(game: Game, data: dict[str, Any]) -> None:
    state = game.state
    full = {
        "seq": state.seq + 1,
        "round": state.round,
        "audience": ["*"],
        "actor": "control",
        "by": None,
        **data,
    }
    try:
        event = event_from_dict(full)
    except EventFormatError as exc:
        raise CaseError(f"given event: {exc}") from None
    try:
        evolve(state, event)
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise CaseError(
            f"given event {data.get('type')} does not fit the game so far: "
            f"{type(exc).__name__}: {exc}"
        ) from None


def _matches(expected: dict[str, Any], actual: dict[str, Any]) -> str | None:
    for key, want in expected.items():
        if key not in actual:
            return f"has no field {key!r}"
        got = actual[key]
        if isinstance(want, float) or isinstance(got, float):
            if not isinstance(got, int | float) or isinstance(got, bool) or abs(got - want) > 1e-9:
                return f"{key} is {got!r}, expected {want!r}"
        elif got != want:
            return f"{key} is {got!r}, expected {want!r}"
    return None


def run_case_data(case: dict[str, Any], name: str = "<case>") -> str | None:
    """Run one case; None if it passes, else what went differently."""
    unknown = set(case) - {"rule", "scenario", "seed", "given", "when", "then"}
    if unknown:
        raise CaseError(f"unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("rule", "when", "then"):
        if key not in case:
            raise CaseError(f"a case needs '{key}'")
    scenario = case_scenario(case.get("scenario"), name)
    game = Game(scenario, int(case.get("seed", 1)))
    for i, entry in enumerate(case.get("given") or []):
        if isinstance(entry, dict):
            _given_event(game, entry)
            continue
        try:
            game.handle(command_from(entry))
        except RuleViolation as exc:
            raise CaseError(f"given step {i + 1} was refused: {exc.message}") from None
    then = case["then"]
    if not isinstance(then, dict) or not ({"events", "violation"} & set(then)):
        raise CaseError("'then' needs 'events' or 'violation'")
    command = command_from(case["when"])
    before = game.state.snapshot()
    try:
        produced = game.handle(command)
    except RuleViolation as exc:
        if "violation" not in then:
            return f"refused ({exc.message}) but events were expected"
        if str(then["violation"]).lower() not in exc.message.lower():
            return (
                f"refused with {exc.message!r}, expected a message containing {then['violation']!r}"
            )
        if game.state.snapshot() != before:
            return "a refused command changed the state"
        return None
    if "violation" in then:
        kinds = ", ".join(e.type for e in produced)
        return f"accepted (events: {kinds}) but a violation was expected: {then['violation']!r}"
    expected = then["events"]
    actual = [event_to_dict(e) for e in produced]
    if len(expected) != len(actual):
        return (
            f"{len(actual)} event(s) ({', '.join(a['type'] for a in actual)}), "
            f"expected {len(expected)} ({', '.join(str(e.get('type')) for e in expected)})"
        )
    for n, (want, got) in enumerate(zip(expected, actual, strict=True), start=1):
        problem = _matches(want, got)
        if problem:
            return f"event {n} ({got['type']}): {problem}"
    for key, want in (then.get("values") or {}).items():
        if key not in scenario.var:
            raise CaseError(f"then.values: unknown variable {key!r}")
        value = game.state.value(key)
        if abs(value - float(want)) > 1e-9:
            return f"{key} is {value:g} afterwards, expected {float(want):g}"
    return None


def run_case(path: Path) -> str | None:
    try:
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CaseError(f"{path.name}: cannot read: {exc}") from None
    if not isinstance(case, dict):
        raise CaseError(f"{path.name}: a case is a mapping")
    try:
        return run_case_data(case, path.name)
    except CaseError as exc:
        raise CaseError(f"{path.name}: {exc}") from None
