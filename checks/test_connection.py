"""Opening the live database: 1 failure a warning, N failures in a row (across runs) critical."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dbguard.config import Config
from dbguard.findings import Finding
from dbguard.health.connection import check_connection
from dbguard.report import session as run


def test_live_database_opens(
    live_db: Path,
    config: Config,
    pytestconfig: pytest.Config,
    record_finding: Callable[[Finding], None],
    record_metric: Callable[[str, float], None],
) -> None:
    history = run.history_of(run.run_state(pytestconfig))
    result = check_connection(
        live_db,
        history,
        config.database.connection_failures_critical,
        timeout=config.database.connect_timeout_seconds,
    )
    if result.ok:
        record_metric("connect_ms", result.milliseconds)
    record_finding(result.finding)
