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

from tests.e2e.conftest import People, unfold
from tests.e2e.test_live_game import LIVE, command, connected, panel, view
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
    usa = people.open("matrix-usa", join + tokens["team:usa"])
    russia = people.open("matrix-russia", join + tokens["team:russia"])
    adjudicator = people.open("matrix-adjudicator", join + tokens["adjudicator"])
    control = people.open("matrix-control", join + tokens["control"])
    for seat in (usa, russia, adjudicator, control):
        connected(seat)

    # the acting team argues for its action, the target against: each sees both, live
    uid = talks["uid"]
    act = panel(usa, "act")
    unfold(act.locator(f"#argue-box-{uid}")).get_by_label("Why it should work").fill(FOR)
    usa.send(f"argue-{uid}", "Argue for")
    theirs = panel(russia, "act")
    expect(theirs).to_contain_text(FOR, timeout=LIVE)
    unfold(theirs.locator(f"#argue-box-{uid}")).get_by_label("Why it should fail").fill(AGAINST)
    russia.send(f"argue-{uid}", "Argue against")
    expect(act).to_contain_text(AGAINST, timeout=LIVE)

    # the desk: a "strong" box per argument, the odds they come to, then the ruling
    case = panel(adjudicator, "desk").locator(f"#case-{uid}")
    expect(case.locator("li.argument")).to_have_count(2, timeout=LIVE)
    odds = case.locator("output.matrix-odds")
    expect(odds).to_have_text("→ 65%")
    case.locator(f"#strong-{uid}-1").check()
    expect(odds).to_have_text("→ 55%")  # 65% less one step (10%) for a strong argument against
    adjudicator.send(f"matrix-{uid}", "Rule by the matrix")
    expect(case).to_contain_text("Odds: 55%", timeout=LIVE)
    expect(case).to_contain_text("matrix")

    # a model draft on the desk, accepted as it is
    [aid] = command(
        server, tokens["team:usa"], game, {"type": "submit_action", "action": "restore_aid"}
    )["events"]
    case = panel(adjudicator, "desk").locator(f"#case-{aid['uid']}")
    unfold(case)
    adjudicator.send(case.locator("form.draft-request"), "Draft with the model")
    expect(case).to_contain_text("The model drafts 60%", timeout=LIVE)  # the stand-in's odds
    accept = case.locator("form[id^='f-llm-']")
    adjudicator.send(accept, "Accept the model's draft")
    expect(case).to_contain_text(re.compile(r"Odds: 60% \(.*, llm\)"), timeout=LIVE)

    # control seats a language-model player; its moves arrive live
    before = len(fake.calls("act"))
    unfold(control.page.locator("details:has(#f-agent-china)"))
    row = control.form("agent-china")
    row.get_by_label("Kind of player").select_option("llm")
    control.send("agent-china", "Seat an automated player")
    expect(control.page.locator("#f-agent-china .tag")).to_have_text("language model", timeout=LIVE)
    expect(panel(control, "teams")).to_contain_text("language model", timeout=LIVE)
    expect(panel(control, "queue")).to_contain_text("China", timeout=LIVE)
    assert len(fake.calls("act")) == before + 1
    chinese = [a for a in view(server, tokens["control"], game)["actions"] if a["team"] == "china"]
    assert chinese
    for seat in (usa, russia, adjudicator, control):
        assert seat.still_the_same_page(), f"{seat.name}'s page was reloaded"
        assert not seat.problems(), f"{seat.name}: {seat.problems()}"
