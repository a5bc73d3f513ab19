"""`[checks] ignore_tables`: Litestream's `_litestream_seq` / `_litestream_lock` (real ones, made
by the real Litestream) and SQLite's own tables get no suite, baseline, count or alert —
in baseline, lint, health and backup manifests, and with globs of the user's own. A table
added to the list is left out everywhere a table list is made, old backups and past runs
that still count it included."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from replication_support import dbguard, ltx_files, replicating, wait_for, write_config

from backup.snapshot import create_backup
from backup.verify import verify_backup
from dbguard.database import is_ignored_table, row_counts, user_tables

pytestmark = pytest.mark.slow

LITESTREAM_TABLES = {"_litestream_seq", "_litestream_lock"}


def tables_of(db: Path) -> set[str]:
    with closing(sqlite3.connect(db)) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {row[0] for row in rows}


@pytest.fixture(scope="module")
def replicated(tmp_path_factory: pytest.TempPathFactory, demo_db_template: Path) -> Path:
    """A copy of the demo database that Litestream has replicated (and so changed)."""
    folder = tmp_path_factory.mktemp("ignored")
    db = folder / "db.sqlite3"
    shutil.copyfile(demo_db_template, db)
    config = write_config(folder, db)
    with replicating(config, db):
        wait_for(lambda: bool(ltx_files(folder / "backups" / "replica")), "replication")
    assert tables_of(db) >= LITESTREAM_TABLES
    return db


def test_globs_ignore_case_and_sqlite_and_litestream_tables_always() -> None:
    assert is_ignored_table("_LITESTREAM_SEQ", ignore=())
    assert is_ignored_table("sqlite_sequence", ignore=())
    # A list of one's own adds to them: Litestream's tables stay ignored.
    assert is_ignored_table("_litestream_lock", ignore=("app_log",))
    assert is_ignored_table("APP_LOG", ignore=("app_log",))
    assert not is_ignored_table("pue_data", ignore=("app_log",))
    assert is_ignored_table("audit_2024", ignore=("audit_*",))


def test_litestream_tables_are_not_counted_anywhere(replicated: Path, tmp_path: Path) -> None:
    with closing(sqlite3.connect(replicated)) as connection:
        assert not LITESTREAM_TABLES & set(user_tables(connection, ()))
        assert not LITESTREAM_TABLES & set(row_counts(connection, ignore=()))
    backup = create_backup(replicated, tmp_path / "backups")
    assert backup.manifest is not None
    assert not LITESTREAM_TABLES & set(backup.manifest.row_counts)
    assert sum(backup.manifest.row_counts.values()) == 14254


def test_baseline_lint_and_health_ignore_them_and_the_users_own_globs(
    replicated: Path, tmp_path: Path
) -> None:
    db = tmp_path / "db.sqlite3"
    shutil.copyfile(replicated, db)
    with closing(sqlite3.connect(db)) as connection, connection:
        connection.execute("CREATE TABLE audit_2024 (id INTEGER PRIMARY KEY)")
    config = write_config(tmp_path, db, enabled=False)
    text = config.read_text().replace(
        "[checks]\n", '[checks]\nignore_tables = ["audit_*", "_litestream_*"]\n'
    )
    config.write_text(text)
    result = dbguard(config, "baseline")
    assert result.returncode == 0, result.stderr
    suites = {path.stem for path in (tmp_path / "expectations").glob("*.json")}
    assert suites == {"fault_record", "huijugugan", "pue_comment", "pue_data", "pue_drill_data"}
    lint = dbguard(config, "lint")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    health = dbguard(config, "health", "--quick", "--no-record")
    assert health.returncode == 0, health.stdout
    assert "14254 rows in 5 tables" in health.stdout


def test_a_manifest_that_still_lists_litestream_tables_verifies(
    replicated: Path, tmp_path: Path
) -> None:
    backup = create_backup(replicated, tmp_path / "backups")
    manifest_file = backup.path.with_name(backup.path.name + ".manifest.json")
    data = json.loads(manifest_file.read_text())
    data["row_counts"]["_litestream_seq"] = 1  # as a manifest written before this change
    manifest_file.write_text(json.dumps(data))
    assert verify_backup(backup.path).ok


def newest_junit(folder: Path) -> str:
    return max((folder / "reports").glob("quality_*.xml"), key=lambda path: path.name).read_text()


def test_a_table_added_to_ignore_tables_is_left_out_everywhere(
    replicated: Path, tmp_path: Path
) -> None:
    """app_log had a suite, a baseline, a backup and a check run before it joined the list;
    then it is emptied (a wipe, were it checked). `check` (live, backup reconciliation, change
    over time, replica) stays OK and never names it; new manifests, health and baseline leave
    it out; lint says its old suite is not run."""
    db = tmp_path / "db.sqlite3"
    shutil.copyfile(replicated, db)
    with closing(sqlite3.connect(db)) as connection, connection:
        connection.execute("CREATE TABLE app_log (id INTEGER PRIMARY KEY, line TEXT)")
        connection.executemany("INSERT INTO app_log (line) VALUES (?)", [("x",)] * 300)
    config = write_config(tmp_path, db)
    replica = tmp_path / "backups" / "replica"
    with replicating(config, db):
        for command in (("baseline",), ("backup", "create"), ("check",)):
            result = dbguard(config, *command)
            assert result.returncode == 0, result.stdout[-3000:] + result.stderr
        assert (tmp_path / "expectations" / "app_log.json").exists()
        assert "app_log" in newest_junit(tmp_path)

        config.write_text(
            config.read_text().replace("[checks]\n", '[checks]\nignore_tables = ["app_log"]\n')
        )
        with closing(sqlite3.connect(db)) as connection, connection:
            connection.execute("DELETE FROM app_log")
        wait_for(lambda: len(ltx_files(replica)) >= 3, "the delete to reach the replica")
        check = dbguard(config, "check")
        assert check.returncode == 0, check.stdout[-3000:] + check.stderr
        assert "app_log" not in check.stdout
        assert "app_log" not in newest_junit(tmp_path)
        assert "test_replica_row_counts_reconcile" in newest_junit(tmp_path)

        created = dbguard(config, "backup", "create")
        assert created.returncode == 0, created.stderr
        manifest = json.loads(Path(created.stdout.strip() + ".manifest.json").read_text())
        assert "app_log" not in manifest["row_counts"]
        assert manifest["ignore_tables"] == ["app_log"]
        verify = dbguard(config, "backup", "verify")  # the older backup, which counts it, too
        assert verify.returncode == 0, verify.stdout + verify.stderr

    health = dbguard(config, "health", "--quick", "--no-record")
    assert health.returncode == 1 and "app_log" not in health.stdout  # 1: replication stopped
    assert "14254 rows in 5 tables" in health.stdout
    lint = dbguard(config, "lint")
    assert lint.returncode == 1 and "app_log.json" in lint.stdout
    assert "ignore_tables" in lint.stdout
    refused = dbguard(config, "baseline", "--table", "app_log")
    assert refused.returncode == 2 and "ignore_tables" in refused.stderr
