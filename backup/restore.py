"""Put a verified backup back in place of the live database — by one of two safe routes only.

1. **Offline** (no process has the database, its -wal or -shm open): keep a
   consistent safety copy, fold the old WAL into the old file and remove the
   -wal/-shm (their content is in the safety copy), write the backup to a
   temp file beside the database, verify it, fsync, rename into place, fsync
   the folder. A stale -wal is never left beside the restored file, where
   SQLite would replay it onto the backup.
2. **Online** (a process has it open): keep the safety copy, then copy the
   backup *into* the live database with SQLite's backup API, which takes
   SQLite's own write lock, so the application sees the old data or the new.
   When a writer holds the lock longer than the timeout, the restore is
   refused and nothing changes.

Never a rename or copy over a database that a process has open. Either route
ends with integrity_check and row counts equal to the backup's manifest.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from backup.catalog import latest_verified_backup
from backup.durable import FILE_MODE, fsync_dir, fsync_file
from backup.errors import RestoreRefused
from backup.holders import database_files, processes_holding
from backup.manifest import Manifest
from backup.naming import TIMESTAMP_FORMAT, temp_path, utc_now
from backup.snapshot import snapshot_database
from backup.verify import database_problems, verify_backup
from dbguard.errors import BackupError

log = logging.getLogger(__name__)

SAFETY_MARKER = ".before_restore."


@dataclass(frozen=True)
class RestoreResult:
    db_path: Path
    backup_path: Path
    route: str  # "new", "offline" or "online"
    safety_copy: Path | None
    row_counts: dict[str, int]


def restore_latest(
    backup_dir: Path,
    db_path: Path,
    *,
    assume_yes: bool = False,
    confirm: Callable[[str], bool] | None = None,
    busy_timeout: float = 10.0,
) -> RestoreResult:
    """Restore the newest backup in `backup_dir` that verifies (`--latest`)."""
    entry = latest_verified_backup(backup_dir)
    if entry is None:
        raise RestoreRefused(
            f"no backup in {backup_dir} verifies", "take one with 'dbguard backup create'"
        )
    return restore_backup(
        entry.path, db_path, assume_yes=assume_yes, confirm=confirm, busy_timeout=busy_timeout
    )


def restore_backup(
    backup_path: Path,
    db_path: Path,
    *,
    assume_yes: bool = False,
    confirm: Callable[[str], bool] | None = None,
    busy_timeout: float = 10.0,
    now: datetime | None = None,
) -> RestoreResult:
    """Restore `backup_path` to `db_path`; see the module docstring for the routes.

    Without `assume_yes`, `confirm(question)` must return True. Raises
    BackupError for bad input, RestoreRefused when the restore is refused or
    fails (a safety copy made before the failure is named in the message).
    """
    backup_path = Path(backup_path)
    db_path = Path(db_path).absolute()
    result = verify_backup(backup_path)
    if not result.ok or result.manifest is None:
        raise RestoreRefused(
            f"refusing to restore {backup_path}: {result.summary()}",
            "pick a backup that verifies ('dbguard backup list', or --latest)",
        )
    manifest = result.manifest
    if not db_path.parent.is_dir():
        raise BackupError(
            f"folder {db_path.parent} does not exist", "pass --db with a path in an existing folder"
        )
    if db_path.exists() and not db_path.is_file():
        raise BackupError(f"{db_path} is not a file", "pass --db with the database file")
    if not assume_yes:
        question = (
            f"Replace {db_path} with {backup_path.name}"
            f" ({manifest.created_at.astimezone():%Y-%m-%d %H:%M %Z})?"
        )
        if confirm is None or not confirm(question):
            raise RestoreRefused("restore not confirmed; nothing changed", "pass --yes to confirm")
    moment = now or utc_now()
    if not db_path.exists():
        set_aside = _set_aside_orphan_journals(db_path, moment)
        _restore_offline(backup_path, db_path, manifest)
        return RestoreResult(db_path, backup_path, "new", set_aside, dict(manifest.row_counts))
    holders = processes_holding(db_path)
    safety = make_safety_copy(db_path, moment, busy_timeout=busy_timeout)
    log.info("safety copy of %s at %s", db_path, safety)
    try:
        if holders == []:
            _restore_offline(backup_path, db_path, manifest)
            route = "offline"
        else:
            _restore_online(backup_path, db_path, manifest, busy_timeout)
            route = "online"
    except RestoreRefused as error:
        raise RestoreRefused(f"{error.message}; safety copy kept at {safety}", error.hint) from None
    return RestoreResult(db_path, backup_path, route, safety, dict(manifest.row_counts))


def safety_copy_path(db_path: Path, moment: datetime) -> Path:
    base = f"{db_path.name}{SAFETY_MARKER}{moment.strftime(TIMESTAMP_FORMAT)}"
    candidate = db_path.with_name(base)
    number = 1
    while any(path.exists() for path in database_files(candidate)):
        number += 1
        candidate = db_path.with_name(f"{base}_{number}")
    return candidate


def make_safety_copy(db_path: Path, moment: datetime, *, busy_timeout: float = 10.0) -> Path:
    """A consistent copy of the current database (backup API) beside it; returns its path.

    A database SQLite cannot read (that may be why you restore) is kept byte
    for byte instead, with its -wal.
    """
    target = safety_copy_path(db_path, moment)
    temp = temp_path(target)
    target_wal = target.with_name(target.name + "-wal")
    try:
        try:
            snapshot_database(db_path, temp, busy_timeout=busy_timeout)
        except BackupError as error:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            log.warning(
                "cannot snapshot %s (%s); keeping its bytes instead", db_path, error.message
            )
            shutil.copyfile(db_path, temp)
            wal = db_path.with_name(db_path.name + "-wal")
            if wal.exists():
                shutil.copyfile(wal, target_wal)
        os.chmod(temp, FILE_MODE)
        fsync_file(temp)
        os.replace(temp, target)
    except BaseException:
        # A full disk is a common reason to restore: leave no partial copy taking space.
        for leftover in (temp, temp.with_name(temp.name + "-journal"), target_wal):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        raise
    fsync_dir(target.parent)
    return target


def _set_aside_orphan_journals(db_path: Path, moment: datetime) -> Path | None:
    """A -wal/-shm/-journal without its database would be replayed onto the new file."""
    moved: Path | None = None
    for suffix in ("-wal", "-shm", "-journal"):
        orphan = db_path.with_name(db_path.name + suffix)
        if orphan.exists():
            target = safety_copy_path(db_path, moment)
            os.replace(orphan, target.with_name(target.name + suffix))
            moved = target
    return moved


def _remove_old_wal(db_path: Path) -> None:
    """Fold the old WAL into the old file (best effort), then make sure no -wal/-shm remain."""
    try:
        connection = sqlite3.connect(db_path, timeout=1.0)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
    except sqlite3.Error as error:
        log.warning("could not checkpoint %s: %s", db_path, error)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            db_path.with_name(db_path.name + suffix).unlink()


def _restore_offline(backup_path: Path, db_path: Path, manifest: Manifest) -> None:
    """Verified temp copy first; only then drop the old WAL and rename the copy into place."""
    temp = temp_path(db_path)
    try:
        shutil.copyfile(backup_path, temp)
        _same_owner_and_mode(db_path, temp)
        connection = sqlite3.connect(temp, isolation_level=None)
        try:
            if manifest.source_journal_mode.lower() == "wal":
                connection.execute("PRAGMA journal_mode = WAL")
            problems = database_problems(connection, manifest.row_counts)
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
            _remove_old_wal(db_path)
        os.replace(temp, db_path)
        fsync_dir(db_path.parent)
    finally:
        for leftover in database_files(temp):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    _check_restored(db_path, manifest)


def _same_owner_and_mode(original: Path, replacement: Path) -> None:
    """The restored file keeps the database's mode and owner, so the app can still write it."""
    if not original.exists():
        os.chmod(replacement, FILE_MODE)
        return
    status = original.stat()
    os.chmod(replacement, status.st_mode & 0o777)
    with contextlib.suppress(PermissionError):
        os.chown(replacement, status.st_uid, status.st_gid)


class _Busy(Exception):
    pass


def _restore_online(
    backup_path: Path, db_path: Path, manifest: Manifest, busy_timeout: float
) -> None:
    from backup.verify import open_immutable

    source = open_immutable(backup_path)
    # Short busy waits and fast retries: SQLite's lock is not fair, and a long sleep between
    # attempts misses the brief gaps between a busy writer's transactions.
    live = sqlite3.connect(db_path, timeout=min(busy_timeout, 0.01), isolation_level=None)
    deadline = time.monotonic() + busy_timeout

    def give_up_when_busy(status: int, _remaining: int, _total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise _Busy

    try:
        source.backup(live, pages=-1, progress=give_up_when_busy, sleep=0.001)
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
        source.close()
        live.close()
    _check_restored(db_path, manifest)


def _check_restored(db_path: Path, manifest: Manifest) -> None:
    connection = sqlite3.connect(db_path, timeout=10.0)
    try:
        problems = database_problems(connection, manifest.row_counts)
    finally:
        connection.close()
    if problems:
        raise RestoreRefused(
            f"{db_path} does not match the backup after the restore: " + "; ".join(problems),
            "if the application wrote meanwhile this may be expected; otherwise restore again",
        )
