"""Health of the live database file: integrity, foreign keys, journal mode, sizes, latency.

Every check opens the database read-only. A file that cannot be opened (missing,
not SQLite, garbage bytes) gives a critical finding in each check, never a crash.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from dbguard.config import Config
from dbguard.database import connect_read_only
from dbguard.errors import DbguardError
from dbguard.findings import Finding, Severity, classify_above

MIB = 1024 * 1024
RESTORE_HINT = "restore from the latest verified backup (dbguard backup restore --latest)"

Record = Callable[[Finding], None]
Metric = Callable[[str, float], None]


@contextmanager
def open_live(live_db: Path, check: str, record_finding: Record) -> Iterator[sqlite3.Connection]:
    """A read-only connection that answers a first query; else a critical finding (fails the test)."""
    try:
        connection = connect_read_only(live_db)
        connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except DbguardError as error:
        record_finding(_unreadable(check, error.one_line()))
        raise AssertionError("record_finding fails on critical") from None
    except sqlite3.Error as error:
        record_finding(_unreadable(check, f"{live_db}: {error}"))
        raise AssertionError("record_finding fails on critical") from None
    try:
        yield connection
    finally:
        connection.close()


def test_integrity(live_db: Path, config: Config, record_finding: Record) -> None:
    with open_live(live_db, "database::integrity", record_finding) as live_connection:
        size_mb = live_db.stat().st_size / MIB
        pragma = (
            "quick_check" if size_mb > config.database.quick_check_above_mb else "integrity_check"
        )
        try:
            rows = [row[0] for row in live_connection.execute(f"PRAGMA {pragma}").fetchall()]
        except sqlite3.Error as error:
            rows = [str(error)]
        problems = [row for row in rows if row != "ok"]
        record_finding(
            Finding(
                check="database::integrity",
                severity=Severity.CRITICAL if problems else Severity.OK,
                expected=f"PRAGMA {pragma} returns ok",
                observed=f"{len(problems)} problem(s)" if problems else "ok",
                details="; ".join(problems[:10]),
                remediation=f"stop the application and {RESTORE_HINT}" if problems else "",
                target="live",
            )
        )


def test_foreign_keys(live_db: Path, record_finding: Record) -> None:
    with open_live(live_db, "database::foreign_key_check", record_finding) as live_connection:
        rows = live_connection.execute("PRAGMA foreign_key_check").fetchall()
        examples = [f"{table} rowid {rowid} -> {parent}" for table, rowid, parent, _ in rows[:10]]
        record_finding(
            Finding(
                check="database::foreign_key_check",
                severity=Severity.CRITICAL if rows else Severity.OK,
                expected="every foreign key points at an existing row",
                observed=f"{len(rows)} broken reference(s)" if rows else "none broken",
                details="; ".join(examples),
                remediation=f"audit the rows named; if their parents were deleted by mistake, {RESTORE_HINT}"
                if rows
                else "",
                target="live",
            )
        )


def test_journal_mode_is_wal(live_db: Path, record_finding: Record) -> None:
    with open_live(live_db, "database::journal_mode", record_finding) as live_connection:
        (mode,) = live_connection.execute("PRAGMA journal_mode").fetchone()
        record_finding(
            Finding(
                check="database::journal_mode",
                severity=Severity.OK if str(mode).lower() == "wal" else Severity.WARNING,
                expected="journal_mode wal (readers never block the writer)",
                observed=str(mode),
                remediation="run PRAGMA journal_mode=WAL once on the database while the application is stopped",
                target="live",
            )
        )


def test_wal_size(
    live_db: Path,
    config: Config,
    record_finding: Record,
    record_metric: Metric,
) -> None:
    with open_live(live_db, "database::wal_size", record_finding):
        wal = Path(f"{live_db}-wal")
        size = wal.stat().st_size if wal.exists() else 0
        record_metric("wal_bytes", size)
        limits = config.database
        record_finding(
            _size_finding(
                "database::wal_size",
                "WAL file",
                size,
                (limits.wal_warning_mb, limits.wal_critical_mb),
                "a long-running reader stops checkpoints: find it, then run PRAGMA wal_checkpoint(TRUNCATE)",
            )
        )


def test_database_size(
    live_db: Path,
    config: Config,
    record_finding: Record,
    record_metric: Metric,
) -> None:
    with open_live(live_db, "database::size", record_finding):
        size = live_db.stat().st_size
        record_metric("db_bytes", size)
        limits = config.database
        record_finding(
            _size_finding(
                "database::size",
                "database",
                size,
                (limits.size_warning_mb, limits.size_critical_mb),
                "archive old rows, then VACUUM during a quiet hour; plan disk space for growth",
            )
        )


def _size_finding(
    check: str, what: str, size: int, limits_mb: tuple[float, float], remediation: str
) -> Finding:
    warning_mb, critical_mb = limits_mb
    return Finding(
        check=check,
        severity=classify_above(size / MIB, warning_mb, critical_mb),
        expected=f"{what} at most {warning_mb:g} MiB (critical above {critical_mb:g})",
        observed=f"{size / MIB:.1f} MiB",
        remediation=remediation,
        target="live",
    )


def test_query_latency(
    live_db: Path,
    config: Config,
    record_finding: Record,
    record_metric: Metric,
) -> None:
    with open_live(live_db, "database::query_latency", record_finding) as live_connection:
        query = config.database.latency_query
        started = time.perf_counter()
        try:
            live_connection.execute(query).fetchall()
        except sqlite3.Error as error:
            record_finding(
                Finding(
                    check="database::query_latency",
                    severity=Severity.CRITICAL,
                    expected=f"{query!r} answers",
                    observed=f"error: {error}",
                    remediation="fix [database] latency_query in dbguard.toml, or check the table it reads",
                    target="live",
                )
            )
            return
        elapsed_ms = (time.perf_counter() - started) * 1000
        record_metric("latency_ms", elapsed_ms)
        limits = config.database
        record_finding(
            Finding(
                check="database::query_latency",
                severity=classify_above(
                    elapsed_ms, limits.latency_warning_ms, limits.latency_critical_ms
                ),
                expected=f"{query!r} within {limits.latency_warning_ms:g} ms (critical above {limits.latency_critical_ms:g})",
                observed=f"{elapsed_ms:.1f} ms",
                remediation="look for a missing index or a long write transaction; consider more resources",
                target="live",
            )
        )


def test_row_counts(
    live_db: Path,
    live_row_counts: Callable[[], dict[str, int]],
    record_finding: Record,
    record_metric: Metric,
) -> None:
    with open_live(live_db, "database::row_counts", record_finding):
        counts = live_row_counts()
        for table, count in counts.items():
            record_metric(f"rows.{table}.live", count)
        record_finding(
            Finding(
                check="database::row_counts",
                severity=Severity.OK,
                expected="every table can be counted",
                observed=", ".join(f"{table}={count}" for table, count in counts.items()),
                target="live",
            )
        )


def _unreadable(check: str, message: str) -> Finding:
    return Finding(
        check=check,
        severity=Severity.CRITICAL,
        expected="the live database opens read-only and answers a query",
        observed=f"cannot read it: {message}",
        remediation=f"check the path in dbguard.toml and the file's permissions; if the file is damaged, {RESTORE_HINT}",
        target="live",
    )
