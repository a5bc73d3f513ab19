"""Opening the live database: 1 failure a warning, N failures in a row (across runs) critical
(`dbguard.rules.connection`). A SQLite file is opened read-only; a PostgreSQL server is asked
`SELECT 1` in a read-only session."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest

from dbguard import metrics
from dbguard.config import Config
from dbguard.errors import DbguardError
from dbguard.findings import Finding
from dbguard.health import engine_health
from dbguard.report import session as run
from dbguard.rules.connection import CHECK_NAME, ConnectionAttempt, connection_finding


def test_live_database_opens(
    config: Config,
    pytestconfig: pytest.Config,
    record_finding: Callable[[Finding], None],
    record_metric: Callable[[str, float], None],
) -> None:
    try:
        attempt: ConnectionAttempt = engine_health(config).attempt(config)
    except DbguardError as error:  # a login refused after the run started
        attempt = ConnectionAttempt(0.0, error.message)
    history = run.history_of(run.run_state(pytestconfig))
    try:
        failures_before = history.consecutive_failures(CHECK_NAME) if history else None
    except sqlite3.Error:  # test_run_history_is_readable reports the history's state
        failures_before = None
    if not attempt.error:
        record_metric(metrics.CONNECT_MS, attempt.milliseconds)
    record_finding(
        connection_finding(
            attempt,
            failures_before,
            config.database,
            promised=config.database_named,
            replicated=config.replication.enabled,
        )
    )
