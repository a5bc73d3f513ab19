"""Row counts against the previous run in the history: ±10 % warning, ±25 % critical, and an
absolute guard for small tables — through real pytest runs of checks/test_change_over_time.py."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from check_project import make_project, run_project
from hypothesis import given
from hypothesis import strategies as st

from dbguard.config import ChecksConfig
from dbguard.findings import Severity
from dbguard.history import RESTORE, History, RunRecord, utc_now
from dbguard.metrics import row_metric
from dbguard.rules.rows import DriftThresholds, classify_row_count, row_count_bands


def delete_rows(db: Path, table: str, count: int) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute(
            f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} ORDER BY rowid DESC LIMIT ?)",
            (count,),
        )
    connection.close()


@pytest.fixture
def project(tmp_path: Path, demo_db: Path) -> Path:
    return make_project(tmp_path, demo_db, {}, include=("test_change_over_time.py",))


def outcomes_of_last_run(project: Path) -> dict[str, str]:
    run = History(project / "reports" / "history.sqlite3").recent_runs(limit=1)[0]
    return {outcome.name: outcome.severity for outcome in run.outcomes}


def test_first_run_has_nothing_to_compare_and_records_row_counts(project: Path) -> None:
    result = run_project(project)
    assert result["exit_code"] == 0
    run = History(project / "reports" / "history.sqlite3").recent_runs(limit=1)[0]
    assert run.metrics["rows.pue_data.live"] == 240
    assert run.metrics["rows.pue_drill_data.live"] == 13680
    assert outcomes_of_last_run(project)["test_row_count_close_to_previous_run[pue_data]"] == "info"


def test_loss_beyond_25_percent_since_last_run_is_critical(project: Path, demo_db: Path) -> None:
    run_project(project)
    delete_rows(demo_db, "pue_data", 70)  # 240 -> 170, -29 %
    result = run_project(project)
    assert result["exit_code"] == 1
    assert outcomes_of_last_run(project)["rows pue_data"] == "critical"
    assert "170 rows (-29.2 % vs the previous run)" in Path(result["html"]).read_text()


def test_loss_between_10_and_25_percent_is_a_warning_that_passes(
    project: Path, demo_db: Path
) -> None:
    run_project(project)
    delete_rows(demo_db, "fault_record", 40)  # 272 -> 232, -14.7 %
    result = run_project(project)
    assert result["exit_code"] == 0
    assert outcomes_of_last_run(project)["rows fault_record"] == "warning"


def test_one_deleted_row_in_a_small_table_is_not_an_alert(project: Path, demo_db: Path) -> None:
    run_project(project)
    delete_rows(demo_db, "huijugugan", 1)  # 28 -> 27: -3.6 %, within the absolute guard of 2
    run_project(project)
    assert outcomes_of_last_run(project)["rows huijugugan"] == "ok"


def test_corrupted_history_is_reported_as_a_warning_and_replaced(project: Path) -> None:
    history = project / "reports" / "history.sqlite3"
    history.parent.mkdir(parents=True)
    history.write_bytes(b"garbage" * 1000)
    result = run_project(project)
    assert result["exit_code"] == 0
    assert outcomes_of_last_run(project)["run history"] == "warning"
    assert list(history.parent.glob("history.sqlite3.corrupt-*"))
    assert "moved aside" in Path(result["html"]).read_text()


@given(reference=st.integers(min_value=0, max_value=10**7), count=st.integers(0, 2 * 10**7))
def test_band_never_alerts_on_an_unchanged_count_and_widens_to_critical(
    reference: int, count: int
) -> None:
    bands = row_count_bands(reference, DriftThresholds.from_config(ChecksConfig()))
    assert classify_row_count(reference, bands) is Severity.OK
    if classify_row_count(count, bands) is Severity.CRITICAL:
        assert not bands.warning.contains(count)


def test_percent_band_matches_the_plan_thresholds() -> None:
    bands = row_count_bands(1000, DriftThresholds.from_config(ChecksConfig()))
    assert classify_row_count(1100, bands) is Severity.OK
    assert classify_row_count(1101, bands) is Severity.WARNING
    assert classify_row_count(750, bands) is Severity.WARNING
    assert classify_row_count(749, bands) is Severity.CRITICAL


def test_after_a_restore_the_next_run_compares_with_what_was_restored(
    project: Path, demo_db: Path
) -> None:
    """A restore recorded in the history (as `dbguard backup restore` records it) becomes the
    reference: the check after a good restore is OK, not "+66.7 % vs the damaged run"."""
    run_project(project)
    with sqlite3.connect(demo_db) as connection:
        connection.execute("PRAGMA foreign_keys = OFF")
        saved = connection.execute("SELECT * FROM fault_record").fetchall()
    connection.close()
    delete_rows(demo_db, "fault_record", 109)  # 272 -> 163, -40 %
    assert run_project(project)["exit_code"] == 1
    with sqlite3.connect(demo_db) as connection:  # the restore puts the rows back
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("DELETE FROM fault_record")
        marks = ",".join("?" * len(saved[0]))
        connection.executemany(f"INSERT INTO fault_record VALUES ({marks})", saved)
    connection.close()
    history = History(project / "reports" / "history.sqlite3")
    started = utc_now()
    history.append(
        RunRecord(
            kind=RESTORE,
            started_at=started,
            finished_at=started,
            database=str(demo_db),
            status="ok",
            metrics={row_metric("fault_record"): 272.0, row_metric("pue_data"): 240.0},
        )
    )
    result = run_project(project)
    assert result["exit_code"] == 0, result["output"][-2000:]
    assert outcomes_of_last_run(project)["rows fault_record"] == "ok"
    assert "272 rows (+0.0 % vs the restored backup)" in Path(result["html"]).read_text()
