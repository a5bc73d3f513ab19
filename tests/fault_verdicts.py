"""What the demo's suites say about the fault scenarios, whichever engine holds the data:
tests/test_quality_faults.py (SQLite) and tests/test_postgres_check.py (PostgreSQL) hold
their runs to the same verdicts, each adding its engine's own checks."""

from __future__ import annotations

from quality_runs import Run

ROW_COUNT = "expect_table_row_count_to_be_between"


def assert_15_percent_deleted_is_a_passing_warning(run: Run) -> None:
    warning = run.by_check(f"pue_data::{ROW_COUNT}[warning]")
    assert (warning.severity, warning.outcome) == ("warning", "passed")
    assert warning.properties["observed"] == "204"
    assert "restore from the latest verified backup" in warning.properties["remediation"]
    assert run.by_check(f"pue_data::{ROW_COUNT}[critical]").severity == "ok"
    assert run.not_ok("live") == {
        f"pue_data::{ROW_COUNT}[warning]": "warning",
        f"pue_drill_data::{ROW_COUNT}[warning]": "warning",
    }
    assert [case for case in run.mine() if case.outcome == "failed"] == []


def assert_40_percent_deleted_is_critical(run: Run) -> None:
    critical = run.by_check(f"pue_data::{ROW_COUNT}[critical]")
    assert (critical.severity, critical.outcome) == ("critical", "failed")
    assert critical.properties["observed"] == "144"
    assert run.returncode == 1
    assert f"[CRITICAL] pue_data::{ROW_COUNT}[critical]" in run.stdout


def assert_broken_rows_named(run: Run) -> None:
    """PUE 9.9, an orphan comment, a recovery before its start, a dropped column, a missing
    table: each critical and named."""
    pue = run.by_check("pue_data::expect_column_values_to_be_between[pue]")
    assert pue.severity == "critical" and "id=17, pue=9.9" in pue.properties["details"]
    orphan = run.by_check("pue_comment::unexpected_rows_expectation[comments_have_pue_row]")
    assert orphan.severity == "critical" and "id=3, pue_id=999" in orphan.properties["details"]
    recovery = run.by_check("fault_record::unexpected_rows_expectation[recovery_after_start]")
    assert recovery.severity == "critical" and "id=5" in recovery.properties["details"]
    dropped = run.by_check("huijugugan::expect_column_values_to_be_between[utilization]")
    assert dropped.severity == "critical"
    assert dropped.properties["observed"].startswith("errored:")
    assert "utilization" in dropped.properties["observed"]
    missing = {
        check: severity
        for check, severity in run.not_ok("live").items()
        if check.startswith("pue_drill_data::")
    }
    assert len(missing) >= 9 and set(missing.values()) == {"critical"}
    assert run.by_check(f"pue_drill_data::{ROW_COUNT}[warning]").properties["observed"] == (
        "errored: the suite names table 'pue_drill_data', which the database lacks"
    )
    assert "id=17, pue=9.9" in run.stdout and "pue_id=999" in run.stdout
    assert run.returncode == 1
