"""Replication dies: `dbguard health --quick` is OK while Litestream replicates, warns once it is
killed, and turns critical when the live database's unreplicated writes grow older than
lag_critical_seconds. `dbguard replica status` reports the same, with health's exit codes.
Real processes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest
from replication_support import (
    SYNC_INTERVAL,
    dbguard,
    litestream_pids,
    ltx_files,
    make_database,
    replicating,
    wait_for,
)
from replication_support import write_config as replication_config

from dbguard.errors import NagiosCode

pytestmark = pytest.mark.slow

LAG_WARNING = 1.0
LAG_CRITICAL = 2.0


def commit_row(db: Path) -> None:
    with closing(sqlite3.connect(db, isolation_level=None)) as connection:
        connection.execute("INSERT INTO replication_rows (committed_at) VALUES (?)", (time.time(),))


def health(config: Path) -> tuple[int, str]:
    result = dbguard(config, "health", "--quick", "--no-record")
    return result.returncode, result.stdout.strip()


def replica_status(config: Path) -> tuple[int, dict[str, object]]:
    """`dbguard replica status --json`: its exit code and what it printed; the plain form
    exits with the same code."""
    result = dbguard(config, "replica", "status", "--json")
    plain = dbguard(config, "replica", "status")
    assert plain.returncode == result.returncode, (plain.stdout, result.stdout)
    return result.returncode, json.loads(result.stdout)


def test_health_warns_when_litestream_dies_and_is_critical_past_the_lag_limit(
    tmp_path: Path,
) -> None:
    db = make_database(tmp_path / "app.sqlite3")
    config = replication_config(
        tmp_path,
        db,
        lag_warning_seconds=LAG_WARNING,
        lag_critical_seconds=LAG_CRITICAL,
    )
    replica = tmp_path / "backups" / "replica"
    with replicating(config, db) as replicator:
        commit_row(db)
        wait_for(lambda: len(ltx_files(replica)) >= 2, "the first transactions to arrive")
        time.sleep(2 * SYNC_INTERVAL)
        code, line = health(config)
        assert code == NagiosCode.OK, line
        code, status = replica_status(config)
        assert code == NagiosCode.OK, status
        assert status["running"] is True and status["lag_seconds"] == 0.0
        assert status["pids"] == litestream_pids(db)

        for pid in litestream_pids(db):
            os.kill(pid, signal.SIGKILL)
        # dbguard replicate exits with Litestream's fate: killed by signal 9.
        assert replicator.wait(timeout=20) == 128 + signal.SIGKILL
        code, line = health(config)
        assert code == NagiosCode.WARNING, line
        assert "no Litestream process replicates the database" in line
        code, status = replica_status(config)
        assert code == NagiosCode.WARNING and status["severity"] == "warning", status

        commit_row(db)  # a write no one replicates
        time.sleep(LAG_CRITICAL + 0.5)
        code, line = health(config)
        assert code == NagiosCode.CRITICAL, line
        assert "replication::lag: lag" in line and str(replica) in line
        code, status = replica_status(config)
        assert code == NagiosCode.CRITICAL, status
        assert status["severity"] == "critical" and status["running"] is False
        assert status["lag_seconds"] > LAG_CRITICAL


def test_an_idle_database_has_no_lag_after_a_clean_stop(tmp_path: Path) -> None:
    """Litestream's shutdown checkpoint writes the database file but replicates nothing new:
    no lag grows from it (only the not-running warning)."""
    db = make_database(tmp_path / "app.sqlite3")
    config = replication_config(
        tmp_path, db, lag_warning_seconds=LAG_WARNING, lag_critical_seconds=LAG_CRITICAL
    )
    with replicating(config, db):
        commit_row(db)
        wait_for(lambda: len(ltx_files(tmp_path / "backups" / "replica")) >= 2, "replication")
        time.sleep(2 * SYNC_INTERVAL)
    time.sleep(LAG_CRITICAL + 0.5)
    code, line = health(config)
    assert code == NagiosCode.WARNING, line
    assert "lag 0.0 s" in line
