"""What `backup list` shows: every backup with its verification and retention tier, and the
safety copies beside the live database with what the next prune does to them.

The verification shown is the recorded one for unchanged files
(backup.verification_record) unless `verify="full"`; a tier computed from
recorded results is for showing only — `prune` verifies everything again
before it deletes anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from backup.catalog import Verification, list_backups
from backup.entry import BackupEntry
from backup.retention import RetentionPlan, RetentionPolicy, plan
from backup.safety_copies import SafetyCopyPlan, list_safety_copies, plan_safety_copies


@dataclass(frozen=True)
class Inventory:
    backups: list[BackupEntry]  # oldest → newest
    retention: RetentionPlan[BackupEntry]
    safety_copies: SafetyCopyPlan


def take_inventory(
    backup_dir: Path,
    policy: RetentionPolicy,
    *,
    db_path: Path | None = None,
    safety_copies_keep: int = 0,
    verify: Verification = "recorded",
) -> Inventory:
    backups = list_backups(backup_dir, verify=verify)
    copies = list_safety_copies(db_path) if db_path is not None else []
    return Inventory(backups, plan(backups, policy), plan_safety_copies(copies, safety_copies_keep))
