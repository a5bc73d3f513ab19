"""Restoring from the replica: Litestream restores into a temporary file, dbguard does the rest.

`restore_copy` runs `litestream restore -o TEMP [-timestamp T] URL`, makes the copy one
self-contained file (rollback journal, like a backup) and checks it: integrity_check and
row counts. A replica Litestream cannot restore, or whose restore is corrupt, is a
ReplicationError naming the replica.

`restore_from_replica` then describes that just-checked copy with a manifest, as a
backup's, and hands both to `backup.restore.restore_backup`, the same safe path as any
backup: confirmation, safety copy of the live database, offline or online route,
post-check against the manifest. Nothing is ever restored straight over the live file.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from backup.durable import ensure_private_dir
from backup.errors import RestoreRefused
from backup.manifest import KIND_DATABASE, Manifest
from backup.restore import RestoreResult, restore_backup
from backup.verify import database_problems
from dbguard import __version__
from dbguard.config import Config
from dbguard.database import row_counts
from dbguard.errors import ConfigError, ReplicationError
from dbguard.replication.binary import litestream_for
from dbguard.replication.location import (
    ReplicaLocation,
    litestream_environment,
    replica_location,
)
from dbguard.replication.state import format_txid, litestream_error, read_replica_state
from dbguard.replication.status import require_enabled

COPY_NAME = "replica.sqlite3"
FILE_MODE = 0o600


@dataclass(frozen=True)
class RestoredCopy:
    path: Path
    replica: str  # the replica's name for people
    txid: int
    replicated_at: datetime | None  # when that transaction reached the replica (UTC)
    row_counts: dict[str, int]
    page_size: int
    seconds: float


def rfc3339(moment: datetime) -> str:
    """`moment` in UTC as Litestream's -timestamp reads it (milliseconds kept)."""
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a time without zone is local time
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def restore_copy(
    config: Config, output: Path, *, timestamp: datetime | None = None, txid: int | None = None
) -> RestoredCopy:
    """Restore the replica's newest state (or its state at `timestamp`, or at transaction
    `txid`) into the new file `output` and check it; a ReplicationError naming the replica
    when that fails."""
    require_enabled(config)
    location = replica_location(config)
    environment = litestream_environment(location, os.environ)
    litestream = litestream_for(config)
    command = [str(litestream), "restore", "-json", "-o", str(output)]
    if timestamp is not None:
        command += ["-timestamp", rfc3339(timestamp)]
    if txid is not None:
        command += ["-txid", format_txid(txid)]
    command.append(location.url())
    started = time.perf_counter()
    completed = subprocess.run(
        command, env=environment, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise _restore_failed(location, completed.stderr, timestamp)
    try:
        txid = int(json.loads(completed.stdout)["txid"], 16)
    except (ValueError, KeyError, TypeError):
        raise ReplicationError(
            f"litestream restore of the replica {location.display()} gave no transaction id",
            "check that [replication] litestream is Litestream 0.5",
        ) from None
    os.chmod(output, FILE_MODE)
    counts, page_size = _self_contained_and_checked(output, location, config.checks.ignore_tables)
    state = read_replica_state(location, litestream if location.kind == "s3" else None, environment)
    return RestoredCopy(
        path=output,
        replica=location.display(),
        txid=txid,
        replicated_at=state.time_of(txid),
        row_counts=counts,
        page_size=page_size,
        seconds=time.perf_counter() - started,
    )


def _restore_failed(
    location: ReplicaLocation, stderr: str, timestamp: datetime | None
) -> ReplicationError:
    reason = litestream_error(stderr)
    if timestamp is not None and ("timestamp does not exist" in reason or "no matching" in reason):
        return ReplicationError(
            f"the replica {location.display()} holds nothing from before {rfc3339(timestamp)}",
            "pick a later --timestamp ('dbguard replica status' shows how far back it reaches)",
        )
    return ReplicationError(
        f"the replica {location.display()} cannot be restored: {reason}",
        "the replica is damaged or unreachable: take a backup now (dbguard backup create) "
        "and check the replica's storage",
    )


def _self_contained_and_checked(
    path: Path, location: ReplicaLocation, ignore: Sequence[str]
) -> tuple[dict[str, int], int]:
    """Turn the restored WAL-mode file into a rollback-journal one (no -wal beside it, readable
    immutable), then integrity_check it and count its rows (all tables but the ignored)."""
    try:
        connection = sqlite3.connect(path, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode = DELETE")
            page_size = int(connection.execute("PRAGMA page_size").fetchone()[0])
            counts = row_counts(connection, ignore=ignore)
            problems = database_problems(connection, counts, ignore)
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        problems, counts, page_size = [f"SQLite cannot read it: {error}"], {}, 0
    if problems:
        raise ReplicationError(
            f"the restore of the replica {location.display()} is corrupt: {'; '.join(problems)}",
            "the replica is damaged: take a backup now (dbguard backup create) and restart "
            "replication into a new replica",
        )
    return counts, page_size


@dataclass(frozen=True)
class ReplicaRestoreResult:
    copy: RestoredCopy  # what Litestream restored (its path is gone by now)
    restore: RestoreResult  # what the verified restore path did with it


def restore_from_replica(
    config: Config,
    db_path: Path,
    *,
    timestamp: datetime | None = None,
    txid: int | None = None,
    assume_yes: bool = False,
    confirm: Callable[[str], bool] | None = None,
    busy_timeout: float = 10.0,
) -> ReplicaRestoreResult:
    """Restore the replica's newest state (or its state at `timestamp`, or at transaction
    `txid`: `incident repair --route point-in-time`) over `db_path`
    through dbguard's verified restore path. The temporary copy lives in a private folder
    inside the backup folder and is removed whatever happens."""
    folder = ensure_private_dir(Path(config.backup.dir))
    with tempfile.TemporaryDirectory(prefix=".replica-restore-", dir=folder) as temporary:
        copy = restore_copy(config, Path(temporary) / COPY_NAME, timestamp=timestamp, txid=txid)
        when = copy.replicated_at.astimezone() if copy.replicated_at else None
        moment = f" as of {when:%Y-%m-%d %H:%M:%S %Z}" if when else ""
        question = (
            f"Replace {db_path} with the replica {copy.replica}{moment}"
            f" (transaction {format_txid(copy.txid)})?"
        )
        if not assume_yes and (confirm is None or not confirm(question)):
            raise RestoreRefused("restore not confirmed; nothing changed", "pass --yes to confirm")
        result = restore_backup(
            copy.path,
            db_path,
            # The copy was checked just now: not read again.
            manifest=_manifest(copy, config.checks.ignore_tables),
            assume_yes=True,
            busy_timeout=busy_timeout,
            safety_copies_keep=config.backup.safety_copies_keep,
            backup_dir=config.backup.dir,  # its manifests say the database file's owner
        )
    return ReplicaRestoreResult(copy, result)


def _manifest(copy: RestoredCopy, ignore: Sequence[str]) -> Manifest:
    """The copy described like a backup: restore_backup checks the restored database against
    its row counts and puts WAL mode back."""
    return Manifest(
        kind=KIND_DATABASE,
        file_name=copy.path.name,
        sha256="",  # in memory only, for a copy checked just now: its bytes are not read again
        size=copy.path.stat().st_size,
        created_at=copy.replicated_at or datetime.now(UTC),
        source=copy.replica,
        duration_seconds=round(copy.seconds, 3),
        dbguard_version=__version__,
        sqlite_version=sqlite3.sqlite_version,
        source_journal_mode="wal",  # Litestream replicates WAL databases only
        page_size=copy.page_size,
        row_counts=copy.row_counts,
        ignore_tables=tuple(ignore),
    )


def parse_timestamp(text: str) -> datetime:
    """An ISO 8601 time from the command line (local time unless it names a zone)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"--timestamp {text!r} is not an ISO 8601 time",
            "write it like 2026-01-31T14:05:00 (local time) or 2026-01-31T13:05:00Z",
        ) from None
    return moment if moment.tzinfo is not None else moment.astimezone()
