"""A posted form becomes the command the JSON API would take, or a clear refusal."""

from __future__ import annotations

import pytest
from starlette.datastructures import FormData

from whitecell.web.errors import ApiError
from whitecell.web.forms import form_command


def posted(*pairs: tuple[str, str]) -> FormData:
    return FormData(list(pairs))


def test_the_form_fields_that_are_not_the_command_are_left_out() -> None:
    form = posted(("csrf", "x"), ("idempotency_key", "k"), ("type", "roll"), ("uid", "A1"))
    assert form_command(form) == {"type": "roll", "uid": "A1"}


def test_a_percentage_becomes_odds_and_an_empty_target_none() -> None:
    form = posted(("type", "assess"), ("uid", "A1"), ("percent", "35 %"), ("target", ""))
    assert form_command(form) == {
        "type": "assess",
        "uid": "A1",
        "probability": 0.35,
        "target": None,
    }


def test_ticked_boxes_become_a_list_and_a_checkbox_a_flag() -> None:
    form = posted(
        ("type", "table_proposal"), ("clauses", "ceasefire"), ("clauses", ""), ("clauses", "dmz")
    )
    assert form_command(form)["clauses"] == ["ceasefire", "dmz"]
    assert form_command(posted(("type", "submit_action"), ("secret", "on")))["secret"] is True


def test_edited_effects_count_only_when_the_adjudicator_chose_to_edit_them() -> None:
    base = (("type", "publish_outcome"), ("uid", "A1"), ("effect:us_aid", "-5"))
    assert form_command(posted(*base))["effects"] is None
    edited = form_command(posted(*base, ("edit_effects", "on")))
    assert edited["effects"] == {"us_aid": -5.0}


@pytest.mark.parametrize(
    ("field", "value"),
    [("percent", "a lot"), ("number", "two"), ("effect:us_aid", "x"), ("modifiers", "[1,")],
)
def test_what_is_not_a_number_is_refused_with_a_422_naming_it(field: str, value: str) -> None:
    with pytest.raises(ApiError) as refused:
        form_command(posted(("type", "assess"), (field, value)))
    assert refused.value.status == 422
    assert refused.value.code in ("bad_number", "bad_form")
