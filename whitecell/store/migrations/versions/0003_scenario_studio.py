"""The scenario studio's shelf: a control account's scenarios, each a numbered series of
saved versions (the YAML as written, its digest, whether it was valid, who saved it, why).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("account_id", sa.String(32), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_scenarios_account_id", "scenarios", ["account_id"])
    op.create_table(
        "scenario_versions",
        sa.Column("scenario_ref", sa.String(32), sa.ForeignKey("scenarios.id"), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("yaml", sa.Text, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("valid", sa.Boolean, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("author", sa.String(80), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("scenario_versions")
    op.drop_index("ix_scenarios_account_id", "scenarios")
    op.drop_table("scenarios")
