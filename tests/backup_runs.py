"""Helpers of the backup tests: the real console script, row counts, a content digest."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
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
