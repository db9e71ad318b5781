"""The game's vocabulary is declared once: each command and event class carries its own wire
name, and every table that dispatches on them (deciders, fold handlers, rule-case verbs)
agrees with that declaration, both ways."""

from __future__ import annotations

import inspect
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from whitecell.engine import commands as cmd
from whitecell.engine import events as ev
from whitecell.engine.decide import _DECIDERS
from whitecell.engine.evolve import _HANDLERS
from whitecell.selftest.runner import VERBS, bundled_cases, run_case_data


def defined_in(module: ModuleType, base: type) -> set[type]:
    """The subclasses of ``base`` a module defines (not ``base`` itself)."""
    return {
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, base)
        and obj is not base
        and obj.__module__ == module.__name__
    }


def verbs(case: dict[str, Any]) -> list[str]:
    """The verbs of a case's commands, ``given`` then ``when`` (given events have none)."""
    steps = [*(case.get("given") or []), case["when"]]
    return [step[1] for step in steps if isinstance(step, list)]


def bundled() -> dict[str, dict[str, Any]]:
    return {p.name: yaml.safe_load(Path(p).read_text(encoding="utf-8")) for p in bundled_cases()}


# -- commands ------------------------------------------------------------------------


def test_every_command_class_is_in_the_vocabulary_under_its_own_wire_name() -> None:
    assert set(cmd.COMMANDS.values()) == defined_in(cmd, cmd.Command)
    for name, cls in cmd.COMMANDS.items():
        assert cls.type == name, cls


def test_every_command_has_a_decider_and_every_decider_decides_a_command() -> None:
    commands = set(cmd.COMMANDS.values())
    assert commands - set(_DECIDERS) == set(), "commands nobody decides"
    assert set(_DECIDERS) - commands == set(), "deciders for commands outside the vocabulary"


def test_every_command_is_a_rule_case_verb_under_its_wire_name() -> None:
    for name, cls in cmd.COMMANDS.items():
        assert VERBS.get(name) is cls, name


def test_the_rule_case_verbs_are_the_commands_and_their_aliases_and_nothing_else() -> None:
    assert set(VERBS) == set(cmd.COMMANDS) | set(cmd.ALIASES)


def test_the_commands_only_the_server_gives_are_commands() -> None:
    assert cmd.INTERNAL.issubset(cmd.COMMANDS)


def test_every_alias_is_an_old_name_for_a_current_command() -> None:
    for old, new in cmd.ALIASES.items():
        assert new in cmd.COMMANDS, f"alias {old} names no command ({new})"
        assert old not in cmd.COMMANDS, f"{old} is both a command and an alias"


def test_every_command_a_seat_can_give_is_tried_by_a_bundled_rule_case() -> None:
    tried = {case["when"][1] for case in bundled().values()}
    untried = set(cmd.COMMANDS) - cmd.INTERNAL - tried
    assert not untried, f"no bundled rule case has these as its 'when': {sorted(untried)}"


def test_bundled_rule_cases_use_the_current_names_not_the_deprecated_ones() -> None:
    old = {name: sorted(set(verbs(case)) - set(cmd.COMMANDS)) for name, case in bundled().items()}
    assert {name: found for name, found in old.items() if found} == {}


def test_a_case_written_with_the_deprecated_names_still_runs() -> None:
    case = {
        "rule": "The old names start, apply_outcome and sign_agreement still work.",
        "given": [
            ["control", "start"],
            ["control", "open_round", {"number": 1}],
            ["red", "submit_action", {"action": "patrol"}],
            ["adjudicator", "assess", {"uid": "a3", "probability": 1.0}],
            ["adjudicator", "roll", {"uid": "a3"}],
            ["adjudicator", "apply_outcome", {"uid": "a3"}],
            ["control", "close_round", {"number": 1}],
            ["control", "open_round", {"number": 2}],
            ["red", "table_proposal", {"agreement": "truce", "clauses": ["truce_line"]}],
            ["red", "sign_agreement", {"pid": "p10"}],
        ],
        "when": ["blue", "sign_agreement", {"pid": "p10"}],
        "then": {
            "events": [
                {"type": "proposal_signed", "team": "blue"},
                {"type": "agreement_signed", "pid": "p10", "parties": ["red", "blue"]},
            ]
        },
    }
    assert run_case_data(case) is None


# -- events --------------------------------------------------------------------------


def test_every_event_class_is_in_the_vocabulary_under_its_own_wire_name() -> None:
    assert set(ev.EVENT_TYPES.values()) == defined_in(ev, ev.Event)
    for name, cls in ev.EVENT_TYPES.items():
        assert cls.type == name, cls


def test_every_event_type_has_a_fold_handler_and_every_handler_folds_an_event_type() -> None:
    types = set(ev.EVENT_TYPES.values())
    assert types - set(_HANDLERS) == set(), "events the fold cannot take"
    assert set(_HANDLERS) - types == set(), "fold handlers for events outside the vocabulary"
