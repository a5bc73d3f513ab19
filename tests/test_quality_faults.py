"""Fault injection: real `pytest checks/` runs on broken copies of the demo DB and its backup.

Every scenario is a copy of the demo database checked together with a real,
verified backup of the intact demo; each fault must be caught at the right
severity and named. The runs start together (two at a time) in one fixture.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from fault_verdicts import (
    assert_15_percent_deleted_is_a_passing_warning,
    assert_40_percent_deleted_is_critical,
    assert_broken_rows_named,
)
from quality_runs import Run, pytest_checks_command, run_all, write_config

from backup.snapshot import create_backup
from dbguard.check_run import PROJECT_ROOT

pytestmark = pytest.mark.slow


def delete_pue_rows(share: float) -> Callable[[sqlite3.Connection], None]:
    """Delete a share of pue_data with its drill-down rows, leaving commented rows alone."""

    def mutate(connection: sqlite3.Connection) -> None:
        count = round(240 * share)
        ids = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM pue_data WHERE id NOT IN (SELECT pue_id FROM pue_comment) "
                "ORDER BY id DESC LIMIT ?",
                (count,),
            )
        ]
        marks = ",".join("?" * len(ids))
        connection.execute(f"DELETE FROM pue_drill_data WHERE pue_id IN ({marks})", ids)
        connection.execute(f"DELETE FROM pue_data WHERE id IN ({marks})", ids)

    return mutate


def break_rows(connection: sqlite3.Connection) -> None:
    connection.execute("UPDATE pue_data SET pue = 9.9 WHERE id = 17")
    connection.execute("UPDATE pue_comment SET pue_id = 999 WHERE id = 3")
    connection.execute("UPDATE fault_record SET recovery_time = '2020-01-01T00:00:00' WHERE id = 5")
    connection.execute("ALTER TABLE huijugugan DROP COLUMN utilization")
    connection.execute("DROP TABLE pue_drill_data")


SCENARIOS: dict[str, Callable[[sqlite3.Connection], None] | None] = {
    "clean": None,
    "deleted_15_percent": delete_pue_rows(0.15),
    "deleted_40_percent": delete_pue_rows(0.40),
    "broken_rows": break_rows,
    "garbage_file": None,
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


@dataclass(frozen=True)
class FaultRuns:
    runs: dict[str, Run]
    clean_before: tuple[str, str]  # sha256 of the clean live DB and its -wal before the run
    clean_after: tuple[str, str]

    def __getitem__(self, name: str) -> Run:
        return self.runs[name]


@pytest.fixture(scope="module")
def runs(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> FaultRuns:
    root = tmp_path_factory.mktemp("faults")
    backup_dir = root / "backups"
    create_backup(demo_db_template, backup_dir)
    commands = []
    for name, mutate in SCENARIOS.items():
        folder = root / name
        folder.mkdir()
        db = folder / "db.sqlite3"
        shutil.copyfile(demo_db_template, db)
        if name == "garbage_file":
            db.write_bytes(hashlib.sha512(b"not a database").digest() * 512)
        elif mutate is not None:
            with sqlite3.connect(db) as connection:
                mutate(connection)
            connection.close()
        config = write_config(folder, PROJECT_ROOT / "expectations")
        junit = folder / "junit.xml"
        commands.append((pytest_checks_command(config, db, backup_dir, junit), folder, junit))
    # The clean run happens while an idle writer holds committed frames in the WAL.
    clean_db = root / "clean" / "db.sqlite3"
    writer = sqlite3.connect(clean_db)
    try:
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        with writer:
            writer.execute("UPDATE pue_comment SET content = content || '.' WHERE id = 1")
        wal = Path(f"{clean_db}-wal")
        before = (digest(clean_db), digest(wal))
        results = dict(zip(SCENARIOS, run_all(commands), strict=True))
        after = (digest(clean_db), digest(wal))
    finally:
        writer.close()
    assert before[1] != "absent"
    return FaultRuns(results, before, after)


def test_clean_demo_passes_every_check_on_live_backup_and_restore_drill(
    runs: FaultRuns,
) -> None:
    run = runs["clean"]
    mine = run.mine()
    assert len(mine) > 100, run.stdout[-2000:]
    assert [case for case in mine if case.outcome != "passed"] == [], run.stdout[-3000:]
    assert run.not_ok("live") == {} and run.not_ok("backup") == {}
    assert {case.properties.get("target") for case in mine} >= {"live", "backup", "restore-drill"}
    assert run.by_check("backup::restore_drill", "restore-drill").severity == "ok"


def test_check_run_leaves_live_database_and_wal_bytes_unchanged(runs: FaultRuns) -> None:
    assert runs.clean_after == runs.clean_before


def test_15_percent_deleted_is_a_warning_that_passes(runs: FaultRuns) -> None:
    run = runs["deleted_15_percent"]
    assert_15_percent_deleted_is_a_passing_warning(run)
    assert run.by_check("backup::row_counts_reconcile", "backup").severity == "warning"


def test_40_percent_deleted_is_critical_and_named_in_the_output(runs: FaultRuns) -> None:
    assert_40_percent_deleted_is_critical(runs["deleted_40_percent"])


def test_broken_rows_are_each_caught_and_named(runs: FaultRuns) -> None:
    run = runs["broken_rows"]
    assert_broken_rows_named(run)
    assert run.not_ok("live")["database::foreign_key_check"] == "critical"


def test_garbage_live_file_gives_critical_findings_not_a_crash(runs: FaultRuns) -> None:
    run = runs["garbage_file"]
    assert run.returncode == 1
    assert "INTERNALERROR" not in run.stdout + run.stderr
    mine = [case for case in run.mine() if case.properties.get("target") == "live"]
    assert mine and {case.outcome for case in mine} <= {"failed", "skipped"}
    assert [case for case in run.mine() if case.outcome == "error"] == []
    integrity = run.by_check("database::integrity")
    assert integrity.severity == "critical"
    assert "not a SQLite database" in integrity.properties["observed"]
    # The backup is intact and still checked: a broken live file is when it matters most.
    assert run.by_check("backup::restore_drill", "restore-drill").severity == "ok"
