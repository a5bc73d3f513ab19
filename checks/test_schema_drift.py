"""Each table's columns against the schema snapshot `dbguard baseline` kept in its suite: a
column added is a warning; removed, or a changed type or key, critical (dbguard.rules.schema)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dbguard.catalog import open_catalog
from dbguard.config import Config
from dbguard.errors import DbguardError
from dbguard.findings import Finding
from dbguard.quality.schema_snapshot import SCHEMA_KEY, snapshot_of
from dbguard.quality.suite_meta import suites_with
from dbguard.quality.suites import SuiteFile
from dbguard.report import session as run
from dbguard.rules.schema import schema_finding


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "schema_suite" not in metafunc.fixturenames:
        return
    try:
        checks = run.quality_config(metafunc.config).checks
        suites = suites_with(checks.expectations_dir, SCHEMA_KEY, checks.ignore_tables)
    except DbguardError:  # the configuration check reports it
        suites = []
    params = [pytest.param(suite, id=suite.table) for suite in suites]
    metafunc.parametrize("schema_suite", params or [pytest.param(None, id="no-snapshot")])


def test_schema_matches_snapshot(
    schema_suite: SuiteFile | None, config: Config, record_finding: Callable[[Finding], None]
) -> None:
    if schema_suite is None:
        pytest.skip("no suite holds a schema snapshot yet: run `dbguard baseline` to take them")
    snapshot = snapshot_of(schema_suite.data) or []
    try:
        with open_catalog(config) as catalog:
            live = catalog.columns(schema_suite.table)
    except DbguardError as error:
        pytest.skip(f"the live database cannot be read ({error}); see test_database_health")
    record_finding(schema_finding(schema_suite.table, snapshot, live or None))
