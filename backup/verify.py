"""Is this backup still the one we took? Manifest, size, sha256, header, integrity, counts.

`PRAGMA integrity_check` does not read BLOB contents and a half-written file
with a hot journal can open as an empty, "ok" database, so all three are
needed: the checksum catches any changed byte, integrity_check catches a
structurally broken file, the row counts catch an empty or wrong one. Backups
are opened read-only and immutable: verifying never changes a byte of them
and never creates -wal/-shm files beside them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from backup.manifest import Manifest, read_manifest, sha256_of
from dbguard.database import SQLITE_HEADER, kept_counts, row_counts
from dbguard.errors import BackupError


@dataclass(frozen=True)
class VerifyResult:
    path: Path
    ok: bool
    problems: list[str] = field(default_factory=list)
    manifest: Manifest | None = None

    def summary(self) -> str:
        return "ok" if self.ok else "; ".join(self.problems)


def immutable_uri(path: Path) -> str:
    """Read-only, and tells SQLite the file cannot change: no locks, no -wal/-shm created."""
    return f"file:{quote(str(Path(path).resolve()))}?mode=ro&immutable=1"


def open_immutable(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(immutable_uri(path), uri=True)


def database_problems(
    connection: sqlite3.Connection, expected: Mapping[str, int], ignore: Iterable[str]
) -> list[str]:
    """integrity_check and row counts of an open database against `expected` counts, both
    without the `ignore`d tables (dbguard.database.is_ignored_table)."""
    ignore = tuple(ignore)
    problems: list[str] = []
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
        # One row may hold many newline-separated problems: show the first few on one line.
        messages = [line.strip() for row in rows for line in str(row[0]).splitlines()]
        messages = [line for line in messages if line and not line.startswith("*** in database")]
        if messages != ["ok"]:
            shown = "; ".join(messages[:3]) + (
                f" … ({len(messages) - 3} more)" if len(messages) > 3 else ""
            )
            problems.append(f"integrity_check failed: {shown}")
        counts = row_counts(connection, ignore=ignore)
    except sqlite3.DatabaseError as error:
        problems.append(f"SQLite cannot read it: {error}")
        return problems
    problems.extend(count_problems(counts, expected, ignore))
    return problems


def count_problems(
    counts: Mapping[str, int], expected: Mapping[str, int], ignore: Iterable[str]
) -> list[str]:
    # A manifest written before Litestream's tables were ignored may still list them.
    expected = kept_counts(expected, ignore)
    problems: list[str] = []
    for table in sorted(set(expected) | set(counts)):
        if table not in counts:
            problems.append(f"table {table} is missing (manifest: {expected[table]} rows)")
        elif table not in expected:
            problems.append(f"table {table} is not in the manifest")
        elif counts[table] != expected[table]:
            problems.append(
                f"table {table} has {counts[table]} rows, manifest says {expected[table]}"
            )
    return problems


def manifest_or_problem(path: Path) -> tuple[Manifest | None, list[str]]:
    """The manifest beside `path`, or None and the reason it cannot be used."""
    try:
        return read_manifest(path), []
    except BackupError as error:
        return None, [error.message]


def manifest_mismatches(path: Path, manifest: Manifest, size: int, checksum: str) -> list[str]:
    """How the file's name, size and bytes disagree with its manifest (empty if they agree)."""
    problems = []
    if manifest.file_name != path.name:
        problems.append(f"the manifest belongs to {manifest.file_name}, not {path.name}")
    if manifest.size != size:
        problems.append(f"size is {size} bytes, manifest says {manifest.size} (truncated?)")
    if manifest.sha256 != checksum:
        problems.append("sha256 does not match the manifest (the file's bytes changed)")
    return problems


def verify_backup(path: Path) -> VerifyResult:
    """Check a backup against its manifest. A missing path is a BackupError (bad input)."""
    path = Path(path)
    if not path.exists():
        raise BackupError(
            f"backup {path} does not exist", "see 'dbguard backup list' for the backups"
        )
    if not path.is_file():
        raise BackupError(f"backup {path} is not a file", "pass the path of a backup file")
    manifest, problems = manifest_or_problem(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
        checksum = sha256_of(path)
    except OSError as error:
        problems.append(f"cannot read it: {error.strerror}")
        return VerifyResult(path, False, problems, manifest)
    header_ok = size > 0 and header == SQLITE_HEADER
    if size == 0:
        problems.append("the file is empty (0 bytes)")
    elif not header_ok:
        problems.append("not a SQLite database (wrong file header)")
    if manifest is not None:
        problems.extend(manifest_mismatches(path, manifest, size, checksum))
    if header_ok:
        connection = open_immutable(path)
        try:
            expected = manifest.row_counts if manifest is not None else {}
            ignore = manifest.ignore_tables if manifest is not None else ()
            found = database_problems(connection, expected, ignore)
        finally:
            connection.close()
        if manifest is None:
            found = [problem for problem in found if "not in the manifest" not in problem]
        problems.extend(found)
    return VerifyResult(path, not problems, problems, manifest)
