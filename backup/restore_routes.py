"""The two restore routes, offline and online, and the check that ends both (see backup.restore)."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import time
from pathlib import Path

from backup.durable import fsync_dir, fsync_file
from backup.errors import RestoreMismatch, RestoreRefused
from backup.holders import database_files, processes_holding
from backup.journals import checkpoint_wal, remove_companions
from backup.manifest import Manifest
from backup.naming import temp_path
from backup.ownership import Ownership
from backup.ownership import apply as apply_ownership
from backup.verify import database_problems, open_immutable


def restore_offline(source: Path, db_path: Path, manifest: Manifest, ownership: Ownership) -> str:
    """Verified temp copy first, with the `ownership` the database file must have; only then
    drop the old -wal/-shm/-journal and rename the copy into place. Returns a note when the
    owner could not be given (see backup.ownership.apply), else ""."""
    temp = temp_path(db_path)
    try:
        shutil.copyfile(source, temp)
        note = apply_ownership(temp, ownership)
        connection = sqlite3.connect(temp, isolation_level=None)
        try:
            if manifest.source_journal_mode.lower() == "wal":
                connection.execute("PRAGMA journal_mode = WAL")
            problems = database_problems(connection, manifest.row_counts, manifest.ignore_tables)
        finally:
            connection.close()
        if problems:
            raise RestoreRefused(
                "the copied backup did not verify: " + "; ".join(problems),
                "check the disk; the database was not changed",
            )
        fsync_file(temp)
        if processes_holding(db_path):
            raise RestoreRefused(
                f"{db_path} was opened by another process during the restore; nothing changed",
                "run the restore again",
            )
        if db_path.exists():
            checkpoint_wal(db_path)
            remove_companions(db_path)
        os.replace(temp, db_path)
        fsync_dir(db_path.parent)
    finally:
        for leftover in database_files(temp):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    _check_restored(db_path, manifest)
    return note


class _Busy(Exception):
    pass


def restore_online(source: Path, db_path: Path, manifest: Manifest, busy_timeout: float) -> None:
    backup = open_immutable(source)
    # Short busy waits and fast retries: SQLite's lock is not fair, and a long sleep between
    # attempts misses the brief gaps between a busy writer's transactions.
    live = sqlite3.connect(db_path, timeout=min(busy_timeout, 0.01), isolation_level=None)
    deadline = time.monotonic() + busy_timeout

    def give_up_when_busy(status: int, _remaining: int, _total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise _Busy

    try:
        backup.backup(live, pages=-1, progress=give_up_when_busy, sleep=0.001)
    except _Busy:
        raise RestoreRefused(
            f"{db_path} is busy being written (locked for more than {busy_timeout:g} s); "
            "nothing changed",
            "retry when the application is idle, raise --timeout, or stop it and retry",
        ) from None
    except sqlite3.Error as error:
        raise RestoreRefused(
            f"online restore into {db_path} failed: {error}; nothing changed",
            "stop the application and retry (offline restore)",
        ) from None
    finally:
        backup.close()
        live.close()
    _check_restored(db_path, manifest)


def _check_restored(db_path: Path, manifest: Manifest) -> None:
    connection = sqlite3.connect(db_path, timeout=10.0)
    try:
        problems = database_problems(connection, manifest.row_counts, manifest.ignore_tables)
    finally:
        connection.close()
    if problems:
        raise RestoreMismatch(
            f"{db_path} does not match the backup after the restore: " + "; ".join(problems),
            "if the application wrote meanwhile this may be expected; otherwise restore again",
        )
