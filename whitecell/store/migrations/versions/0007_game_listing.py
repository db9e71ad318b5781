"""A game's round and whether it ended, kept in its row with every append: the list of
games (an institution's thousands) is read page by page without folding any game, and a
server starts by loading only the games still being played.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE (SQLite adds a column with a default in place): a batch would
    # copy the table, which the events' foreign keys forbid
    op.add_column("games", sa.Column("round", sa.Integer, nullable=False, server_default="0"))
    op.add_column(
        "games", sa.Column("ended", sa.Boolean, nullable=False, server_default=sa.false())
    )
    # the games stored before: their round is the last round opened, ended if they did
    op.execute(
        "UPDATE games SET round = COALESCE((SELECT COUNT(*) FROM events"
        " WHERE events.game_id = games.id AND events.type = 'round_opened'), 0)"
    )
    op.execute(
        "UPDATE games SET ended = EXISTS (SELECT 1 FROM events"
        " WHERE events.game_id = games.id AND events.type = 'game_ended')"
    )
    op.create_index("ix_games_ended", "games", ["ended"])
    op.create_index("ix_games_created_at", "games", ["created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_games_created_at", "games")
    op.drop_index("ix_games_ended", "games")
    with op.batch_alter_table("games") as batch:
        batch.drop_column("ended")
        batch.drop_column("round")
