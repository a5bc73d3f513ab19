"""Restore from the replica through dbguard's safe path: point in time (exactly the rows committed
before T), and over a live database that Litestream holds open (the online route, with a
safety copy), after which replication carries on from the restored state."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from replication_support import (
    SYNC_INTERVAL,
    committed_rows,
    dbguard,
    make_database,
    replicating,
    wait_for,
    write_config,
)

from dbguard.config import load_config
from dbguard.replication.location import replica_location
from dbguard.replication.state import read_replica_state

pytestmark = pytest.mark.slow


def commit_batch(db: Path, count: int) -> list[float]:
    """`count` rows, one transaction each, marked with their commit time."""
    times = []
    with closing(sqlite3.connect(db, isolation_level=None)) as connection:
        for _ in range(count):
            moment = time.time()
            connection.execute("INSERT INTO replication_rows (committed_at) VALUES (?)", (moment,))
            times.append(moment)
            time.sleep(0.005)
    return times


def replica_has_arrived_after(config: Path, moment: float) -> bool:
    """The replica holds a transaction that arrived after `moment` (Unix time)."""
    loaded = load_config(config)
    state = read_replica_state(replica_location(loaded), None, {})
    return state.newest_at is not None and state.newest_at.timestamp() > moment


def test_point_in_time_restore_gives_exactly_the_rows_committed_before_t(tmp_path: Path) -> None:
    db = make_database(tmp_path / "app.sqlite3")
    config = write_config(tmp_path, db)
    with replicating(config, db):
        before = commit_batch(db, 40)
        wait_for(lambda: replica_has_arrived_after(config, before[-1]), "batch A to arrive")
        time.sleep(SYNC_INTERVAL)
        cut = datetime.now(UTC)
        time.sleep(SYNC_INTERVAL)
        after = commit_batch(db, 40)
        wait_for(lambda: replica_has_arrived_after(config, after[-1]), "batch B to arrive")

        at_cut = tmp_path / "at_cut.sqlite3"
        # A time without zone is local time, as people type it.
        local = cut.astimezone().replace(tzinfo=None).isoformat()
        result = dbguard(
            config, "backup", "restore", "--from-replica", "--timestamp", local,
            "--db", str(at_cut), "--yes",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        newest = tmp_path / "newest.sqlite3"
        result = dbguard(
            config, "backup", "restore", "--from-replica", "--db", str(newest), "--yes"
        )
        assert result.returncode == 0, result.stderr

    restored = committed_rows(at_cut)
    assert sorted(restored.values()) == before
    assert all(moment < cut.timestamp() for moment in restored.values())
    assert sorted(committed_rows(newest).values()) == before + after


def test_restore_over_a_replicated_live_database_goes_online_and_replication_carries_on(
    tmp_path: Path,
) -> None:
    db = make_database(tmp_path / "app.sqlite3")
    config = write_config(tmp_path, db)
    with replicating(config, db):
        kept = commit_batch(db, 10)
        wait_for(lambda: replica_has_arrived_after(config, kept[-1]), "the rows to arrive")
        time.sleep(SYNC_INTERVAL)
        cut = datetime.now(UTC)
        time.sleep(SYNC_INTERVAL)
        mistake = commit_batch(db, 5)  # the writes the restore undoes
        wait_for(lambda: replica_has_arrived_after(config, mistake[-1]), "the mistake to arrive")

        result = dbguard(
            config, "backup", "restore", "--from-replica", "--timestamp", cut.isoformat(), "--yes"
        )
        assert result.returncode == 0, result.stderr
        assert "(online)" in result.stdout  # Litestream holds the database open
        safety = result.stdout.split("safety copy of the previous database: ")[1].strip()
        assert sorted(committed_rows(Path(safety)).values()) == kept + mistake
        assert sorted(committed_rows(db).values()) == kept

        later = commit_batch(db, 3)
        wait_for(lambda: replica_has_arrived_after(config, later[-1]), "the new rows to arrive")
        newest = tmp_path / "newest.sqlite3"
        result = dbguard(
            config, "backup", "restore", "--from-replica", "--db", str(newest), "--yes"
        )
        assert result.returncode == 0, result.stderr
    assert sorted(committed_rows(newest).values()) == kept + later
