"""Each table with a freshness rule in its suite (`meta.dbguard.freshness`): its newest
timestamp must be no older than the rule's limits (dbguard.rules.freshness)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from dbguard.config import Config
from dbguard.database import connect_read_only
from dbguard.errors import DbguardError
from dbguard.findings import Finding, Severity
from dbguard.history import utc_now
from dbguard.quality.freshness import FRESHNESS_FIX, FRESHNESS_KEY, evaluate, freshness_rule
from dbguard.quality.suite_meta import suites_with
from dbguard.quality.suites import SuiteFile
from dbguard.report import session as run
from dbguard.rules.freshness import freshness_finding


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "freshness_suite" not in metafunc.fixturenames:
        return
    try:
        directory = run.quality_config(metafunc.config).checks.expectations_dir
        suites = suites_with(directory, FRESHNESS_KEY)
    except DbguardError:  # the configuration check reports it
        suites = []
    params = [pytest.param(suite, id=suite.table) for suite in suites]
    metafunc.parametrize("freshness_suite", params or [pytest.param(None, id="no-rule")])


def test_table_is_fresh(
    freshness_suite: SuiteFile | None,
    live_db: Path,
    config: Config,
    record_finding: Callable[[Finding], None],
) -> None:
    if freshness_suite is None:
        pytest.skip("no suite has a freshness rule yet: `dbguard suggest` proposes them")
    table = freshness_suite.table
    try:
        rule = freshness_rule(table, freshness_suite.data)
    except ValueError as error:
        record_finding(
            Finding(
                f"freshness {table}",
                Severity.CRITICAL,
                FRESHNESS_FIX,
                str(error),
                "fix the rule (dbguard lint shows it)",
                target="live",
            )
        )
        return
    assert rule is not None
    try:
        with closing(connect_read_only(live_db)) as connection:
            finding = evaluate(
                connection, rule, utc_now(), config.analysts.freshness.naive_timestamps
            )
    except DbguardError as error:
        pytest.skip(f"the live database cannot be read ({error.message}); see test_database_health")
    except sqlite3.Error as error:
        finding = freshness_finding(
            table, rule.column, None, utc_now(), rule.limits, unreadable=f"cannot read it: {error}"
        )
    record_finding(finding)
