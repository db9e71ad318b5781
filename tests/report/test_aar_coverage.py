"""The after-action report files every event type somewhere, or says why it leaves it out."""

from __future__ import annotations

from whitecell.engine import events as ev
from whitecell.report.aar import _READERS, LEFT_OUT


def test_every_event_type_is_reported_or_deliberately_left_out() -> None:
    forgotten = set(ev.EVENT_TYPES.values()) - set(_READERS) - set(LEFT_OUT)
    assert not forgotten, f"neither reported nor left out: {sorted(c.type for c in forgotten)}"


def test_no_event_type_is_both_reported_and_left_out() -> None:
    assert set(_READERS) & set(LEFT_OUT) == set()


def test_there_is_no_reader_for_an_event_type_the_engine_does_not_know() -> None:
    types = set(ev.EVENT_TYPES.values())
    assert set(_READERS) - types == set()
    assert set(LEFT_OUT) - types == set()


def test_every_event_left_out_gives_its_reason() -> None:
    assert all(reason.strip() for reason in LEFT_OUT.values())
