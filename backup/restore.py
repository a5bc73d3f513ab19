"""Put a verified backup back in place of the live database — by one of two safe routes only.

1. **Offline** (no process has the database, its -wal or -shm open): roll
   back a hot journal, keep a consistent safety copy, fold the old WAL into
   the old file, write the backup to a temp file beside the database, verify
   it, fsync, remove the old -wal/-shm/-journal (their content is in the
   safety copy; see backup.journals), rename into place, fsync the folder.
   Nothing SQLite could replay onto the restored file is left beside it.
2. **Online** (a process has it open): keep the safety copy, then copy the
   backup *into* the live database with SQLite's backup API, which takes
   SQLite's own write lock, so the application sees the old data or the new.
   When a writer holds the lock longer than the timeout, the restore is
   refused and nothing changes.

Never a rename or copy over a database that a process has open. Either route
ends with integrity_check and row counts equal to the backup's manifest. The file an
offline restore writes gets the mode and owner of the file it replaces; with no file to
replace, those its backups' manifests recorded, else its folder's (backup.ownership). A
database path that is a symlink is restored into the link's target (the link
stays), and the safety copies sit beside the target.

A refused restore removes the safety copy it made (nothing changed); after a
successful one, the safety copies beyond the newest `safety_copies_keep` are
pruned, never the one just made.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from backup.catalog import existing_backup_folder, latest_verified_backup
from backup.durable import remove_stale_temps
from backup.entry import BackupEntry
from backup.errors import RestoreMismatch, RestoreRefused
from backup.holders import process_name, processes_holding
from backup.journals import fold_hot_journal, has_hot_journal, set_aside_orphans
from backup.manifest import Manifest
from backup.naming import manifest_path, utc_now
from backup.ownership import Ownership, RecordedOwnership, decide, newest_recorded, of_file
from backup.restore_routes import restore_offline, restore_online
from backup.safety_copies import (
    make_safety_copy,
    prune_safety_copies,
    remove_safety_copy,
    safety_copy_path,
)
from backup.verify import verify_backup
from dbguard.errors import BackupError

log = logging.getLogger(__name__)

Confirm = Callable[[str], bool]


@dataclass(frozen=True)
class RestoreResult:
    db_path: Path  # the file restored (a symlink's target)
    backup_path: Path
    route: str  # "new", "offline" or "online"
    safety_copy: Path | None
    row_counts: dict[str, int]
    # What the restore found and did beyond the usual (a hot journal rolled back, …).
    notes: tuple[str, ...] = ()
    pruned_safety_copies: tuple[Path, ...] = ()
    # The mode and owner the file written got (routes "new" and "offline"; online keeps the file).
    ownership: Ownership | None = None


def latest_to_restore(backup_dir: Path) -> BackupEntry:
    """The newest backup in `backup_dir` that verifies now (`--latest`), read in full."""
    folder = existing_backup_folder(backup_dir)
    entry = latest_verified_backup(folder)
    if entry is None or entry.manifest is None:
        raise RestoreRefused(
            f"no backup in {folder} verifies", "take one with 'dbguard backup create'"
        )
    return entry


def restore_backup(
    source: Path,
    db_path: Path,
    *,
    manifest: Manifest | None = None,
    assume_yes: bool = False,
    confirm: Confirm | None = None,
    busy_timeout: float = 10.0,
    now: datetime | None = None,
    safety_copies_keep: int | None = None,
    backup_dir: Path | None = None,
) -> RestoreResult:
    """Restore the database file `source` to `db_path` by one of the two routes.

    `source` is verified against its manifest first, unless the caller has just
    verified it and passes the `manifest` that describes it (row counts, journal
    mode): any verified source of a database can come in that way. Without
    `assume_yes`, `confirm(question)` must return True. With `safety_copies_keep`,
    older safety copies are pruned after a successful restore. When `db_path` is missing,
    the newest manifest in `backup_dir` that records the database file's mode and owner
    gives them (backup.ownership). Raises BackupError for bad input, RestoreRefused when the
    restore is refused or fails.
    """
    source = Path(source)
    if manifest is None:
        manifest = _verified_manifest(source)
    db_path = Path(db_path).resolve()  # a symlink: restore into its target, keep the link
    if not db_path.parent.is_dir():
        raise BackupError(
            f"folder {db_path.parent} does not exist", "pass --db with a path in an existing folder"
        )
    if db_path.exists() and not db_path.is_file():
        raise BackupError(f"{db_path} is not a file", "pass --db with the database file")
    if not assume_yes:
        question = (
            f"Replace {db_path} with {source.name}"
            f" ({manifest.created_at.astimezone():%Y-%m-%d %H:%M %Z})?"
        )
        if confirm is None or not confirm(question):
            raise RestoreRefused("restore not confirmed; nothing changed", "pass --yes to confirm")
    # A restore or safety copy killed mid-way left a hidden `.<db>….tmp-<pid>` beside it.
    remove_stale_temps(db_path.parent, db_path.name)
    moment = now or utc_now()
    counts = dict(manifest.row_counts)
    if not db_path.exists():
        _refuse_while_the_lost_file_is_held(db_path)
        recorded = [
            *newest_recorded(backup_dir),
            RecordedOwnership(manifest_path(source).name, manifest),
        ]
        created = decide(db_path, db_path.parent.stat(), recorded)
        set_aside = safety_copy_path(db_path, moment)
        moved = set_aside_orphans(db_path, set_aside)
        note = restore_offline(source, db_path, manifest, created)
        return RestoreResult(
            db_path,
            source,
            "new",
            set_aside if moved else None,
            counts,
            notes=(note,) if note else (),
            ownership=created,
        )
    holders = processes_holding(db_path)
    notes: list[str] = []
    byte_copy = False
    if holders == [] and has_hot_journal(db_path):
        journal = db_path.name + "-journal"
        if fold_hot_journal(db_path, busy_timeout):
            notes.append(
                f"rolled back the hot journal {journal} (a writer crashed mid-transaction);"
                " the safety copy holds the last committed state"
            )
        else:
            byte_copy = True
            notes.append(
                f"{journal} could not be rolled back; the safety copy keeps the file and"
                " its journal as a pair"
            )
    safety = make_safety_copy(db_path, moment, busy_timeout=busy_timeout, byte_copy=byte_copy)
    log.info("safety copy of %s at %s", db_path, safety)
    ownership: Ownership | None = None
    try:
        if holders == []:
            ownership = of_file(db_path.stat(), "as the file it replaced")
            note = restore_offline(source, db_path, manifest, ownership)
            notes.extend([note] if note else [])
            route = "offline"
        else:
            restore_online(source, db_path, manifest, busy_timeout)
            route = "online"
    except RestoreMismatch as error:
        raise RestoreMismatch(
            f"{error.message}; the previous database is kept at {safety}", error.hint
        ) from None
    except RestoreRefused:
        remove_safety_copy(safety)  # nothing changed: the copy would only take space
        raise
    pruned: tuple[Path, ...] = ()
    if safety_copies_keep is not None:
        pruned = tuple(prune_safety_copies(db_path, safety_copies_keep, protect=safety).deleted)
    return RestoreResult(db_path, source, route, safety, counts, tuple(notes), pruned, ownership)


def _refuse_while_the_lost_file_is_held(db_path: Path) -> None:
    """A database deleted (or lost with its disk) while a process had it open is still held
    by that process, which would go on using the lost file: the application, or Litestream
    replicating it into the replica. Stop them first, start them after."""
    holders = processes_holding(db_path)
    if not holders:
        return
    named = ", ".join(f"{process_name(pid)} (pid {pid})" for pid in holders)
    raise RestoreRefused(
        f"{db_path} is gone, but {named} still has the lost file open; nothing changed",
        "stop it first (the application; `dbguard replicate`: systemctl stop "
        "dbguard-replicate), restore, then start it again",
    )


def _verified_manifest(backup_path: Path) -> Manifest:
    result = verify_backup(backup_path)
    if not result.ok or result.manifest is None:
        raise RestoreRefused(
            f"refusing to restore {backup_path}: {result.summary()}",
            "pick a backup that verifies ('dbguard backup list', or --latest)",
        )
    return result.manifest
