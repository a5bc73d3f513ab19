"""A restore onto a missing database file (the disk died) gives the new file the mode and owner
the database had, not 0600 and the restoring user: as the newest backup's manifest recorded
them, else as its folder's. The tests run as root, so the owner is checked for real with a
uid and gid that are not root's. `backup restore --from-replica` is covered by the runbook
test (tests/test_runbook_disaster.py)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from backup_runs import counts, restore_latest_cli
from hypothesis import given
from hypothesis import strategies as st

from backup.manifest import read_manifest
from backup.naming import manifest_path
from backup.ownership import FOLDER_TO_FILE_MASK, RecordedOwnership, decide
from backup.snapshot import create_backup

APP_UID, APP_GID = 4321, 4322  # the application's service user and group
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="giving a file away needs root")


def lose_the_database(db: Path) -> None:
    """The disk died: the database and its companions are gone."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def owner_and_mode(path: Path) -> tuple[int, int, int]:
    status = path.stat()
    return stat.S_IMODE(status.st_mode), status.st_uid, status.st_gid


@needs_root
def test_the_manifest_records_the_databases_mode_and_owner(demo_db: Path, tmp_path: Path) -> None:
    os.chown(demo_db, APP_UID, APP_GID)
    demo_db.chmod(0o640)
    backup = create_backup(demo_db, tmp_path / "backups").path
    recorded = json.loads(manifest_path(backup).read_text())
    assert (recorded["source_mode"], recorded["source_uid"], recorded["source_gid"]) == (
        "0640",
        APP_UID,
        APP_GID,
    )
    assert read_manifest(backup).source_mode == 0o640
    assert owner_and_mode(backup)[0] == 0o600  # the backup itself stays private


@needs_root
def test_a_restore_onto_a_missing_file_takes_the_mode_and_owner_the_manifest_recorded(
    demo_db: Path, tmp_path: Path
) -> None:
    os.chown(demo_db, APP_UID, APP_GID)
    demo_db.chmod(0o640)
    backup = create_backup(demo_db, tmp_path / "backups").path
    expected = counts(demo_db)
    lose_the_database(demo_db)

    result = restore_latest_cli(demo_db, tmp_path / "backups", tmp_path)

    assert result.returncode == 0, result.stderr
    assert owner_and_mode(demo_db) == (0o640, APP_UID, APP_GID)
    assert counts(demo_db) == expected
    # What it did, in one line: the mode, the owner and where they come from.
    line = next(line for line in result.stdout.splitlines() if line.startswith("created "))
    assert "mode 0640" in line and f"uid {APP_UID}, gid {APP_GID}" in line
    assert manifest_path(backup).name in line
    for companion in (Path(f"{demo_db}-wal"), Path(f"{demo_db}-shm")):
        if companion.exists():  # SQLite gives its own files the database's owner
            assert companion.stat().st_uid == APP_UID


@needs_root
def test_with_only_old_manifests_a_new_file_takes_its_folders_owner(
    demo_db: Path, tmp_path: Path
) -> None:
    backup = create_backup(demo_db, tmp_path / "backups").path
    manifest = manifest_path(backup)
    data = json.loads(manifest.read_text())
    for key in ("source_mode", "source_uid", "source_gid"):
        del data[key]  # as a manifest written before dbguard recorded them
    manifest.write_text(json.dumps(data))
    folder = tmp_path / "app"
    folder.mkdir(mode=0o750)
    os.chown(folder, APP_UID, APP_GID)
    db = folder / "db.sqlite3"

    result = restore_latest_cli(db, tmp_path / "backups", tmp_path)

    assert result.returncode == 0, result.stderr
    assert owner_and_mode(db) == (0o640, APP_UID, APP_GID)
    assert f"from its folder {folder}" in result.stdout


@given(st.integers(min_value=0, max_value=0o7777))
def test_a_file_made_from_a_folders_mode_never_opens_to_others(folder_mode: int) -> None:
    class FolderStatus:
        st_mode = stat.S_IFDIR | folder_mode
        st_uid, st_gid = APP_UID, APP_GID

    chosen = decide(Path("/srv/app/db.sqlite3"), FolderStatus(), [])  # type: ignore[arg-type]
    assert chosen.mode & 0o007 == 0 and chosen.mode & ~FOLDER_TO_FILE_MASK == 0
    assert chosen.mode & 0o600 == folder_mode & 0o600  # the owner's read and write follow
    assert (chosen.uid, chosen.gid) == (APP_UID, APP_GID)


def test_only_a_manifest_of_the_same_file_says_its_owner(demo_db: Path, tmp_path: Path) -> None:
    """The newest manifest that records them for this path comes first; a manifest of another
    file (restoring into a scratch file) says nothing about it."""
    demo_db.chmod(0o640)
    manifest = read_manifest(create_backup(demo_db, tmp_path / "backups").path)
    recorded = [RecordedOwnership("newest", manifest)]
    chosen = decide(demo_db.resolve(), tmp_path.stat(), recorded)
    assert chosen.origin == "as the backup manifest newest recorded"
    assert (chosen.mode, chosen.uid) == (0o640, manifest.source_uid)
    scratch = decide(tmp_path / "scratch.sqlite3", tmp_path.stat(), recorded)
    assert scratch.origin.startswith(f"from its folder {tmp_path}")
