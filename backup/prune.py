"""Apply a retention plan: delete what it drops (backup, then its manifest), or just show it.

Every backup is verified first, so the plan knows which copies are good; the
folder lock keeps a concurrent `create` from racing the deletion.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path

from backup.catalog import BackupEntry, list_backups
from backup.durable import folder_lock, fsync_dir
from backup.naming import DATABASE_BACKUP, NameScheme, manifest_path
from backup.retention import RetentionPlan, RetentionPolicy, plan

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PruneResult:
    plan: RetentionPlan[BackupEntry]
    deleted: list[Path]
    dry_run: bool


def prune_backups(
    backup_dir: Path,
    policy: RetentionPolicy,
    *,
    dry_run: bool = False,
    scheme: NameScheme = DATABASE_BACKUP,
) -> PruneResult:
    """Verify every backup in `backup_dir`, plan retention, delete the dropped ones."""
    folder = Path(backup_dir)
    if not folder.is_dir():
        empty: RetentionPlan[BackupEntry] = RetentionPlan([], [], [], {})
        return PruneResult(empty, [], dry_run)
    with folder_lock(folder):
        decided = plan(list_backups(folder, verify=True, scheme=scheme), policy)
        deleted: list[Path] = []
        if not dry_run:
            for entry in decided.drop:
                # The backup first: a kill in between leaves an orphan manifest, which is ignored.
                for path in (entry.path, manifest_path(entry.path)):
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
                deleted.append(entry.path)
                log.info("pruned %s (%s)", entry.path, decided.tier(entry.name))
            if deleted:
                fsync_dir(folder)
    return PruneResult(decided, deleted, dry_run)
