"""Safety copies (db.sqlite3.before_restore.*) do not pile up: the newest N are kept, the one a
restore just made never goes, a refused restore leaves none, and list/prune show them."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from backup_runs import run_cli
from hypothesis import given
from hypothesis import strategies as st

from backup.errors import RestoreRefused
from backup.restore import restore_backup
from backup.safety_copies import (
    REPAIR_MARKER,
    SafetyCopy,
    list_safety_copies,
    make_safety_copy,
    plan_safety_copies,
    prune_safety_copies,
)
from backup.snapshot import create_backup

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@given(
    minutes=st.lists(st.integers(0, 10_000), unique=True, max_size=12),
    keep=st.integers(0, 6),
    protected=st.integers(0, 11),
)
def test_the_plan_keeps_the_newest_and_the_protected_copy(
    minutes: list[int], keep: int, protected: int
) -> None:
    copies = [
        SafetyCopy(Path(f"db.sqlite3.before_restore.{n}"), START + timedelta(minutes=n), 1, (), 1)
        for n in minutes
    ]
    protect = copies[protected].path if protected < len(copies) else None
    decided = plan_safety_copies(copies, keep, protect)
    newest_first = sorted(copies, key=lambda copy: copy.created_at, reverse=True)
    assert sorted(decided.keep + decided.drop, key=str) == sorted(copies, key=str)
    assert set(newest_first[:keep]) <= set(decided.keep)
    assert all(copy.path != protect for copy in decided.drop)
    assert len(decided.keep) <= keep + (protect is not None)


def write_config(folder: Path, safety_copies_keep: int) -> None:
    (folder / "dbguard.toml").write_text(
        '[database]\npath = "db.sqlite3"\n[backup]\ndir = "backups"\n'
        f"safety_copies_keep = {safety_copies_keep}\n"
    )


def restore_at(backup: Path, db: Path, minutes: int, keep: int | None) -> Path:
    result = restore_backup(
        backup, db, assume_yes=True, now=START + timedelta(minutes=minutes), safety_copies_keep=keep
    )
    assert result.safety_copy is not None
    return result.safety_copy


def test_a_restore_keeps_the_newest_safety_copies_and_never_the_one_just_made(
    demo_db: Path, tmp_path: Path
) -> None:
    backup = create_backup(demo_db, tmp_path / "backups").path
    made = [restore_at(backup, demo_db, minutes, keep=3) for minutes in range(5)]
    assert [copy.path for copy in list_safety_copies(demo_db)] == made[2:]

    # The clock went back: the copy just made is the oldest, and still kept.
    earlier = restore_at(backup, demo_db, -60, keep=1)
    assert [copy.path for copy in list_safety_copies(demo_db)] == [earlier, made[4]]
    assert earlier.exists()


def test_a_repairs_safety_copy_says_so_and_shares_the_restores_retention(
    demo_db: Path, tmp_path: Path
) -> None:
    backup = create_backup(demo_db, tmp_path / "backups").path
    restored = restore_at(backup, demo_db, 0, keep=None)
    repaired = make_safety_copy(demo_db, START + timedelta(minutes=1), marker=REPAIR_MARKER)
    assert repaired.name == "db.sqlite3.before_repair.20260301_120100"
    newest = restore_at(backup, demo_db, 2, keep=None)
    listed = [copy.path for copy in list_safety_copies(demo_db)]
    assert listed == [restored, repaired, newest]
    pruned = prune_safety_copies(demo_db, 1, protect=repaired)
    assert pruned.deleted == [restored]
    assert [copy.path for copy in list_safety_copies(demo_db)] == [repaired, newest]


HOLD_WRITE_LOCK = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(60)
"""


def test_a_refused_restore_removes_the_safety_copy_it_made(demo_db: Path, tmp_path: Path) -> None:
    backup = create_backup(demo_db, tmp_path / "backups").path
    names_before = sorted(path.name for path in demo_db.parent.iterdir())
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE_LOCK, str(demo_db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(RestoreRefused, match="nothing changed"):
            restore_backup(backup, demo_db, assume_yes=True, busy_timeout=0.3)
    finally:
        holder.kill()
        holder.wait()
    assert list_safety_copies(demo_db) == []
    assert sorted(path.name for path in demo_db.parent.iterdir()) == names_before


KILLED_MID_RESTORE = """
import os, signal, sys
db = sys.argv[1]
folder, name = os.path.split(db)
for temp in (f".{name}.tmp-{os.getpid()}", f".{name}.before_restore.20260301_120000.tmp-{os.getpid()}"):
    with open(os.path.join(folder, temp), "wb") as half_written:
        half_written.write(b"SQLite format 3\\x00" + bytes(4096))
os.kill(os.getpid(), signal.SIGKILL)
"""

ALIVE_MID_RESTORE = """
import os, sys, time
folder, name = os.path.split(sys.argv[1])
open(os.path.join(folder, f".{name}.tmp-{os.getpid()}"), "wb").close()
print("written", flush=True)
time.sleep(60)
"""


def test_a_restore_removes_the_temp_files_of_one_killed_mid_way(
    demo_db: Path, tmp_path: Path
) -> None:
    backup = create_backup(demo_db, tmp_path / "backups").path
    killed = subprocess.Popen([sys.executable, "-c", KILLED_MID_RESTORE, str(demo_db)])
    assert killed.wait(timeout=60) == -9
    assert len(list(demo_db.parent.glob(f".{demo_db.name}*.tmp-{killed.pid}"))) == 2
    running = subprocess.Popen(
        [sys.executable, "-c", ALIVE_MID_RESTORE, str(demo_db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert running.stdout is not None and running.stdout.readline().strip() == "written"
        restore_backup(backup, demo_db, assume_yes=True)
        leftovers = sorted(path.name for path in demo_db.parent.glob(f".{demo_db.name}*"))
        # The dead process's files are gone; a live one's temp is its own business.
        assert leftovers == [f".{demo_db.name}.tmp-{running.pid}"]
    finally:
        running.kill()
        running.wait()
    assert [copy.path.name for copy in list_safety_copies(demo_db)] != []
    assert all(".tmp-" not in copy.path.name for copy in list_safety_copies(demo_db))


def test_list_shows_safety_copies_and_prune_keeps_the_configured_number(
    demo_db: Path, tmp_path: Path
) -> None:
    backup = create_backup(demo_db, tmp_path / "backups").path
    made = [restore_at(backup, demo_db, minutes, keep=None) for minutes in range(4)]
    write_config(tmp_path, safety_copies_keep=2)

    listed = run_cli("backup", "list", "--json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [row["kind"] for row in rows] == ["backup"] + ["safety-copy"] * 4
    copies = rows[1:]
    assert [row["path"] for row in copies] == [str(path) for path in made]
    assert [row["pruned_by_next_prune"] for row in copies] == [True, True, False, False]
    assert all(row["size"] > 0 for row in copies)
    table = run_cli("backup", "list", cwd=tmp_path)
    assert "safety copy" in table.stdout and made[0].name in table.stdout

    dry = run_cli("backup", "prune", "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert f"would delete {made[0].name}" in dry.stdout
    assert "safety copies: 2 kept, 2 would delete" in dry.stdout
    assert all(path.exists() for path in made)

    done = run_cli("backup", "prune", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [path.exists() for path in made] == [False, False, True, True]
    assert backup.exists()


def test_backup_create_prune_prunes_safety_copies_too(demo_db: Path, tmp_path: Path) -> None:
    backup = create_backup(demo_db, tmp_path / "backups").path
    made = [restore_at(backup, demo_db, minutes, keep=None) for minutes in range(3)]
    write_config(tmp_path, safety_copies_keep=1)
    result = run_cli("backup", "create", "--prune", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"pruned {made[0]}" in result.stderr
    assert [path.exists() for path in made] == [False, False, True]
