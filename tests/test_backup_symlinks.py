"""A database path that is a symlink (app/db.sqlite3 -> data/db.sqlite3, a common layout):
backups name the target, restores write into the target on both routes and keep the link."""

from __future__ import annotations

from pathlib import Path

import pytest
from backup_runs import application_holding, counts, execute, run_cli

from backup.manifest import read_manifest
from backup.restore import restore_backup
from backup.snapshot import create_backup
from dbguard.demo.database import build_demo_database


@pytest.fixture
def linked_db(tmp_path: Path) -> tuple[Path, Path]:
    """(link, target): the demo database in data/, and app/db.sqlite3 a symlink to it."""
    target = build_demo_database(tmp_path / "data" / "db.sqlite3")
    link = tmp_path / "app" / "db.sqlite3"
    link.parent.mkdir()
    link.symlink_to(target)
    return link, target


def damage(db: Path) -> None:
    execute(db, "DELETE FROM pue_comment")


def assert_restored_into_the_target(link: Path, target: Path, backup: Path) -> None:
    assert link.is_symlink() and link.resolve() == target  # the link is still the link
    assert counts(target) == read_manifest(backup).row_counts
    assert sorted(path.name for path in link.parent.iterdir()) == ["db.sqlite3"]


def test_backup_create_names_the_file_it_backed_up(
    linked_db: tuple[Path, Path], tmp_path: Path
) -> None:
    link, target = linked_db
    result = run_cli(
        "backup", "create", "--db", str(link), "--backup-dir", str(tmp_path / "b"), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    backup = Path(result.stdout.strip())  # stdout stays the new backup's path alone
    assert read_manifest(backup).source == str(target)
    assert f"backed up {target}" in result.stderr


@pytest.mark.parametrize("caller", ["library", "cli"])
def test_offline_restore_through_a_symlink_restores_its_target(
    linked_db: tuple[Path, Path], tmp_path: Path, caller: str
) -> None:
    link, target = linked_db
    backup = create_backup(link, tmp_path / "backups").path
    damage(target)
    if caller == "library":
        result = restore_backup(backup, link, assume_yes=True)
        assert (result.route, result.db_path) == ("offline", target)
        assert result.safety_copy is not None and result.safety_copy.parent == target.parent
    else:
        done = run_cli("backup", "restore", str(backup), "--db", str(link), "--yes", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert f"to {target} (offline)" in done.stdout
    assert_restored_into_the_target(link, target, backup)


def test_online_restore_through_a_symlink_restores_its_target(
    linked_db: tuple[Path, Path], tmp_path: Path
) -> None:
    link, target = linked_db
    backup = create_backup(link, tmp_path / "backups").path
    damage(target)
    with application_holding(link) as (seen_before, read_again):  # it opened the link
        assert seen_before == "0"
        result = restore_backup(backup, link, assume_yes=True, busy_timeout=5)
        seen_after, _integrity = read_again()
    assert (result.route, result.db_path) == ("online", target)
    assert seen_after == "34"  # the application, reading through the link, sees the restore
    assert result.safety_copy is not None and result.safety_copy.parent == target.parent
    assert_restored_into_the_target(link, target, backup)
