"""Each table's row count against its recent check runs (Elementary's z-score, dbguard.rules.volume):
an unusual count is a warning beside the fixed ±10/25 % bands of test_change_over_time."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dbguard.catalog import open_catalog
from dbguard.config import Config
from dbguard.findings import Finding
from dbguard.history import utc_now
from dbguard.metrics import row_counts_in
from dbguard.report import session as run
from dbguard.rules.volume import VolumePoint, VolumeSettings, volume_finding


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "volume_table" not in metafunc.fixturenames:
        return
    tables: list[str] = []
    try:
        with open_catalog(run.quality_config(metafunc.config)) as catalog:
            tables = catalog.tables()
    except Exception:  # the connection check reports why
        pass
    params = [pytest.param(table, id=table) for table in tables]
    metafunc.parametrize("volume_table", params or [pytest.param(None, id="no-table")])


@pytest.fixture(scope="module")
def volume_history(pytestconfig: pytest.Config, config: Config) -> dict[str, list[VolumePoint]]:
    """Every table's live row counts in the runs of the training window, oldest first."""
    history = run.history_of(run.run_state(pytestconfig))
    if history is None:
        return {}
    settings = VolumeSettings.from_config(config.analysts.volume)
    runs = history.recent_runs(
        kind="check",
        since=utc_now() - settings.window,
        limit=1_000_000,
        database=config.database.key,
    )
    points: dict[str, list[VolumePoint]] = {}
    for stored in reversed(runs):
        moment = stored.started_at.astimezone()  # seasons are the reader's local days and hours
        for table, rows in row_counts_in(stored.metrics).items():
            points.setdefault(table, []).append(VolumePoint(moment, rows))
    return points


def test_row_count_is_usual(
    volume_table: str | None,
    live_row_counts: Callable[[], dict[str, int]],
    volume_history: dict[str, list[VolumePoint]],
    config: Config,
    record_finding: Callable[[Finding], None],
) -> None:
    if volume_table is None:
        pytest.skip("the live database has no table to score (see test_database_health)")
    try:
        count = live_row_counts().get(volume_table)
    except Exception as error:  # DbguardError or sqlite3.Error: reported by the health checks
        pytest.skip(f"the live database cannot be read ({error}); see test_database_health")
    if count is None:
        pytest.skip(f"{volume_table} is gone; test_change_over_time reports it")
    settings = VolumeSettings.from_config(config.analysts.volume)
    current = VolumePoint(utc_now().astimezone(), count)
    record_finding(
        volume_finding(volume_table, volume_history.get(volume_table, []), current, settings)
    )
