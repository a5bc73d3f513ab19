"""The files SQLite keeps beside a database (-wal, -shm, -journal) when a restore replaces it.

Left beside a restored file, SQLite would replay them onto it: a stale WAL
adds the old database's last transactions to the backup (measured: 6,000 rows
from a backup of 1,000), and a hot rollback journal — left by a writer that
crashed mid-transaction — writes the old pages back over it. So the offline
restore deals with each deliberately:

- a hot journal is rolled back before the safety copy is made
  (fold_hot_journal), so the old database and its safety copy hold its last
  committed state; if SQLite cannot roll it back, the safety copy keeps the
  file and its journal byte for byte, as a pair that rolls back when opened;
- the WAL is checkpointed into the old file;
- once the safety copy holds all of it, the -wal, -shm and -journal are removed
  just before the restored file is renamed into place;
- without a database, a -wal, -shm or -journal is moved aside under the name
  a safety copy would have (set_aside_orphans).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from pathlib import Path

log = logging.getLogger(__name__)

SUFFIXES = ("-wal", "-shm", "-journal")
# The first 8 bytes of a rollback journal that still has to be played back; SQLite zeroes them
# (journal_mode=PERSIST) or truncates or deletes the file when a transaction ends.
JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")


def companion(db_path: Path, suffix: str) -> Path:
    return db_path.with_name(db_path.name + suffix)


def has_hot_journal(db_path: Path) -> bool:
    """Whether a rollback journal beside `db_path` still holds a transaction to roll back."""
    try:
        with companion(db_path, "-journal").open("rb") as handle:
            return handle.read(len(JOURNAL_MAGIC)) == JOURNAL_MAGIC
    except OSError:
        return False


def fold_hot_journal(db_path: Path, busy_timeout: float) -> bool:
    """Roll back a hot journal into `db_path` (nobody else may have it open); True if one was.

    SQLite rolls a hot journal back when a read-write connection first reads
    the database. False when there was none or it could not be rolled back.
    """
    if not has_hot_journal(db_path):
        return False
    try:
        connection = sqlite3.connect(db_path, timeout=busy_timeout)
        try:
            connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        log.warning("cannot roll back the hot journal of %s: %s", db_path, error)
        return False
    if has_hot_journal(db_path):
        log.warning("the hot journal of %s is still there after opening it", db_path)
        return False
    log.info("rolled back the hot journal of %s (a writer crashed mid-transaction)", db_path)
    return True


def checkpoint_wal(db_path: Path) -> None:
    """Fold the WAL into the database file (best effort: the safety copy holds it anyway)."""
    try:
        connection = sqlite3.connect(db_path, timeout=1.0)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
    except sqlite3.Error as error:
        log.warning("could not checkpoint %s: %s", db_path, error)


def remove_companions(db_path: Path) -> None:
    """Remove the -wal, -shm and -journal of `db_path`; only once the safety copy holds them."""
    for suffix in SUFFIXES:
        with contextlib.suppress(FileNotFoundError):
            companion(db_path, suffix).unlink()


def set_aside_orphans(db_path: Path, target: Path) -> bool:
    """Move a -wal/-shm/-journal that has no database to `target` + the same suffix."""
    moved = False
    for suffix in SUFFIXES:
        orphan = companion(db_path, suffix)
        if orphan.exists():
            os.replace(orphan, companion(target, suffix))
            moved = True
    return moved
