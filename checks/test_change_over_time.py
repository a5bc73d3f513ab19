"""Row counts of each table against the previous check run in the history (±10 % / ±25 %,
absolute guard for small tables)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing

import pytest

from dbguard.config import Config
from dbguard.database import connect_read_only, user_tables
from dbguard.findings import Finding, Severity
from dbguard.health.rows import band_around, change_finding
from dbguard.history import StoredRun
from dbguard.report import session as run


def _previous_run(pytest_config: pytest.Config) -> StoredRun | None:
    state = run.run_state(pytest_config)
    history = run.history_of(state)
    if history is None or state.config is None:
        return None
    return history.previous_run(kind="check", database=str(state.config.database.path))


def _previous_counts(previous: StoredRun | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, value in (previous.metrics if previous else {}).items():
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "rows" and parts[2] == "live":
            counts[parts[1]] = int(value)
    return counts


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "table" not in metafunc.fixturenames:
        return
    tables: set[str] = set()
    try:
        config = run.quality_config(metafunc.config)
        with closing(connect_read_only(config.database.path)) as connection:
            tables.update(user_tables(connection, config.checks.ignore_tables))
    except Exception:  # the connection check reports why
        pass
    tables.update(_previous_counts(_previous_run(metafunc.config)))
    metafunc.parametrize("table", sorted(tables))


@pytest.fixture(scope="module")
def previous_counts(pytestconfig: pytest.Config) -> dict[str, int]:
    return _previous_counts(_previous_run(pytestconfig))


def test_row_count_close_to_previous_run(
    table: str,
    live_row_counts: Callable[[], dict[str, int]],
    previous_counts: dict[str, int],
    config: Config,
    record_finding: Callable[[Finding], None],
    record_metric: Callable[[str, float], None],
) -> None:
    count = live_row_counts().get(table)
    if count is not None:
        record_metric(f"rows.{table}.live", count)
    if table not in previous_counts:
        pytest.skip(f"no previous check run recorded {table}: nothing to compare yet")
    band = band_around(previous_counts[table], config.checks)
    record_finding(change_finding(table, count, band, "the previous run"))


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
            else "change-over-time and consecutive-failure checks "
            "start afresh; keep the .corrupt file for analysis and check the disk",
            target="history",
        )
    )
