"""Expectation types GX cannot run on an engine: the table agrees with GX's registry and with a
real validation, `dbguard lint` warns naming the engine and an alternative, and `check`'s
errored outcome points there."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from quality_runs import dbguard, write_config

from dbguard.findings import Severity
from dbguard.quality.engine_gaps import ENGINE_GAPS, ENGINE_NAMES, NO_PROVIDER, engine_gap
from dbguard.quality.outcomes import ENGINE_GAP_REMEDIATION
from dbguard.quality.suite_files import dump_suite
from dbguard.quality.suites import load_suite_file
from dbguard.quality.validate import SuiteValidator

# The GX execution engine each dbguard engine validates with.
GX_ENGINES = {
    "sqlite": "SqliteExecutionEngine",
    "postgresql": "SqlAlchemyExecutionEngine",
    "spark": "SparkDFExecutionEngine",
}


def types_without_provider(engine_class: str) -> set[str]:
    """Core map expectations whose condition metric GX cannot resolve on `engine_class` (those
    that override their dependencies, like of_type on SQL, take another path and run)."""
    import great_expectations.expectations.core as core
    from great_expectations.execution_engine import (
        SparkDFExecutionEngine,
        SqlAlchemyExecutionEngine,
    )
    from great_expectations.execution_engine.sqlite_execution_engine import (
        SqliteExecutionEngine,
    )
    from great_expectations.expectations.expectation import ColumnMapExpectation, Expectation
    from great_expectations.expectations.registry import _registered_metrics

    mro = {
        "SqliteExecutionEngine": SqliteExecutionEngine,
        "SqlAlchemyExecutionEngine": SqlAlchemyExecutionEngine,
        "SparkDFExecutionEngine": SparkDFExecutionEngine,
    }[engine_class].mro()
    missing = set()
    for name in dir(core):
        expectation = getattr(core, name)
        if not (isinstance(expectation, type) and issubclass(expectation, Expectation)):
            continue
        metric = getattr(expectation, "map_metric", None)
        overrides = "get_validation_dependencies" in vars(expectation)
        if not metric or overrides or not issubclass(expectation, ColumnMapExpectation):
            continue
        providers = _registered_metrics[f"{metric}.condition"]["providers"]
        if not any(cls.__name__ in providers for cls in mro):
            missing.add(expectation.expectation_type)
    return missing


@pytest.mark.parametrize("engine", sorted(GX_ENGINES))
def test_the_table_lists_exactly_what_gx_cannot_run_on_the_engine(engine: str) -> None:
    assert set(ENGINE_GAPS[engine]) == types_without_provider(GX_ENGINES[engine])
    assert engine in ENGINE_NAMES


def test_every_gap_names_its_engine_and_an_alternative() -> None:
    for engine, gaps in ENGINE_GAPS.items():
        for expectation_type in gaps:
            gap = engine_gap(engine, expectation_type, "reading")
            assert gap is not None
            assert ENGINE_NAMES[engine] in gap.message
            assert gap.alternative.startswith("use ")
            assert "{column}" not in gap.alternative
    assert engine_gap("sqlite", "expect_column_values_to_not_be_null") is None
    assert engine_gap("an-engine-nobody-listed", "expect_column_values_to_be_increasing") is None


def gap_suite(folder: Path) -> Path:
    entries: list[dict[str, Any]] = [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "reading"}}
    ]
    for expectation_type in ENGINE_GAPS["sqlite"]:
        kwargs: dict[str, Any] = {"column": "reading"}
        if expectation_type.endswith("json_schema"):
            kwargs["json_schema"] = {"type": "object"}
        if expectation_type.endswith("strftime_format"):
            kwargs["strftime_format"] = "%Y-%m-%d"
        entries.append({"type": expectation_type, "kwargs": kwargs})
    path = folder / "readings.json"
    path.write_text(dump_suite({"name": "readings", "expectations": entries}))
    return path


@pytest.fixture
def readings_db(tmp_path: Path) -> Path:
    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE readings (id INTEGER PRIMARY KEY, reading TEXT)")
        connection.executemany(
            "INSERT INTO readings (reading) VALUES (?)", [("2026-01-01",), ("2026-01-02",)]
        )
    connection.close()
    return path


def test_each_gap_really_errors_on_sqlite_and_its_outcome_points_to_lint(
    readings_db: Path, tmp_path: Path
) -> None:
    suite = load_suite_file(gap_suite(tmp_path))
    first, *gaps = SuiteValidator().validate(readings_db, suite)
    assert first.severity is Severity.OK
    assert len(gaps) == len(ENGINE_GAPS["sqlite"])
    for outcome in gaps:
        assert outcome.severity is Severity.CRITICAL
        assert NO_PROVIDER in outcome.observed, outcome
        assert outcome.remediation == ENGINE_GAP_REMEDIATION


def test_lint_warns_about_each_gap_naming_sqlite_and_an_alternative(
    readings_db: Path, tmp_path: Path
) -> None:
    expectations = tmp_path / "expectations"
    expectations.mkdir()
    shutil.move(gap_suite(tmp_path), expectations / "readings.json")
    write_config(tmp_path, expectations)
    run = dbguard(tmp_path, "lint")
    assert run.returncode == 0, run.stdout + run.stderr
    warnings = [line for line in run.stdout.splitlines() if ": warning: " in line]
    assert len(warnings) == len(ENGINE_GAPS["sqlite"]), run.stdout
    for expectation_type, line in zip(ENGINE_GAPS["sqlite"], warnings, strict=True):
        assert f"{expectation_type}[reading]" in line
        assert "on SQLite" in line
    fixes = [line for line in run.stdout.splitlines() if line.strip().startswith("fix: use ")]
    assert len(fixes) == len(warnings)
    assert sum("unexpected_rows_expectation" in line for line in fixes) >= 4
    assert "0 problem(s), 6 warning(s)" in run.stderr
    strict = dbguard(tmp_path, "lint", "--strict")
    assert strict.returncode == 1
    assert strict.stdout == run.stdout


def test_each_gap_really_errors_on_postgresql(postgres_db: str, tmp_path: Path) -> None:
    import psycopg

    from dbguard.catalog import PostgresDatabase
    from dbguard.config import DatabaseConfig
    from dbguard.postgres.connection import libpq_conninfo

    database = DatabaseConfig(url=postgres_db)
    with psycopg.connect(libpq_conninfo(postgres_db), autocommit=True) as connection:
        connection.execute("CREATE TABLE readings (id INTEGER PRIMARY KEY, reading TEXT)")
        connection.execute("INSERT INTO readings VALUES (1, '2026-01-01'), (2, '2026-01-02')")
    suite = load_suite_file(gap_suite(tmp_path))
    first, *gaps = SuiteValidator().validate(PostgresDatabase(database), suite)
    assert first.severity is Severity.OK, first
    assert len(gaps) == len(ENGINE_GAPS["postgresql"])
    for outcome in gaps:
        assert NO_PROVIDER in outcome.observed, outcome
