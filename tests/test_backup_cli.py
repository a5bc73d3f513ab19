"""`dbguard backup …` through the real console script: bad input is one line and exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from backup_runs import restore_latest_cli

from backup.catalog import list_backups
from backup.manifest import read_manifest
from backup.naming import RECORD_SUFFIX, companion_paths, manifest_path
from backup.snapshot import create_backup

DBGUARD = [sys.executable, "-m", "dbguard"]


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DBGUARD, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def assert_usage_error(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("dbguard: error: ")
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def snapshot_of(folder: Path) -> dict[str, bytes]:
    """Every file's bytes, but the verification records (a verification writes them)."""
    return {
        path.name: path.read_bytes()
        for path in sorted(folder.iterdir())
        if path.is_file() and not path.name.endswith(RECORD_SUFFIX)
    }


@pytest.fixture
def backup_dir(demo_db: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "backups"
    start = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
    for day in range(0, 60, 3):
        create_backup(demo_db, folder, now=start + timedelta(days=day))
    return folder


def test_create_prints_the_new_path(demo_db: Path, tmp_path: Path) -> None:
    result = run_cli(
        "backup", "create", "--db", str(demo_db), "--backup-dir", str(tmp_path / "b"), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path.parent == tmp_path / "b" and read_manifest(path).row_counts["pue_data"] == 240


def test_create_of_a_missing_database_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(
        "backup",
        "create",
        "--db",
        str(tmp_path / "nope.sqlite3"),
        "--backup-dir",
        str(tmp_path / "b"),
        cwd=tmp_path,
    )
    assert_usage_error(result, "does not exist")
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("where", ["under-a-file", "proc"])
def test_create_into_an_unusable_folder_is_a_usage_error(
    demo_db: Path, tmp_path: Path, where: str
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    target = blocker / "backups" if where == "under-a-file" else Path("/proc/dbguard-backups")
    result = run_cli(
        "backup", "create", "--db", str(demo_db), "--backup-dir", str(target), cwd=tmp_path
    )
    assert_usage_error(result, "backup folder")
    assert blocker.read_text() == "not a folder"


def test_create_into_a_path_that_is_a_file_is_a_usage_error(demo_db: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("keep me")
    result = run_cli(
        "backup", "create", "--db", str(demo_db), "--backup-dir", str(blocker), cwd=tmp_path
    )
    assert result.returncode == 2
    assert blocker.read_text() == "keep me"


def test_create_of_a_non_sqlite_file_is_a_usage_error(tmp_path: Path) -> None:
    fake = tmp_path / "fake.sqlite3"
    fake.write_text("hello")
    result = run_cli(
        "backup", "create", "--db", str(fake), "--backup-dir", str(tmp_path / "b"), cwd=tmp_path
    )
    assert_usage_error(result, "is not a SQLite database")


def test_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    assert_usage_error(run_cli("backup", "create", "--bogus", cwd=tmp_path), "--bogus")


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--keep-within", "30 days"], "not a duration"),
        (["--keep-within", "3x"], "not a duration"),
        (["--keep-last", "-1"], "--keep-last"),
        (["--keep-daily", "many"], "--keep-daily"),
    ],
)
def test_bad_retention_flags_are_usage_errors_and_delete_nothing(
    backup_dir: Path, tmp_path: Path, flags: list[str], words: str
) -> None:
    before = snapshot_of(backup_dir)
    result = run_cli("backup", "prune", "--backup-dir", str(backup_dir), *flags, cwd=tmp_path)
    assert_usage_error(result, words)
    assert snapshot_of(backup_dir) == before


def test_restore_needs_exactly_one_source(demo_db: Path, backup_dir: Path, tmp_path: Path) -> None:
    some = str(list_backups(backup_dir)[0].path)
    assert_usage_error(
        run_cli("backup", "restore", "--db", str(demo_db), "--yes", cwd=tmp_path), "--latest"
    )
    assert_usage_error(
        run_cli("backup", "restore", some, "--latest", "--db", str(demo_db), "--yes", cwd=tmp_path),
        "--latest",
    )


def test_restore_latest_from_a_missing_backup_folder_is_an_input_error(
    demo_db: Path, tmp_path: Path
) -> None:
    before = snapshot_of(demo_db.parent)
    result = restore_latest_cli(demo_db, tmp_path / "typo", tmp_path)
    assert_usage_error(result, "backup folder")
    assert "does not exist" in result.stderr
    assert not (tmp_path / "typo").exists()
    assert snapshot_of(demo_db.parent) == before


def test_restore_latest_from_an_empty_backup_folder_is_refused(
    demo_db: Path, tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    result = restore_latest_cli(demo_db, tmp_path / "empty", tmp_path)
    assert result.returncode == 1
    assert "no backup" in result.stderr and "verifies" in result.stderr


def test_restore_without_yes_and_without_a_terminal_refuses_and_changes_nothing(
    demo_db: Path, backup_dir: Path, tmp_path: Path
) -> None:
    before = snapshot_of(demo_db.parent)
    result = subprocess.run(
        [*DBGUARD, "backup", "restore", "--latest", "--db", str(demo_db)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,  # as under cron: nobody to answer the question
    )
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stderr.startswith("dbguard: error: ")
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "not a terminal" in result.stderr and "--yes" in result.stderr
    assert snapshot_of(demo_db.parent) == before


def test_a_corrupted_backup_is_refused_in_one_line(
    demo_db: Path, backup_dir: Path, tmp_path: Path
) -> None:
    damaged = list_backups(backup_dir)[0].path
    with damaged.open("r+b") as handle:  # overwrite b-tree pages: integrity_check reports lines
        handle.seek(damaged.stat().st_size // 2)
        handle.write(os.urandom(4096))
    result = run_cli("backup", "restore", str(damaged), "--db", str(demo_db), "--yes", cwd=tmp_path)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "refusing to restore" in result.stderr and "Traceback" not in result.stderr


def test_list_json_shows_time_age_size_tier_and_verified(backup_dir: Path, tmp_path: Path) -> None:
    orphan = list_backups(backup_dir)[0].path
    manifest_path(orphan).unlink()
    result = run_cli("backup", "list", "--json", "--backup-dir", str(backup_dir), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 20
    assert rows[0]["name"] == orphan.name and rows[0]["verified"] is False
    assert all(row["verified"] for row in rows[1:])
    newest = rows[-1]
    assert newest["created_at"].startswith("2026-02-27T02:00:00")
    assert "last" in newest["tier"] and newest["size"] > 0 and newest["age_seconds"] > 0
    table = run_cli("backup", "list", "--backup-dir", str(backup_dir), cwd=tmp_path)
    assert table.returncode == 0
    assert "verified" in table.stdout and newest["name"] in table.stdout


def test_prune_dry_run_shows_the_plan_and_deletes_nothing(backup_dir: Path, tmp_path: Path) -> None:
    before = snapshot_of(backup_dir)
    args = ["--keep-last", "2", "--keep-daily", "0", "--keep-weekly", "0", "--keep-monthly", "0"]
    result = run_cli(
        "backup",
        "prune",
        "--dry-run",
        "--keep-within",
        "0",
        *args,
        "--backup-dir",
        str(backup_dir),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "would delete" in result.stdout
    assert "2 kept" not in result.stdout  # min_verified = 3 keeps one more back
    assert "3 kept, 17 would delete" in result.stdout
    assert snapshot_of(backup_dir) == before

    done = run_cli(
        "backup",
        "prune",
        "--keep-within",
        "0",
        *args,
        "--backup-dir",
        str(backup_dir),
        cwd=tmp_path,
    )
    assert done.returncode == 0
    remaining = list_backups(backup_dir, verify="full")
    assert [entry.created_at.day for entry in remaining] == [21, 24, 27]
    assert all(entry.verified for entry in remaining)
    leftovers = {path.name for path in backup_dir.iterdir()} - {
        path.name for entry in remaining for path in (entry.path, *companion_paths(entry.path))
    }
    assert leftovers == {".dbguard.lock"}


def test_prune_never_deletes_the_newest_verified_backup(backup_dir: Path, tmp_path: Path) -> None:
    entries = list_backups(backup_dir)
    newest = entries[-1].path
    entries[-2].path.write_bytes(b"garbage")  # the second newest is broken
    result = run_cli(
        "backup",
        "prune",
        "--keep-last",
        "1",
        "--keep-daily",
        "0",
        "--keep-weekly",
        "0",
        "--keep-monthly",
        "0",
        "--keep-within",
        "0",
        "--backup-dir",
        str(backup_dir),
        cwd=tmp_path,
    )
    assert result.returncode == 0
    assert newest.exists() and entries[-2].path.exists()  # broken ones are left for a human
    assert "unverified" in result.stdout


def test_archive_is_verified_and_leaves_out_backups_and_the_live_database(
    demo_db: Path, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "app.py").write_text("print('hi')\n")
    (project / "notes.txt").write_text("notes\n")
    (project / ".venv").mkdir()
    (project / ".venv" / "big").write_text("x")
    live = project / "db.sqlite3"
    live.write_bytes(demo_db.read_bytes())
    (project / "backups").mkdir()
    (project / "backups" / "db_20260101_000000.sqlite3").write_text("old")
    (project / "dbguard.toml").write_text(
        '[database]\npath = "db.sqlite3"\n[backup]\ndir = "backups"\n'
        '[archive]\nsource = "."\ndir = "backups/archives"\n'
    )
    result = run_cli("backup", "archive", cwd=project)
    assert result.returncode == 0, result.stderr
    archive = Path(result.stdout.strip())
    assert archive.parent == project / "backups" / "archives"
    assert archive.name.startswith("project_") and archive.name.endswith(".tar.gz")
    with tarfile.open(archive) as tar:
        members = sorted(member.name for member in tar.getmembers() if member.isfile())
    assert members == ["project/dbguard.toml", "project/notes.txt", "project/src/app.py"]
    assert read_manifest(archive).file_count == 3
    assert run_cli("backup", "verify", str(archive), cwd=project).returncode == 0
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x10
    archive.write_bytes(bytes(data))
    bad = run_cli("backup", "verify", str(archive), cwd=project)
    assert bad.returncode == 1 and "BAD" in bad.stdout


def test_verify_with_no_backups_fails(tmp_path: Path) -> None:
    (tmp_path / "none").mkdir()
    result = run_cli("backup", "verify", "--backup-dir", str(tmp_path / "none"), cwd=tmp_path)
    assert result.returncode == 1
    assert "no backups" in result.stderr


def test_backups_are_readable_only_by_the_owner(backup_dir: Path) -> None:
    assert oct(backup_dir.stat().st_mode & 0o777) == "0o700"
    for path in backup_dir.iterdir():
        if not path.name.startswith("."):
            assert path.stat().st_mode & 0o077 == 0, path
    assert os.stat(backup_dir).st_mode & 0o077 == 0


def test_archive_prune_keeps_by_the_same_rules(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "notes.txt").write_text("notes\n")
    (project / "dbguard.toml").write_text(
        '[archive]\nsource = "."\ndir = "archives"\n'
        "[backup.retention]\nkeep_last = 1\nkeep_daily = 0\nkeep_weekly = 0\n"
        'keep_monthly = 0\nkeep_within = "0"\nmin_verified = 2\n'
    )
    made = []
    for _ in range(3):
        result = run_cli("backup", "archive", "--prune", cwd=project)
        assert result.returncode == 0, result.stderr
        made.append(Path(result.stdout.strip()))
    assert len(set(made)) == 3  # one second apart, never clobbered
    remaining = sorted(path.name for path in (project / "archives").glob("project_*.tar.gz"))
    assert remaining == [made[1].name, made[2].name]


def test_prune_of_a_missing_backup_folder_is_an_input_error(tmp_path: Path) -> None:
    result = run_cli("backup", "prune", "--backup-dir", str(tmp_path / "typo"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("dbguard: error: backup folder ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "typo").exists()


@pytest.mark.parametrize("command", [["create"], ["restore", "--latest", "--yes"]])
def test_backing_up_or_restoring_a_postgresql_database_is_an_input_error(
    tmp_path: Path, command: list[str]
) -> None:
    url = "postgresql+psycopg://app@localhost/energy"
    result = run_cli(
        "backup", *command, "--db", url, "--backup-dir", str(tmp_path / "b"), cwd=tmp_path
    )
    assert_usage_error(result, "SQLite file")
    assert "pg_dump" in result.stderr
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("command", ["list", "verify", "prune"])
def test_a_missing_backup_folder_is_an_input_error_for_every_command(
    command: str, tmp_path: Path
) -> None:
    result = run_cli("backup", command, "--backup-dir", str(tmp_path / "typo"), cwd=tmp_path)
    assert_usage_error(result, f"backup folder {tmp_path / 'typo'} does not exist")
    assert "--backup-dir" in result.stderr
    assert not (tmp_path / "typo").exists()


def test_an_empty_backup_folder_lists_nothing_and_is_fine(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    result = run_cli("backup", "list", "--backup-dir", str(tmp_path / "b"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no backups in" in result.stdout
