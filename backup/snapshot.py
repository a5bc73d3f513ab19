"""Take a transaction-consistent backup of a live (WAL) database while the app writes.

How: open the source read-only, BEGIN a read transaction and hold it, then
copy with SQLite's online backup API in steps. Holding the read transaction
pins one snapshot, so the copy never restarts however fast another process
commits (a stepwise backup without it restarts forever under a writer), and
in WAL mode the writer is never blocked. The copy is flushed to disk between
steps: a writer's per-commit fsync waits behind whatever dirty data the file
system holds, so a copy flushed all at once at its end stalls the writer. The
copy is converted to a rollback-journal file so a backup is one self-contained
file, then:

    temp name in the backup folder → fsync → verify (integrity_check + row
    counts equal the source snapshot's; sha256 computed alongside) → manifest
    → publish (no clobber) → fsync folder

A crash or kill at any point leaves only a hidden temp file (cleaned up by
the next run), never a file that looks like a backup.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from backup.durable import (
    FILE_MODE,
    ensure_private_dir,
    folder_lock,
    free_name,
    fsync_file,
    remove_stale_temps,
)
from backup.entry import BackupEntry
from backup.errors import BackupFailed
from backup.manifest import KIND_DATABASE, Manifest, publish_with_manifest, sha256_of
from backup.naming import (
    DATABASE_BACKUP,
    MANIFEST_SUFFIX,
    RECORD_SUFFIX,
    temp_path,
    utc_now,
)
from backup.verify import database_problems, open_immutable
from dbguard import __version__
from dbguard.database import quote_identifier, read_only_uri, require_database, user_tables

log = logging.getLogger(__name__)

# progress(done_pages, total_pages)
Progress = Callable[[int, int], None]
# Flush the copy to disk after about this many bytes. Bench, 1 GiB under a writer at
# synchronous=FULL: its worst commit during the backup went from 110-400 ms to 14-20 ms.
SYNC_BYTES = 32 << 20


@dataclass(frozen=True)
class SnapshotInfo:
    created_at: datetime
    row_counts: dict[str, int]
    journal_mode: str
    page_size: int


def create_backup(
    db_path: Path,
    backup_dir: Path,
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
    busy_timeout: float = 30.0,
    ignore_tables: Sequence[str] = (),
) -> BackupEntry:
    """Back up `db_path` into `backup_dir`; return the published, verified backup.

    `ignore_tables` are `[checks] ignore_tables` (as plain globs: backup/ does not read the
    configuration): the manifest counts every table but those, and records them.

    Bad input (missing DB, unusable folder) raises DatabaseError/BackupError;
    a backup that fails or does not verify raises BackupFailed and publishes
    nothing.
    """
    source = require_database(Path(db_path)).resolve()
    folder = ensure_private_dir(Path(backup_dir))
    with folder_lock(folder):
        remove_stale_temps(folder, DATABASE_BACKUP.prefix)
        remove_orphan_manifests(folder)
        final = free_name(folder, DATABASE_BACKUP, now)
        temp = temp_path(final)
        started = time.monotonic()
        try:
            info = snapshot_database(
                source,
                temp,
                progress=progress,
                busy_timeout=busy_timeout,
                now=now,
                ignore_tables=ignore_tables,
            )
            fsync_file(temp)
            digest = _verify_and_hash(temp, info.row_counts, ignore_tables)
            owner = source.stat()  # for a restore that has no file left to copy them from
            manifest = Manifest(
                kind=KIND_DATABASE,
                file_name=final.name,
                sha256=digest,
                size=temp.stat().st_size,
                created_at=info.created_at,
                source=str(source),
                duration_seconds=round(time.monotonic() - started, 3),
                dbguard_version=__version__,
                sqlite_version=sqlite3.sqlite_version,
                source_journal_mode=info.journal_mode,
                page_size=info.page_size,
                row_counts=info.row_counts,
                ignore_tables=tuple(ignore_tables),
                source_mode=stat.S_IMODE(owner.st_mode),
                source_uid=owner.st_uid,
                source_gid=owner.st_gid,
            )
            publish_with_manifest(temp, final, manifest)
        except BaseException:
            _remove_temp(temp)
            raise
    log.info("backup %s published (%d bytes)", final, manifest.size)
    return BackupEntry(final, info.created_at, manifest.size, manifest, verified=True)


def snapshot_database(
    source: Path,
    destination: Path,
    *,
    progress: Progress | None = None,
    busy_timeout: float = 30.0,
    now: datetime | None = None,
    ignore_tables: Sequence[str] = (),
) -> SnapshotInfo:
    """Copy `source` (live) into the new file `destination` (mode 0600) as one snapshot, and
    count the rows of its tables but the ignored ones."""
    # Kept open until SQLite has closed the file: closing a descriptor of a file drops every
    # POSIX lock this process holds on it, SQLite's included.
    fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        return _snapshot(source, destination, fd, progress, busy_timeout, now, ignore_tables)
    except OSError as error:
        raise BackupFailed(
            f"writing {destination} failed: {error.strerror or error}",
            "check free space and the health of the backup disk",
        ) from None
    finally:
        os.close(fd)


def _snapshot(
    source: Path,
    destination: Path,
    fd: int,
    progress: Progress | None,
    busy_timeout: float,
    now: datetime | None,
    ignore_tables: Sequence[str],
) -> SnapshotInfo:
    try:
        src = _open_source(source, busy_timeout)
    except sqlite3.Error as error:
        raise BackupFailed(
            f"cannot open {source}: {error}", "check that it is a readable SQLite database"
        ) from None
    try:
        dest = sqlite3.connect(destination, isolation_level=None)
        try:
            src.execute("BEGIN")
            # The first read starts the snapshot that the counts and the copy both see.
            src.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            journal_mode = str(src.execute("PRAGMA journal_mode").fetchone()[0])
            page_size = int(src.execute("PRAGMA page_size").fetchone()[0])
            total_pages = int(src.execute("PRAGMA page_count").fetchone()[0])
            created_at = now or utc_now()
            counts = {
                table: int(
                    src.execute(f"SELECT COUNT(*) FROM {quote_identifier(table)}").fetchone()[0]
                )
                for table in user_tables(src, ignore_tables)
            }
            _copy(src, dest, total_pages, page_size, progress, sync=lambda: os.fdatasync(fd))
            src.rollback()
            # One self-contained file: no -wal beside a backup, readable read-only anywhere.
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
    except sqlite3.Error as error:
        raise BackupFailed(f"backup of {source} failed: {error}", "see the log") from None
    finally:
        src.close()
    return SnapshotInfo(created_at, counts, journal_mode, page_size)


def _open_source(source: Path, busy_timeout: float) -> sqlite3.Connection:
    connection: sqlite3.Connection | None = None
    try:
        connection = sqlite3.connect(
            read_only_uri(source), uri=True, timeout=busy_timeout, isolation_level=None
        )
        connection.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        return connection
    except sqlite3.OperationalError:
        if connection is not None:
            connection.close()
        # A WAL database in a read-only folder without its -shm cannot be opened read-only.
        log.info("opening %s read-only failed; opening it read-write to copy it", source)
        return sqlite3.connect(source, timeout=busy_timeout, isolation_level=None)


def _copy(
    src: sqlite3.Connection,
    dest: sqlite3.Connection,
    total: int,
    page_size: int,
    progress: Progress | None,
    sync: Callable[[], None],
) -> None:
    """Copy in steps, calling `sync` after every SYNC_BYTES copied (and `progress` per step).

    Steps are safe only because the caller holds a read transaction on `src`: without it,
    every commit of another connection between two steps restarts the copy.
    """
    sync_pages = max(1, SYNC_BYTES // max(page_size, 1))
    step = sync_pages if progress is None else min(sync_pages, max(256, total // 100))
    synced = 0

    def after_step(_status: int, remaining: int, count: int) -> None:
        nonlocal synced
        done = count - remaining
        if done - synced >= sync_pages:
            sync()
            synced = done
        if progress is not None:
            progress(done, count)

    src.backup(dest, pages=step, progress=after_step)


def _verify_and_hash(temp: Path, expected: dict[str, int], ignore: Sequence[str]) -> str:
    """Verify the copy and compute its sha256 side by side; both release the GIL."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="backup-sha256") as pool:
        digest = pool.submit(sha256_of, temp)
        _verify_copy(temp, expected, ignore)
        return digest.result()


def _verify_copy(temp: Path, expected: dict[str, int], ignore: Sequence[str]) -> None:
    connection = open_immutable(temp)
    try:
        problems = database_problems(connection, expected, ignore)
    finally:
        connection.close()
    if problems:
        raise BackupFailed(
            "the new backup did not verify: " + "; ".join(problems),
            "nothing was published; check the source with PRAGMA integrity_check",
        )


def _remove_temp(temp: Path) -> None:
    for leftover in (temp, temp.with_name(temp.name + "-journal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def remove_orphan_manifests(folder: Path) -> None:
    """Manifests and verification records whose backup is gone (a kill between manifest and
    publish, or during a prune)."""
    for suffix in (MANIFEST_SUFFIX, RECORD_SUFFIX):
        for path in folder.glob(DATABASE_BACKUP.prefix + "*" + suffix):
            backup_name = path.name.removesuffix(suffix)
            if DATABASE_BACKUP.parse(backup_name) and not (folder / backup_name).exists():
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
