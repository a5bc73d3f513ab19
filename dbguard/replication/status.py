"""The replica's status: its newest transaction and when it arrived, the lag behind the live
database, its size and reach, and whether a Litestream process replicates the database.

The lag is how long the replica has lacked writes the live database holds: none when the
live database's -wal was last written before the replica's newest transaction arrived,
else the time since it arrived. An idle database has no lag however old its newest
transaction is; a dead Litestream under a writing application has a growing one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backup.holders import processes_holding
from dbguard.config import Config
from dbguard.errors import ConfigError, ReplicationError
from dbguard.findings import Finding
from dbguard.replication.binary import litestream_for
from dbguard.replication.location import (
    ReplicaLocation,
    litestream_environment,
    replica_location,
)
from dbguard.replication.state import ReplicaState, format_txid, read_replica_state
from dbguard.rules.replication import ReplicaObservation, lag_seconds, replication_finding

PROCESS_NAME = "litestream"


@dataclass(frozen=True)
class ReplicationStatus:
    location: ReplicaLocation
    state: ReplicaState | None  # None when the replica could not be read (see error)
    error: str
    live_written_at: datetime | None
    pids: list[int] | None  # Litestream processes replicating the database; None: unknown
    observed_at: datetime

    def observation(self) -> ReplicaObservation:
        return ReplicaObservation(
            replica=self.location.display(),
            newest_txid=self.state.newest_txid if self.state else None,
            newest_at=self.state.newest_at if self.state else None,
            live_written_at=self.live_written_at,
            running=None if self.pids is None else bool(self.pids),
            observed_at=self.observed_at,
            error=self.error,
        )

    def as_dict(self, finding: Finding) -> dict[str, Any]:
        state = self.state
        return {
            "replica": self.location.display(),
            "newest_txid": format_txid(state.newest_txid) if state else None,
            "newest_at": _iso(state.newest_at) if state else None,
            "lag_seconds": lag_seconds(self.observation()),
            "live_written_at": _iso(self.live_written_at),
            "size_bytes": state.size if state else None,
            "files": len(state.files) if state else None,
            "reaches_back_to": _iso(state.reaches_back_to) if state else None,
            "running": None if self.pids is None else bool(self.pids),
            "pids": self.pids,
            "error": self.error,
            "severity": finding.severity.value,
            "observed": finding.observed,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def live_written_at(db_path: Path) -> datetime | None:
    """The last commit to the live database: its -wal's modification time. In WAL mode every
    commit writes the -wal, while checkpoints (Litestream's on shutdown, too) write only the
    database file, so its time says nothing about replication. Without a -wal (nobody has
    the database open, Litestream included), the file's own time."""
    for path in (Path(f"{db_path}-wal"), Path(db_path)):
        try:
            return datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except OSError:
            continue
    return None


def require_enabled(config: Config) -> None:
    if not config.replication.enabled:
        raise ConfigError(
            "replication is not configured",
            "set [replication] enabled = true (and replica = …) in dbguard.toml",
        )
    if not config.database.is_sqlite:  # load_config refuses it; a Config built by hand may not
        raise ConfigError(
            f"[replication] is for SQLite files, and [database] is {config.database.engine}",
            "use the engine's own replication or archiving; set [replication] enabled = false",
        )


def replication_status(config: Config, now: datetime | None = None) -> ReplicationStatus:
    """Read the replica and the live database once. A replica that cannot be read is in
    `error`; bad configuration (credentials, no litestream) raises a ConfigError."""
    require_enabled(config)
    location = replica_location(config)
    environment = litestream_environment(location, os.environ)
    litestream = litestream_for(config) if location.kind == "s3" else None
    db_path = Path(config.database.path)
    try:
        state: ReplicaState | None = read_replica_state(location, litestream, environment)
        error = ""
    except ReplicationError as failure:
        state, error = None, failure.message
    return ReplicationStatus(
        location=location,
        state=state,
        error=error,
        live_written_at=live_written_at(db_path),
        pids=processes_holding(db_path, command=PROCESS_NAME) if db_path.exists() else [],
        observed_at=now or datetime.now(UTC),
    )


def replication_findings(config: Config) -> tuple[list[Finding], float | None]:
    """The replication finding of `dbguard health` and the lag in seconds (for the history
    and the metrics endpoint): nothing when replication is not configured."""
    if not config.replication.enabled:
        return [], None
    observation = replication_status(config).observation()
    return [replication_finding(observation, config.replication)], lag_seconds(observation)
