"""A rows repair killed with SIGKILL in the middle of its transaction leaves live exactly as
it was: the repair of 300 000 deleted rows is one transaction, killed once its pages reach
the WAL (before the COMMIT), and no undo file is published."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from alert_receiver import dbguard
from incident_damage import write_project
from replication_support import wait_for

ROWS = 300_000


def count(db: Path) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        return int(connection.execute("SELECT COUNT(*) FROM readings").fetchone()[0])


def test_a_killed_repair_leaves_live_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    with contextlib.closing(sqlite3.connect(db, isolation_level=None)) as live:
        live.execute("PRAGMA journal_mode = WAL")
        live.execute("CREATE TABLE readings (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
        live.execute(
            "INSERT INTO readings (payload) SELECT printf('%.100c', 'x') FROM"
            f" (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS})"
            " SELECT i FROM n)"
        )
    write_project(tmp_path, db)
    assert dbguard("backup", "create", cwd=tmp_path).returncode == 0
    (point,) = (tmp_path / "backups").glob("db_*.sqlite3")
    with contextlib.closing(sqlite3.connect(db, isolation_level=None)) as live:
        live.execute("DELETE FROM readings WHERE id % 3 > 0")
        live.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    left = count(db)
    wal = db.with_name(db.name + "-wal")

    process = subprocess.Popen(
        [sys.executable, "-m", "dbguard", "incident", "repair", "--from", point.name, "--yes"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(
            lambda: (wal.exists() and wal.stat().st_size > 4_000_000) or process.poll() is not None,
            "the repair's pages in the WAL",
            timeout=120,
        )
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, process.stderr.read() if process.stderr else ""
    assert count(db) == left
    with contextlib.closing(sqlite3.connect(db)) as live:
        assert live.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert not list(tmp_path.glob("db.sqlite3.repair.*.sqlite3"))
