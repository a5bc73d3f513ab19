"""What is in a backup folder: every published backup, oldest first, and the newest good one.

Only names matching `db_YYYYMMDD_HHMMSS.sqlite3` are listed; temp files never
are. A backup without a readable manifest is listed with `manifest=None` and
is never treated as valid.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from backup.manifest import Manifest, read_manifest
from backup.naming import DATABASE_BACKUP, NameScheme
from dbguard.errors import BackupError

if TYPE_CHECKING:
    from backup.verify import VerifyResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackupEntry:
    path: Path
    created_at: datetime  # UTC
    size: int
    manifest: Manifest | None
    # None: not checked yet; True/False: the result of verify_backup (problems say why).
    verified: bool | None = None
    problems: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.path.name


def list_backups(
    backup_dir: Path, *, verify: bool = False, scheme: NameScheme = DATABASE_BACKUP
) -> list[BackupEntry]:
    """Published backups in `backup_dir`, oldest → newest (a missing folder has none).

    With `verify=True` each entry carries the result of a full verification.
    """
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
        if verify:
            entry = with_verification(entry)
        entries.append(entry)
    entries.sort(key=lambda entry: (entry.created_at, entry.name))
    return entries


def verify_file(path: Path) -> VerifyResult:
    """verify_archive for a project archive (`.tar.gz`), else verify_backup."""
    from backup.archive import verify_archive
    from backup.verify import verify_backup

    return (verify_archive if path.name.endswith(".tar.gz") else verify_backup)(path)


def with_verification(entry: BackupEntry) -> BackupEntry:
    try:
        result = verify_file(entry.path)
    except BackupError as error:
        return replace(entry, verified=False, problems=(error.message,))
    return replace(entry, verified=result.ok, problems=tuple(result.problems))


def latest_verified_backup(backup_dir: Path) -> BackupEntry | None:
    """The newest backup that passes verify_backup, or None."""
    for entry in reversed(list_backups(backup_dir)):
        if entry.manifest is None:
            continue
        checked = with_verification(entry)
        if checked.verified:
            return checked
        log.warning("backup %s does not verify: %s", entry.path, "; ".join(checked.problems))
    return None
