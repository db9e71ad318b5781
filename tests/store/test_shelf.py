"""The studio's shelf of scenarios, on SQLite and PostgreSQL: versions kept as written,
numbered, never overwritten; each account sees its own."""

from __future__ import annotations

import time

import pytest

from whitecell.store.shelf import Draft, Shelf
from whitecell.store.sql import Conflict, Store

TEXT = "# a comment the designer wrote\nmeta:\n  id: my-game   # kept as written\n"


def draft(yaml: str = TEXT, author: str = "ana", message: str = "") -> Draft:
    return Draft(yaml=yaml, valid=False, title={"en": "My game"}, author=author, message=message)


def test_a_scenario_starts_at_version_1_and_keeps_its_text_byte_for_byte(store: Store) -> None:
    shelf = Shelf(store)
    account = store.create_account("designer", "x")
    scenario = shelf.add(account, draft(message="first"))
    v = shelf.version(scenario, 1)
    assert v is not None
    assert (v.number, v.yaml, v.author, v.message, v.valid) == (1, TEXT, "ana", "first", False)
    assert v.digest == draft().digest and len(v.digest) == 64
    assert v.title == {"en": "My game"}
    assert shelf.owner(scenario) == account
    assert shelf.version(scenario, 2) is None and shelf.owner("nope") is None


def test_two_saves_from_the_same_version_conflict_and_the_first_stands(store: Store) -> None:
    shelf = Shelf(store)
    scenario = shelf.add(store.create_account("designer", "x"), draft())
    shelf.save(scenario, 2, draft(TEXT + "# ana's change\n", author="ana"))
    with pytest.raises(Conflict):
        shelf.save(scenario, 2, draft(TEXT + "# ben's change\n", author="ben"))
    [first, second] = shelf.versions(scenario)
    assert (first.number, second.number, second.author) == (1, 2, "ana")
    assert second.yaml.endswith("# ana's change\n")


def test_each_account_lists_its_own_scenarios_at_their_newest_version(store: Store) -> None:
    shelf = Shelf(store)
    mine, theirs = store.create_account("a", "x"), store.create_account("b", "x")
    one = shelf.add(mine, draft())
    two = shelf.add(mine, draft())
    time.sleep(0.01)  # saved a moment later (times are kept to the millisecond)
    shelf.save(one, 2, draft(TEXT + "# v2\n"))
    shelf.add(theirs, draft())
    listed = shelf.latest(mine)
    assert {(v.scenario, v.number) for v in listed} == {(one, 2), (two, 1)}
    assert listed[0].scenario == one  # changed last, listed first
    assert [v.number for v in shelf.latest(theirs)] == [1]
