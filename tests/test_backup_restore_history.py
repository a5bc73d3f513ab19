"""A successful `backup restore` is recorded in the run history with the restored row counts;
a history that cannot be written costs a warning line, never the restore."""

from __future__ import annotations

from pathlib import Path

from backup_runs import counts, execute, run_cli

from backup.manifest import read_manifest
from backup.snapshot import create_backup
from dbguard.history import open_history
from dbguard.metrics import row_counts_in


def write_config(folder: Path, history: str) -> None:
    (folder / "dbguard.toml").write_text(
        '[database]\npath = "db.sqlite3"\n[backup]\ndir = "backups"\n'
        f'[reports]\ndir = "reports"\nhistory = "{history}"\n'
    )


def test_a_restore_is_recorded_with_the_restored_row_counts(demo_db: Path, tmp_path: Path) -> None:
    backup = create_backup(demo_db, tmp_path / "backups").path
    execute(demo_db, "DELETE FROM pue_drill_data WHERE id % 5 < 2")  # 40 % of the rows lost
    write_config(tmp_path, "reports/history.sqlite3")

    result = run_cli("backup", "restore", "--latest", "--yes", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    (run,) = open_history(tmp_path / "reports" / "history.sqlite3").recent_runs(kind="restore")
    assert run.database == str(demo_db)
    assert (run.status, run.exit_code) == ("ok", 0)
    assert row_counts_in(run.metrics, "live") == read_manifest(backup).row_counts
    assert row_counts_in(run.metrics, "live")["pue_drill_data"] == 13_680


def test_a_history_that_cannot_be_written_does_not_fail_the_restore(
    demo_db: Path, tmp_path: Path
) -> None:
    backup = create_backup(demo_db, tmp_path / "backups").path
    execute(demo_db, "DELETE FROM pue_comment")
    (tmp_path / "a-file").write_text("not a folder")
    write_config(tmp_path, "a-file/history.sqlite3")  # a path under a regular file

    result = run_cli("backup", "restore", str(backup), "--yes", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert counts(demo_db) == read_manifest(backup).row_counts
    warnings = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1 and warnings[0].startswith("dbguard: warning: ")
    assert "run history" in warnings[0] and "Traceback" not in result.stderr
