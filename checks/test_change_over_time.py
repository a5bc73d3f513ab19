"""Row counts of each table against the previous check run (or, after a restore, against what
the restore put back): the same bands as every row-count rule (`dbguard.rules.rows`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest

from dbguard import metrics
from dbguard.catalog import open_catalog
from dbguard.config import Config
from dbguard.database import kept_counts
from dbguard.errors import DbguardError
from dbguard.findings import Finding, Severity
from dbguard.quality.suites import SuiteFile
from dbguard.report import session as run
from dbguard.rules.rows import DriftThresholds, row_count_bands, row_count_finding


def _reference(pytest_config: pytest.Config) -> tuple[dict[str, int], str]:
    state = run.run_state(pytest_config)
    history = run.history_of(state)
    if history is None or state.config is None:
        return {}, ""
    try:
        counts, against = history.reference_counts(state.config.database.key)
    except sqlite3.Error:  # test_run_history_is_readable reports the history's state
        return {}, ""
    # A run before a table joined [checks] ignore_tables still counted it.
    return kept_counts(counts, state.config.checks.ignore_tables), against


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "table" not in metafunc.fixturenames:
        return
    tables: set[str] = set()
    try:
        with open_catalog(run.quality_config(metafunc.config)) as catalog:
            tables.update(catalog.tables())
    except DbguardError:  # the connection check reports why
        pass
    tables.update(_reference(metafunc.config)[0])
    metafunc.parametrize("table", sorted(tables))


@pytest.fixture(scope="module")
def reference(pytestconfig: pytest.Config) -> tuple[dict[str, int], str]:
    return _reference(pytestconfig)


def test_row_count_close_to_previous_run(
    table: str,
    live_row_counts: Callable[[], dict[str, int]],
    reference: tuple[dict[str, int], str],
    suites: list[SuiteFile],
    config: Config,
    record_finding: Callable[[Finding], None],
    record_metric: Callable[[str, float], None],
) -> None:
    count = live_row_counts().get(table)
    if count is not None:  # the next run's reference, even when this file runs alone
        record_metric(metrics.row_metric(table), count)
    previous, against = reference
    if table not in previous:
        pytest.skip(f"no previous check run recorded {table}: nothing to compare yet")
    overrides = next((suite.drift_overrides for suite in suites if suite.table == table), None)
    bands = row_count_bands(previous[table], DriftThresholds.from_config(config.checks, overrides))
    record_finding(row_count_finding(table, count, bands, against))


def test_run_history_is_readable(
    pytestconfig: pytest.Config, record_finding: Callable[[Finding], None]
) -> None:
    state = run.run_state(pytestconfig)
    history = run.history_of(state)
    where = str(state.config.reports.history) if state.config else "the run history"
    expected = f"{where} opens and is a healthy SQLite file"
    if history is None:
        observed, severity = state.history_error or "not opened", Severity.WARNING
    elif history.recovered_from is not None:
        observed = f"it was unreadable; moved aside to {history.recovered_from}, a new one started"
        severity = Severity.WARNING
    else:
        observed, severity = "ok", Severity.OK
    record_finding(
        Finding(
            "run history",
            severity,
            expected,
            observed,
            ""
            if severity is Severity.OK
            else "change-over-time and consecutive-failure checks start afresh; keep any "
            ".corrupt file for analysis, check the disk, and make sure [reports] history is a "
            "file in a folder dbguard can write",
            target="history",
        )
    )
