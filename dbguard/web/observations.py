"""What the metrics endpoint, the Prometheus textfile and the status overview show, read from
where the commands left it: a health run's report (when there is one), the last check run
in the history, the backup folder's listing. Nothing is computed here that a command does
not compute; nothing is opened for writing but the history's own file.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from dbguard.config import Config
from dbguard.findings import Severity
from dbguard.health.report import HealthReport
from dbguard.history import StoredRun, open_history
from dbguard.metrics import (
    CONNECT_MS,
    DB_BYTES,
    LATENCY_MS,
    REPLICATION_LAG_SECONDS,
    WAL_BYTES,
    row_counts_in,
)

log = logging.getLogger(__name__)

# Recorded by the replication checks when replication is configured (a name for the
# replication work to use; not in dbguard.metrics yet).


@dataclass(frozen=True)
class BackupSummary:
    name: str
    created_at: datetime
    size_bytes: int
    verified: bool | None  # None: not verified in this listing


@dataclass(frozen=True)
class Observations:
    now: datetime
    table_rows: dict[str, int] = field(default_factory=dict)
    database_bytes: float | None = None
    wal_bytes: float | None = None
    query_latency_seconds: float | None = None
    replication_lag_seconds: float | None = None
    health_status: Severity | None = None  # None: no health run behind these numbers
    database_up: bool | None = None
    last_check: StoredRun | None = None
    backups: list[BackupSummary] = field(default_factory=list)  # newest first

    @property
    def backup_age_seconds(self) -> float | None:
        if not self.backups:
            return None
        return max(0.0, (self.now - self.backups[0].created_at).total_seconds())


def observe(config: Config, health: HealthReport | None = None) -> Observations:
    """The numbers of a health run (if given), else of the last check run; plus the last
    check and the backups."""
    now = datetime.now(UTC)
    last_check = last_check_run(config)
    live: Mapping[str, float] = (
        health.metrics if health is not None else (last_check.metrics if last_check else {})
    )
    latency_ms = live.get(CONNECT_MS) if health is not None else live.get(LATENCY_MS)
    connection = (
        next((f for f in health.findings if f.check == "connection"), None) if health else None
    )
    return Observations(
        now=now,
        table_rows=row_counts_in(live, "live"),
        database_bytes=live.get(DB_BYTES),
        wal_bytes=live.get(WAL_BYTES),
        query_latency_seconds=None if latency_ms is None else latency_ms / 1000,
        replication_lag_seconds=live.get(REPLICATION_LAG_SECONDS),
        health_status=health.severity if health is not None else None,
        database_up=None if connection is None else connection.severity is Severity.OK,
        last_check=last_check,
        backups=newest_backups(Path(config.backup.dir)),
    )


def last_check_run(config: Config) -> StoredRun | None:
    path = Path(config.reports.history)
    if not path.is_file():
        return None
    try:
        history = open_history(path, verify=False)
        return history.previous_run(kind="check", database=config.database.key)
    except (sqlite3.Error, OSError) as error:
        log.warning("cannot read the run history %s: %s", path, error)
        return None


def newest_backups(backup_dir: Path, limit: int = 5) -> list[BackupSummary]:
    """The newest published backups, newest first, as listed (not verified) by backup/."""
    from backup.catalog import list_backups

    try:
        entries = list_backups(backup_dir)
    except OSError as error:
        log.warning("cannot list the backups in %s: %s", backup_dir, error)
        return []
    published = [entry for entry in entries if entry.manifest is not None]
    return [
        BackupSummary(entry.name, entry.created_at, entry.size, entry.verified)
        for entry in reversed(published[-limit:])
    ]
