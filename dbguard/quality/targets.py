"""What the quality suite checks: the live database, the latest backup, a restore drill, and
the Litestream replica when replication is configured; on PostgreSQL and Spark the live
database only."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dbguard.errors import DbguardError

if TYPE_CHECKING:
    from backup.manifest import Manifest
    from dbguard.catalog import Source
    from dbguard.config import Config

# Every expectation runs on these. The backup target reads the restore drill's copy of the
# latest verified backup when the drill restored one (same data, validated once), else the
# backup file itself; the drill's own test summarises those outcomes. The replica target
# reads the replica's newest state restored into a temporary folder (checks/test_replica.py).
TARGETS = ("live", "backup", "replica")

# Why a PostgreSQL run has the live target only (checks/test_backup_health.py says it once).
POSTGRES_BACKUPS = (
    "the backup target, the restore drill and the replica are SQLite files dbguard takes, "
    "restores and checks: they do not apply to PostgreSQL. Back it up with pg_dump or "
    "pgBackRest, and set [backup] postgres_dump_dir so dbguard watches the newest dump's age"
)
NOT_ON_POSTGRES = "does not apply to PostgreSQL"
# Why a Spark run has the live target only (checks/test_backup_health.py says it once).
SPARK_BACKUPS = (
    "the backup target, the restore drill and the replica are SQLite files dbguard takes, "
    "restores and checks: they do not apply to Spark tables, whose storage keeps its own "
    "versions"
)
NOT_ON_SPARK = "does not apply to Spark tables: a check of the SQLite file itself"


def engine_name(config: Config) -> str:
    """ "sqlite", "postgresql" or "spark": which of the checks marked `engine(…)` run."""
    return config.database.engine


def active_targets(config: Config) -> tuple[str, ...]:
    """The targets this configuration has: the live database only on PostgreSQL; the replica
    only when replication is configured (otherwise checks/test_replica.py says so once,
    instead of one skip per expectation)."""
    if not config.database.is_sqlite:
        return ("live",)
    return tuple(target for target in TARGETS if target != "replica" or config.replication.enabled)


@dataclass(frozen=True)
class Target:
    name: str  # "live", "backup", "replica"
    source: Source  # the database read: a SQLite file (immutable for copies) or PostgreSQL


@dataclass(frozen=True)
class LatestBackup:
    """The newest verified backup, or why there is none."""

    path: Path | None
    created_at: datetime | None  # UTC
    size: int
    reason: str  # why there is none ("" when there is one)
    row_counts: dict[str, int] = field(default_factory=dict)  # from its verified manifest
    # That manifest, verified in this run: the restore drill does not verify the file again.
    manifest: Manifest | None = None


@dataclass(frozen=True)
class RestoreDrill:
    """The latest verified backup restored once per run into a temporary folder."""

    path: Path | None  # the restored copy; None when not restored
    seconds: float
    skipped: str = ""  # why no restore was attempted ("" when one was)
    error: str = ""  # why the restore failed ("" when it succeeded or was not attempted)


def restore_latest(latest_backup: LatestBackup, restored: Path) -> RestoreDrill:
    """The restore drill: `latest_backup` restored to `restored`, with its verified manifest
    (the file is not verified again), or why that failed."""
    from backup.restore import restore_backup

    assert latest_backup.path is not None
    started = time.perf_counter()
    try:
        restore_backup(
            latest_backup.path, restored, manifest=latest_backup.manifest, assume_yes=True
        )
    except DbguardError as error:
        return RestoreDrill(None, time.perf_counter() - started, error=error.one_line())
    except (OSError, sqlite3.Error) as error:
        message = f"{type(error).__name__}: {error}"
        return RestoreDrill(None, time.perf_counter() - started, error=message)
    return RestoreDrill(restored, time.perf_counter() - started)
