"""The narrative has a teller for every event type, or says why it leaves the type out."""

from __future__ import annotations

from whitecell.engine import events as ev
from whitecell.narrate import _TELLERS, SILENT


def test_every_event_type_is_told_or_deliberately_silent() -> None:
    forgotten = set(ev.EVENT_TYPES.values()) - set(_TELLERS) - set(SILENT)
    assert not forgotten, f"neither told nor listed as silent: {sorted(c.type for c in forgotten)}"


def test_no_event_type_is_both_told_and_silent() -> None:
    assert set(_TELLERS) & set(SILENT) == set()


def test_there_is_no_teller_for_an_event_type_the_engine_does_not_know() -> None:
    types = set(ev.EVENT_TYPES.values())
    assert set(_TELLERS) - types == set()
    assert set(SILENT) - types == set()


def test_every_silence_gives_its_reason() -> None:
    assert all(reason.strip() for reason in SILENT.values())
