"""Moving a game between servers with its whole history (SQLite to PostgreSQL and back),
and going on with it there; backups of the SQLite default taken while it runs."""

from __future__ import annotations

import json

import pytest

from whitecell.engine import CONTROL, Game
from whitecell.engine import commands as cmd
from whitecell.engine.evolve import evolve
from whitecell.engine.game import replay
from whitecell.play import play_game
from whitecell.scenario.library import load_bundled
from whitecell.store.sql import Store
from whitecell.store.transfer import TransferError, export_game, import_game

SEED = 4242


@pytest.fixture
def other(postgres, tmp_path, backend):
    """A second, empty store on the other backend."""
    url = postgres.database() if backend.startswith("sqlite") else f"sqlite:///{tmp_path}/b.db"
    made = Store(url)
    made.migrate()
    yield made
    made.close()


def stored(store: Store, game: Game, game_id: str = "g1") -> str:
    sc = game.scenario
    store.create_game(game_id, dict(sc.document), sc.id, sc.digest, SEED, "Seminar 3", None)
    store.append(game_id, game.events)
    return game_id


def half_played() -> Game:
    """Two rounds of the bundled scenario played; three to go."""
    sc = load_bundled("ukraine-ceasefire-2025")
    full = play_game(sc, SEED)
    cut = next(i for i, e in enumerate(full.events) if e.type == "round_opened" and e.round == 3)
    game = Game(sc, SEED)
    for e in full.events[:cut]:
        evolve(game.state, e)
    return game


def test_a_running_game_moves_to_the_other_backend_and_goes_on_there(store, other):
    game = half_played()
    stored(store, game)
    moved = import_game(other, export_game(store, "g1"), "g1.jsonl")
    assert (moved.game_id, moved.events, moved.ended) == ("g1", len(game.events), False)
    assert other.events("g1") == store.events("g1")
    row = other.game("g1")
    assert (row.seed, row.title) == (SEED, "Seminar 3")
    # the new server rebuilds the game and plays on: the dice still follow the seed
    again = Game(load_bundled("ukraine-ceasefire-2025"), row.seed)
    again.state = replay(again.scenario, other.events("g1"), row.seed)
    new = again.handle(cmd.OpenRound(seat=CONTROL, number=3))
    other.append("g1", new)
    assert new[0].type == "round_opened" and new[0].seq == len(game.events) + 1
    assert other.events("g1")[-len(new) :] == new


def test_a_finished_game_is_verified_before_it_is_imported(store, other):
    game = play_game(load_bundled("ukraine-ceasefire-2025"), SEED)
    stored(store, game)
    text = export_game(store, "g1")
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if '"dice_rolled"' in line)
    roll = json.loads(lines[at])
    roll["value"] = (roll["value"] + 0.5) % 1
    lines[at] = json.dumps(roll)
    with pytest.raises(TransferError, match="does not verify"):
        import_game(other, "\n".join(lines) + "\n", "tampered.jsonl")
    assert other.game("g1") is None  # nothing half-imported
    assert import_game(other, text, "g1.jsonl").ended


def test_an_import_never_overwrites_a_game_and_can_take_another_id(store, other):
    stored(store, half_played())
    text = export_game(store, "g1")
    import_game(other, text, "g1.jsonl")
    with pytest.raises(TransferError, match="already here"):
        import_game(other, text, "g1.jsonl")
    assert import_game(other, text, "g1.jsonl", game_id="g1-copy").game_id == "g1-copy"
    assert other.events("g1-copy") == other.events("g1")


def test_a_play_log_or_a_wrong_seed_is_refused_with_the_reason(store, other):
    from whitecell.engine.log import dump_log

    game = half_played()
    with pytest.raises(TransferError, match="without its server record"):
        import_game(other, dump_log(game.scenario, game.events), "play.jsonl")
    stored(store, game)
    header, *rest = export_game(store, "g1").splitlines()
    data = json.loads(header)
    data["game"]["seed"] += 1
    with pytest.raises(TransferError, match="does not match the game's seed commitment"):
        import_game(other, "\n".join([json.dumps(data), *rest]) + "\n", "x.jsonl")
    with pytest.raises(TransferError, match="no game 'nope'"):
        export_game(store, "nope")


def test_a_backup_of_the_sqlite_default_is_a_working_database(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'live.db'}")
    store.migrate()
    stored(store, half_played())
    store.backup(tmp_path / "backups" / "copy.db")
    copy = Store(f"sqlite:///{tmp_path / 'backups' / 'copy.db'}")
    assert copy.events("g1") == store.events("g1")
    copy.close()
    store.close()
