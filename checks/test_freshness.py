"""Each table with a freshness rule in its suite (`meta.dbguard.freshness`): its newest
timestamp must be no older than the rule's limits (dbguard.rules.freshness)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dbguard.catalog import QueryError, open_catalog
from dbguard.config import Config
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
        checks = run.quality_config(metafunc.config).checks
        suites = suites_with(checks.expectations_dir, FRESHNESS_KEY, checks.ignore_tables)
    except DbguardError:  # the configuration check reports it
        suites = []
    params = [pytest.param(suite, id=suite.table) for suite in suites]
    metafunc.parametrize("freshness_suite", params or [pytest.param(None, id="no-rule")])


def test_table_is_fresh(
    freshness_suite: SuiteFile | None,
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
        with open_catalog(config) as catalog:
            finding = evaluate(catalog, rule, utc_now(), config.analysts.freshness.naive_timestamps)
    except QueryError as error:  # the column or table is missing, or the file is damaged
        finding = freshness_finding(
            table,
            rule.column,
            None,
            utc_now(),
            rule.limits,
            unreadable=f"cannot read it: {error.message}",
        )
    except DbguardError as error:
        pytest.skip(f"the live database cannot be read ({error.message}); see test_database_health")
    record_finding(finding)
