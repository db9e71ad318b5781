"""The escalation index in a real browser: an adjudicator puts a free-form action on a rung
of the scenario's ladder while ruling on it at the desk, and the ruling records it."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, People, unfold
from tests.e2e.test_live_game import LIVE, command, connected, panel
from tests.web.server import Server, bearer, seat_tokens


def test_an_adjudicator_puts_a_free_form_action_on_a_rung_at_the_desk(
    server: Server, people: People
) -> None:
    created = server.create_game(seed=3)
    game, tokens = created["game"], seat_tokens(created)
    command(server, tokens["control"], game, {"type": "start_game"})
    command(server, tokens["control"], game, {"type": "open_round", "number": 1})
    [free] = command(
        server,
        tokens["team:turkey"],
        game,
        {
            "type": "submit_action",
            "action": "free",
            "description": "Close the Bosphorus to Russian tankers",
            "instrument": "military",
        },
    )["events"]
    uid = free["uid"]
    adjudicator = people.open("rung-adjudicator", f"{server.url}/join/{tokens['adjudicator']}")
    connected(adjudicator)
    case = unfold(panel(adjudicator, "desk").locator(f"#case-{uid}"))
    form = adjudicator.form(f"rule-{uid}")
    rung = form.get_by_label("Escalation level")
    expect(rung).to_have_value("")  # not scored until the adjudicator says
    rung.select_option("non_violent")
    form.get_by_label("Odds").fill("40")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    case.screenshot(path=str(ARTIFACTS / "rung-desk-case.png"))
    adjudicator.send(f"rule-{uid}", "Rule")
    expect(case).to_contain_text("Odds: 40%", timeout=LIVE)
    expect(case).to_contain_text("Escalation level: Non-violent escalation")
    with bearer(server, tokens["control"]) as c:
        text = c.get(f"/api/v1/games/{game}/log").text
    assessed = [e for e in map(json.loads, text.splitlines()[1:]) if e["type"] == "action_assessed"]
    assert [(e["uid"], e["rung"]) for e in assessed] == [(uid, "non_violent")]
    assert not adjudicator.problems(), adjudicator.problems()
