"""The analysts' workflow end to end, with the real CLI: on the demo and on a generated schema
no suite was written for, `suggest --write` → `lint` (0) → `check` (0); then each injected
fault makes `check` flag the rule that should catch it (issue 11, "Done when").

The two databases run side by side (two at a time, as tests/quality_runs.py does).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from analyst_databases import build_generated_database, stamp
from quality_runs import Case, read_junit, write_config

from backup.snapshot import create_backup
from dbguard.check_run import PROJECT_ROOT
from dbguard.database import row_counts
from dbguard.history import RunRecord, open_history
from dbguard.metrics import row_metric

pytestmark = pytest.mark.slow

NOW = datetime.now(UTC).replace(microsecond=0)
SEEDED_RUNS = 20


@dataclass
class Outcome:
    steps: dict[str, subprocess.CompletedProcess[str]]
    clean: list[Case]
    faulty: list[Case]

    def severity(self, check: str) -> str:
        found = [
            case.severity
            for case in self.faulty
            if case.check == check and case.properties.get("target") in ("live", "")
        ]
        assert found, f"no live finding for {check!r}: {sorted({c.check for c in self.faulty})}"
        return found[0]


def dbguard(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbguard", "--config", str(folder / "dbguard.toml"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=folder,
    )


def seed_history(folder: Path) -> None:
    """Hourly check runs before the clean one, with today's counts: a steady history."""
    db = (folder / "db.sqlite3").resolve()
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        counts = row_counts(connection, ignore=())
    history = open_history(folder / "reports" / "history.sqlite3")
    for hours in range(2, 2 + SEEDED_RUNS):
        started = NOW - timedelta(hours=hours)
        history.append(
            RunRecord(
                kind="check",
                started_at=started,
                finished_at=started + timedelta(seconds=5),
                database=str(db),
                status="ok",
                metrics={row_metric(table): float(count) for table, count in counts.items()},
            )
        )


def latest_junit(folder: Path) -> list[Case]:
    reports = sorted((folder / "reports").glob("quality_*.xml"), key=lambda p: p.stat().st_mtime)
    return read_junit(reports[-1])


def workflow(folder: Path, inject: Callable[[sqlite3.Connection], None]) -> Outcome:
    steps = {}
    create_backup(folder / "db.sqlite3", folder / "backups")
    for name, args in (("suggest", ("suggest", "--write")), ("lint", ("lint",))):
        steps[name] = dbguard(folder, *args)
    steps["check"] = dbguard(folder, "check")
    clean = latest_junit(folder)
    seed_history(folder)
    with sqlite3.connect(folder / "db.sqlite3") as connection:
        inject(connection)
    connection.close()
    steps["faulty check"] = dbguard(folder, "check")
    return Outcome(steps, clean, latest_junit(folder))


def demo_folder(root: Path, template: Path) -> Path:
    folder = root / "demo"
    folder.mkdir()
    shutil.copy(template, folder / "db.sqlite3")
    shutil.copytree(PROJECT_ROOT / "expectations", folder / "expectations")
    write_config(folder, folder / "expectations")
    # The demo's data is historical; its comments become a live feed (one every 20 minutes
    # up to now), so suggest has a table to propose a freshness rule for.
    with sqlite3.connect(folder / "db.sqlite3") as connection:
        for number in range(1, 35):
            moment = stamp(NOW - timedelta(minutes=20 * (34 - number) + 1))
            connection.execute(
                "UPDATE pue_comment SET created_at = ? WHERE id = ?", (moment, number)
            )
    connection.close()
    return folder


def demo_faults(connection: sqlite3.Connection) -> None:
    connection.execute("UPDATE fault_record SET node_id = NULL WHERE id = 4")  # a NULL
    connection.execute("UPDATE pue_data SET pue = 9.9 WHERE id = 17")  # out of range
    connection.execute("UPDATE pue_comment SET author = 'nobody' WHERE id = 5")  # unknown
    connection.execute(  # stale: the feed stopped three days ago
        "UPDATE pue_comment SET created_at = datetime(created_at, '-3 days')"
    )
    connection.execute("ALTER TABLE huijugugan DROP COLUMN utilization")  # dropped column
    connection.execute("DELETE FROM pue_drill_data WHERE id % 5 < 2")  # a 40 % drop


def generated_folder(root: Path) -> Path:
    folder = root / "generated"
    folder.mkdir()
    build_generated_database(folder / "db.sqlite3", NOW)
    write_config(folder, folder / "expectations")
    return folder


def generated_faults(connection: sqlite3.Connection) -> None:
    connection.execute("UPDATE orders SET amount = NULL WHERE id = 5")
    connection.execute("UPDATE tickets SET ticket_no = 'T-00001' WHERE id = 2")
    connection.execute("UPDATE orders SET amount = 1e9 WHERE id = 7")
    connection.execute("UPDATE orders SET status = 'lost' WHERE id = 9")
    connection.execute(
        "DELETE FROM sensor_reading WHERE reading_at > ?", (stamp(NOW - timedelta(hours=30)),)
    )
    connection.execute("ALTER TABLE assets DROP COLUMN note")
    connection.execute("DELETE FROM order_items WHERE order_id % 5 < 2")


@pytest.fixture(scope="module")
def outcomes(
    tmp_path_factory: pytest.TempPathFactory, demo_db_template: Path
) -> dict[str, Outcome]:
    root = tmp_path_factory.mktemp("analysts")
    jobs = {
        "demo": (demo_folder(root, demo_db_template), demo_faults),
        "generated": (generated_folder(root), generated_faults),
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(workflow, *job) for name, job in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("database", ["demo", "generated"])
def test_suggest_write_then_lint_and_check_pass(
    outcomes: dict[str, Outcome], database: str
) -> None:
    outcome = outcomes[database]
    for step in ("suggest", "lint", "check"):
        result = outcome.steps[step]
        assert result.returncode == 0, f"{step}: {result.stdout[-3000:]}\n{result.stderr[-2000:]}"
    assert "written as warnings" in outcome.steps["suggest"].stdout
    flagged = [
        case.check
        for case in outcome.clean
        if case.severity in ("warning", "critical")
        and case.file in ("test_expectations.py", "test_freshness.py", "test_schema_drift.py")
    ]
    assert flagged == []
    kinds = {case.check.split("::")[-1].split("[")[0] for case in outcome.clean}
    assert "expect_column_values_to_not_be_null" in kinds
    assert any(
        case.check.startswith("freshness ") and case.severity == "ok" for case in outcome.clean
    )


# The demo's schema enforces every key (SQLite itself refuses a duplicate), so the duplicate
# key is injected into the generated schema, where a key-like column has no constraint.
FAULTS = {
    "demo": {
        "a NULL": ("fault_record::expect_column_values_to_not_be_null[node_id]", "warning"),
        "a value out of range": ("pue_data::expect_column_values_to_be_between[pue]", "critical"),
        "an unknown category": (
            "pue_comment::expect_column_values_to_be_in_set[author]",
            "warning",
        ),
        "a stale table": ("freshness pue_comment", "critical"),
        "a dropped column": ("schema huijugugan", "critical"),
        "an anomalous drop": ("volume anomaly pue_drill_data", "warning"),
    },
    "generated": {
        "a NULL": ("orders::expect_column_values_to_not_be_null[amount]", "warning"),
        "a duplicate key": ("tickets::expect_column_values_to_be_unique[ticket_no]", "warning"),
        "a value out of range": ("orders::expect_column_values_to_be_between[amount]", "warning"),
        "an unknown category": ("orders::expect_column_values_to_be_in_set[status]", "warning"),
        "a stale table": ("freshness sensor_reading", "critical"),
        "a dropped column": ("schema assets", "critical"),
        "an anomalous drop": ("volume anomaly order_items", "warning"),
    },
}


@pytest.mark.parametrize(
    ("database", "fault"),
    [(database, fault) for database, faults in FAULTS.items() for fault in faults],
)
def test_each_fault_is_flagged_by_its_rule(
    outcomes: dict[str, Outcome], database: str, fault: str
) -> None:
    check, severity = FAULTS[database][fault]
    outcome = outcomes[database]
    assert outcome.steps["faulty check"].returncode == 1  # the dropped column is critical
    assert outcome.severity(check) == severity
