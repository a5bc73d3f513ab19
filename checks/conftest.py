"""Fixtures of the quality suite: the configuration, the live database, the latest backup.

Every check reports through `record_finding`, which attaches the finding to the
test for the report and decides the test's outcome: a critical finding fails
it, a warning fails it only with --strict-warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dbguard.config import Config, load_config
from dbguard.findings import Finding, Severity


@pytest.fixture(scope="session")
def config(pytestconfig: pytest.Config) -> Config:
    loaded = load_config(pytestconfig.getoption("dbguard_config"))
    return loaded.with_overrides(
        database__path=pytestconfig.getoption("db"),
        backup__dir=pytestconfig.getoption("backup_dir"),
    )


@pytest.fixture(scope="session")
def live_db(config: Config) -> Path:
    """The live database's path. Open it only read-only (see dbguard.database)."""
    return config.database.path


@pytest.fixture
def record_finding(
    request: pytest.FixtureRequest, pytestconfig: pytest.Config
) -> Callable[[Finding], None]:
    strict = bool(pytestconfig.getoption("strict_warnings"))

    def record(finding: Finding) -> None:
        request.node.user_properties.extend(finding.properties())
        if finding.severity is Severity.CRITICAL or (
            strict and finding.severity is Severity.WARNING
        ):
            pytest.fail(finding.message(), pytrace=False)

    return record


METRICS_KEY = pytest.StashKey[dict[str, float]]()


@pytest.fixture
def record_metric(pytestconfig: pytest.Config) -> Callable[[str, float], None]:
    """Record a number for the run history and the trend charts, e.g. `rows.pue_data.live`."""
    metrics = pytestconfig.stash.setdefault(METRICS_KEY, {})

    def record(name: str, value: float) -> None:
        metrics[name] = float(value)

    return record
