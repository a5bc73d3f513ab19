"""The replica drill of `dbguard check` (target `replica`): the replica's newest state restored
into a folder the caller owns (and removes), and the live row counts to reconcile it with.

The live database is counted right after the restore, between two readings of its last
write time. When nothing was written during the count, and the last write is older than
the restored transaction's arrival, the live database holds exactly what the replica
holds and the counts must be equal; otherwise the live database moved on during the lag.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from dbguard.config import Config
from dbguard.database import connect_read_only, row_counts
from dbguard.errors import DbguardError
from dbguard.replication.restore import COPY_NAME, RestoredCopy, restore_copy
from dbguard.replication.status import live_written_at

# Litestream stamps a transaction's file a moment after it read the WAL; a write this close
# before the stamp may have missed it, so it does not count as "before the replica's newest".
QUIET_MARGIN = timedelta(milliseconds=100)


@dataclass(frozen=True)
class ReplicaDrill:
    copy: RestoredCopy | None  # None: not restored (see skipped / error)
    seconds: float = 0.0
    skipped: str = ""  # why no restore was attempted
    error: str = ""  # why the restore failed (names the replica)
    # Both sets of counts leave out the tables [checks] ignore_tables names (the restore of the
    # replica counted with them too), so the same tables are compared.
    replica_counts: dict[str, int] = field(default_factory=dict)
    live_counts: dict[str, int] | None = None  # None: the live database could not be counted
    live_error: str = ""
    live_quiet: bool = False  # nothing written to live after the restored transaction
    lag: float = 0.0  # seconds the live database moved on after it


def drill_replica(config: Config, folder: Path) -> ReplicaDrill:
    """Restore the replica into `folder` and count the live database; never raises for a
    replica or database problem (they are the drill's findings)."""
    if not config.replication.enabled:
        return ReplicaDrill(None, skipped="replication is not configured ([replication] enabled)")
    started = time.perf_counter()
    try:
        copy = restore_copy(config, Path(folder) / COPY_NAME)
    except DbguardError as error:
        return ReplicaDrill(None, time.perf_counter() - started, error=error.one_line())
    seconds = time.perf_counter() - started
    db_path = Path(config.database.path)
    before = live_written_at(db_path)
    try:
        with closing(connect_read_only(db_path)) as connection:
            counts: dict[str, int] | None = row_counts(
                connection, ignore=config.checks.ignore_tables
            )
        live_error = ""
    except (DbguardError, sqlite3.Error) as error:
        counts, live_error = None, str(error)
    after = live_written_at(db_path)
    arrived = copy.replicated_at
    quiet = (
        before is not None
        and before == after
        and arrived is not None
        and before <= arrived - QUIET_MARGIN
    )
    lag = 0.0
    if after is not None and arrived is not None and after > arrived:
        lag = (after - arrived).total_seconds()
    return ReplicaDrill(
        copy,
        seconds,
        replica_counts=copy.row_counts,
        live_counts=counts,
        live_error=live_error,
        live_quiet=quiet,
        lag=lag,
    )
