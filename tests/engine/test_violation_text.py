"""Rule violations in both interface languages.

``RuleViolation`` names a ``violation.*`` message of the catalogue; ``message`` is the English
text (what the self-test cases match), ``text(lang)`` the text in any interface language.
``tests/test_i18n.py`` checks that every key has both languages with the same placeholders;
here: the messages the engine actually raises read as Japanese, fully filled in.
"""

from __future__ import annotations

import pickle
import re
import string
import typing
from pathlib import Path
from typing import Any

import pytest

import whitecell.selftest.runner as runner
from whitecell.engine import ADJUDICATOR, CONTROL, OBSERVER, Game, RuleViolation, team_seat
from whitecell.engine import commands as cmd
from whitecell.engine.errors import Phrase
from whitecell.i18n import catalogue, t
from whitecell.scenario import schema
from whitecell.selftest.runner import bundled_cases, run_case

ENGINE = Path(__file__).resolve().parents[2] / "whitecell" / "engine"
VIOLATIONS = sorted(key for key in catalogue() if key.startswith("violation."))
UNFILLED = re.compile(r"\{[A-Za-z_]\w*(![rsa])?(:[^}]*)?\}")


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def english(exc: RuleViolation) -> str:
    """The English template of the violation, filled in by hand."""
    values = {
        name: value.text("en") if isinstance(value, Phrase) else value
        for name, value in exc.params.items()
    }
    return catalogue()[exc.key]["en"].format(**values)


def check(exc: RuleViolation) -> None:
    assert exc.known, f"{exc.key!r} is not a catalogue key"
    assert exc.key.startswith("violation."), exc.key
    assert exc.message == english(exc) == exc.text("en") == str(exc)
    ja = exc.text("ja")
    assert ja != exc.message, exc.key
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", ja), (exc.key, ja)
    assert not UNFILLED.search(ja), (exc.key, ja)
    assert not UNFILLED.search(exc.message), (exc.key, exc.message)


# -- the exception itself ----------------------------------------------------------


def test_the_message_is_the_english_template_filled_in() -> None:
    exc = RuleViolation("violation.action_limit", team="red", limit=2)
    template = catalogue()["violation.action_limit"]["en"]
    assert exc.message == template.format(team="red", limit=2)
    assert exc.message == "team red has already submitted 2 action(s) this round (the limit)"
    assert exc.text("en") == exc.message == str(exc)
    assert exc.text("ja") == t("violation.action_limit", "ja", team="red", limit=2)
    assert "red" in exc.text("ja") and "2" in exc.text("ja")


def test_a_phrase_is_translated_with_the_message() -> None:
    exc = RuleViolation(
        "violation.only_control", what=Phrase("violation.do.start_game"), seat="team:red"
    )
    assert exc.message == (
        "only the white cell's control seat can start the game (you are team:red)"
    )
    assert exc.text("ja") == (
        "ゲームを開始することができるのはホワイトセルの統制席だけです(あなたの席:team:red)"
    )


def test_a_key_without_values_and_an_unknown_language() -> None:
    exc = RuleViolation("violation.not_started")
    assert exc.message == "the game has not started yet"
    assert exc.text("ja") == "ゲームはまだ開始されていません"
    assert exc.text("fr") == exc.message  # English when there is no translation


def test_plain_text_is_taken_as_literal_english() -> None:
    exc = RuleViolation("something went wrong: {not a placeholder}")
    assert not exc.known
    assert exc.message == "something went wrong: {not a placeholder}" == str(exc)
    assert exc.text("ja") == exc.message


def test_a_violation_survives_pickling_with_its_key() -> None:
    exc = RuleViolation("violation.no_action", uid="a7")
    copy = pickle.loads(pickle.dumps(exc))
    assert (copy.key, copy.params, copy.message) == (exc.key, exc.params, exc.message)
    assert copy.text("ja") == exc.text("ja")


# -- the catalogue -----------------------------------------------------------------


@pytest.mark.parametrize("key", VIOLATIONS)
def test_every_violation_message_reads_differently_in_japanese(key: str) -> None:
    entry = catalogue()[key]
    values = {name: f"<{name}>" for name in placeholders(entry["en"])}
    assert placeholders(entry["en"]) == placeholders(entry["ja"])
    en, ja = t(key, "en", **values), t(key, "ja", **values)
    assert ja != en
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", ja), ja
    for value in values.values():
        assert value in en and value in ja


def test_every_violation_message_is_used_and_every_raise_names_a_key() -> None:
    source = "\n".join(path.read_text(encoding="utf-8") for path in ENGINE.glob("*.py"))
    used = set(re.findall(r"""["'](violation\.[a-z_]+(?:\.[a-z_]+)*)["']""", source))
    instruments = typing.get_args(schema.Action.model_fields["instrument"].annotation)
    used |= {f"violation.instrument.{i}" for i in instruments}  # built from the catalogue
    assert used == set(VIOLATIONS), (sorted(used - set(VIOLATIONS)), sorted(set(VIOLATIONS) - used))
    # no English f-string is left: every RuleViolation names a key (or a variable holding one)
    literal = re.findall(r"RuleViolation\(\s*f?[\"'](?!violation\.)", source)
    assert not literal, literal


# -- what the engine raises ----------------------------------------------------------


@pytest.fixture(scope="module")
def raised() -> list[RuleViolation]:
    """Every violation raised while the bundled rule cases run (about a hundred kinds)."""
    caught: list[RuleViolation] = []

    class RecordingGame:
        """The runner's game, keeping each violation it raises. Wrapped, not patched: a
        compiled core's ``Game`` (whitecell.native) takes no new attributes."""

        def __init__(self, scenario: Any, seed: int) -> None:
            self.game = Game(scenario, seed)

        @property
        def state(self) -> Any:
            return self.game.state

        def handle(self, command: cmd.Command) -> Any:
            try:
                return self.game.handle(command)
            except RuleViolation as exc:
                caught.append(exc)
                raise

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(runner, "Game", RecordingGame)
        for path in bundled_cases():
            assert run_case(path) is None, path
    return caught


def test_the_rule_cases_raise_many_kinds_of_violation(raised: list[RuleViolation]) -> None:
    assert len({exc.key for exc in raised}) >= 80


def test_each_violation_the_rule_cases_raise_has_a_japanese_text(
    raised: list[RuleViolation],
) -> None:
    for exc in raised:
        check(exc)


def _started(scenario: Any) -> Game:
    game = Game(scenario, 7)
    game.handle(cmd.StartGame(seat=CONTROL))
    return game


ILLEGAL: list[tuple[str, Any]] = [
    ("violation.no_seed_commit", lambda sc: Game(sc, None).handle(cmd.StartGame(seat=CONTROL))),
    ("violation.unknown_command", lambda sc: Game(sc, 7).handle(cmd.Command(seat=CONTROL))),
    ("violation.no_seat", lambda sc: Game(sc, 7).handle(cmd.StartGame(seat="control"))),  # type: ignore[arg-type]
    ("violation.observer", lambda sc: Game(sc, 7).handle(cmd.StartGame(seat=OBSERVER))),
    ("violation.only_control", lambda sc: Game(sc, 7).handle(cmd.StartGame(seat=ADJUDICATOR))),
    ("violation.not_started", lambda sc: Game(sc, 7).handle(cmd.OpenRound(seat=CONTROL, number=1))),
    (
        "violation.message_to_own_team",
        lambda sc: _started(sc).handle(
            cmd.SendMessage(seat=team_seat("red"), to=("red",), text="hello")
        ),
    ),
    (
        "violation.text.not_text",
        lambda sc: _started(sc).handle(
            cmd.SendMessage(seat=team_seat("red"), to=("blue",), text=5)  # type: ignore[arg-type]
        ),
    ),
    (
        "violation.text.too_long",
        lambda sc: _started(sc).handle(
            cmd.PublishStatement(seat=team_seat("red"), text="x" * (cmd.MAX_TEXT + 1))
        ),
    ),
    (
        "violation.no_round.action",
        lambda sc: _started(sc).handle(cmd.SubmitAction(seat=team_seat("red"), action="x")),
    ),
    (
        "violation.unknown_inject",
        lambda sc: _started(sc).handle(cmd.FireInject(seat=CONTROL, inject="nothing")),
    ),
]


@pytest.mark.parametrize(("key", "attempt"), ILLEGAL, ids=[key for key, _ in ILLEGAL])
def test_an_illegal_command_is_refused_in_both_languages(
    base_scenario: Any, key: str, attempt: Any
) -> None:
    with pytest.raises(RuleViolation) as info:
        attempt(base_scenario)
    assert info.value.key == key
    check(info.value)


# -- names, not ids ------------------------------------------------------------------


def _refusal(game: Game, command: cmd.Command) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        game.handle(command)
    return info.value


def test_a_refusal_names_things_as_people_do(ukraine: Any) -> None:
    game = _started(ukraine)
    game.handle(cmd.OpenRound(seat=CONTROL, number=1))
    exc = _refusal(
        game,
        cmd.SubmitAction(seat=team_seat("russia"), action="spring_offensive", target="ukraine"),
    )
    assert exc.message == "the action 'spring_offensive' takes no target"  # ids, for cases
    assert exc.text("en") == exc.message
    assert exc.text("en", names=game.state) == (
        "the action 'Launch a limited offensive' takes no target"
    )
    assert exc.texts(game.state) == {
        "en": "the action 'Launch a limited offensive' takes no target",
        "ja": "行動'限定的な攻勢を開始'には対象を指定できません",
    }
    assert exc.text("en", names=ukraine) == exc.text("en", names=game.state)


def test_lists_of_ids_become_lists_of_names_in_each_language(base_scenario: Any) -> None:
    game = _started(base_scenario)
    game.handle(cmd.OpenRound(seat=CONTROL, number=1))
    exc = _refusal(game, cmd.SubmitAction(seat=team_seat("red"), action="sabotage"))
    assert exc.message == "the action 'sabotage' needs a target: one of blue"
    assert exc.text("en", game.state) == "the action 'Sabotage' needs a target: one of Blue"
    exc = _refusal(game, cmd.SendMessage(seat=team_seat("red"), to=("purple",), text="hi"))
    assert exc.text("en", game.state) == "unknown recipient 'purple' (teams: Red, Blue, Green)"
    assert "赤、青、緑" in exc.text("ja", game.state)


def test_an_action_is_named_by_what_it_does_and_who_does_it(base_scenario: Any) -> None:
    game = _started(base_scenario)
    game.handle(cmd.OpenRound(seat=CONTROL, number=1))
    game.handle(cmd.SubmitAction(seat=team_seat("red"), action="patrol"))
    game.handle(cmd.WithdrawAction(seat=team_seat("red"), uid="a3"))
    exc = _refusal(game, cmd.Assess(seat=ADJUDICATOR, uid="a3", probability=0.5))
    assert exc.message == "action a3 was withdrawn: nothing more can be done with it"
    assert exc.text("en", game.state) == (
        "action 'Patrol the border' by Red was withdrawn: nothing more can be done with it"
    )
    assert exc.text("ja", game.state).startswith("行動「国境を巡回」(赤)は")


def test_a_refusal_that_keeps_a_secret_names_nothing(base_scenario: Any) -> None:
    game = _started(base_scenario)
    game.handle(cmd.OpenRound(seat=CONTROL, number=1))
    game.handle(cmd.SubmitAction(seat=team_seat("red"), action="sabotage", target="blue"))
    exc = _refusal(game, cmd.WithdrawAction(seat=team_seat("blue"), uid="a3"))
    assert exc.key == "violation.no_action"
    for lang in ("en", "ja"):
        assert "Sabotage" not in exc.text(lang, game.state)
        assert "破壊工作" not in exc.text(lang, game.state)


def test_a_team_seat_is_named_by_its_team(base_scenario: Any) -> None:
    game = _started(base_scenario)
    exc = _refusal(game, cmd.PublishNews(seat=team_seat("red"), text="x"))
    assert exc.text("en", game.state).endswith("(you are Red)")
    assert exc.text("en").endswith("(you are team:red)")
