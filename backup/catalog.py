"""What is in a backup folder: every published backup, oldest first, and the newest good one.

Only names matching `db_YYYYMMDD_HHMMSS.sqlite3` (or `project_…tar.gz` for
archives) are listed; temp files never are. A backup without a readable
manifest is listed with `manifest=None` and is never treated as valid.

How much is verified while listing:

- "no": nothing is read but names, sizes and manifests;
- "recorded": the recorded result of the last full verification is used
  while the file is unchanged (backup.verification_record); a changed or
  unrecorded file is verified in full. For showing (`backup list`), never
  for deciding what to delete or restore;
- "full": every file is read in full (`list --verify`, `prune`, `restore`).

Every full verification is recorded for the next listing.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Literal

from backup.archive import verify_archive
from backup.entry import BackupEntry
from backup.manifest import Manifest, read_manifest
from backup.naming import DATABASE_BACKUP, PROJECT_ARCHIVE, NameScheme, utc_now
from backup.verification_record import identity_of, read_record, write_record
from backup.verify import VerifyResult, verify_backup
from dbguard.errors import BackupError

log = logging.getLogger(__name__)

Verification = Literal["no", "recorded", "full"]


def existing_backup_folder(backup_dir: Path) -> Path:
    """`backup_dir`, or a BackupError (an input error, exit 2) naming the setting to fix."""
    folder = Path(backup_dir)
    if not folder.is_dir():
        raise BackupError(
            f"backup folder {folder} does not exist",
            "check --backup-dir or [backup] dir in dbguard.toml",
        )
    return folder


def list_backups(
    backup_dir: Path, *, verify: Verification = "no", scheme: NameScheme = DATABASE_BACKUP
) -> list[BackupEntry]:
    """Published backups in `backup_dir`, oldest → newest (a missing folder has none)."""
    folder = Path(backup_dir)
    if not folder.is_dir():
        return []
    entries: list[BackupEntry] = []
    for path in folder.iterdir():
        created_at = scheme.parse(path.name)
        if created_at is None or not path.is_file():
            continue
        try:
            manifest: Manifest | None = read_manifest(path)
        except BackupError:
            manifest = None
        try:
            size = path.stat().st_size
        except FileNotFoundError:  # pruned meanwhile
            continue
        if manifest is not None and manifest.created_at.replace(microsecond=0) == created_at:
            created_at = manifest.created_at
        entry = BackupEntry(path, created_at, size, manifest)
        if verify == "full":
            entry = with_verification(entry)
        elif verify == "recorded":
            entry = with_recorded_verification(entry)
        entries.append(entry)
    entries.sort(key=lambda entry: (entry.created_at, entry.name))
    return entries


def list_archives(archive_dir: Path, *, verify: Verification = "no") -> list[BackupEntry]:
    return list_backups(archive_dir, verify=verify, scheme=PROJECT_ARCHIVE)


def verify_file(path: Path) -> VerifyResult:
    """Read all of `path` (verify_archive for a `.tar.gz`, else verify_backup); record the result
    beside a published backup or archive."""
    return _verify_and_record(Path(path))[0]


def _verify_and_record(path: Path) -> tuple[VerifyResult, datetime]:
    published = DATABASE_BACKUP.parse(path.name) or PROJECT_ARCHIVE.parse(path.name)
    try:
        identity = identity_of(path) if published else None  # before reading: a change shows
    except OSError:
        identity = None
    started = utc_now()
    result = (verify_archive if path.name.endswith(".tar.gz") else verify_backup)(path)
    if identity is not None:
        write_record(path, identity, started, result)
    return result, started


def with_verification(entry: BackupEntry) -> BackupEntry:
    """`entry` with the result of reading it in full now."""
    try:
        result, started = _verify_and_record(entry.path)
    except BackupError as error:
        return replace(
            entry, verified=False, problems=(error.message,), verified_at=utc_now(), reverified=True
        )
    return replace(
        entry,
        verified=result.ok,
        problems=tuple(result.problems),
        verified_at=started,
        reverified=True,
    )


def with_recorded_verification(entry: BackupEntry) -> BackupEntry:
    """`entry` with its recorded verification if the file is unchanged since, else verified now."""
    record = read_record(entry.path)
    if record is None:
        return with_verification(entry)
    return replace(
        entry, verified=record.ok, problems=record.problems, verified_at=record.verified_at
    )


def latest_verified_backup(backup_dir: Path) -> BackupEntry | None:
    """The newest backup that passes a full verification now, or None."""
    for entry in reversed(list_backups(backup_dir)):
        if entry.manifest is None:
            continue
        checked = with_verification(entry)
        if checked.verified:
            return checked
        log.warning("backup %s does not verify: %s", entry.path, "; ".join(checked.problems))
    return None
