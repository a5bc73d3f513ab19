"""RPO after kill -9: how much a restore from the replica lacks when the writer alone is killed
(Litestream keeps running), or the writer, Litestream and dbguard at once (a host crash)."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import time
from pathlib import Path

from bench.context import REPO_ROOT, Context
from bench.measure import Check, Section
from bench.scenarios.replication.common import (
    SYNC_INTERVAL_S,
    fresh,
    litestream_pids,
    replica_config,
    replicating,
    snapshot_done,
    wait,
)

RPO_TARGET_S = 1.0
WRITE_RATE = 200
RPO_WRITE_S = 4.0
RPO_RUNS = 3  # of each kind; the worst is the figure held to the target
NUMBERED_WRITER = REPO_ROOT / "tests" / "numbered_writer.py"

log = logging.getLogger(__name__)


def measure_rpo(context: Context, section: Section) -> None:
    runs = max(1, min(RPO_RUNS, context.settings.heavy_runs))
    results: dict[str, list[tuple[float, int]]] = {"writer": [], "crash": []}
    for number in range(runs):
        for mode in ("writer", "crash"):
            try:
                results[mode].append(_rpo_once(context, mode, number))
            except (RuntimeError, OSError, sqlite3.Error, subprocess.SubprocessError) as error:
                log.warning("RPO run (%s) failed: %s", mode, error)
    for mode, label in (
        ("writer", "writer killed, Litestream keeps running"),
        ("crash", "writer, Litestream and dbguard killed together (host crash)"),
    ):
        figures = results[mode]
        if not figures:
            section.checks.append(
                Check(f"RPO after kill -9, {label}", "not measured", "≤ 1 s", None)
            )
            continue
        seconds = [lost for lost, _ in figures]
        commits = [rows for _, rows in figures]
        section.checks.append(
            Check(
                f"RPO after kill -9, {label}: median / worst of {len(figures)} runs",
                f"{statistics.median(seconds):.2f} s / {max(seconds):.2f} s "
                f"({statistics.median(commits):.0f} / {max(commits)} commits lost)",
                f"≤ {RPO_TARGET_S:g} s",
                max(seconds) <= RPO_TARGET_S,
            )
        )
    section.notes.append(
        "RPO runs: each on a new database and replica; the writer commits for "
        f"{RPO_WRITE_S:g} s before the kill. After a host crash nothing ships the last second "
        "of WAL: Litestream turns new WAL frames into an LTX file every `monitor-interval` and "
        "uploads every `sync-interval` on a timer of its own (dbguard sets both to "
        "`sync_interval`), so up to about two intervals, plus the time to write and upload the "
        "file, can be lost; about one when the two timers run close together."
    )


def _rpo_once(context: Context, mode: str, number: int) -> tuple[float, int]:
    name = f"replication_rpo_{mode}_{number}"
    work = context.scratch(name)
    live = work / "live.sqlite3"
    fresh(live)
    shutil.rmtree(work / "replica", ignore_errors=True)
    with contextlib.closing(sqlite3.connect(live, isolation_level=None)) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute(
            "CREATE TABLE replication_rows (id INTEGER PRIMARY KEY, committed_at REAL NOT NULL)"
        )
    config = replica_config(context, name, live)
    ready = work / "writer.ready"
    ready.unlink(missing_ok=True)
    with replicating(context, config, live) as replicator:
        wait(lambda: snapshot_done(work / "replica"), "the first snapshot")
        writer = subprocess.Popen(
            [
                context.python,
                str(NUMBERED_WRITER),
                "--db",
                str(live),
                "--rate",
                str(WRITE_RATE),
                "--duration",
                "600",
                "--ready-file",
                str(ready),
            ]
        )
        try:
            wait(lambda: ready.exists(), "the writer", timeout=30)
            time.sleep(RPO_WRITE_S)
            victims = [writer.pid]
            if mode == "crash":
                victims += [*litestream_pids(live), replicator.pid]
            for pid in victims:
                os.kill(pid, signal.SIGKILL)
        finally:
            if writer.poll() is None:
                writer.kill()
            writer.wait(timeout=30)
        if mode == "writer":
            time.sleep(2 * SYNC_INTERVAL_S)
        restored = work / "restored.sqlite3"
        fresh(restored)
        result = subprocess.run(
            [
                context.dbguard,
                "--config",
                str(config),
                "backup",
                "restore",
                "--from-replica",
                "--db",
                str(restored),
                "--yes",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"restore failed: {result.stderr.strip()}")
    live_rows, restored_rows = _rows(live), _rows(restored)
    lost = max(live_rows.values(), default=0.0) - max(restored_rows.values(), default=0.0)
    lost_commits = len(set(live_rows) - set(restored_rows))
    log.info("RPO (%s): %.3f s, %d commits lost of %d", mode, lost, lost_commits, len(live_rows))
    fresh(restored)
    return max(0.0, lost), lost_commits


def _rows(database: Path) -> dict[int, float]:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        return dict(connection.execute("SELECT id, committed_at FROM replication_rows").fetchall())
