"""The copy is flushed to disk in pieces while it is written (so a writer's commit never waits
behind a whole backup's worth of dirty data), stays one consistent snapshot under a writer, and a
failed flush publishes nothing."""

from __future__ import annotations

import errno
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import pytest

from backup import snapshot
from backup.catalog import list_backups
from backup.errors import BackupFailed
from backup.snapshot import create_backup
from backup.verify import open_immutable, verify_backup

WRITER = Path(__file__).with_name("writer_process.py")
SYNC_BYTES = 256 << 10  # small pieces, so a few-megabyte database takes many of them


def add_filler(db: Path, megabytes: int) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, payload BLOB)")
        connection.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO filler (payload) SELECT randomblob(1048576) FROM n",
            (megabytes,),
        )
    connection.close()


@pytest.mark.slow
def test_copy_is_flushed_in_pieces_and_consistent_under_a_writer(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_filler(demo_db, 6)
    monkeypatch.setattr(snapshot, "SYNC_BYTES", SYNC_BYTES)
    real_fdatasync = os.fdatasync
    flushed_sizes: list[int] = []

    def recording_fdatasync(fd: int) -> None:
        if Path(os.readlink(f"/proc/self/fd/{fd}")).name.startswith(".db_"):
            flushed_sizes.append(os.fstat(fd).st_size)
        real_fdatasync(fd)

    monkeypatch.setattr(os, "fdatasync", recording_fdatasync)
    stats, ready = tmp_path / "writer.json", tmp_path / "ready"
    command = [sys.executable, str(WRITER), "--db", str(demo_db), "--duration", "30"]
    writer = subprocess.Popen([*command, "--stats-json", str(stats), "--ready-file", str(ready)])
    try:
        deadline = time.monotonic() + 20
        while not ready.exists():
            assert time.monotonic() < deadline, "writer did not start"
            time.sleep(0.05)
        time.sleep(0.3)
        entry = create_backup(demo_db, tmp_path / "backups")
        writer.send_signal(signal.SIGTERM)
        assert writer.wait(timeout=30) == 0
    finally:
        if writer.poll() is None:
            writer.kill()
    assert json.loads(stats.read_text())["commits"] > 20
    assert verify_backup(entry.path).ok
    connection = open_immutable(entry.path)
    (count, total) = connection.execute(
        "SELECT COUNT(*), SUM(balance) FROM writer_accounts"
    ).fetchone()
    connection.close()
    assert (count, total) == (100, 100_000)
    # Flushed while it grew: at least one flush per piece, never much more than a piece apart.
    size = entry.path.stat().st_size
    assert len(flushed_sizes) >= size // SYNC_BYTES - 2, (len(flushed_sizes), size)
    gaps = [later - earlier for earlier, later in pairwise([0, *flushed_sizes])]
    assert max(gaps) <= 2 * SYNC_BYTES + (4 << 20), gaps  # a piece, plus SQLite's page cache


def test_failed_flush_publishes_nothing_and_leaves_no_temp_file(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_filler(demo_db, 2)
    monkeypatch.setattr(snapshot, "SYNC_BYTES", SYNC_BYTES)

    def failing_fdatasync(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fdatasync", failing_fdatasync)
    backups = tmp_path / "backups"
    with pytest.raises(BackupFailed) as raised:
        create_backup(demo_db, backups)
    assert "No space left on device" in raised.value.message
    assert list_backups(backups) == []
    assert [path.name for path in backups.iterdir() if path.name.startswith((".db_", "db_"))] == []
