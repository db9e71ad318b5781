"""Alembic environment: runs against the connection whitecell hands it."""

from __future__ import annotations

from alembic import context

from whitecell.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
)
with context.begin_transaction():
    context.run_migrations()
