"""Matrix adjudication and language models in real browsers: teams argue in their rooms,
the desk counts strong arguments (the odds shown before the ruling is sent) and drafts odds
with the model, and control seats a language-model player whose moves arrive live.

The model server is ``tests.llm.fake_server``, a real HTTP server speaking the OpenAI
protocol with scripted answers: it stands in for a model server because no model weights
can be downloaded here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import People
from tests.e2e.test_live_game import LIVE, command, connected, panel, submit, view
from tests.llm.fake_server import FakeModelServer, running
from tests.web.server import Server, seat_tokens
from whitecell.live.model_seats import ModelConfig
from whitecell.llm.client import OpenAIModel

FOR = "ARGUMENT-FOR: both capitals are exhausted"
AGAINST = "ARGUMENT-AGAINST: Moscow names the terms"


@pytest.fixture
def model_server(tmp_path) -> Iterator[tuple[Server, FakeModelServer]]:
    with running() as fake:
        client = OpenAIModel(fake.url, "scripted-model", timeout=5.0, attempts=2, backoff=0.01)
        server = Server(tmp_path / "whitecell.db", model=ModelConfig(client)).start()
        try:
            yield server, fake
        finally:
            server.stop()


def test_arguments_a_matrix_ruling_a_model_draft_and_a_model_seat_in_browsers(
    model_server: tuple[Server, FakeModelServer], people: People
) -> None:
    server, fake = model_server
    created = server.create_game(seed=8)
    game, tokens = created["game"], seat_tokens(created)
    command(server, tokens["control"], game, {"type": "start_game"})
    command(server, tokens["control"], game, {"type": "open_round", "number": 1})
    [talks] = command(
        server,
        tokens["team:usa"],
        game,
        {"type": "submit_action", "action": "direct_talks", "target": "russia"},
    )["events"]
    join = f"{server.url}/join/"
    usa = people.open("usa", join + tokens["team:usa"])
    russia = people.open("russia", join + tokens["team:russia"])
    adjudicator = people.open("adjudicator", join + tokens["adjudicator"])
    control = people.open("control", join + tokens["control"])
    for seat in (usa, russia, adjudicator, control):
        connected(seat)

    # the acting team argues for its action, the target against: each sees both, live
    act = panel(usa, "act")
    act.locator(f"#argue-{talks['uid']}").fill(FOR)
    submit(usa, act.get_by_role("button", name="Argue for"))
    theirs = panel(russia, "act")
    expect(theirs).to_contain_text(FOR, timeout=LIVE)
    theirs.locator(f"#argue-{talks['uid']}").fill(AGAINST)
    submit(russia, theirs.get_by_role("button", name="Argue against"))
    expect(act).to_contain_text(AGAINST, timeout=LIVE)

    # the desk: a "strong" box per argument, the odds they come to, then the ruling
    case = panel(adjudicator, "desk").locator(f"#case-{talks['uid']}")
    expect(case.locator("li.argument")).to_have_count(2, timeout=LIVE)
    odds = case.locator("output.matrix-odds")
    expect(odds).to_have_text("→ 65%")
    case.locator(f"#strong-{talks['uid']}-1").check()
    expect(odds).to_have_text("→ 55%")  # 65% less one step (10%) for a strong argument against
    submit(adjudicator, case.get_by_role("button", name="Rule by the matrix"))
    expect(case).to_contain_text("Odds: 55%", timeout=LIVE)
    expect(case).to_contain_text("matrix")

    # a model draft on the desk, accepted as it is
    [aid] = command(
        server, tokens["team:usa"], game, {"type": "submit_action", "action": "restore_aid"}
    )["events"]
    case = panel(adjudicator, "desk").locator(f"#case-{aid['uid']}")
    submit(adjudicator, case.get_by_role("button", name="Draft with the model"))
    expect(case).to_contain_text("The model drafts 60%", timeout=LIVE)  # the stand-in's odds
    submit(adjudicator, case.get_by_role("button", name="Accept the model's draft"))
    expect(case).to_contain_text(re.compile(r"Odds: 60% \(.*, llm\)"), timeout=LIVE)

    # control seats a language-model player; its moves arrive live
    before = len(fake.calls("act"))
    controls = panel(control, "controls")
    row = controls.locator("ul.agents li").filter(has_text="China")
    row.locator("select[name=kind]").select_option("llm")
    submit(control, row.get_by_role("button", name="Seat an automated player"))
    expect(row.locator(".tag")).to_have_text("language model", timeout=LIVE)
    expect(panel(control, "queue")).to_contain_text("China", timeout=LIVE)
    assert len(fake.calls("act")) == before + 1
    chinese = [a for a in view(server, tokens["control"], game)["actions"] if a["team"] == "china"]
    assert chinese
    for seat in (usa, russia, adjudicator, control):
        assert seat.still_the_same_page(), f"{seat.name}'s page was reloaded"
        assert not seat.problems(), f"{seat.name}: {seat.problems()}"
