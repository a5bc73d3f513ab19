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
import time
from contextlib import closing
from datetime import datetime
from pathlib import Path

from dbguard import metrics
from dbguard.config import Config
from dbguard.database import connect_read_only, require_database, row_counts
from dbguard.errors import DbguardError
from dbguard.findings import Finding, Severity
from dbguard.health.connection import attempt_connection
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
from dbguard.rules.database import database_size_finding, integrity_finding, wal_size_finding

log = logging.getLogger(__name__)
MIB = 1024 * 1024
# The five-minute job never waits long for the hourly check's lock on the history.
HISTORY_BUSY_TIMEOUT = 0.25


def run_health(config: Config, *, quick: bool = True, record: bool = True) -> HealthReport:
    """Run the health checks on the configured live DB; a missing DB is a DatabaseError."""
    started = utc_now()
    path = require_database(Path(config.database.path), sqlite_header=False)
    report = HealthReport(database=path.resolve())
    history = _history(config, report)
    attempt = attempt_connection(path, timeout=config.database.connect_timeout_seconds)
    failures_before = _failures_before(history, report)
    report.findings.append(connection_finding(attempt, failures_before, config.database))
    report.perfdata.append(PerfValue("connect", round(attempt.milliseconds, 2), "ms"))
    if not attempt.error:
        report.metrics[metrics.CONNECT_MS] = attempt.milliseconds
        _rows(config, path, history, report)
        if not quick:
            _integrity(path, report)
    _files(config, path, report)
    add_machine(report, config, history)
    if record and history is not None:
        _record(history, config, started, report)
    return report


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


def _rows(config: Config, path: Path, history: History | None, report: HealthReport) -> None:
    try:
        with closing(connect_read_only(path)) as connection:
            counts = row_counts(connection)
    except (sqlite3.Error, DbguardError) as error:
        message = error.message if isinstance(error, DbguardError) else str(error)
        report.findings.append(
            Finding(
                "rows",
                Severity.CRITICAL,
                "row counts readable",
                f"failed: {message}",
                target="live",
            )
        )
        return
    try:
        found = history_references(config, history, str(config.database.path))
    except sqlite3.Error as error:
        report.notes.append(f"history unreadable: {error}")
        found = history_references(config, None, str(config.database.path))
    findings, perfdata = row_findings(counts, found)
    report.findings += findings
    report.metrics.update({metrics.row_metric(table): count for table, count in counts.items()})
    report.facts.append(f"{sum(counts.values())} rows in {len(counts)} tables")
    report.perfdata += [PerfValue("rows", sum(counts.values()), minimum="0"), *perfdata]


def _integrity(path: Path, report: HealthReport) -> None:
    started = time.perf_counter()
    with closing(connect_read_only(path)) as connection:
        rows = [row[0] for row in connection.execute("PRAGMA quick_check").fetchall()]
    seconds = time.perf_counter() - started
    problems = [row for row in rows if row != "ok"]
    report.findings.append(integrity_finding("quick_check", problems, seconds))
    report.metrics[metrics.INTEGRITY_SECONDS] = seconds
    report.facts.append(
        f"quick_check {'ok' if not problems else f'found {len(problems)} problem(s)'} "
        f"in {seconds:.2f} s"
    )


def _files(config: Config, path: Path, report: HealthReport) -> None:
    database = config.database
    wal = Path(f"{path}-wal")
    wal_bytes = wal.stat().st_size if wal.exists() else 0
    db_bytes = path.stat().st_size
    report.metrics.update({metrics.WAL_BYTES: wal_bytes, metrics.DB_BYTES: db_bytes})
    report.findings += [
        wal_size_finding(wal_bytes, database),
        database_size_finding(db_bytes, database),
    ]
    report.facts.append(f"WAL {wal_bytes / MIB:.1f} MiB")
    for label, size, warning_mb, critical_mb in (
        ("wal", wal_bytes, database.wal_warning_mb, database.wal_critical_mb),
        ("db", db_bytes, database.size_warning_mb, database.size_critical_mb),
    ):
        report.perfdata.append(
            PerfValue(
                label, size, "B", f"{int(warning_mb * MIB)}", f"{int(critical_mb * MIB)}", "0"
            )
        )


def _record(history: History, config: Config, started: datetime, report: HealthReport) -> None:
    outcomes = [
        Outcome(
            finding.check,
            finding.severity.value,
            "failed" if finding.severity is Severity.CRITICAL else "passed",
            target=finding.target,
        )
        for finding in report.findings
    ]
    try:
        history.append(
            RunRecord(
                kind=HEALTH,
                started_at=started,
                finished_at=utc_now(),
                database=str(config.database.path),
                status=report.severity.value,
                exit_code=int(report.code),
                metrics=report.metrics,
                outcomes=outcomes,
            )
        )
    except sqlite3.Error as error:  # health must answer even if the history is busy or broken
        log.debug("could not record the health run: %s", error)
        report.notes.append("not recorded: the run history is busy")
