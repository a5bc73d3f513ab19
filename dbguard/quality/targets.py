"""What the quality suite checks: the live database, the latest backup, a restore drill."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

TARGETS = ("live", "backup")  # every expectation runs on these; the drill is summarised


@dataclass(frozen=True)
class Target:
    name: str  # "live", "backup", "restore-drill"
    path: Path
    immutable: bool  # True for files nothing writes: opened without locks or -wal/-shm


@dataclass(frozen=True)
class LatestBackup:
    """The newest verified backup, or why there is none."""

    path: Path | None
    created_at: datetime | None  # UTC
    size: int
    reason: str  # why there is none ("" when there is one)
    row_counts: dict[str, int] = field(default_factory=dict)  # from its verified manifest
