"""The server's queue of background work, read by status: jobs still waiting or running,
the oldest first, without scanning every forecast a server ever made.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_jobs_status", "jobs", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_jobs_status", "jobs")
