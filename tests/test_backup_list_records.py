"""`backup list` reuses the recorded verification of unchanged backups and re-reads the rest;
a record never makes a bad backup look good; `list --verify`, `verify` and `prune` read all."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from backup_runs import run_cli

from backup.manifest import read_manifest
from backup.naming import manifest_path, record_path
from backup.snapshot import create_backup
from backup.verification_record import RACY_SECONDS, identity_of, read_record, write_record
from backup.verify import VerifyResult


@pytest.fixture
def backups(demo_db: Path, tmp_path: Path) -> list[Path]:
    """Three backups, old enough (by file time) for their verification to be recorded."""
    start = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
    made = [
        create_backup(demo_db, tmp_path / "backups", now=start + timedelta(days=day)).path
        for day in range(3)
    ]
    time.sleep(RACY_SECONDS + 0.1)
    return made


def listed(tmp_path: Path, *flags: str) -> list[dict[str, Any]]:
    result = run_cli(
        "backup", "list", "--json", *flags, "--backup-dir", str(tmp_path / "backups"), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    return [row for row in json.loads(result.stdout) if row["kind"] == "backup"]


def flip_a_byte(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.seek(path.stat().st_size // 2)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0xFF]))


def test_list_reverifies_only_changed_or_unrecorded_backups(
    backups: list[Path], tmp_path: Path
) -> None:
    first = listed(tmp_path)
    assert [row["reverified"] for row in first] == [True, True, True]
    assert all(row["verified"] and row["verified_at"] for row in first)
    assert all(record_path(path).exists() for path in backups)

    second = listed(tmp_path)
    assert [row["reverified"] for row in second] == [False, False, False]
    assert [row["verified_at"] for row in second] == [row["verified_at"] for row in first]
    assert all(row["verified"] and row["verified_age"] for row in second)

    flip_a_byte(backups[1])
    third = listed(tmp_path)
    assert [row["reverified"] for row in third] == [False, True, False]
    assert [row["verified"] for row in third] == [True, False, True]
    assert any("sha256" in problem for problem in third[1]["problems"])
    table = run_cli("backup", "list", "--backup-dir", str(tmp_path / "backups"), cwd=tmp_path)
    assert "checked" in table.stdout and "ago" in table.stdout

    everything = listed(tmp_path, "--verify")
    assert [row["reverified"] for row in everything] == [True, True, True]


def test_a_record_is_ignored_once_the_file_or_its_manifest_changed(
    backups: list[Path], tmp_path: Path
) -> None:
    listed(tmp_path)
    assert all(read_record(path) is not None for path in backups)
    # Bytes changed, file time put back: the ctime still moves, so the record is stale.
    status = backups[0].stat()
    flip_a_byte(backups[0])
    os.utime(backups[0], ns=(status.st_atime_ns, status.st_mtime_ns))
    assert read_record(backups[0]) is None
    # The manifest changed (a row count edited): the record is stale too.
    manifest = manifest_path(backups[1])
    manifest.write_text(manifest.read_text().replace('"pue_data": 240', '"pue_data": 241'))
    assert read_record(backups[1]) is None
    # Not a record at all.
    record_path(backups[2]).write_text("{not json")
    assert read_record(backups[2]) is None

    rows = listed(tmp_path)
    assert [row["reverified"] for row in rows] == [True, True, True]
    assert [row["verified"] for row in rows] == [False, False, True]


def test_verify_prune_and_list_verify_read_everything_whatever_a_record_says(
    backups: list[Path], tmp_path: Path
) -> None:
    """Bit rot that leaves size and times alone cannot be seen from a record; it is stood in
    for by a record that says ok for a file that no longer is."""
    rotten = backups[0]
    flip_a_byte(rotten)
    later = datetime.now(UTC) + timedelta(seconds=RACY_SECONDS + 1)
    manifest = read_manifest(rotten)
    write_record(rotten, identity_of(rotten), later, VerifyResult(rotten, True, [], manifest))
    assert listed(tmp_path)[0]["verified"] is True  # the record is all a plain list has

    assert listed(tmp_path, "--verify")[0]["verified"] is False
    verify = run_cli("backup", "verify", str(rotten), cwd=tmp_path)
    assert verify.returncode == 1 and "BAD" in verify.stdout
    # verify recorded what it found: the next plain list knows too.
    assert listed(tmp_path)[0]["verified"] is False

    write_record(rotten, identity_of(rotten), later, VerifyResult(rotten, True, [], manifest))
    prune = run_cli(
        "backup",
        "prune",
        "--dry-run",
        "--keep-last",
        "1",
        "--backup-dir",
        str(tmp_path / "backups"),
        cwd=tmp_path,
    )
    assert prune.returncode == 0, prune.stderr
    assert f"unverified   {rotten.name}" in prune.stdout  # not counted as a kept good copy
