"""Recovery points: every state of the database dbguard can bring back, and bringing one back.

A recovery point is a published backup (`db_YYYYMMDD_HHMMSS.sqlite3`) or a replica
transaction that Litestream can still restore on its own (dbguard.replication.restorable).
Its time is when that state existed: a backup's creation, a transaction's arrival in the
replica (at most a sync interval after its commit).

The API, for `incident find`, `diff` and `repair`:

- `recovery_points(config)`: every point, oldest first (`replica_points`, `backup_points`
  for one kind). Bad input (PostgreSQL; no replica and no backup) is a ConfigError (exit 2).
- `resolve_point(config, text, option="--from")`: the point a user names: a backup's path
  or file name, a TXID in hex (`0x1a2`, `00000000000001a2`), or an ISO 8601 time (the
  newest point at or before it). A point that does not exist is a ConfigError (exit 2).
- `materialize(config, point, folder)`: the point's data as a new SQLite file in `folder`
  (the caller's scratch folder, dbguard.scratch): a backup is verified (checksum,
  integrity, row counts) and copied; a transaction is `litestream restore -txid`, checked.
  Never touches the live database. Raises a DbguardError when the point cannot be had.
- `Point.to_json()`: `{"time", "txid"}` or `{"time", "backup"}`, as `--json` outputs and
  the incident records (dbguard.incident.records.record_assessment) take them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backup.catalog import list_backups
from backup.naming import DATABASE_BACKUP, as_utc
from dbguard.config import Config
from dbguard.errors import ConfigError, ReplicationError

BACKUP = "backup"
TXID = "txid"
POSTGRES_HINT = (
    "recovery points are SQLite backups and Litestream transactions; for PostgreSQL use "
    "pg_dump or pgBackRest backups and PostgreSQL's point-in-time recovery (PITR)"
)
HEX = re.compile(r"^(0x)?([0-9a-fA-F]{1,16})$")


@dataclass(frozen=True, order=True)
class Point:
    """One recovery point; order is by time (then kind and id), oldest first."""

    time: datetime  # UTC: when the state it holds existed
    kind: str  # BACKUP or TXID
    txid: int | None = None
    backup: Path | None = None

    @property
    def txid_hex(self) -> str:
        return "" if self.txid is None else f"{self.txid:016x}"

    def label(self) -> str:
        """`TXID 0x1a2` or `backup db_….sqlite3`, without its time."""
        if self.txid is not None:
            return f"TXID 0x{self.txid:x}"
        assert self.backup is not None
        return f"backup {self.backup.name}"

    def describe(self) -> str:
        """The label and the time (local), as messages show a point."""
        return f"{self.label()} at {self.time.astimezone():%Y-%m-%d %H:%M:%S %Z}"

    def to_json(self) -> dict[str, Any]:
        shape: dict[str, Any] = {"time": self.time.isoformat()}
        if self.txid is not None:
            shape[TXID] = self.txid_hex
        if self.backup is not None:
            shape[BACKUP] = str(self.backup)
        return shape


def require_sqlite(config: Config) -> None:
    if config.database.is_postgres:
        raise ConfigError(
            "recovery points work on a SQLite database, and the database is PostgreSQL",
            POSTGRES_HINT,
        )


def backup_points(config: Config) -> list[Point]:
    """Every published backup with a manifest (one without is never trusted), oldest first."""
    return [
        Point(as_utc(entry.created_at), BACKUP, backup=entry.path.absolute())
        for entry in list_backups(Path(config.backup.dir))
        if entry.manifest is not None
    ]


def replica_points(config: Config) -> list[Point]:
    """Every transaction the replica can restore exactly, oldest first; none without
    replication. A replica that cannot be read is a ReplicationError."""
    if not config.replication.enabled:
        return []
    from dbguard.replication.binary import litestream_for
    from dbguard.replication.location import litestream_environment, replica_location
    from dbguard.replication.restorable import restorable_txids
    from dbguard.replication.state import read_replica_state

    location = replica_location(config)
    environment = litestream_environment(location, os.environ)
    litestream = litestream_for(config) if location.kind == "s3" else None
    state = read_replica_state(location, litestream, environment)
    points: list[Point] = []
    for txid in reversed(restorable_txids(state.files)):
        moment = state.time_of(txid)
        if moment is None:
            continue
        # A compacted file is written after the level-0 files it merged: a state existed no
        # later than any newer state did, so times keep the transactions' order.
        if points and points[-1].time < moment:
            moment = points[-1].time
        points.append(Point(as_utc(moment), TXID, txid=txid))
    return points[::-1]


def recovery_points(config: Config) -> list[Point]:
    """Every recovery point, oldest first; a ConfigError when there are none to search."""
    require_sqlite(config)
    points = sorted(replica_points(config) + backup_points(config))
    if not points:
        raise ConfigError(
            f"no recovery point: no backup in {config.backup.dir}"
            + (" and an empty replica" if config.replication.enabled else " and no replica"),
            "take a backup (dbguard backup create) or replicate (dbguard replicate)",
        )
    return points


def resolve_point(config: Config, text: str, *, option: str = "--from") -> Point:
    """The recovery point `text` names (see the module docstring); ConfigError otherwise."""
    points = recovery_points(config)
    wanted = text.strip()
    backup = _named_backup(points, wanted)
    if backup is not None:
        return backup
    if DATABASE_BACKUP.parse(Path(wanted).name) is not None:
        raise ConfigError(
            f"{option} {text!r}: no such backup (with a manifest) in {config.backup.dir}",
            "'dbguard backup list' shows the backups",
        )
    hexadecimal = HEX.match(wanted)
    if hexadecimal is not None and (hexadecimal.group(1) or not _looks_like_time(wanted)):
        txid = int(hexadecimal.group(2), 16)
        for point in points:
            if point.txid == txid:
                return point
        raise ConfigError(
            f"{option} {text!r}: the replica cannot restore transaction 0x{txid:x}",
            _reach(points),
        )
    moment = _parse_time(wanted, option)
    earlier = [point for point in points if point.time <= moment]
    if not earlier:
        raise ConfigError(
            f"{option} {text!r}: no recovery point at or before {moment.isoformat()}",
            _reach(points),
        )
    return earlier[-1]


def materialize(config: Config, point: Point, folder: Path) -> Path:
    """The point's data as a new, checked SQLite file in `folder` (see the module docstring)."""
    if point.backup is not None:
        from backup.restore import restore_backup

        output = Path(folder) / f"point-{point.backup.name}"
        restore_backup(point.backup, output, assume_yes=True)
        return output
    assert point.txid is not None
    from dbguard.replication.restore import restore_copy

    output = Path(folder) / f"point-{point.txid_hex}.sqlite3"
    copy = restore_copy(config, output, txid=point.txid)
    if copy.txid != point.txid:
        raise ReplicationError(
            f"litestream restored transaction 0x{copy.txid:x}, not {point.label()}",
            "the replica changed meanwhile (compaction): run the command again",
        )
    return output


def _named_backup(points: list[Point], wanted: str) -> Point | None:
    for point in points:
        if point.backup is None:
            continue
        if wanted == point.backup.name or (
            os.sep in wanted and Path(wanted).absolute() == point.backup
        ):
            return point
    return None


def _looks_like_time(text: str) -> bool:
    """Eight digits are a date (20260131) as much as a TXID: a date wins without `0x`."""
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _parse_time(text: str, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"{option} {text!r} is not a backup, a TXID or an ISO 8601 time",
            "give a backup file name (dbguard backup list), a TXID such as 0x1a2, or a time "
            "such as 2026-01-31T14:05:00 (local) or 2026-01-31T13:05:00Z",
        ) from None
    return (moment if moment.tzinfo is not None else moment.astimezone()).astimezone(UTC)


def _reach(points: list[Point]) -> str:
    return (
        f"the recovery points reach from {points[0].describe()} to {points[-1].describe()}; "
        "'dbguard incident find' searches them"
    )
