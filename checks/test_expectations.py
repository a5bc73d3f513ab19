"""One test per expectation of every suite in expectations/, on the live DB and the latest backup.

Each suite is validated once per target (see `outcome_cache`); each test then
reports its own expectation's result at the expectation's severity: a warning
passes (and is reported), a critical or errored expectation fails.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest

from dbguard.errors import DbguardError
from dbguard.findings import Finding, Severity
from dbguard.quality.suites import SuiteFile
from dbguard.quality.targets import Target
from dbguard.quality.validate import OutcomeCache


def test_expectation(
    expectation_case: tuple[SuiteFile, int],
    target: str,
    target_database: Callable[[str], Target],
    outcome_cache: OutcomeCache,
    record_finding: Callable[[Finding], None],
) -> None:
    suite, index = expectation_case
    resolved = target_database(target)
    outcome = outcome_cache.outcome(target, resolved.source, suite, index)
    record_finding(outcome.finding(target))


def test_every_table_has_a_suite(
    live_row_counts: Callable[[], dict[str, int]],
    suites: list[SuiteFile],
    record_finding: Callable[[Finding], None],
) -> None:
    try:
        tables = list(live_row_counts())
    except (DbguardError, sqlite3.Error) as error:
        pytest.skip(f"the live database cannot be read ({error}); see test_database_health")
    checked = {suite.table for suite in suites}
    missing = [table for table in tables if table not in checked]
    record_finding(
        Finding(
            check="suites::every_table_has_a_suite",
            severity=Severity.WARNING if missing else Severity.OK,
            expected="a suite in expectations/ for every table of the live database",
            observed=f"no suite for {', '.join(missing)}" if missing else "every table has one",
            remediation="run `dbguard baseline` to create row-count suites for them"
            if missing
            else "",
            target="live",
        )
    )
