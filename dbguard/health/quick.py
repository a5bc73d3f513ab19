"""`dbguard health [--quick]`: the plan's five-minute check, in well under a second.

Connection, row counts (against the suites' baselines, else what the next
check compares with), WAL and database size, disk and memory, and the
configured health URL. Without --quick it also runs SQLite's `PRAGMA
quick_check`. Every verdict comes from `dbguard.rules`. Only the standard
library and psutil: never Great Expectations, pandas, SQLAlchemy, matplotlib
or rich (a test checks). Each run appends a light record to the run history,
which is what makes "3 connection failures in a row" work between runs.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime

from dbguard import metrics
from dbguard.config import Config
from dbguard.errors import DbguardError
from dbguard.findings import Finding, Severity
from dbguard.health import engine_health
from dbguard.health.machine import add_machine
from dbguard.health.nagios import PerfValue
from dbguard.health.report import HealthReport
from dbguard.health.rows import history_references, row_findings
from dbguard.history import (
    HEALTH,
    History,
    HistoryBusy,
    HistoryUnavailable,
    Outcome,
    RunRecord,
    open_history,
    utc_now,
)
from dbguard.rules.connection import CHECK_NAME, connection_finding

log = logging.getLogger(__name__)
MIB = 1024 * 1024
# The five-minute job never waits long for the hourly check's lock on the history.
HISTORY_BUSY_TIMEOUT = 0.25


def run_health(config: Config, *, quick: bool = True, record: bool = True) -> HealthReport:
    """Run the health checks on the configured live DB; a missing DB is a DatabaseError."""
    started = utc_now()
    database = engine_health(config)
    report = HealthReport(database=database.label(config))
    history = _history(config, report)
    attempt = database.attempt(config)
    failures_before = _failures_before(history, report)
    report.findings.append(
        connection_finding(
            attempt,
            failures_before,
            config.database,
            promised=config.database_named,
            replicated=config.replication.enabled,
        )
    )
    report.perfdata.append(PerfValue("connect", round(attempt.milliseconds, 2), "ms"))
    if not attempt.error:
        report.metrics[metrics.CONNECT_MS] = attempt.milliseconds
        counts = database.counts(config, report)
        if counts is not None:
            add_rows(config, history, counts, report)
        database.add_findings(config, report, quick=quick)
    add_machine(report, config, history, local_database=config.database.is_sqlite)
    if config.replication.enabled:  # its modules load only for a replicated database
        from dbguard.replication.status import replication_findings

        replication, lag = replication_findings(config)
        report.findings += replication
        if lag is not None:
            report.metrics[metrics.REPLICATION_LAG_SECONDS] = lag
    if record and history is not None:
        _record(history, config, started, report)
    return report


def add_rows(
    config: Config, history: History | None, counts: dict[str, int], report: HealthReport
) -> None:
    """Each table's count against its reference (the suite's baseline, else the history's)."""
    try:
        found = history_references(config, history, config.database.key)
    except sqlite3.Error as error:
        report.notes.append(f"history unreadable: {error}")
        found = history_references(config, None, config.database.key)
    findings, perfdata = row_findings(counts, found)
    report.findings += findings
    report.metrics.update({metrics.row_metric(table): count for table, count in counts.items()})
    report.facts.append(f"{sum(counts.values())} rows in {len(counts)} tables")
    report.perfdata += [PerfValue("rows", sum(counts.values()), minimum="0"), *perfdata]


def _history(config: Config, report: HealthReport) -> History | None:
    """The run history, or None with a note (busy) or a warning (cannot be opened)."""
    try:
        return open_history(config.reports.history, verify=False, busy_timeout=HISTORY_BUSY_TIMEOUT)
    except HistoryBusy as error:
        report.notes.append(f"not recorded: {error.message}")
    except HistoryUnavailable as error:
        report.findings.append(history_finding(error))
    return None


def history_finding(error: DbguardError) -> Finding:
    return Finding(
        "run history",
        Severity.WARNING,
        "the run history opens and can be written",
        error.message,
        f"{error.hint}; until then consecutive-failure counting and change-over-time are off",
        target="history",
    )


def _failures_before(history: History | None, report: HealthReport) -> int | None:
    if history is None:
        return None
    try:
        return history.consecutive_failures(CHECK_NAME)
    except sqlite3.Error as error:
        report.notes.append(f"history unreadable: {error}")
        return None


def _record(history: History, config: Config, started: datetime, report: HealthReport) -> None:
    outcomes = [
        Outcome(
            finding.check,
            finding.severity.value,
            "failed" if finding.severity is Severity.CRITICAL else "passed",
            target=finding.target,
            subjects=finding.subjects,
        )
        for finding in report.findings
    ]
    try:
        history.append(
            RunRecord(
                kind=HEALTH,
                started_at=started,
                finished_at=utc_now(),
                database=config.database.key,
                status=report.severity.value,
                exit_code=int(report.code),
                metrics=report.metrics,
                outcomes=outcomes,
            )
        )
    except sqlite3.Error as error:  # health must answer even if the history is busy or broken
        log.debug("could not record the health run: %s", error)
        report.notes.append("not recorded: the run history is busy")
