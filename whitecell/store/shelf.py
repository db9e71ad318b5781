"""The scenario studio's shelf: each control account's scenarios, as numbered versions.

A version is never changed once saved. Saving asks for the number it will have (one more
than the version the designer started from); two designers who started from the same
version collide on the primary key (scenario, number), and the second gets
:class:`~whitecell.store.sql.Conflict` instead of silently overwriting the first.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from whitecell.store import tables as t
from whitecell.store.sql import Conflict, Store, now


@dataclass(frozen=True)
class Draft:
    """What a designer saves: the YAML text and what the studio found in it."""

    yaml: str
    valid: bool
    title: dict[str, str]  # by language; empty while the scenario has no readable title
    author: str
    message: str = ""
    document_digest: str | None = None  # the compiled scenario's digest, when valid
    drafts: tuple[str, ...] = ()  # texts a model drafted, not yet confirmed by a person

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.yaml.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Version:
    scenario: str  # the shelf's id for the scenario
    number: int
    yaml: str
    digest: str
    valid: bool
    title: dict[str, str]
    author: str
    message: str
    created_at: str
    document_digest: str | None = None
    drafts: tuple[str, ...] = ()


class Shelf:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, account_id: str, draft: Draft) -> str:
        """A new scenario whose version 1 is ``draft``; its id."""
        scenario = secrets.token_hex(8)
        with self.store.writing() as conn:
            conn.execute(
                sa.insert(t.scenarios).values(id=scenario, account_id=account_id, created_at=now())
            )
            conn.execute(sa.insert(t.scenario_versions).values(**self._row(scenario, 1, draft)))
        return scenario

    def save(self, scenario: str, number: int, draft: Draft) -> None:
        """Version ``number`` of ``scenario``; Conflict if someone saved that number first."""
        try:
            with self.store.writing() as conn:
                conn.execute(
                    sa.insert(t.scenario_versions).values(**self._row(scenario, number, draft))
                )
        except IntegrityError as exc:
            raise Conflict(str(exc.orig)) from None

    def owner(self, scenario: str) -> str | None:
        """The account the scenario belongs to (None: no such scenario)."""
        with self.store.reader.connect() as conn:
            return conn.execute(
                sa.select(t.scenarios.c.account_id).where(t.scenarios.c.id == scenario)
            ).scalar_one_or_none()

    def latest(self, account_id: str) -> list[Version]:
        """The newest version of each of the account's scenarios, the last changed first."""
        v = t.scenario_versions
        newest = (
            sa.select(v.c.scenario_ref, sa.func.max(v.c.number).label("number"))
            .group_by(v.c.scenario_ref)
            .subquery()
        )
        query = (
            sa.select(v)
            .join(newest, v.c.scenario_ref == newest.c.scenario_ref)
            .where(v.c.number == newest.c.number)
            .join(t.scenarios, t.scenarios.c.id == v.c.scenario_ref)
            .where(t.scenarios.c.account_id == account_id)
            .order_by(v.c.created_at.desc(), v.c.scenario_ref)
        )
        with self.store.reader.connect() as conn:
            return [self._version(r) for r in conn.execute(query)]

    def versions(self, scenario: str) -> list[Version]:
        """Every version of a scenario, the first first."""
        v = t.scenario_versions
        query = sa.select(v).where(v.c.scenario_ref == scenario).order_by(v.c.number)
        with self.store.reader.connect() as conn:
            return [self._version(r) for r in conn.execute(query)]

    def version(self, scenario: str, number: int) -> Version | None:
        v = t.scenario_versions
        query = sa.select(v).where((v.c.scenario_ref == scenario) & (v.c.number == number))
        with self.store.reader.connect() as conn:
            row = conn.execute(query).first()
        return self._version(row) if row else None

    def games_of(self, digests: list[str]) -> dict[str, int]:
        """How many games were made from each document digest."""
        if not digests:
            return {}
        g = t.games
        query = (
            sa.select(g.c.scenario_digest, sa.func.count())
            .where(g.c.scenario_digest.in_(digests))
            .group_by(g.c.scenario_digest)
        )
        with self.store.reader.connect() as conn:
            return {str(d): int(n) for d, n in conn.execute(query)}

    @staticmethod
    def _row(scenario: str, number: int, d: Draft) -> dict[str, object]:
        return {
            "scenario_ref": scenario,
            "number": number,
            "yaml": d.yaml,
            "digest": d.digest,
            "valid": d.valid,
            "title": json.dumps(d.title, ensure_ascii=False),
            "author": d.author,
            "message": d.message,
            "created_at": now(),
            "document_digest": d.document_digest,
            "drafts": json.dumps(sorted(d.drafts)),
        }

    @staticmethod
    def _version(r: sa.Row[tuple[object, ...]]) -> Version:
        m = r._mapping
        return Version(
            scenario=str(m["scenario_ref"]),
            number=int(m["number"]),
            yaml=str(m["yaml"]),
            digest=str(m["digest"]),
            valid=bool(m["valid"]),
            title=json.loads(str(m["title"])),
            author=str(m["author"]),
            message=str(m["message"]),
            created_at=str(m["created_at"]),
            document_digest=m["document_digest"],
            drafts=tuple(json.loads(str(m["drafts"]))) if m["drafts"] else (),
        )


__all__ = ["Draft", "Shelf", "Version"]
