"""The database tables (SQLAlchemy Core). Changes go through an Alembic migration."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
)

metadata = MetaData()

games = Table(
    "games",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("scenario_id", String(64), nullable=False),
    Column("scenario_digest", String(64), nullable=False, index=True),
    Column("scenario", Text, nullable=False),  # the scenario document as JSON
    Column("seed", BigInteger, nullable=False),  # secret until the game ends
    Column("title", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(64)),
    # kept with every append: the list of games is read without folding any game
    Column("round", Integer, nullable=False, server_default="0"),
    Column("ended", Boolean, nullable=False, server_default=false(), index=True),
)

Index("ix_games_created_at", games.c.created_at, games.c.id)  # the list, newest first

events = Table(
    "events",
    metadata,
    Column("game_id", String(32), ForeignKey("games.id"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("type", String(40), nullable=False),
    Column("data", Text, nullable=False),  # the event as JSON
    Column("created_at", String(32), nullable=False),
)

seats = Table(
    "seats",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("game_id", String(32), ForeignKey("games.id"), nullable=False, index=True),
    Column("seat", String(80), nullable=False),  # control | adjudicator | observer | team:<id>
    Column("person", Text, nullable=False),
    Column("lead", Boolean, nullable=False, default=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("created_at", String(32), nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(80), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
)

idempotency = Table(
    "idempotency",
    metadata,
    Column("principal", String(80), primary_key=True),  # the seat or account that asked
    Column("key", String(200), primary_key=True),
    Column("game_id", String(32), nullable=False),
    Column("status", Integer, nullable=False),
    Column("response", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    # SHA-256 of the request answered (store.sql.fingerprint); NULL before migration 0002
    Column("fingerprint", String(64)),
)

# the scenario studio: a designer's scenarios, each a numbered series of saved versions
scenarios = Table(
    "scenarios",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("account_id", String(32), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("created_at", String(32), nullable=False),
)

scenario_versions = Table(
    "scenario_versions",
    metadata,
    Column("scenario_ref", String(32), ForeignKey("scenarios.id"), primary_key=True),
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("yaml", Text, nullable=False),  # the text as the designer wrote it, comments kept
    Column("digest", String(64), nullable=False),  # SHA-256 of the text
    # the canonical document's digest, as games made from the version record it (None:
    # the version has problems, so no game can be made from it)
    Column("document_digest", String(64), nullable=True, index=True),
    # JSON: the paths of texts a language model drafted and no person has confirmed yet
    Column("drafts", Text, nullable=True),
    Column("valid", Boolean, nullable=False),
    Column("title", Text, nullable=False),  # JSON: the title in each language ({} if none)
    Column("author", String(80), nullable=False),
    Column("message", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
)

# background work (a studio trial): any server process can read how far a job has got
jobs = Table(
    "jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    # the account that asked (none for a game's own jobs: a live game's forecasts)
    Column("account_id", String(32), ForeignKey("accounts.id"), nullable=True, index=True),
    Column("kind", String(16), nullable=False),  # "trial" | "forecast"
    Column("subject", String(80), nullable=False, index=True),  # scenario@version | game id
    Column("params", Text, nullable=False),  # JSON: what was asked (runs, seed, ...)
    Column("status", String(16), nullable=False),  # queued, running, done, failed, cancelled
    Column("done", Integer, nullable=False),  # units of work finished (runs)
    Column("total", Integer, nullable=False),
    Column("result", Text, nullable=True),  # JSON once done (or what finished, if cancelled)
    Column("error", Text, nullable=False),  # why it failed, in words
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),  # a heartbeat while queued or running
)

Index("ix_jobs_status", jobs.c.status, jobs.c.created_at)  # the queue, oldest first

settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

__all__ = [
    "accounts",
    "events",
    "games",
    "idempotency",
    "jobs",
    "metadata",
    "scenario_versions",
    "scenarios",
    "seats",
    "settings",
]
