"""What the server remembers of seats stays bounded: every request looks its caller up, so
seat rows are kept in memory, but only the most recently used few thousand of them; one
let go is read from the store again when its seat comes back."""

from __future__ import annotations

import pytest

from tests.web.play import create_game
from tests.web.server import Server
from whitecell.web import context


def test_seat_rows_are_remembered_up_to_a_bound_and_read_again_after_it(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(context, "ROWS_KEPT", 5)
    ctx = server.app.state.ctx
    account = server.control()
    game = create_game(account)["game"]
    account.close()
    ctx._rows.clear()
    ctx._hashes.clear()
    made = [ctx.store.add_seat(game, "team:ukraine", f"p{k}", False) for k in range(8)]
    for seat_id, token in made:
        assert ctx.row_by_token(token).id == seat_id  # type: ignore[union-attr]
    kept = [seat_id for seat_id, _ in made[-5:]]
    assert list(ctx._rows) == kept and len(ctx._hashes) == 5
    first_id, first_token = made[0]
    assert not ctx.cached(first_token, None)
    assert ctx.row_by_token(first_token).id == first_id  # type: ignore[union-attr]
    assert ctx.cached(first_token, None) and len(ctx._rows) == 5
    assert list(ctx._rows) == [*kept[1:], first_id]  # the one remembered longest ago went
    assert ctx.row(kept[0]).id == kept[0]  # type: ignore[union-attr]
    assert list(ctx._rows) == [*kept[2:], first_id, kept[0]]
