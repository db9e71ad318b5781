"""Jobs that belong to a game rather than to an account (a live game's forecasts): their
``account_id`` is empty, so no account's job list shows them and only the game's control
seat reaches them, through the game.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.alter_column("account_id", existing_type=sa.String(32), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM jobs WHERE account_id IS NULL")
    with op.batch_alter_table("jobs") as batch:
        batch.alter_column("account_id", existing_type=sa.String(32), nullable=False)
