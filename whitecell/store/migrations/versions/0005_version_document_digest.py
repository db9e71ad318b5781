"""A saved version's canonical document digest (what a game made from it records as its
scenario digest), so that a version names the games made from it; and which of its texts
a language model drafted and no person has confirmed yet.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scenario_versions") as batch:
        batch.add_column(sa.Column("document_digest", sa.String(64), nullable=True))
        batch.add_column(sa.Column("drafts", sa.Text, nullable=True))
    op.create_index(
        "ix_scenario_versions_document_digest", "scenario_versions", ["document_digest"]
    )
    op.create_index("ix_games_scenario_digest", "games", ["scenario_digest"])


def downgrade() -> None:
    op.drop_index("ix_games_scenario_digest", "games")
    op.drop_index("ix_scenario_versions_document_digest", "scenario_versions")
    with op.batch_alter_table("scenario_versions") as batch:
        batch.drop_column("drafts")
        batch.drop_column("document_digest")
