"""Real GX validations of real SQLite files: broken rows are named, errors are critical."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from dbguard.check_run import PROJECT_ROOT
from dbguard.findings import Severity
from dbguard.quality.suite_files import dump_suite
from dbguard.quality.suites import SuiteFile, load_suite_file, load_suites
from dbguard.quality.validate import ExpectationOutcome, SuiteValidator


@pytest.fixture(scope="module")
def validator() -> SuiteValidator:
    return SuiteValidator()


@pytest.fixture(scope="module")
def repo_suites() -> dict[str, SuiteFile]:
    return {suite.table: suite for suite in load_suites(PROJECT_ROOT / "expectations")}


def outcomes_by_label(outcomes: list[ExpectationOutcome]) -> dict[str, ExpectationOutcome]:
    return {outcome.label: outcome for outcome in outcomes}


def test_demo_database_meets_every_demo_expectation(
    demo_db: Path, validator: SuiteValidator, repo_suites: dict[str, SuiteFile]
) -> None:
    for suite in repo_suites.values():
        for outcome in validator.validate(demo_db, suite):
            assert outcome.severity is Severity.OK, outcome


def test_out_of_range_pue_is_critical_and_names_the_row(
    demo_db: Path, validator: SuiteValidator, repo_suites: dict[str, SuiteFile]
) -> None:
    with sqlite3.connect(demo_db) as connection:
        connection.execute("UPDATE pue_data SET pue = 9.9 WHERE id = 17")
    outcomes = outcomes_by_label(validator.validate(demo_db, repo_suites["pue_data"]))
    between = outcomes["expect_column_values_to_be_between[pue]"]
    assert between.severity is Severity.CRITICAL
    assert between.observed == "1 of 240 values unexpected"
    assert "id=17, pue=9.9" in between.details
    ratio = outcomes["unexpected_rows_expectation[pue_matches_energy_ratio]"]
    assert ratio.severity is Severity.CRITICAL
    assert "id=17" in ratio.details
    assert "total_energy_kwh" in ratio.remediation
    others = [o for label, o in outcomes.items() if label not in {between.label, ratio.label}]
    assert all(outcome.severity is Severity.OK for outcome in others)


def test_misspelt_column_errors_and_is_critical_even_at_warning_severity(
    demo_db: Path, validator: SuiteValidator, tmp_path: Path
) -> None:
    path = tmp_path / "pue_data.json"
    path.write_text(
        dump_suite(
            {
                "name": "pue_data",
                "expectations": [
                    {
                        "type": "expect_column_values_to_not_be_null",
                        "kwargs": {"column": "pue_value"},
                        "severity": "warning",
                    }
                ],
            }
        )
    )
    (outcome,) = validator.validate(demo_db, load_suite_file(path))
    assert outcome.severity is Severity.CRITICAL
    assert outcome.observed.startswith("errored:")
    assert "pue_value" in outcome.observed


def test_a_suite_naming_a_column_the_table_lacks_is_advised_to_fix_the_suite_not_restore(
    demo_db: Path, validator: SuiteValidator, tmp_path: Path
) -> None:
    """A typo must never lead to a restore: the advice says what is missing and what to fix."""
    path = tmp_path / "pue_data.json"
    query = "SELECT * FROM {batch} WHERE pue_ratio > 3"
    entries: list[dict[str, Any]] = [
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "pue_value"},
            # written for bad data; a suite naming what is not there is another matter
            "meta": {"remediation": "restore from the latest verified backup"},
        },
        {"type": "unexpected_rows_expectation", "kwargs": {"unexpected_rows_query": query}},
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
    ]
    path.write_text(dump_suite({"name": "pue_data", "expectations": entries}))
    column, query_outcome, row_count = validator.validate(demo_db, load_suite_file(path))
    assert column.severity is Severity.CRITICAL
    assert (
        column.schema_mismatch == "the suite names column 'pue_value', which table 'pue_data' lacks"
    )
    assert column.observed == f"errored: {column.schema_mismatch}"
    assert column.remediation.startswith(
        f"{column.schema_mismatch}: if the schema changed on purpose, fix the suite "
        "(`dbguard lint` shows where); only if it was dropped by mistake, restore"
    )
    assert query_outcome.severity is Severity.CRITICAL
    assert query_outcome.schema_mismatch == (
        "the suite's query names column 'pue_ratio', which the database lacks"
    )
    assert query_outcome.remediation.startswith(query_outcome.schema_mismatch + ": if the schema")
    assert row_count.severity is Severity.OK


def test_a_suite_for_a_dropped_table_is_advised_to_fix_the_suite_or_restore(
    demo_db: Path, validator: SuiteValidator, repo_suites: dict[str, SuiteFile]
) -> None:
    with sqlite3.connect(demo_db) as connection:
        connection.execute("DROP TABLE pue_comment")
    connection.close()
    outcomes = validator.validate(demo_db, repo_suites["pue_comment"])
    assert {outcome.remediation for outcome in outcomes} == {
        "the suite names table 'pue_comment', which the database lacks: if the schema changed "
        "on purpose, fix the suite (`dbguard lint` shows where); only if it was dropped by "
        "mistake, restore from the latest verified backup (dbguard backup restore --latest)"
    }


def test_missing_table_makes_every_expectation_critical(
    demo_db: Path, validator: SuiteValidator, repo_suites: dict[str, SuiteFile]
) -> None:
    with sqlite3.connect(demo_db) as connection:
        connection.execute("DROP TABLE pue_comment")
    outcomes = validator.validate(demo_db, repo_suites["pue_comment"])
    assert outcomes and all(outcome.severity is Severity.CRITICAL for outcome in outcomes)
    assert outcomes[0].observed == (
        "errored: the suite names table 'pue_comment', which the database lacks"
    )
    assert "does not exist" in outcomes[0].details


def test_garbage_file_gives_critical_outcomes_not_an_exception(
    tmp_path: Path, validator: SuiteValidator, repo_suites: dict[str, SuiteFile]
) -> None:
    garbage = tmp_path / "db.sqlite3"
    garbage.write_bytes(bytes(range(256)) * 64)
    outcomes = validator.validate(garbage, repo_suites["huijugugan"])
    assert outcomes and all(outcome.severity is Severity.CRITICAL for outcome in outcomes)
    assert "not a SQLite database" in outcomes[0].observed


def test_validation_leaves_database_and_wal_bytes_unchanged(
    demo_db: Path, validator: SuiteValidator, repo_suites: dict[str, SuiteFile]
) -> None:
    """An idle writer keeps committed frames in the WAL; a read-only check must not fold them."""
    writer = sqlite3.connect(demo_db)
    try:
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        with writer:
            writer.execute("UPDATE pue_comment SET content = content || '.' WHERE id = 1")
        wal = Path(f"{demo_db}-wal")
        before = (digest(demo_db), digest(wal))
        assert wal.stat().st_size > 0
        for suite in repo_suites.values():
            validator.validate(demo_db, suite)
        assert (digest(demo_db), digest(wal)) == before
    finally:
        writer.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_results_match_entries_even_when_gx_normalises_or_duplicates_them(
    demo_db: Path, validator: SuiteValidator, tmp_path: Path
) -> None:
    kwargs: dict[str, Any] = {"column": "pue", "min_value": 1, "max_value": 3, "mostly": 1}
    between = {"type": "expect_column_values_to_be_between", "kwargs": kwargs}
    too_strict = {**between, "kwargs": {**kwargs, "max_value": 1.5}}
    path = tmp_path / "pue_data.json"
    path.write_text(
        dump_suite({"name": "pue_data", "expectations": [between, too_strict, between]})
    )
    outcomes = validator.validate(demo_db, load_suite_file(path))
    assert [outcome.severity for outcome in outcomes] == [
        Severity.OK,
        Severity.CRITICAL,
        Severity.OK,
    ]
    assert outcomes[1].observed.endswith("values unexpected")


def test_many_broken_rows_are_counted_but_only_ten_are_quoted(
    demo_db: Path, validator: SuiteValidator, repo_suites: dict[str, SuiteFile]
) -> None:
    with sqlite3.connect(demo_db) as connection:
        connection.execute("UPDATE pue_data SET total_energy_kwh = total_energy_kwh * 2")
    outcomes = outcomes_by_label(validator.validate(demo_db, repo_suites["pue_data"]))
    ratio = outcomes["unexpected_rows_expectation[pue_matches_energy_ratio]"]
    assert ratio.observed == "240 unexpected rows"
    assert ratio.details.count("id=") == 10
