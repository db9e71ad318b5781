"""The server starts, creates a game and answers its seats."""

from __future__ import annotations

from tests.web.server import bearer, seat_tokens


def test_a_created_game_has_a_link_per_seat_and_each_knows_who_it_is(server) -> None:
    created = server.create_game(people_per_team=2, adjudicators=2)
    tokens = seat_tokens(created)
    assert set(tokens) >= {"control", "adjudicator", "observer", "team:usa", "team:russia"}
    assert sum(1 for link in created["links"] if link["seat"] == "team:usa") == 2
    with bearer(server, tokens["team:usa"]) as c:
        me = c.get("/api/v1/me").json()
    assert me == {"game": created["game"], "seat": "team:usa", "person": "usa 1", "lead": True}
