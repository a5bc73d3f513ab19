"""Fewer GX round trips, same outcomes: each unexpected-rows query runs once in the first
pass (GX's own expectation runs it twice), and every entry is decided as GX's own
expectations decide it, on a database with broken rows and a suite with a broken query."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dbguard.check_run import PROJECT_ROOT
from dbguard.findings import Severity
from dbguard.quality.gx_context import ephemeral_context, sqlite_read_only_url, whole_table_batch
from dbguard.quality.outcomes import error_message
from dbguard.quality.suite_files import dump_suite
from dbguard.quality.suites import SuiteFile, load_suite_file
from dbguard.quality.validate import SuiteValidator

DRILL_SUITE = PROJECT_ROOT / "expectations" / "pue_drill_data.json"


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement SQLAlchemy sends while the test runs."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    sent: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(Engine, "before_cursor_execute", record)
    yield sent
    event.remove(Engine, "before_cursor_execute", record)


def unexpected_rows_queries(suite: SuiteFile) -> list[str]:
    """A piece of each unexpected-rows query that identifies its statements."""
    queries = [
        e.kwargs["unexpected_rows_query"]
        for e in suite.expectations
        if e.type == "unexpected_rows_expectation"
    ]
    return [" ".join(query.split()).split("{batch}")[0] for query in queries]


def test_each_unexpected_rows_query_runs_once_when_it_passes(
    demo_db: Path, statements: list[str]
) -> None:
    suite = load_suite_file(DRILL_SUITE)
    outcomes = SuiteValidator().validate(demo_db, suite)
    assert all(outcome.severity is Severity.OK for outcome in outcomes)
    pieces = unexpected_rows_queries(suite)
    assert len(pieces) == 3
    for piece in pieces:
        assert sum(piece in statement for statement in statements) == 1, piece


def gx_own_results(database: Path, suite: SuiteFile) -> dict[int, Any]:
    """GX's own expectations (the suite as written), BOOLEAN_ONLY, keyed by entry index."""
    source = ephemeral_context().data_sources.add_sqlite(
        "reference", connection_string=sqlite_read_only_url(database)
    )
    batch = whole_table_batch(source, "reference-table", suite.table)
    validation = batch.validate(suite.build_suite(), result_format="BOOLEAN_ONLY")
    return {
        result.expectation_config.meta["_dbguard_entry"]: result for result in validation.results
    }


def test_every_entry_is_decided_as_gx_own_expectation_decides_it(
    demo_db: Path, tmp_path: Path
) -> None:
    with sqlite3.connect(demo_db) as connection:
        # Orphans (no such pue_data row), a drill-down that no longer sums to its total,
        # a category outside the set, a negative energy: every kind of rule fails somewhere.
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute(
            "INSERT INTO pue_drill_data (pue_id, item_code, category, energy_kwh)"
            " SELECT 99999, item_code, category, energy_kwh FROM pue_drill_data LIMIT 3"
        )
        connection.execute("UPDATE pue_drill_data SET energy_kwh = -5 WHERE id = 7")
        connection.execute("UPDATE pue_drill_data SET category = 'heating' WHERE id = 8")
    entries = load_suite_file(DRILL_SUITE).data["expectations"]
    broken_query = {
        "type": "unexpected_rows_expectation",
        "kwargs": {"unexpected_rows_query": "SELECT id FROM {batch} WHERE no_such_column > 0"},
        "severity": "warning",
    }
    path = tmp_path / "pue_drill_data.json"
    path.write_text(
        dump_suite({"name": "pue_drill_data", "expectations": [*entries, broken_query]})
    )
    suite = load_suite_file(path)

    reference = gx_own_results(demo_db, suite)
    outcomes = SuiteValidator().validate(demo_db, suite)

    assert len(outcomes) == len(suite.expectations) == len(reference)
    decided = {"ok": 0, "failed": 0, "errored": 0}
    for outcome in outcomes:
        result = reference[outcome.index]
        if error_message(result):
            decided["errored"] += 1
            assert outcome.observed.startswith("errored:"), outcome
            assert outcome.severity is Severity.CRITICAL
        elif result.success:
            decided["ok"] += 1
            assert outcome.severity is Severity.OK, outcome
        else:
            decided["failed"] += 1
            assert outcome.severity is not Severity.OK, outcome
            assert outcome.details, outcome  # the rows or values are named
    assert decided["errored"] == 1
    assert decided["failed"] >= 4  # row-count bands hold: the orphans, sums, set, range fail
    labels = {o.label: o for o in outcomes}
    orphans = labels["unexpected_rows_expectation[drill_rows_have_pue_row]"]
    assert orphans.observed == "3 unexpected rows"
    assert "pue_id=99999" in orphans.details
