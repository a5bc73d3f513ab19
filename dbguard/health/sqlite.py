"""`dbguard health` on a SQLite file: open it, count rows, quick_check (full run only), WAL and
file size. The verdicts come from `dbguard.rules`."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

from dbguard import metrics
from dbguard.config import Config
from dbguard.database import connect_read_only, missing_reason, require_database, row_counts
from dbguard.errors import DbguardError
from dbguard.findings import Finding, Severity
from dbguard.health.connection import attempt_connection
from dbguard.health.nagios import PerfValue
from dbguard.health.report import HealthReport
from dbguard.rules.connection import ConnectionAttempt
from dbguard.rules.database import database_size_finding, integrity_finding, wal_size_finding

MIB = 1024 * 1024


def label(config: Config) -> str:
    """The file actually checked: a symlink's target. A missing file is a DatabaseError, unless
    dbguard.toml names it: then it is lost, and the connection check says so (critical)."""
    path = Path(config.database.path)
    if config.database_named and missing_reason(path):
        return str(path.resolve())
    return str(require_database(path, sqlite_header=False).resolve())


def attempt(config: Config) -> ConnectionAttempt:
    return attempt_connection(config.database.path, timeout=config.database.connect_timeout_seconds)


def counts(config: Config, report: HealthReport) -> dict[str, int] | None:
    try:
        with closing(connect_read_only(config.database.path)) as connection:
            return row_counts(connection, ignore=config.checks.ignore_tables)
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
        return None


def add_findings(config: Config, report: HealthReport, *, quick: bool) -> None:
    path = Path(config.database.path)
    if not quick:
        _integrity(path, report)
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
    for name, size, warning_mb, critical_mb in (
        ("wal", wal_bytes, database.wal_warning_mb, database.wal_critical_mb),
        ("db", db_bytes, database.size_warning_mb, database.size_critical_mb),
    ):
        report.perfdata.append(
            PerfValue(name, size, "B", f"{int(warning_mb * MIB)}", f"{int(critical_mb * MIB)}", "0")
        )


def _integrity(path: Path, report: HealthReport) -> None:
    started = time.perf_counter()
    with closing(connect_read_only(path)) as connection:
        rows = [row[0] for row in connection.execute("PRAGMA quick_check").fetchall()]
    seconds = time.perf_counter() - started
    problems = [row for row in rows if row != "ok"]
    report.findings.append(integrity_finding("quick_check", problems, seconds))
    report.metrics[metrics.INTEGRITY_SECONDS] = seconds
    verdict = "ok" if not problems else f"found {len(problems)} problem(s)"
    report.facts.append(f"quick_check {verdict} in {seconds:.2f} s")
