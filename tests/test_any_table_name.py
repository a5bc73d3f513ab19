"""Any table or column name works everywhere: `order`, `group`, `order items`, `we"ird`, `it's`, `a.b`.

A real `dbguard baseline` → `lint` → `backup create` → `check` on a database
whose every table and column name needs quoting: suites are written under safe,
distinct file names, pass lint, and validate on live, backup and restore drill
with no critical finding (GX 1.24 sends a plain table name unquoted, so before
the fix every one of them was "Attempt to connect to table … failed").
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from quality_runs import DBGUARD, Run, run_one, write_config

from dbguard.findings import Severity
from dbguard.history import open_history
from dbguard.metrics import row_counts_in
from dbguard.quality.suite_files import dump_suite
from dbguard.quality.suites import load_suites
from dbguard.quality.validate import SuiteValidator

NAMES = ["order", "group", "order items", 'we"ird', "it's", "a.b"]
# GX strips quotes and brackets from both ends of a table name: these go through a query asset.
STRIPPED_NAMES = ["[bracketed]"]
TABLES = NAMES + STRIPPED_NAMES
COLUMNS = ["select", "a.b col", 'q"uote', "it's col"]
COLUMN_TYPES = ["INTEGER", "TEXT", "TEXT", "REAL"]
ROWS = 30


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def build_database(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
        for table in TABLES:
            columns = ", ".join(
                f"{quoted(c)} {t}" for c, t in zip(COLUMNS, COLUMN_TYPES, strict=True)
            )
            connection.execute(
                f"CREATE TABLE {quoted(table)} (id INTEGER PRIMARY KEY, {quoted(table)} TEXT, "
                f"{columns})"
            )
            connection.executemany(
                f"INSERT INTO {quoted(table)} VALUES (?, ?, ?, ?, ?, ?)",
                [(i, f"v{i}", i, f"c{i}", f"u{i}", i / 2) for i in range(1, ROWS + 1)],
            )
    connection.close()


def analyst_entries(table: str) -> list[dict[str, Any]]:
    """Rules on the awkward columns, as an analyst would add them after `dbguard baseline`."""
    entries: list[dict[str, Any]] = [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": table}},
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "select", "min_value": 1, "max_value": ROWS},
        },
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "a.b col"}},
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": 'q"uote', "value_set": [f"u{i}" for i in range(1, ROWS + 1)]},
        },
        {
            "type": "unexpected_rows_expectation",
            "kwargs": {
                "unexpected_rows_query": (
                    'SELECT * FROM {batch} WHERE "it\'s col" * 2 <> "select" OR "a.b col" IS NULL'
                )
            },
            "meta": {"dbguard": {"name": "halves"}},
        },
    ]
    if table not in STRIPPED_NAMES:  # GX reads column types from a table, not from a query
        entries.append(
            {
                "type": "expect_column_values_to_be_of_type",
                "kwargs": {"column": "select", "type_": "INTEGER"},
            }
        )
    return entries


def add_analyst_entries(expectations: Path) -> None:
    for path in expectations.glob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        document["expectations"] += analyst_entries(document["name"])
        path.write_text(dump_suite(document), encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("any-name")
    build_database(folder / "db.sqlite3")
    write_config(folder, folder / "expectations")
    return folder


@pytest.fixture(scope="module")
def runs(project: Path) -> dict[str, Run]:
    results = {"baseline": run_one([*DBGUARD, "baseline"], project, None)}
    add_analyst_entries(project / "expectations")
    results["lint"] = run_one([*DBGUARD, "lint"], project, None)
    results["backup"] = run_one([*DBGUARD, "backup", "create"], project, None)
    report = project / "check.html"
    results["check"] = run_one(
        [*DBGUARD, "check", "--report", str(report)], project, report.with_suffix(".xml")
    )
    return results


@pytest.mark.slow
def test_baseline_writes_a_safe_distinct_suite_file_per_table(
    runs: dict[str, Run], project: Path
) -> None:
    assert runs["baseline"].returncode == 0, runs["baseline"].stderr
    suites = load_suites(project / "expectations")
    assert sorted(suite.table for suite in suites) == sorted(TABLES)
    names = [suite.path.name for suite in suites]
    assert len(set(names)) == len(TABLES)
    assert all(re.fullmatch(r"\w[\w.-]*\.json", name) for name in names), names


@pytest.mark.slow
def test_lint_passes_suites_naming_awkward_tables_and_columns(runs: dict[str, Run]) -> None:
    assert runs["lint"].returncode == 0, runs["lint"].stdout + runs["lint"].stderr
    assert "no problems" in runs["lint"].stdout


@pytest.mark.slow
def test_check_validates_every_table_on_live_backup_and_drill_with_no_critical(
    runs: dict[str, Run], project: Path
) -> None:
    assert runs["backup"].returncode == 0, runs["backup"].stderr
    run = runs["check"]
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "Attempt to connect" not in run.stdout + run.stderr
    critical = [case.check for case in run.cases if case.severity == "critical"]
    assert critical == []
    expectations_per_table = 2 + len(analyst_entries("order"))
    for target in ("live", "backup"):
        ran = [
            case
            for case in run.cases
            if case.name.startswith("test_expectation[")
            and case.properties.get("target") == target
            and case.outcome == "passed"
        ]
        assert len(ran) == len(NAMES) * expectations_per_table + len(STRIPPED_NAMES) * (
            expectations_per_table - 1
        ), target
    drill = run.by_check("backup::restore_drill", "restore-drill")
    assert drill.severity == "ok", drill.properties


@pytest.mark.slow
def test_row_counts_of_every_table_reach_the_history_by_name(
    runs: dict[str, Run], project: Path
) -> None:
    assert runs["check"].returncode == 0
    history = open_history(project / "reports" / "history.sqlite3")
    stored = history.previous_run(kind="check", database=str(project / "db.sqlite3"))
    assert stored is not None
    assert row_counts_in(stored.metrics) == dict.fromkeys(TABLES, ROWS)


def test_a_broken_row_in_an_awkward_table_is_named(tmp_path: Path) -> None:
    """In-process: the same validation names the row by its key, through quoted identifiers."""
    database = tmp_path / "db.sqlite3"
    build_database(database)
    with sqlite3.connect(database) as connection:
        connection.execute(
            f'UPDATE {quoted(NAMES[3])} SET "select" = 99, {quoted(NAMES[3])} = NULL WHERE id = 7'
        )
        connection.execute('UPDATE "[bracketed]" SET "it\'s col" = 0 WHERE id = 4')
    connection.close()
    expectations = tmp_path / "expectations"
    expectations.mkdir()
    for number, table in enumerate([NAMES[3], STRIPPED_NAMES[0]]):
        (expectations / f"suite{number}.json").write_text(
            dump_suite({"name": table, "expectations": analyst_entries(table)})
        )
    validator = SuiteValidator()
    outcomes = {
        (suite.table, outcome.label): outcome
        for suite in load_suites(expectations)
        for outcome in validator.validate(database, suite)
    }
    weird = NAMES[3]
    assert outcomes[(weird, f"expect_column_values_to_not_be_null[{weird}]")].details == (
        f"rows: id=7, {weird}=NULL"
    )
    between = outcomes[(weird, "expect_column_values_to_be_between[select]")]
    assert between.severity is Severity.CRITICAL and between.details == "rows: id=7, select=99"
    halves = outcomes[("[bracketed]", "unexpected_rows_expectation[halves]")]
    assert halves.severity is Severity.CRITICAL and "id=4" in halves.details
    assert outcomes[(weird, "expect_column_values_to_be_of_type[select]")].severity is Severity.OK


def test_a_column_gx_cannot_filter_gets_advice_that_fits(tmp_path: Path) -> None:
    """GX 1.24's null filter cannot quote a `"` in a column name: say so, and what works."""
    database = tmp_path / "db.sqlite3"
    build_database(database)
    path = tmp_path / "suite.json"
    entry = {"type": "expect_column_values_to_be_unique", "kwargs": {"column": 'q"uote'}}
    path.write_text(dump_suite({"name": "order", "expectations": [entry]}))
    (outcome,) = SuiteValidator().validate(database, load_suites(tmp_path)[0])
    assert outcome.severity is Severity.CRITICAL
    assert outcome.remediation.startswith("Great Expectations cannot run this expectation")
    assert "unexpected_rows_expectation" in outcome.remediation


def test_what_gx_table_assets_accept_which_dbguard_relies_on(tmp_path: Path) -> None:
    """Measured with GX 1.24: a plain name goes into SQL unquoted (a keyword breaks it); a name
    in double quotes is quoted properly, inner quotes included; quotes at the ends are
    stripped, so such names need the query asset. If GX changes this, revisit whole_table_batch."""
    from dbguard.quality.gx_context import ephemeral_context, sqlite_read_only_url

    database = tmp_path / "db.sqlite3"
    build_database(database)
    context = ephemeral_context()

    def accepted(table_name: str) -> bool:
        # A source (an engine) per probe: SQLAlchemy caches compiled SQL by the name's text,
        # so a quoted probe after an unquoted one of the same name would reuse the bad SQL.
        source = context.data_sources.add_sqlite(
            f"probe-{len(context.data_sources.all())}",
            connection_string=sqlite_read_only_url(database),
        )
        try:
            source.add_table_asset(name="asset", table_name=table_name)
        except Exception:
            return False
        return True

    assert not accepted("order")
    assert all(accepted(f'"{name}"') for name in NAMES)
    assert not accepted('"[bracketed]"')
