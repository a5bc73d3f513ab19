"""Apply a retention plan: delete what it drops (backup, then its manifest and record), or just
show it; and prune the safety copies beside the live database.

Every backup is verified in full first, so the plan knows which copies are
good; the folder lock keeps a concurrent `create` from racing the deletion.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from backup.catalog import list_backups
from backup.durable import folder_lock, fsync_dir
from backup.entry import BackupEntry
from backup.naming import DATABASE_BACKUP, NameScheme, companion_paths
from backup.retention import RetentionPlan, RetentionPolicy, plan
from backup.safety_copies import SafetyCopyPrune, prune_safety_copies

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PruneResult:
    plan: RetentionPlan[BackupEntry]
    deleted: list[Path]
    dry_run: bool
    # The safety copies beside the live database, when asked to prune them too.
    safety_copies: SafetyCopyPrune | None = None


def prune_backups(
    backup_dir: Path,
    policy: RetentionPolicy,
    *,
    dry_run: bool = False,
    scheme: NameScheme = DATABASE_BACKUP,
    db_path: Path | None = None,
    safety_copies_keep: int | None = None,
    protect: Callable[[list[BackupEntry]], Mapping[str, str]] | None = None,
) -> PruneResult:
    """Verify every backup in `backup_dir`, plan retention, delete the dropped ones; with
    `db_path` and `safety_copies_keep`, keep only that many safety copies beside it. When the
    plan drops anything, `protect(verified backups)` names those to keep anyway, with why."""
    safety = None
    if db_path is not None and safety_copies_keep is not None:
        safety = prune_safety_copies(db_path, safety_copies_keep, dry_run=dry_run)
    folder = Path(backup_dir)
    if not folder.is_dir():
        empty: RetentionPlan[BackupEntry] = RetentionPlan([], [], [], {})
        return PruneResult(empty, [], dry_run, safety)
    with folder_lock(folder):
        entries = list_backups(folder, verify="full", scheme=scheme)
        decided = plan(entries, policy)
        if protect is not None and decided.drop:
            verified = [entry for entry in entries if entry.verified is True]
            decided = plan(entries, policy, protect(verified))
        deleted: list[Path] = []
        if not dry_run:
            for entry in decided.drop:
                # The backup first: a kill in between leaves an orphan manifest, which is ignored.
                for path in (entry.path, *companion_paths(entry.path)):
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
                deleted.append(entry.path)
                log.info("pruned %s (%s)", entry.path, decided.tier(entry.name))
            if deleted:
                fsync_dir(folder)
    return PruneResult(decided, deleted, dry_run, safety)
