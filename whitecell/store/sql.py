"""The store: SQLAlchemy Core over SQLite (default) or PostgreSQL.

The event log is append-only and numbered per game; two writers that decided
against the same state collide on the primary key (game, seq) and the second
gets :class:`Conflict`, so no command ever applies against a stale state.
An idempotency record is written in the same transaction as the events it
answered, so a retried request is either answered from it or applied once; it keeps the
request's :func:`fingerprint`, so a key reused for another request is not answered with
an answer to something else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command as alembic_command
from alembic.config import Config
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from whitecell.engine.events import Event, event_from_dict, event_to_dict
from whitecell.store import tables as t
from whitecell.store.appender import AsyncAppender, Statement, append_statements, idle_ping_s


@contextmanager
def _locked(lock: threading.Lock, engine: Engine) -> Iterator[Any]:
    with lock, engine.begin() as conn:
        yield conn


class Conflict(Exception):
    """Another command was appended first; decide again against the new state."""


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def token_hash(token: str) -> str:
    """Join-link tokens are stored only as this hash."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A join-link token: 192 random bits."""
    return secrets.token_urlsafe(24)


def _title_of(document: str) -> dict[str, str]:
    """A game's scenario title, for a game created without a title of its own."""
    try:
        title = json.loads(document).get("meta", {}).get("title", {})
    except (ValueError, AttributeError):
        return {}
    return {str(k): str(v) for k, v in title.items()} if isinstance(title, dict) else {}


def _rows(game_id: str, events: Sequence[Event], stamp: str) -> list[dict[str, Any]]:
    """Events as rows of the events table."""
    return [
        {
            "game_id": game_id,
            "seq": e.seq,
            "type": e.type,
            "data": dumps(event_to_dict(e)),
            "created_at": stamp,
        }
        for e in events
    ]


def _listing(new: Sequence[Event]) -> dict[str, Any]:
    """What ``new`` changes in its game's row: the round it opened, whether it ended."""
    opened = [e.round for e in new if e.type == "round_opened"]
    values: dict[str, Any] = {"round": max(opened)} if opened else {}
    if any(e.type == "game_ended" for e in new):
        values["ended"] = True
    return values


def _answer_row(
    game_id: str, answer: tuple[str, str, int, dict[str, Any]], fingerprint: str | None, stamp: str
) -> dict[str, Any]:
    principal, key, status, body = answer
    return {
        "principal": principal,
        "key": key,
        "game_id": game_id,
        "status": status,
        "response": dumps(body),
        "fingerprint": fingerprint,
        "created_at": stamp,
    }


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def fingerprint(body: Any) -> str:
    """What a request asked for, kept beside its answer: the SHA-256 of the JSON body the
    client sent, made canonical (sorted keys, no spaces, non-ASCII escaped, so a lone
    surrogate cannot fail to encode). The body as sent, not the command made of it: that
    command can carry the clock (a round's deadline) or the game's state (matrix odds),
    so a true retry would not match; a body written differently (``1`` for ``1.0``) is
    a different request, and is asked for a new key rather than answered wrongly."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Answer:
    """A stored answer to a request: its status and body, and the request's fingerprint
    (None for answers stored before requests were fingerprinted)."""

    status: int
    body: dict[str, Any]
    fingerprint: str | None = None

    def answers(self, fingerprint: str | None) -> bool:
        """Whether this is the answer to a request with ``fingerprint``. Either one unknown
        (an answer stored before migration 0002, a caller that sends none) is taken on
        trust, as before fingerprints."""
        return self.fingerprint is None or fingerprint is None or self.fingerprint == fingerprint


@dataclass(frozen=True)
class GameRow:
    id: str
    scenario_id: str
    scenario: dict[str, Any]
    seed: int
    title: str
    created_at: str
    digest: str = ""  # the scenario document's digest ("" where a caller did not read it)


@dataclass(frozen=True)
class GameListing:
    """A game as a list shows it: read from its row alone, without its events."""

    id: str
    scenario_id: str
    title: str
    scenario_title: dict[str, str]
    round: int
    ended: bool
    created_at: str


@dataclass(frozen=True)
class SeatRow:
    id: str
    game_id: str
    seat: str
    person: str
    lead: bool
    revoked: bool
    created_at: str
    token_hash: str = ""

    @property
    def session(self) -> str:
        """What a session cookie names: the row and its current link, so a reissued or
        revoked link shuts out the browsers that opened the old one."""
        return f"{self.id}:{self.token_hash[:16]}"


def _sqlite_pragmas(engine: Engine, *, writer: bool) -> None:
    @sa_event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    if writer:

        @sa_event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            # read-then-write transactions must take the write lock up front
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def _ping_when_idle(engine: Engine) -> None:
    """PostgreSQL: check a pooled connection before use only when it sat idle (the server
    may have restarted, a proxy may have closed it). SQLAlchemy's ``pool_pre_ping``
    checks every time: one more round trip per command, and in a thread each round trip
    waits for the interpreter lock again; live commands' p99 fell by a third without it.
    A connection found dead is replaced, as with ``pool_pre_ping``."""

    @sa_event.listens_for(engine, "connect")
    def _made(_dbapi_conn: Any, record: Any) -> None:
        record.info["used"] = time.monotonic()

    @sa_event.listens_for(engine, "checkin")
    def _back(_dbapi_conn: Any, record: Any) -> None:
        record.info["used"] = time.monotonic()

    @sa_event.listens_for(engine, "checkout")
    def _check(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("used", 0.0) < idle_ping_s():
            return
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # any failure of the ping: a connection not to use
            raise sa.exc.DisconnectionError(str(exc)) from exc
        if not alive:
            raise sa.exc.DisconnectionError("the connection did not answer")


def sqlite_path(url: str) -> Path | None:
    made = sa.make_url(url)
    if made.get_backend_name() == "sqlite" and made.database not in (None, "", ":memory:"):
        return Path(made.database)
    return None


CHANNEL = "whitecell"
NOTE_BYTES = 7900  # PostgreSQL refuses a notification's payload of 8,000 bytes or more


def events_note(game_id: str, rows: Sequence[dict[str, Any]], spent: int = 0) -> str:
    """What other server processes are told of stored events: ``events:G:N`` (the game
    is at event N), then the events themselves when they fit, so that a process serving
    the game folds them without reading them back (``spent``: bytes the payload's prefix
    takes)."""
    head = f"events:{game_id}:{rows[-1]['seq']}"
    whole = head + "\n[" + ",".join(r["data"] for r in rows) + "]"
    return whole if len(whole.encode()) + spent < NOTE_BYTES else head


def read_events_note(what: str) -> tuple[str, int, list[Event] | None]:
    """(game, its last event's number, the events if the note carried them) of what
    ``events_note`` made."""
    head, _, body = what.partition("\n")
    game_id, _, seq = head.removeprefix("events:").rpartition(":")
    events = [event_from_dict(d) for d in json.loads(body)] if body else None
    return game_id, int(seq or 0), events


def engine_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (SQLAlchemy's default driver is psycopg2)."""
    made = sa.make_url(url)
    if made.drivername in ("postgresql", "postgres"):
        return made.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


class Store:
    def __init__(self, url: str) -> None:
        url = engine_url(url)
        self.url = url
        if sa.make_url(url).get_backend_name() == "sqlite":
            path = sqlite_path(url)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            args = {"check_same_thread": False}
            self.engine = sa.create_engine(url, connect_args=args)
            _sqlite_pragmas(self.engine, writer=True)
            # reads take no lock: each SELECT runs on its own, in WAL mode beside writers
            self.reader = sa.create_engine(url, connect_args=args)
            _sqlite_pragmas(self.reader, writer=False)
            self._write_lock: threading.Lock | None = threading.Lock()
        else:
            # up to 16 connections a process, the appends' 4 and the listener's one: four
            # processes stay under PostgreSQL's default limit of 100 connections
            self.engine = sa.create_engine(url, pool_size=8, max_overflow=8)
            _ping_when_idle(self.engine)
            self.reader = self.engine
            self._write_lock = None
        # live commands' appends, made on the event loop (PostgreSQL)
        self.appender: AsyncAppender | None = None
        if self.engine.dialect.name == "postgresql":
            made = sa.make_url(url).set(drivername="postgresql")
            self.appender = AsyncAppender(made.render_as_string(hide_password=False))
        self.shared = self.engine.dialect.name == "postgresql"  # several processes may serve it
        self.origin = secrets.token_hex(4)  # this process, in its own notifications

    def _notify(self, conn: Any, what: str) -> None:
        """Tell the other server processes (PostgreSQL delivers it when the transaction
        commits, and not at all if it rolls back): ``origin|what``."""
        if self.shared:
            conn.execute(
                sa.text("SELECT pg_notify(:channel, :payload)"),
                {"channel": CHANNEL, "payload": f"{self.origin}|{what}"},
            )

    def migrate(self, revision: str = "head") -> None:
        """Create or upgrade the schema to the newest Alembic revision (or to ``revision``:
        the tests make databases as older servers left them)."""
        config = Config()
        config.set_main_option(
            "script_location", str(resources.files("whitecell.store") / "migrations")
        )
        with self.engine.begin() as conn:
            config.attributes["connection"] = conn
            alembic_command.upgrade(config, revision)

    def close(self) -> None:
        if self.appender is not None:
            self.appender.drop()
        self.engine.dispose()
        if self.reader is not self.engine:
            self.reader.dispose()

    def writing(self) -> Any:
        """A write transaction. With SQLite, writers in this process queue on a mutex
        rather than on the database's busy timeout."""
        if self._write_lock is None:
            return self.engine.begin()
        return _locked(self._write_lock, self.engine)

    # -- settings ----------------------------------------------------------
    def secret(self) -> bytes:
        """The server's signing key, made on first use and kept across restarts."""
        with self.writing() as conn:
            row = conn.execute(
                sa.select(t.settings.c.value).where(t.settings.c.key == "secret")
            ).first()
            if row is not None:
                return bytes.fromhex(row[0])
            value = secrets.token_bytes(32)
            conn.execute(sa.insert(t.settings).values(key="secret", value=value.hex()))
            return value

    # -- accounts --------------------------------------------------------------
    def account_count(self) -> int:
        with self.reader.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(t.accounts)).scalar_one()

    def create_account(self, name: str, password_hash: str) -> str:
        account_id = secrets.token_hex(8)
        with self.writing() as conn:
            conn.execute(
                sa.insert(t.accounts).values(
                    id=account_id, name=name, password_hash=password_hash, created_at=now()
                )
            )
        return account_id

    def account(self, name: str) -> tuple[str, str] | None:
        """(id, password hash) of the named account."""
        with self.reader.connect() as conn:
            row = conn.execute(
                sa.select(t.accounts.c.id, t.accounts.c.password_hash).where(
                    t.accounts.c.name == name
                )
            ).first()
        return (row[0], row[1]) if row else None

    def account_exists(self, account_id: str) -> bool:
        with self.reader.connect() as conn:
            return (
                conn.execute(
                    sa.select(t.accounts.c.id).where(t.accounts.c.id == account_id)
                ).first()
                is not None
            )

    # -- games ----------------------------------------------------------------------
    def create_game(
        self,
        game_id: str,
        scenario: dict[str, Any],
        scenario_id: str,
        digest: str,
        seed: int,
        title: str,
        created_by: str | None,
    ) -> None:
        with self.writing() as conn:
            conn.execute(
                sa.insert(t.games).values(
                    id=game_id,
                    scenario_id=scenario_id,
                    scenario_digest=digest,
                    scenario=dumps(scenario),
                    seed=seed,
                    title=title,
                    created_at=now(),
                    created_by=created_by,
                )
            )
            self._notify(conn, f"game:{game_id}")

    def import_game(self, row: GameRow, digest: str, events: Sequence[Event]) -> None:
        """A whole game at once (moved from another server): all of it, or none of it."""
        stamp = now()
        try:
            with self.writing() as conn:
                conn.execute(
                    sa.insert(t.games).values(
                        id=row.id,
                        scenario_id=row.scenario_id,
                        scenario_digest=digest,
                        scenario=dumps(row.scenario),
                        seed=row.seed,
                        title=row.title,
                        created_at=row.created_at,
                        created_by=None,
                    )
                )
                if events:
                    conn.execute(sa.insert(t.events), _rows(row.id, events, stamp))
                    self._keep_listing(conn, row.id, events)
                self._notify(conn, f"game:{row.id}")
        except IntegrityError as exc:
            raise Conflict(str(exc.orig)) from None

    def backup(self, destination: Path) -> None:
        """A consistent copy of a SQLite database, taken while the server runs."""
        import sqlite3

        source = sqlite_path(self.url)
        if source is None:
            raise ValueError("backup copies a SQLite file; back PostgreSQL up with pg_dump")
        destination.parent.mkdir(parents=True, exist_ok=True)
        tmp = destination.with_name(f".{destination.name}.tmp")
        tmp.unlink(missing_ok=True)
        with sqlite3.connect(source) as src, sqlite3.connect(tmp) as dst:
            src.backup(dst)
        tmp.replace(destination)

    def games(self, unfinished: bool = False) -> list[GameRow]:
        """Every game, or (``unfinished``) those still being played: what a server loads
        as it starts; a finished game is loaded when someone opens it."""
        query = sa.select(t.games).order_by(t.games.c.created_at)
        if unfinished:
            query = query.where(t.games.c.ended == sa.false())
        with self.reader.connect() as conn:
            rows = conn.execute(query).all()
        return [self._game(r) for r in rows]

    def game_list(
        self, offset: int = 0, limit: int = 50, only: Sequence[str] | None = None
    ) -> tuple[list[GameListing], int]:
        """A page of games, newest first, and how many there are in all (``only``: of
        these ids). A game's scenario document is read only for its title, and only
        when the game has no title of its own."""
        g = t.games.c
        where = [g.id.in_(list(only))] if only is not None else []
        # the page's ids from the index on (created_at, id) alone, then those rows: an
        # offset deep in the history skips index entries, not rows with their documents
        page = (
            sa.select(g.id)
            .where(*where)
            .order_by(g.created_at.desc(), g.id)
            .offset(offset)
            .limit(limit)
        )
        with self.reader.connect() as conn:
            ids = list(conn.execute(page).scalars())
            found = conn.execute(
                sa.select(g.id, g.scenario_id, g.title, g.round, g.ended, g.created_at).where(
                    g.id.in_(ids)
                )
            ).all()
            rank = {game_id: i for i, game_id in enumerate(ids)}
            rows = sorted(found, key=lambda r: rank[r.id])
            total = conn.execute(sa.select(sa.func.count()).select_from(t.games).where(*where))
            count = int(total.scalar_one())
            untitled = [r.id for r in rows if not r.title]
            documents = dict(
                conn.execute(sa.select(g.id, g.scenario).where(g.id.in_(untitled))).all()
                if untitled
                else []
            )
        return [
            GameListing(
                id=r.id,
                scenario_id=r.scenario_id,
                title=r.title,
                scenario_title=_title_of(documents[r.id]) if r.id in documents else {},
                round=int(r.round),
                ended=bool(r.ended),
                created_at=r.created_at,
            )
            for r in rows
        ], count

    def game(self, game_id: str) -> GameRow | None:
        with self.reader.connect() as conn:
            row = conn.execute(sa.select(t.games).where(t.games.c.id == game_id)).first()
        return self._game(row) if row else None

    @staticmethod
    def _game(row: Any) -> GameRow:
        return GameRow(
            id=row.id,
            scenario_id=row.scenario_id,
            scenario=json.loads(row.scenario),
            seed=int(row.seed),
            title=row.title,
            created_at=row.created_at,
            digest=row.scenario_digest,
        )

    # -- events -------------------------------------------------------------------------
    def events(self, game_id: str, since: int = 0) -> list[Event]:
        with self.reader.connect() as conn:
            rows = conn.execute(
                sa.select(t.events.c.data)
                .where(t.events.c.game_id == game_id, t.events.c.seq > since)
                .order_by(t.events.c.seq)
            ).all()
        return [event_from_dict(json.loads(r[0])) for r in rows]

    def append(
        self,
        game_id: str,
        new: Sequence[Event],
        answer: tuple[str, str, int, dict[str, Any]] | None = None,
        fingerprint: str | None = None,
    ) -> None:
        """Append ``new`` (numbered after the last stored event) and, in the same transaction,
        the idempotent ``answer`` (principal, key, status, body) with the ``fingerprint`` of
        the request it answers; Conflict if beaten."""
        stamp = now()
        try:
            with self.writing() as conn:
                if self.shared:
                    self._append_at_once(conn, game_id, new, answer, fingerprint, stamp)
                    return
                if new:
                    rows = _rows(game_id, new, stamp)
                    conn.execute(sa.insert(t.events), rows)
                    self._keep_listing(conn, game_id, new)
                if answer is not None:
                    conn.execute(
                        sa.insert(t.idempotency).values(
                            _answer_row(game_id, answer, fingerprint, stamp)
                        )
                    )
        except IntegrityError as exc:
            raise Conflict(str(exc.orig)) from None

    def _statements(
        self,
        game_id: str,
        new: Sequence[Event],
        answer: tuple[str, str, int, dict[str, Any]] | None,
        fingerprint: str | None,
        stamp: str,
    ) -> list[Statement]:
        rows = _rows(game_id, new, stamp) if new else []
        note = None
        if rows:
            payload = events_note(game_id, rows, len(self.origin) + 1)
            note = (CHANNEL, f"{self.origin}|{payload}")
        told = _answer_row(game_id, answer, fingerprint, stamp) if answer is not None else None
        return append_statements(game_id, rows, _listing(new), note, told)

    def _append_at_once(
        self,
        conn: sa.Connection,
        game_id: str,
        new: Sequence[Event],
        answer: tuple[str, str, int, dict[str, Any]] | None,
        fingerprint: str | None,
        stamp: str,
    ) -> None:
        """PostgreSQL, from a thread: the append's statements sent together and answered
        together, one round trip where there were five."""
        import psycopg

        raw = conn.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        try:
            with raw.pipeline(), raw.cursor() as cur:
                for sql, params, many in self._statements(game_id, new, answer, fingerprint, stamp):
                    if many:
                        cur.executemany(sql, params)
                    else:
                        cur.execute(sql, params)
        except psycopg.IntegrityError as exc:
            raise Conflict(str(exc)) from None

    async def append_soon(
        self,
        game_id: str,
        new: Sequence[Event],
        answer: tuple[str, str, int, dict[str, Any]] | None = None,
        fingerprint: str | None = None,
    ) -> None:
        """``append`` made on the event loop: with PostgreSQL one round trip awaited there
        (``whitecell.store.appender``), with SQLite the append itself (a third of a
        millisecond in WAL mode: handing it to a thread cost more)."""
        if self.appender is None:
            self.append(game_id, new, answer, fingerprint)
            return
        import psycopg

        statements = self._statements(game_id, new, answer, fingerprint, now())
        try:
            await self.appender.run(statements)
        except psycopg.IntegrityError as exc:
            raise Conflict(str(exc)) from None

    @staticmethod
    def _keep_listing(conn: sa.Connection, game_id: str, new: Sequence[Event]) -> None:
        """The game's row follows its round and its end (in the append's transaction)."""
        values = _listing(new)
        if values:
            conn.execute(sa.update(t.games).where(t.games.c.id == game_id).values(**values))

    # at hand wherever the store is: the web fingerprints the body it got through ctx.store
    fingerprint = staticmethod(fingerprint)

    def answer(self, principal: str, key: str) -> Answer | None:
        """The stored answer to an earlier request with this idempotency key, and that
        request's fingerprint (read in the same query: no extra round trip per command)."""
        c = t.idempotency.c
        with self.reader.connect() as conn:
            row = conn.execute(
                sa.select(c.status, c.response, c.fingerprint).where(
                    c.principal == principal, c.key == key
                )
            ).first()
        return Answer(int(row[0]), json.loads(row[1]), row[2]) if row else None

    # -- seats ------------------------------------------------------------------------------
    def add_seat(self, game_id: str, seat: str, person: str, lead: bool) -> tuple[str, str]:
        """A new join link for ``person`` at ``seat``: (seat row id, the token, shown once)."""
        token = new_token()
        seat_id = secrets.token_hex(8)
        with self.writing() as conn:
            conn.execute(
                sa.insert(t.seats).values(
                    id=seat_id,
                    game_id=game_id,
                    seat=seat,
                    person=person,
                    lead=lead,
                    token_hash=token_hash(token),
                    revoked=False,
                    created_at=now(),
                )
            )
        return seat_id, token

    def seat_by_token(self, token: str) -> SeatRow | None:
        with self.reader.connect() as conn:
            row = conn.execute(
                sa.select(t.seats).where(t.seats.c.token_hash == token_hash(token))
            ).first()
        return self._seat(row) if row else None

    def seat(self, seat_id: str) -> SeatRow | None:
        with self.reader.connect() as conn:
            row = conn.execute(sa.select(t.seats).where(t.seats.c.id == seat_id)).first()
        return self._seat(row) if row else None

    def seats(self, game_id: str) -> list[SeatRow]:
        with self.reader.connect() as conn:
            rows = conn.execute(
                sa.select(t.seats)
                .where(t.seats.c.game_id == game_id)
                .order_by(t.seats.c.created_at)
            ).all()
        return [self._seat(r) for r in rows]

    def rename(self, seat_id: str, person: str) -> None:
        """The name a person gave when they first opened their link (their link is
        unchanged: nobody is shut out)."""
        with self.writing() as conn:
            conn.execute(sa.update(t.seats).where(t.seats.c.id == seat_id).values(person=person))
            self._notify(conn, f"person:{seat_id}")

    def revoke(self, seat_id: str) -> None:
        with self.writing() as conn:
            conn.execute(sa.update(t.seats).where(t.seats.c.id == seat_id).values(revoked=True))
            self._notify(conn, f"seat:{seat_id}")

    def reissue(self, seat_id: str) -> str:
        """Revoke a link and give its person a new one; returns the new token."""
        token = new_token()
        with self.writing() as conn:
            conn.execute(
                sa.update(t.seats)
                .where(t.seats.c.id == seat_id)
                .values(token_hash=token_hash(token), revoked=False)
            )
            self._notify(conn, f"seat:{seat_id}")
        return token

    @staticmethod
    def _seat(row: Any) -> SeatRow:
        return SeatRow(
            id=row.id,
            game_id=row.game_id,
            seat=row.seat,
            person=row.person,
            lead=bool(row.lead),
            revoked=bool(row.revoked),
            created_at=row.created_at,
            token_hash=row.token_hash,
        )
