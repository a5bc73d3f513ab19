"""verify_backup / `dbguard backup verify` catch every kind of damage, and restore refuses it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from backup.errors import RestoreRefused
from backup.manifest import read_manifest
from backup.naming import manifest_path
from backup.restore import restore_backup
from backup.snapshot import create_backup
from backup.verify import open_immutable, verify_backup

DBGUARD = [sys.executable, "-m", "dbguard"]
MARKER = b"DBGUARD-BLOB-MARKER"


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DBGUARD, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture
def blob_backup(tmp_path: Path) -> Path:
    """A verified backup of a database holding one large BLOB with a findable marker."""
    db = tmp_path / "blobs.sqlite3"
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("CREATE TABLE documents (id INTEGER PRIMARY KEY, name TEXT, body BLOB)")
    payload = MARKER + os.urandom(200_000)
    connection.execute("INSERT INTO documents (name, body) VALUES ('report', ?)", (payload,))
    connection.executemany(
        "INSERT INTO documents (name, body) VALUES (?, ?)",
        [(f"doc {number}", os.urandom(300)) for number in range(200)],
    )
    connection.commit()
    connection.close()
    return create_backup(db, tmp_path / "backups").path


def flip_bit(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def flip_middle(path: Path) -> None:
    flip_bit(path, path.stat().st_size // 2)


def flip_inside_blob(path: Path) -> None:
    flip_bit(path, path.read_bytes().index(MARKER) + len(MARKER) + 1000)


def truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def empty(path: Path) -> None:
    os.truncate(path, 0)


def not_sqlite(path: Path) -> None:
    path.write_text("this is a text file, not a database\n" * 100)


def change_manifest_counts(path: Path) -> None:
    target = manifest_path(path)
    data = json.loads(target.read_text())
    data["row_counts"]["documents"] += 1
    target.write_text(json.dumps(data))


def change_manifest_checksum(path: Path) -> None:
    target = manifest_path(path)
    data = json.loads(target.read_text())
    data["sha256"] = "0" * 64
    target.write_text(json.dumps(data))


def garble_manifest(path: Path) -> None:
    manifest_path(path).write_text("{not json")


def remove_manifest(path: Path) -> None:
    manifest_path(path).unlink()


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "bit flip in the middle": (flip_middle, "sha256"),
    "bit flip inside a BLOB": (flip_inside_blob, "sha256"),
    "truncation": (truncate, "truncated"),
    "zero length": (empty, "empty"),
    "not a SQLite file": (not_sqlite, "not a SQLite database"),
    "changed row count in manifest": (change_manifest_counts, "manifest says"),
    "changed checksum in manifest": (change_manifest_checksum, "sha256"),
    "malformed manifest": (garble_manifest, "malformed"),
    "missing manifest": (remove_manifest, "no manifest"),
}


def test_a_fresh_backup_verifies(blob_backup: Path) -> None:
    result = verify_backup(blob_backup)
    assert result.ok, result.problems
    assert result.manifest is not None and result.manifest.row_counts == {"documents": 201}


def test_blob_bit_flip_passes_integrity_check_but_not_verify(blob_backup: Path) -> None:
    flip_inside_blob(blob_backup)
    connection = open_immutable(blob_backup)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()
    result = verify_backup(blob_backup)
    assert not result.ok
    assert any("sha256" in problem for problem in result.problems)


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_verify_catches_damage(blob_backup: Path, damage: str) -> None:
    harm, words = DAMAGE[damage]
    harm(blob_backup)
    result = verify_backup(blob_backup)
    assert not result.ok
    assert any(words in problem for problem in result.problems), result.problems


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_restore_refuses_damaged_backup(blob_backup: Path, tmp_path: Path, damage: str) -> None:
    DAMAGE[damage][0](blob_backup)
    target = tmp_path / "restored.sqlite3"
    with pytest.raises(RestoreRefused, match="refusing to restore"):
        restore_backup(blob_backup, target, assume_yes=True)
    assert not target.exists()


def test_verifying_never_changes_a_backup(blob_backup: Path) -> None:
    before = blob_backup.read_bytes(), manifest_path(blob_backup).read_bytes()
    files_before = sorted(path.name for path in blob_backup.parent.iterdir())
    assert verify_backup(blob_backup).ok
    assert (blob_backup.read_bytes(), manifest_path(blob_backup).read_bytes()) == before
    assert sorted(path.name for path in blob_backup.parent.iterdir()) == files_before


def test_cli_verify_names_each_bad_file_and_why(tmp_path: Path, demo_db: Path) -> None:
    backup_dir = tmp_path / "backups"
    good = create_backup(demo_db, backup_dir).path
    flipped = create_backup(demo_db, backup_dir).path
    orphan = create_backup(demo_db, backup_dir).path
    flip_middle(flipped)
    remove_manifest(orphan)

    result = run_cli("backup", "verify", "--all", "--backup-dir", str(backup_dir), cwd=tmp_path)
    assert result.returncode == 1
    lines = {line.split()[1].rstrip(":"): line for line in result.stdout.splitlines()}
    assert lines[str(good)].startswith("ok")
    assert lines[str(flipped)].startswith("BAD") and "sha256" in lines[str(flipped)]
    assert lines[str(orphan)].startswith("BAD") and "no manifest" in lines[str(orphan)]
    assert "2 of 3 backups did not verify" in result.stderr

    only_good = run_cli("backup", "verify", str(good), cwd=tmp_path)
    assert only_good.returncode == 0, only_good.stdout


def test_cli_verify_of_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("backup", "verify", str(tmp_path / "db_20260101_000000.sqlite3"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("dbguard: error: ") and "does not exist" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_read_manifest_exposes_the_contract_fields(blob_backup: Path) -> None:
    manifest = read_manifest(blob_backup)
    assert manifest.row_counts == {"documents": 201}
    assert len(manifest.sha256) == 64
    assert manifest.size == blob_backup.stat().st_size
    assert manifest.created_at.utcoffset() is not None
