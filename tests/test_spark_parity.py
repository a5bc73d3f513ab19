"""The project's suites on Spark and on SQLite agree: the demo's tables written as Parquet,
clean and with planted faults, give the same verdict, the same unexpected counts and the
same named failing rows for every expectation of every suite in expectations/ (GX's Spark
engine in the tests' one local[1] session, against GX on the SQLite file)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from spark_support import broken_parquet

from dbguard.catalog import SparkTables, SqliteFile
from dbguard.check_run import PROJECT_ROOT
from dbguard.findings import Severity
from dbguard.quality.suites import load_suites
from dbguard.quality.validate import ExpectationOutcome, SuiteValidator

pytestmark = [pytest.mark.xdist_group("spark"), pytest.mark.slow]


def plant_faults(connection: sqlite3.Connection) -> None:
    """The SQLite fault scenarios' broken rows (tests/test_quality_faults.py), a dropped
    column, and 40 % of pue_data deleted (the newest rows without a comment)."""
    connection.execute("UPDATE pue_data SET pue = 9.9 WHERE id = 17")
    connection.execute("UPDATE pue_comment SET pue_id = 999 WHERE id = 3")
    connection.execute("UPDATE fault_record SET recovery_time = '2020-01-01T00:00:00' WHERE id = 5")
    connection.execute("UPDATE pue_drill_data SET energy_kwh = -1.5 WHERE id IN (7, 8)")
    connection.execute("ALTER TABLE huijugugan DROP COLUMN utilization")
    doomed = (
        "SELECT id FROM pue_data WHERE id NOT IN (SELECT pue_id FROM pue_comment)"
        " AND id <> 17 ORDER BY id DESC LIMIT 96"
    )
    connection.execute(f"DELETE FROM pue_drill_data WHERE pue_id IN ({doomed})")
    connection.execute(f"DELETE FROM pue_data WHERE id IN ({doomed})")


def verdicts(outcomes: list[ExpectationOutcome]) -> dict[str, tuple[str, str, str]]:
    """Each expectation's severity, observed value and named rows; an error's own words differ
    between engines, so an errored expectation is only `errored`."""
    found = {}
    for outcome in outcomes:
        if outcome.observed.startswith("errored"):
            found[outcome.check] = (outcome.severity.value, "errored", "")
        else:
            found[outcome.check] = (outcome.severity.value, outcome.observed, outcome.details)
    return found


@pytest.fixture(scope="module")
def validator() -> SuiteValidator:
    return SuiteValidator()


@pytest.mark.parametrize("scenario", ["clean", "faults"])
def test_every_suite_agrees_on_spark_and_sqlite(
    scenario: str,
    spark: object,
    demo_db_template: Path,
    tmp_path: Path,
    validator: SuiteValidator,
) -> None:
    mutate = plant_faults if scenario == "faults" else None
    database, tables = broken_parquet(spark, demo_db_template, tmp_path, mutate)  # type: ignore[arg-type]
    on_spark: dict[str, tuple[str, str, str]] = {}
    on_sqlite: dict[str, tuple[str, str, str]] = {}
    suites = load_suites(PROJECT_ROOT / "expectations")
    assert {suite.table for suite in suites} == set(tables.tables)
    for suite in suites:
        on_spark |= verdicts(validator.validate(SparkTables(tables), suite))
        on_sqlite |= verdicts(validator.validate(SqliteFile(database, immutable=True), suite))
    assert on_spark == on_sqlite
    not_ok = {check: found for check, found in on_spark.items() if found[0] != Severity.OK.value}
    if scenario == "clean":
        assert not_ok == {}
        return
    # The planted faults are caught on Spark, named by the configured keys.
    pue = on_spark["pue_data::expect_column_values_to_be_between[pue]"]
    assert pue[0] == "critical" and "id=17, pue=9.9" in pue[2]
    orphan = on_spark["pue_comment::unexpected_rows_expectation[comments_have_pue_row]"]
    assert orphan[0] == "critical" and "id=3, pue_id=999" in orphan[2]
    recovery = on_spark["fault_record::unexpected_rows_expectation[recovery_after_start]"]
    assert recovery[0] == "critical" and "id=5" in recovery[2]
    negative = on_spark["pue_drill_data::expect_column_values_to_be_between[energy_kwh]"]
    assert negative[0] == "critical" and "id=7" in negative[2] and "id=8" in negative[2]
    assert on_spark["huijugugan::expect_column_values_to_be_between[utilization]"][1] == "errored"
    counted = on_spark["pue_data::expect_table_row_count_to_be_between[critical]"]
    assert counted[:2] == ("critical", "144")
