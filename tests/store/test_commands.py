"""``whitecell export``, ``import`` and ``backup`` as real subprocesses: a game goes from a
SQLite file to a PostgreSQL server whole, and bad input is one message and exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.store.test_transfer import half_played, stored
from whitecell.store.sql import Store


def whitecell(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "whitecell", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
    )


def test_a_game_moves_from_sqlite_to_postgresql_by_export_and_import(tmp_path, postgres):
    source = f"sqlite:///{tmp_path / 'a.db'}"
    store = Store(source)
    store.migrate()
    stored(store, half_played(), "seminar-3")
    store.close()
    file = tmp_path / "seminar-3.jsonl"
    done = whitecell("export", "seminar-3", "-o", file, "--db", source)
    assert done.returncode == 0, done.stderr
    assert "seed" in done.stderr  # a warning to keep the file safe
    target = postgres.database()
    done = whitecell("import", file, "--db", target.replace("postgresql+psycopg", "postgresql"))
    assert done.returncode == 0, done.stderr
    assert "Imported game seminar-3" in done.stdout
    moved = Store(target)
    assert len(moved.events("seminar-3")) == file.read_text().count("\n") - 1
    moved.close()
    again = whitecell("import", file, "--db", target)
    assert again.returncode == 2 and "already here" in again.stderr


def test_a_backup_is_taken_while_the_database_is_in_use(tmp_path):
    db = f"sqlite:///{tmp_path / 'live.db'}"
    store = Store(db)
    store.migrate()
    stored(store, half_played())
    done = whitecell("backup", "-o", tmp_path / "copy.db", "--db", db)
    assert done.returncode == 0, done.stderr
    copy = Store(f"sqlite:///{tmp_path / 'copy.db'}")
    assert copy.events("g1") == store.events("g1")
    copy.close()
    store.close()


def test_bad_input_is_one_message_and_exit_2(tmp_path, postgres):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    (tmp_path / "junk.jsonl").write_text("not a log\n")
    cases = [
        (["export", "nope", "-o", tmp_path / "o.jsonl", "--db", db], "no game 'nope'"),
        (["import", tmp_path / "missing.jsonl", "--db", db], "cannot read"),
        (["import", tmp_path / "junk.jsonl", "--db", db], "not a whitecell log"),
        (["backup", "-o", tmp_path / "c.db", "--db", postgres.database()], "pg_dump"),
        (
            ["backup", "-o", tmp_path / "c.db", "--db", f"sqlite:///{tmp_path}/none.db"],
            "no database",
        ),
    ]
    for args, message in cases:
        done = whitecell(*args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert message in done.stderr and "Traceback" not in done.stderr, (args, done.stderr)
