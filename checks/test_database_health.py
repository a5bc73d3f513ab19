"""Health of the live database file: integrity, foreign keys, journal mode, sizes, latency.

Each check measures, read-only, and hands the observation to its rule in
`dbguard.rules.database`. A file that cannot be opened (missing, not SQLite,
garbage bytes) gives a critical finding in each check, never a crash.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from dbguard import metrics
from dbguard.config import Config
from dbguard.database import connect_read_only
from dbguard.errors import DbguardError
from dbguard.findings import Finding, Severity
from dbguard.rules import database as rules
from dbguard.rules.connection import EXPECTED as OPENS

Record = Callable[[Finding], None]
Metric = Callable[[str, float], None]
MIB = 1024 * 1024


@contextmanager
def open_live(live_db: Path, check: str, record_finding: Record) -> Iterator[sqlite3.Connection]:
    """A read-only connection that answers a first query; else a critical finding (fails the test)."""
    try:
        connection = connect_read_only(live_db)
        connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except (DbguardError, sqlite3.Error) as error:
        message = error.one_line() if isinstance(error, DbguardError) else f"{live_db}: {error}"
        record_finding(
            Finding(
                check=check,
                severity=Severity.CRITICAL,
                expected=OPENS,
                observed=f"cannot read it: {message}",
                remediation="check the path in dbguard.toml and the file's permissions; if the "
                f"file is damaged, {rules.RESTORE_HINT}",
                target="live",
            )
        )
        raise AssertionError("record_finding fails on critical") from None
    try:
        yield connection
    finally:
        connection.close()


def test_integrity(live_db: Path, config: Config, record_finding: Record) -> None:
    with open_live(live_db, "database::integrity", record_finding) as live:
        large = live_db.stat().st_size / MIB > config.database.quick_check_above_mb
        pragma = "quick_check" if large else "integrity_check"
        try:
            rows = [row[0] for row in live.execute(f"PRAGMA {pragma}").fetchall()]
        except sqlite3.Error as error:
            rows = [str(error)]
        record_finding(rules.integrity_finding(pragma, [row for row in rows if row != "ok"]))


def test_foreign_keys(live_db: Path, record_finding: Record) -> None:
    with open_live(live_db, "database::foreign_key_check", record_finding) as live:
        rows = live.execute("PRAGMA foreign_key_check").fetchall()
        broken = [f"{table} rowid {rowid} -> {parent}" for table, rowid, parent, _ in rows]
        record_finding(rules.foreign_keys_finding(broken))


def test_journal_mode_is_wal(live_db: Path, record_finding: Record) -> None:
    with open_live(live_db, "database::journal_mode", record_finding) as live:
        (mode,) = live.execute("PRAGMA journal_mode").fetchone()
        record_finding(rules.journal_mode_finding(str(mode)))


def test_wal_size(
    live_db: Path, config: Config, record_finding: Record, record_metric: Metric
) -> None:
    with open_live(live_db, "database::wal_size", record_finding):
        wal = Path(f"{live_db}-wal")
        size = wal.stat().st_size if wal.exists() else 0
        record_metric(metrics.WAL_BYTES, size)
        record_finding(rules.wal_size_finding(size, config.database))


def test_database_size(
    live_db: Path, config: Config, record_finding: Record, record_metric: Metric
) -> None:
    with open_live(live_db, "database::size", record_finding):
        size = live_db.stat().st_size
        record_metric(metrics.DB_BYTES, size)
        record_finding(rules.database_size_finding(size, config.database))


def test_query_latency(
    live_db: Path, config: Config, record_finding: Record, record_metric: Metric
) -> None:
    with open_live(live_db, "database::query_latency", record_finding) as live:
        query = config.database.latency_query
        started = time.perf_counter()
        try:
            live.execute(query).fetchall()
        except sqlite3.Error as error:
            record_finding(rules.latency_finding(query, None, str(error), config.database))
            return
        elapsed_ms = (time.perf_counter() - started) * 1000
        record_metric(metrics.LATENCY_MS, elapsed_ms)
        record_finding(rules.latency_finding(query, elapsed_ms, "", config.database))


def test_row_counts(
    live_db: Path,
    live_row_counts: Callable[[], dict[str, int]],
    record_finding: Record,
    record_metric: Metric,
) -> None:
    with open_live(live_db, "database::row_counts", record_finding):
        counts = live_row_counts()
        for table, count in counts.items():
            record_metric(metrics.row_metric(table), count)
        record_finding(
            Finding(
                check="database::row_counts",
                severity=Severity.OK,
                expected="every table can be counted",
                observed=", ".join(f"{table}={count}" for table, count in counts.items()),
                target="live",
            )
        )
