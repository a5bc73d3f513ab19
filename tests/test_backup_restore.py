"""restore_backup / `dbguard backup restore`: verified, safety copy, stale WAL, busy DB, online."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from backup_runs import application_holding, counts, execute, restore_latest_cli, run_cli

from backup.errors import RestoreRefused
from backup.manifest import read_manifest
from backup.restore import restore_backup
from backup.snapshot import create_backup
from backup.verify import open_immutable


def leave_stale_wal(db: Path, rows: int) -> None:
    """A process commits `rows` rows and dies without checkpointing: a -wal with extra frames."""
    script = textwrap.dedent(
        f"""
        import os, sqlite3
        connection = sqlite3.connect({str(db)!r})
        connection.execute("PRAGMA wal_autocheckpoint = 0")
        connection.execute("CREATE TABLE after_backup (id INTEGER PRIMARY KEY, note TEXT)")
        connection.executemany(
            "INSERT INTO after_backup (note) VALUES (?)", [("x",)] * {rows}
        )
        connection.execute("DELETE FROM pue_comment")
        connection.commit()
        os._exit(0)
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)


def test_restore_over_a_database_with_a_stale_wal_gives_exactly_the_backup(
    demo_db: Path, tmp_path: Path
) -> None:
    backup = create_backup(demo_db, tmp_path / "backups").path
    leave_stale_wal(demo_db, 6000)
    wal = demo_db.with_name(demo_db.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0

    result = restore_backup(backup, demo_db, assume_yes=True)

    assert result.route == "offline"
    assert counts(demo_db) == read_manifest(backup).row_counts
    connection = sqlite3.connect(demo_db)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()
    # The safety copy holds the state before the restore, stale WAL frames included.
    assert result.safety_copy is not None
    assert ".before_restore." in result.safety_copy.name
    copy = open_immutable(result.safety_copy)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT COUNT(*) FROM after_backup").fetchone()[0] == 6000
    assert copy.execute("SELECT COUNT(*) FROM pue_comment").fetchone()[0] == 0
    copy.close()


def test_restore_into_a_new_place_writes_the_database(demo_db: Path, tmp_path: Path) -> None:
    backup = create_backup(demo_db, tmp_path / "backups").path
    target = tmp_path / "elsewhere" / "db.sqlite3"
    target.parent.mkdir()
    orphan_wal = target.with_name("db.sqlite3-wal")
    orphan_wal.write_bytes(demo_db.read_bytes()[:4096])  # a -wal without its database

    result = restore_backup(backup, target, assume_yes=True)

    assert result.route == "new"
    assert counts(target) == read_manifest(backup).row_counts
    assert not orphan_wal.exists()  # set aside, never replayed onto the new file
    assert result.safety_copy is not None
    assert result.safety_copy.with_name(result.safety_copy.name + "-wal").exists()


def test_restore_needs_confirmation(demo_db: Path, tmp_path: Path) -> None:
    backup = create_backup(demo_db, tmp_path / "backups").path
    leave_stale_wal(demo_db, 10)
    before = counts(demo_db)
    with pytest.raises(RestoreRefused, match="not confirmed"):
        restore_backup(backup, demo_db, confirm=lambda _question: False)
    with pytest.raises(RestoreRefused, match="not confirmed"):
        restore_backup(backup, demo_db)
    assert counts(demo_db) == before


def test_cli_restore_asks_and_honours_the_answer(demo_db: Path, tmp_path: Path) -> None:
    backup = create_backup(demo_db, tmp_path / "backups").path
    leave_stale_wal(demo_db, 10)
    declined = run_cli(
        "backup", "restore", str(backup), "--db", str(demo_db), cwd=tmp_path, stdin="n\n"
    )
    assert declined.returncode == 1
    assert counts(demo_db)["after_backup"] == 10
    accepted = run_cli(
        "backup", "restore", str(backup), "--db", str(demo_db), cwd=tmp_path, stdin="y\n"
    )
    assert accepted.returncode == 0, accepted.stderr
    assert counts(demo_db) == read_manifest(backup).row_counts


def test_cli_restore_latest_skips_a_backup_that_does_not_verify(
    demo_db: Path, tmp_path: Path
) -> None:
    backup_dir = tmp_path / "backups"
    older = create_backup(demo_db, backup_dir).path
    execute(demo_db, "DELETE FROM huijugugan")
    newer = create_backup(demo_db, backup_dir).path
    newer.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)  # damaged

    result = restore_latest_cli(demo_db, backup_dir, tmp_path)
    assert result.returncode == 0, result.stderr
    assert str(older) in result.stdout
    assert counts(demo_db)["huijugugan"] == 28


HOLD_WRITE_LOCK = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
connection.execute("DELETE FROM huijugugan")
print("locked", flush=True)
time.sleep(60)
"""


@pytest.mark.slow
def test_restore_is_refused_while_a_writer_holds_the_database_busy(
    demo_db: Path, tmp_path: Path
) -> None:
    backup = create_backup(demo_db, tmp_path / "backups").path
    execute(demo_db, "DELETE FROM pue_comment")
    before = counts(demo_db)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE_LOCK, str(demo_db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        result = run_cli(
            "backup",
            "restore",
            str(backup),
            "--db",
            str(demo_db),
            "--yes",
            "--timeout",
            "1",
            cwd=tmp_path,
        )
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1
    assert "busy" in result.stderr and "nothing changed" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert waited >= 1.0
    assert counts(demo_db) == before  # the holder's uncommitted delete rolled back, no restore


def test_restore_while_the_app_has_the_database_open_goes_online(
    demo_db: Path, tmp_path: Path
) -> None:
    backup = create_backup(demo_db, tmp_path / "backups").path
    execute(demo_db, "DELETE FROM pue_comment")
    with application_holding(demo_db) as (seen_before, read_again):
        assert seen_before == "0"
        result = restore_backup(backup, demo_db, assume_yes=True, busy_timeout=5)
        seen_after, integrity = read_again()
    assert result.route == "online"
    # The application's own open connection sees the restored data, through SQLite's locks.
    assert (seen_after, integrity) == ("34", "ok")
    assert counts(demo_db) == read_manifest(backup).row_counts


@pytest.mark.slow
def test_online_restore_under_a_committing_writer_keeps_the_invariant(
    demo_db: Path, tmp_path: Path
) -> None:
    writer_script = Path(__file__).with_name("writer_process.py")
    ready = tmp_path / "ready"
    writer = subprocess.Popen(
        [
            sys.executable,
            str(writer_script),
            "--db",
            str(demo_db),
            "--duration",
            "30",
            "--stats-json",
            str(tmp_path / "stats.json"),
            "--ready-file",
            str(ready),
        ]
    )
    try:
        while not ready.exists():
            time.sleep(0.05)
        backup = create_backup(demo_db, tmp_path / "backups").path
        result = restore_backup(backup, demo_db, assume_yes=True, busy_timeout=30)
        time.sleep(0.3)
        assert writer.poll() is None, "the writer died"
    finally:
        writer.terminate()
        writer.wait(timeout=30)
    assert result.route == "online"
    connection = sqlite3.connect(demo_db)
    assert connection.execute("SELECT SUM(balance) FROM writer_accounts").fetchone()[0] == 100_000
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()


def test_a_full_disk_during_the_safety_copy_changes_nothing_and_leaves_no_temp(
    demo_db: Path, tmp_path: Path
) -> None:
    """A file-size limit stands in for a full disk: the safety copy cannot be written."""
    backup = create_backup(demo_db, tmp_path / "backups").path
    before = demo_db.read_bytes()
    names_before = sorted(path.name for path in demo_db.parent.iterdir())
    script = textwrap.dedent(
        """
        import resource, signal, sys
        from backup.restore import restore_backup
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        try:
            restore_backup(sys.argv[1], sys.argv[2], assume_yes=True)
        except OSError:
            sys.exit(3)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(backup), str(demo_db)],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3, done.stderr
    assert demo_db.read_bytes() == before
    assert sorted(path.name for path in demo_db.parent.iterdir()) == names_before
