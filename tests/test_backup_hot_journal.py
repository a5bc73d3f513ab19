"""A hot rollback journal beside the database — a writer killed mid-transaction after its
pages spilled into the file — is rolled back deliberately before an offline restore: the
safety copy holds the last committed state, and nothing is replayed onto the restored file."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from backup_runs import content_digest, counts, execute, open_as_is, run_cli

from backup.journals import JOURNAL_MAGIC
from backup.manifest import read_manifest
from backup.safety_copies import make_safety_copy
from backup.snapshot import create_backup

CRASH_MID_TRANSACTION = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("PRAGMA cache_size = 10")  # a tiny cache: changed pages spill into the file
connection.execute("BEGIN")
connection.execute("UPDATE pue_drill_data SET category = category || ' (never committed)'")
connection.execute("DELETE FROM pue_comment")
print("written", flush=True)
time.sleep(60)
"""


def digest_of(db: Path) -> str:
    connection = open_as_is(db)
    try:
        return content_digest(connection)
    finally:
        connection.close()


@pytest.fixture
def crashed(demo_db: Path, tmp_path: Path) -> tuple[Path, Path, str]:
    """(database, backup, digest of the last committed state): a rollback-journal database
    whose writer was SIGKILLed mid-transaction, leaving a hot journal and a torn file."""
    connection = sqlite3.connect(demo_db)
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.close()
    backup = create_backup(demo_db, tmp_path / "backups").path
    # Committed after the backup, on the pages the crash then changes: the journal holds these
    # pages, so replaying it onto the restored file would show.
    execute(
        demo_db,
        "UPDATE pue_drill_data SET energy_kwh = energy_kwh + 1",
        "DELETE FROM huijugugan WHERE id > 20",
    )
    committed = digest_of(demo_db)
    writer = subprocess.Popen(
        [sys.executable, "-c", CRASH_MID_TRANSACTION, str(demo_db)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "written"
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.kill()
        writer.wait()
    journal = demo_db.with_name(demo_db.name + "-journal")
    assert journal.read_bytes()[: len(JOURNAL_MAGIC)] == JOURNAL_MAGIC  # hot
    torn = open_as_is(demo_db)
    spilled = torn.execute(
        "SELECT COUNT(*) FROM pue_drill_data WHERE category LIKE '% (never committed)'"
    ).fetchone()[0]
    torn.close()
    assert spilled > 0  # uncommitted pages are in the file; only the journal can undo them
    return demo_db, backup, committed


def test_offline_restore_rolls_back_a_hot_journal_before_the_safety_copy(
    crashed: tuple[Path, Path, str], tmp_path: Path
) -> None:
    db, backup, committed = crashed
    result = run_cli("backup", "restore", str(backup), "--db", str(db), "--yes", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "(offline)" in result.stdout
    assert "rolled back the hot journal db.sqlite3-journal" in result.stdout
    # Nothing SQLite could replay is left beside the restored file, which is the backup exactly.
    assert sorted(path.name for path in db.parent.glob("db.sqlite3-*")) == []
    assert digest_of(db) == digest_of(backup)
    assert counts(db) == read_manifest(backup).row_counts
    # The safety copy is the last committed state, readable as it is: nothing was lost.
    (safety,) = db.parent.glob("db.sqlite3.before_restore.*")
    assert digest_of(safety) == committed
    copy = open_as_is(safety)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT COUNT(*) FROM huijugugan").fetchone()[0] == 20
    assert copy.execute("SELECT COUNT(*) FROM pue_comment").fetchone()[0] == 34
    copy.close()


def test_a_hot_journal_kept_byte_for_byte_stays_paired_with_its_file(
    crashed: tuple[Path, Path, str], tmp_path: Path
) -> None:
    """When the journal cannot be rolled back in place, the safety copy keeps the torn file and
    its journal under one name, so opening the copy rolls it back to the committed state."""
    db, _backup, committed = crashed
    safety = make_safety_copy(db, datetime.now(UTC), byte_copy=True)

    journal = safety.with_name(safety.name + "-journal")
    assert journal.read_bytes()[: len(JOURNAL_MAGIC)] == JOURNAL_MAGIC
    opened = tmp_path / "opened"
    opened.mkdir()
    shutil.copyfile(safety, opened / "copy.sqlite3")
    shutil.copyfile(journal, opened / "copy.sqlite3-journal")
    connection = sqlite3.connect(opened / "copy.sqlite3")  # read-write: SQLite rolls back
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()
    assert digest_of(opened / "copy.sqlite3") == committed
