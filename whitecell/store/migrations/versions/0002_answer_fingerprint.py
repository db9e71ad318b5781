"""Each stored answer keeps the fingerprint of the request it answered, so a key reused
for a different request is refused instead of answered with the old answer. Nullable:
answers stored before it have none and are replayed as before.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a nullable column without a default: an ALTER TABLE ADD COLUMN on both backends
    # (SQLite's batch mode needs no copy for it), no rewrite of the stored answers
    with op.batch_alter_table("idempotency") as batch:
        batch.add_column(sa.Column("fingerprint", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("idempotency") as batch:
        batch.drop_column("fingerprint")
