"""Moving a game between servers: its whole history as a game log (JSON Lines) whose
header also carries what a server needs to go on with it (its id, title and seed).

The seed is secret until the game ends, so an export of a running game is for the
white cell's hands only, like the database it came from. Join links are not moved:
their tokens exist only as hashes, so the new server issues new ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from whitecell.engine import events as ev
from whitecell.engine.dice import commitment
from whitecell.engine.log import LogError, dumps, event_line, log_header, parse_log, replay_log
from whitecell.scenario.load import scenario_from_document
from whitecell.store.sql import Conflict, GameRow, Store
from whitecell.verify import verify_log

EXPORT_KEY = "game"


class TransferError(Exception):
    """A game that cannot be exported or imported, and why."""


@dataclass(frozen=True)
class Imported:
    game_id: str
    events: int
    ended: bool


def export_game(store: Store, game_id: str) -> str:
    row = store.game(game_id)
    if row is None:
        known = ", ".join(g.id for g in store.games()) or "none"
        raise TransferError(f"no game '{game_id}' in this database (games: {known})")
    scenario = scenario_from_document(row.scenario, f"game {game_id}")
    header = log_header(scenario) | {
        EXPORT_KEY: {
            "id": row.id,
            "title": row.title,
            "seed": row.seed,
            "created_at": row.created_at,
        }
    }
    lines = [dumps(header)] + [event_line(e) for e in store.events(game_id)]
    return "\n".join(lines) + "\n"


def import_game(store: Store, text: str, source: str, game_id: str | None = None) -> Imported:
    """Check the log through and through (format, order, fold, dice if ended, seed against
    its commitment), then store the game and every event in one transaction."""
    try:
        log = parse_log(text, source)
        state = replay_log(log)
    except LogError as exc:
        raise TransferError(str(exc)) from None
    game = log.header.get(EXPORT_KEY)
    if not isinstance(game, dict) or not isinstance(game.get("seed"), int):
        raise TransferError(
            f"{source}: a game log without its server record (id, title, seed): "
            "export it with 'whitecell export', not 'play --log'"
        )
    started = next((e for e in log.events if isinstance(e, ev.GameStarted)), None)
    if started is not None and commitment(game["seed"]) != started.seed_commitment:
        raise TransferError(f"{source}: the seed does not match the game's seed commitment")
    if state.ended:
        verdict = verify_log(log)
        if not verdict.ok:
            raise TransferError(f"{source}: the log does not verify: {verdict.message}")
    new_id = game_id or str(game.get("id") or "")
    if not new_id or len(new_id) > 32:
        raise TransferError(f"{source}: give the game an id of 1 to 32 characters (--as ID)")
    if store.game(new_id) is not None:
        raise TransferError(f"a game '{new_id}' is already here: import it --as another id")
    row = GameRow(
        id=new_id,
        scenario_id=log.scenario.id,
        scenario=dict(log.scenario.document),
        seed=game["seed"],
        title=str(game.get("title") or log.scenario.id),
        created_at=str(game.get("created_at") or ""),
    )
    try:
        store.import_game(row, log.scenario.digest, log.events)
    except Conflict:
        raise TransferError(f"a game '{new_id}' was created here meanwhile") from None
    return Imported(new_id, len(log.events), state.ended)
