"""One home per rule: `check`, `health --quick` and the weekly report give the same severity
for the same table and counts.

Each caller is exercised through the code it really runs: the check validates the managed
row-count expectations that `dbguard baseline` writes, with Great Expectations, on a real
SQLite table holding that many rows; health and the weekly report read the same suite file
(no GX) and decide with `dbguard.rules.rows`. Without a suite, the check's change-over-time
and health's fallback both use the previous run.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbguard.config import ChecksConfig, Config
from dbguard.findings import Severity
from dbguard.health.rows import references, row_findings
from dbguard.quality.baseline import managed_entries, new_suite_document
from dbguard.quality.suites import load_suite_file, write_suite
from dbguard.quality.validate import SuiteValidator
from dbguard.report.weekly_facts import WeekFacts
from dbguard.rules.rows import DriftThresholds, row_count_bands, row_count_finding

TABLE = "readings"
counts = st.integers(min_value=0, max_value=3000)


@pytest.fixture(scope="module")
def validator() -> SuiteValidator:
    return SuiteValidator()


def make_table(path: Path, rows: int) -> None:
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as connection:
        connection.execute(f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY)")
        connection.executemany(f"INSERT INTO {TABLE} VALUES (?)", ((i,) for i in range(rows)))
    connection.close()


def check_severity(
    validator: SuiteValidator, folder: Path, suite_path: Path, rows: int
) -> Severity:
    database = folder / f"db-{rows}.sqlite3"
    make_table(database, rows)
    outcomes = validator.validate(database, load_suite_file(suite_path), immutable=True)
    return Severity.worst([outcome.severity for outcome in outcomes])


def weekly_severity(config: Config, rows: int) -> Severity | None:
    now = datetime.now(UTC)
    facts = WeekFacts(
        start=now,
        end=now,
        database="db",
        counts={TABLE: rows},
        read_error="",
        cpu=0.0,
        cpu_source="",
        memory=0.0,
        disk_db=0.0,
        disk_backups=0.0,
        references=references(config, {}, ""),
    )
    return facts.table_severity(TABLE, rows)


@pytest.mark.slow
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(reference=counts, observed=counts, small_table_rows=st.sampled_from([0, 100, 5000]))
def test_check_health_and_weekly_agree_on_a_suite_baseline(
    tmp_path: Path, validator: SuiteValidator, reference: int, observed: int, small_table_rows: int
) -> None:
    checks = ChecksConfig(
        expectations_dir=tmp_path / "expectations", small_table_rows=small_table_rows
    )
    config = Config(checks=checks)
    thresholds = DriftThresholds.from_config(checks)
    document = new_suite_document(TABLE)
    document["expectations"] = managed_entries(
        row_count_bands(reference, thresholds), thresholds, "2026-01-01T00:00:00+00:00"
    )
    suite_path = checks.expectations_dir / f"{TABLE}.json"
    write_suite(suite_path, document)

    from_check = check_severity(validator, tmp_path, suite_path, observed)
    findings, _ = row_findings({TABLE: observed}, references(config, {}, ""))
    from_health = Severity.worst([finding.severity for finding in findings])
    from_weekly = weekly_severity(config, observed)

    assert from_check is from_health is from_weekly, (reference, observed)


@given(previous=counts, observed=counts)
def test_change_over_time_and_health_agree_without_a_suite(previous: int, observed: int) -> None:
    config = Config(checks=ChecksConfig(expectations_dir=Path("/nonexistent")))
    bands = row_count_bands(previous, DriftThresholds.from_config(config.checks))
    from_check = row_count_finding(TABLE, observed, bands, "the previous run").severity
    findings, _ = row_findings({TABLE: observed}, references(config, {TABLE: previous}, "run"))
    assert from_check is findings[0].severity


def test_the_90_row_table_of_round_one_is_ok_at_85_in_every_caller(
    tmp_path: Path, validator: SuiteValidator
) -> None:
    checks = ChecksConfig(expectations_dir=tmp_path / "expectations")
    config = Config(checks=checks)
    thresholds = DriftThresholds.from_config(checks)
    document = new_suite_document(TABLE)
    document["expectations"] = managed_entries(row_count_bands(90, thresholds), thresholds, "t")
    suite_path = checks.expectations_dir / f"{TABLE}.json"
    write_suite(suite_path, document)
    assert check_severity(validator, tmp_path, suite_path, 85) is Severity.OK
    assert weekly_severity(config, 85) is Severity.OK
    findings, _ = row_findings({TABLE: 85}, references(config, {}, ""))
    assert findings[0].severity is Severity.OK
