"""Small, dependency-free helpers for SQLite files: open safely, list tables, count rows.

Only the standard library's sqlite3 is used here, so the quick health path and
the backup module stay light.
"""

from __future__ import annotations

import fnmatch
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import quote

from dbguard.errors import DatabaseError, NotSQLiteError

SQLITE_HEADER = b"SQLite format 3\x00"

# Tables no suite, baseline, count or alert is ever about, whatever `[checks] ignore_tables`
# says: SQLite's own, and the two Litestream adds to a database it replicates. The user's
# `ignore_tables` globs come on top of these (and default to them).
ALWAYS_IGNORED_TABLES = ("sqlite_*", "_litestream_*")
DEFAULT_IGNORED_TABLES = ALWAYS_IGNORED_TABLES


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_only_uri(path: Path) -> str:
    """A URI that opens `path` read-only; a check run never changes a byte of the live DB."""
    return f"file:{quote(str(Path(path).resolve()))}?mode=ro"


def require_database(path: Path, *, sqlite_header: bool = True) -> Path:
    """`path` if it is an existing, readable SQLite file; a DatabaseError saying why otherwise.

    With `sqlite_header=False` only existence is required: a damaged file is then
    for the checks to report, not an input error.
    """
    path = Path(path)
    if not path.exists():
        raise DatabaseError(
            f"database {path} does not exist",
            "pass --db with the path of the SQLite file, or set [database] path in dbguard.toml",
        )
    if not path.is_file():
        raise DatabaseError(f"database {path} is not a file", "pass --db with a SQLite file")
    if not sqlite_header:
        return path
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise DatabaseError(
            f"cannot read database {path}: {error.strerror}", "check the file's permissions"
        ) from None
    if header and header != SQLITE_HEADER:
        raise NotSQLiteError(f"{path} is not a SQLite database", "pass --db with a SQLite file")
    return path


def missing_reason(path: Path) -> str:
    """Why `path` is not there to be read ("does not exist", "is not a file", "cannot read"),
    or "" when it is. A file that is there but not SQLite is not missing: it is damaged."""
    try:
        require_database(path, sqlite_header=False)
        with Path(path).open("rb") as handle:
            handle.read(1)
    except DatabaseError as error:
        return error.message
    except OSError as error:
        return f"cannot read database {path}: {error.strerror or error}"
    return ""


def connect_read_only(
    path: Path, timeout: float = 5.0, *, immutable: bool = False
) -> sqlite3.Connection:
    """Open an existing database read-only (it must exist; nothing is ever created).

    `immutable` only for files nothing writes (backups, restored copies): SQLite then takes no
    locks and creates no -wal/-shm beside them.
    """
    require_database(path)
    uri = read_only_uri(path) + ("&immutable=1" if immutable else "")
    connection = sqlite3.connect(uri, uri=True, timeout=timeout)
    connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    return connection


def is_ignored_table(name: str, ignore: Iterable[str]) -> bool:
    """The one table filter: does `name` match one of the `ignore` globs (`[checks]
    ignore_tables`) or ALWAYS_IGNORED_TABLES? Every list of tables dbguard makes (suites,
    baselines, counts, health, backup manifests, reconciliations, the replica) goes through
    it, with the configured globs passed down. SQLite table names ignore case, so does this."""
    folded = name.lower()
    return any(
        fnmatch.fnmatchcase(folded, pattern.lower())
        for pattern in (*ALWAYS_IGNORED_TABLES, *ignore)
    )


def kept_tables(names: Iterable[str], ignore: Iterable[str]) -> list[str]:
    """`names` without the ignored ones (is_ignored_table), in their order."""
    patterns = tuple(ignore)
    return [name for name in names if not is_ignored_table(name, patterns)]


def kept_counts(counts: Mapping[str, int], ignore: Iterable[str]) -> dict[str, int]:
    """Row counts (a manifest's, a past run's) without the ignored tables (is_ignored_table)."""
    return {table: counts[table] for table in kept_tables(counts, ignore)}


def user_tables(
    connection: sqlite3.Connection, ignore: Iterable[str], *, schema: str = "main"
) -> list[str]:
    """The tables of `schema` (main, or an attached database), without the ignored ones
    (is_ignored_table)."""
    rows = connection.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' ORDER BY name"
    ).fetchall()
    return kept_tables((row[0] for row in rows), ignore)


def table_columns(connection: sqlite3.Connection, table: str) -> list[str]:
    rows = connection.execute(f"PRAGMA table_info({quote_identifier(table)})").fetchall()
    return [row[1] for row in rows]


def row_counts(
    connection: sqlite3.Connection,
    tables: list[str] | None = None,
    *,
    ignore: Iterable[str],
) -> dict[str, int]:
    """Row count of each of `tables` (default: every table but the ignored ones), read in one
    transaction."""
    names = user_tables(connection, ignore) if tables is None else tables
    counts: dict[str, int] = {}
    connection.execute("BEGIN")
    try:
        for name in names:
            (count,) = connection.execute(
                f"SELECT COUNT(*) FROM {quote_identifier(name)}"
            ).fetchone()
            counts[name] = int(count)
    finally:
        connection.rollback()
    return counts
