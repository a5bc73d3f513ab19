"""Opening the live database: 1 failure a warning, N failures in a row (across runs) critical
(`dbguard.rules.connection`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from dbguard import metrics
from dbguard.config import Config
from dbguard.findings import Finding
from dbguard.health.connection import attempt_connection
from dbguard.report import session as run
from dbguard.rules.connection import CHECK_NAME, connection_finding


def test_live_database_opens(
    live_db: Path,
    config: Config,
    pytestconfig: pytest.Config,
    record_finding: Callable[[Finding], None],
    record_metric: Callable[[str, float], None],
) -> None:
    attempt = attempt_connection(live_db, timeout=config.database.connect_timeout_seconds)
    history = run.history_of(run.run_state(pytestconfig))
    try:
        failures_before = history.consecutive_failures(CHECK_NAME) if history else None
    except sqlite3.Error:  # test_run_history_is_readable reports the history's state
        failures_before = None
    if not attempt.error:
        record_metric(metrics.CONNECT_MS, attempt.milliseconds)
    record_finding(connection_finding(attempt, failures_before, config.database))
