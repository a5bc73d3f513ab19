"""`create_backup` / `dbguard backup create`: consistent under a writer, atomic under SIGKILL."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backup.catalog import latest_verified_backup, list_backups
from backup.manifest import read_manifest, sha256_of
from backup.naming import DATABASE_BACKUP, manifest_path
from backup.snapshot import create_backup
from backup.verify import open_immutable, verify_backup
from dbguard.errors import BackupError

DBGUARD = [sys.executable, "-m", "dbguard"]
WRITER = Path(__file__).with_name("writer_process.py")
REPO = Path(__file__).resolve().parent.parent


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DBGUARD, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def add_filler(db: Path, megabytes: int) -> None:
    """Make the database big enough that a backup takes a noticeable moment."""
    with sqlite3.connect(db) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, payload BLOB)"
        )
        connection.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO filler (payload) SELECT randomblob(1048576) FROM n",
            (megabytes,),
        )
    connection.close()


def checkpoint(db: Path) -> None:
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def test_backup_is_named_verified_and_private(demo_db: Path, tmp_path: Path) -> None:
    backup_dir = tmp_path / "backups"
    entry = create_backup(demo_db, backup_dir)

    assert DATABASE_BACKUP.parse(entry.path.name) is not None
    assert stat.S_IMODE(backup_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(entry.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(manifest_path(entry.path).stat().st_mode) == 0o600
    manifest = read_manifest(entry.path)
    assert manifest.sha256 == sha256_of(entry.path)
    assert manifest.size == entry.path.stat().st_size
    assert manifest.row_counts["pue_drill_data"] == 13680
    assert sum(manifest.row_counts.values()) == 14254
    assert manifest.created_at.tzinfo is not None
    assert manifest.source == str(demo_db.resolve())
    assert manifest.sqlite_version == sqlite3.sqlite_version
    assert verify_backup(entry.path).ok
    # One self-contained file: nothing but the backup, its manifest and the lock file.
    assert sorted(path.name for path in backup_dir.iterdir()) == sorted(
        [entry.path.name, manifest_path(entry.path).name, ".dbguard.lock"]
    )


def test_backup_never_changes_the_live_database(demo_db: Path, tmp_path: Path) -> None:
    checkpoint(demo_db)
    before = hashlib.sha256(demo_db.read_bytes()).hexdigest()
    create_backup(demo_db, tmp_path / "backups")
    assert hashlib.sha256(demo_db.read_bytes()).hexdigest() == before


def test_second_backup_in_the_same_second_does_not_clobber(demo_db: Path, tmp_path: Path) -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    first = create_backup(demo_db, tmp_path / "backups", now=moment)
    with pytest.raises(BackupError, match="already exists"):
        create_backup(demo_db, tmp_path / "backups", now=moment)
    assert verify_backup(first.path).ok
    # Without an explicit time the second backup waits for the next second instead.
    one = create_backup(demo_db, tmp_path / "more")
    two = create_backup(demo_db, tmp_path / "more")
    assert one.path != two.path
    assert [entry.verified for entry in list_backups(tmp_path / "more", verify="full")] == [
        True,
        True,
    ]


@pytest.mark.slow
def test_backups_taken_while_a_writer_commits_are_consistent(demo_db: Path, tmp_path: Path) -> None:
    add_filler(demo_db, 8)
    stats = tmp_path / "writer.json"
    ready = tmp_path / "ready"
    writer = subprocess.Popen(
        [
            sys.executable,
            str(WRITER),
            "--db",
            str(demo_db),
            "--duration",
            "30",
            "--stats-json",
            str(stats),
            "--ready-file",
            str(ready),
        ]
    )
    try:
        deadline = time.monotonic() + 20
        while not ready.exists():
            assert time.monotonic() < deadline, "writer did not start"
            time.sleep(0.05)
        time.sleep(0.3)
        start = datetime(2026, 3, 1, tzinfo=UTC)
        entries = []
        steps: list[tuple[int, int]] = []
        for number in range(5):
            # Odd backups copy stepwise with progress: the held read transaction must keep
            # the writer's commits from restarting the copy forever.
            progress = (lambda done, total: steps.append((done, total))) if number % 2 else None
            entries.append(
                create_backup(
                    demo_db,
                    tmp_path / "backups",
                    now=start + timedelta(seconds=number),
                    progress=progress,
                )
            )
            time.sleep(0.1)
        writer.send_signal(signal.SIGTERM)
        assert writer.wait(timeout=30) == 0
    finally:
        if writer.poll() is None:
            writer.kill()
    result = json.loads(stats.read_text())
    assert result["commits"] > 50, result
    balances_seen = set()
    for entry in entries:
        assert verify_backup(entry.path).ok
        connection = open_immutable(entry.path)
        (count, total) = connection.execute(
            "SELECT COUNT(*), SUM(balance) FROM writer_accounts"
        ).fetchone()
        balances_seen.add(
            tuple(row[0] for row in connection.execute("SELECT balance FROM writer_accounts"))
        )
        (integrity,) = connection.execute("PRAGMA integrity_check").fetchone()
        connection.close()
        assert (count, total, integrity) == (100, 100_000, "ok")
    assert len(balances_seen) > 1, "the writer made no progress between backups"
    assert len(steps) >= 4 and steps[-1][0] == steps[-1][1]


KILLED_CREATE = (
    "import sys; from backup.snapshot import create_backup; create_backup(sys.argv[1], sys.argv[2])"
)


def _assert_only_true_backups(backup_dir: Path, expected_counts: dict[str, int]) -> None:
    """Everything that looks like a backup verifies and really holds the database."""
    for entry in list_backups(backup_dir, verify="full"):
        assert entry.manifest is not None, f"{entry.name} was published without a manifest"
        assert entry.verified, entry.problems
        connection = open_immutable(entry.path)
        counts = {
            table: connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
            for table in expected_counts
        }
        connection.close()
        assert counts == expected_counts
    latest = latest_verified_backup(backup_dir)
    assert latest is None or latest.verified


@pytest.mark.slow
def test_backup_killed_at_random_moments_leaves_nothing_that_looks_valid(
    demo_db: Path, tmp_path: Path
) -> None:
    add_filler(demo_db, 30)
    checkpoint(demo_db)
    connection = sqlite3.connect(demo_db)
    expected = {
        table: connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        for table in ("filler", "pue_data", "pue_drill_data")
    }
    connection.close()
    backup_dir = tmp_path / "backups"
    rng = random.Random(20251125)
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-c", KILLED_CREATE, str(demo_db), str(tmp_path / "timing")],
        check=True,
        env=environment,
        timeout=60,
    )
    full_run = time.monotonic() - started
    for _ in range(10):
        process = subprocess.Popen(
            [sys.executable, "-c", KILLED_CREATE, str(demo_db), str(backup_dir)], env=environment
        )
        time.sleep(rng.uniform(0.02, full_run * 1.3))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        _assert_only_true_backups(backup_dir, expected)
    entry = create_backup(demo_db, backup_dir)
    assert verify_backup(entry.path).ok
    leftovers = [path.name for path in backup_dir.iterdir() if ".tmp-" in path.name]
    assert leftovers == []
    _assert_only_true_backups(backup_dir, expected)


def _corrupt_table_pages(db: Path) -> None:
    """Overwrite the middle of the file with garbage: b-tree pages of the big table break."""
    checkpoint(db)
    size = db.stat().st_size
    with db.open("r+b") as handle:
        handle.seek(size // 2 - (size // 2) % 4096)
        handle.write(b"\xff" * 4096 * 4)


def _write_config(folder: Path, db: Path, backup_dir: Path) -> None:
    (folder / "dbguard.toml").write_text(
        f'[database]\npath = "{db}"\n[backup]\ndir = "{backup_dir}"\n'
        "[backup.retention]\nkeep_last = 1\nkeep_daily = 0\nkeep_weekly = 0\n"
        'keep_monthly = 0\nkeep_within = "0"\nmin_verified = 1\n'
    )


def test_create_with_prune_prunes_only_after_the_new_backup_verified(
    demo_db: Path, tmp_path: Path
) -> None:
    backup_dir = tmp_path / "backups"
    for day in range(5):
        create_backup(demo_db, backup_dir, now=datetime(2026, 1, 1 + day, tzinfo=UTC))
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(demo_db.read_bytes())
    _corrupt_table_pages(broken)
    _write_config(tmp_path, broken, backup_dir)

    failed = run_cli("backup", "create", "--prune", cwd=tmp_path)
    assert failed.returncode == 1, failed.stderr
    assert failed.stderr.startswith("dbguard: error: ")
    assert len(list_backups(backup_dir)) == 5
    assert [path for path in backup_dir.iterdir() if ".tmp-" in path.name] == []

    done = run_cli("backup", "create", "--prune", "--db", str(demo_db), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    new_path = Path(done.stdout.strip())
    assert [entry.path for entry in list_backups(backup_dir)] == [new_path]
    assert verify_backup(new_path).ok


def test_next_backup_removes_temp_files_of_dead_processes_only(
    demo_db: Path, tmp_path: Path
) -> None:
    backup_dir = tmp_path / "backups"
    backup_dir.mkdir(mode=0o700)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        stale = backup_dir / f".db_20260101_000000.sqlite3.tmp-{dead.pid}"
        stale_journal = backup_dir / f".db_20260101_000000.sqlite3.tmp-{dead.pid}-journal"
        busy = backup_dir / f".db_20260101_000001.sqlite3.tmp-{alive.pid}"
        for path in (stale, stale_journal, busy):
            path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)
        entry = create_backup(demo_db, backup_dir)
        assert not stale.exists() and not stale_journal.exists()
        assert busy.exists()  # another backup may still be writing it
        assert [item.path for item in list_backups(backup_dir)] == [entry.path]
    finally:
        alive.kill()
        alive.wait()


def test_an_existing_folder_keeps_its_mode_and_backups_stay_private(
    demo_db: Path, tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    entry = create_backup(demo_db, shared)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755  # never chmod a folder we did not make
    assert stat.S_IMODE(entry.path.stat().st_mode) == 0o600


def test_a_short_write_publishes_no_truncated_file(tmp_path: Path) -> None:
    """A file-size limit (as a full disk) cuts a write short: the file must not be published."""
    script = (
        "import resource, signal, sys\n"
        "from pathlib import Path\n"
        "from backup.durable import write_bytes_atomically\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (100, 100))\n"
        "try:\n"
        "    write_bytes_atomically(Path(sys.argv[1]), b'x' * 1000)\n"
        "except OSError:\n"
        "    sys.exit(3)\n"
    )
    final = tmp_path / "db_20260101_000000.sqlite3.manifest.json"
    done = subprocess.run(
        [sys.executable, "-c", script, str(final)], cwd=REPO, capture_output=True, timeout=60
    )
    assert done.returncode == 3, done.stderr
    assert not final.exists()
    assert list(tmp_path.iterdir()) == []
