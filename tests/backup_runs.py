"""Helpers of the backup tests: the real console script, row counts, a content digest, an
application that writes to or holds the database open."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

DBGUARD = [sys.executable, "-m", "dbguard"]


def run_cli(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DBGUARD, *args], cwd=cwd, capture_output=True, text=True, timeout=120, input=stdin
    )


def open_as_is(db: Path) -> sqlite3.Connection:
    """Read the file's bytes as they are: no journal rolled back, no -wal read, nothing written."""
    return sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)


def counts(db: Path) -> dict[str, int]:
    connection = sqlite3.connect(db)
    try:
        return {
            table: connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
            for (table,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
        }
    finally:
        connection.close()


def content_digest(connection: sqlite3.Connection) -> str:
    """A digest of every row of every table, in key order: equal digests, equal data."""
    digest = hashlib.sha256()
    tables = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    ).fetchall()
    for (table,) in tables:
        digest.update(table.encode())
        for row in connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def execute(db: Path, *statements: str) -> None:
    """Run and commit `statements` on `db`, as the application would."""
    connection = sqlite3.connect(db)
    try:
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


def restore_latest_cli(db: Path, backup_dir: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "backup",
        "restore",
        "--latest",
        "--yes",
        "--db",
        str(db),
        "--backup-dir",
        str(backup_dir),
        cwd=cwd,
    )


IDLE_READER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
print(connection.execute("SELECT COUNT(*) FROM pue_comment").fetchone()[0], flush=True)
sys.stdin.readline()
print(connection.execute("SELECT COUNT(*) FROM pue_comment").fetchone()[0], flush=True)
print(connection.execute("PRAGMA integrity_check").fetchone()[0], flush=True)
"""


@contextmanager
def application_holding(db: Path) -> Iterator[tuple[str, Callable[[], tuple[str, str]]]]:
    """An application that opened `db` (any path to it) and keeps it open: yields the
    pue_comment count it read first, and a function that makes it read again and returns
    (count, integrity_check) as its still-open connection sees them."""
    app = subprocess.Popen(
        [sys.executable, "-c", IDLE_READER, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert app.stdout is not None and app.stdin is not None
        output, tell = app.stdout, app.stdin

        def read_again() -> tuple[str, str]:
            tell.write("go\n")
            tell.flush()
            return output.readline().strip(), output.readline().strip()

        yield output.readline().strip(), read_again
    finally:
        app.kill()
        app.wait()
