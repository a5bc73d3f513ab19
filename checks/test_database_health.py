"""Health of the live database: integrity, foreign keys, journal mode, sizes, latency.

Each check measures, read-only, and hands the observation to its rule in
`dbguard.rules.database`. A database that cannot be opened (a missing file, garbage
bytes, a PostgreSQL server that does not answer) gives a critical finding in each check,
never a crash. The checks of SQLite's file itself (integrity pragma, foreign_key_check,
journal mode, WAL size) are skipped on PostgreSQL, saying that they do not apply.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest

from dbguard import metrics
from dbguard.catalog import Catalog, QueryError, open_catalog
from dbguard.config import Config
from dbguard.errors import DbguardError
from dbguard.findings import Finding, Severity
from dbguard.quality.targets import NOT_ON_POSTGRES, engine_name
from dbguard.rules import database as rules
from dbguard.rules.connection import EXPECTED as OPENS

Record = Callable[[Finding], None]
Metric = Callable[[str, float], None]
MIB = 1024 * 1024
CANNOT_OPEN = {
    "sqlite": "check the path in dbguard.toml and the file's permissions; if the file is "
    f"damaged, {rules.RESTORE_HINT}",
    "postgresql": "check that the server is running, and the host, port and database in "
    "[database] url",
    "spark": "check [database.spark] (master, tables) and that the Parquet data is readable",
}


def sqlite_only(instead: str) -> pytest.MarkDecorator:
    return pytest.mark.engine("sqlite", skip=f"{NOT_ON_POSTGRES}: {instead}")


@contextmanager
def open_live(config: Config, check: str, record_finding: Record) -> Iterator[Catalog]:
    """The live database's catalog, once it answers a first query; else a critical finding
    (which fails the test)."""
    try:
        catalog = open_catalog(config)
    except DbguardError as error:
        _cannot_open(config, check, error, record_finding)
    try:
        try:
            catalog.tables()
        except DbguardError as error:
            _cannot_open(config, check, error, record_finding)
        yield catalog
    finally:
        catalog.close()


def _cannot_open(
    config: Config, check: str, error: DbguardError, record_finding: Record
) -> NoReturn:
    record_finding(
        Finding(
            check=check,
            severity=Severity.CRITICAL,
            expected=OPENS,
            observed=f"cannot read it: {error.one_line()}",
            remediation=CANNOT_OPEN[engine_name(config)],
            target="live",
        )
    )
    raise AssertionError("record_finding fails on critical") from None


@sqlite_only("PostgreSQL checks its own pages (data checksums; amcheck for indexes)")
def test_integrity(config: Config, record_finding: Record) -> None:
    with open_live(config, "database::integrity", record_finding) as live:
        large = live.size_bytes() / MIB > config.database.quick_check_above_mb
        pragma = "quick_check" if large else "integrity_check"
        try:
            rows = [str(row[0]) for row in live.rows(f"PRAGMA {pragma}")]
        except QueryError as error:
            rows = [error.message]
        record_finding(rules.integrity_finding(pragma, [row for row in rows if row != "ok"]))


@sqlite_only("PostgreSQL enforces its foreign keys when rows are written")
def test_foreign_keys(config: Config, record_finding: Record) -> None:
    with open_live(config, "database::foreign_key_check", record_finding) as live:
        rows = live.rows("PRAGMA foreign_key_check")
        broken = [f"{table} rowid {rowid} -> {parent}" for table, rowid, parent, _ in rows]
        record_finding(rules.foreign_keys_finding(broken))


@sqlite_only("the journal mode is SQLite's (PostgreSQL always writes its WAL)")
def test_journal_mode_is_wal(config: Config, record_finding: Record) -> None:
    with open_live(config, "database::journal_mode", record_finding) as live:
        record_finding(rules.journal_mode_finding(str(live.value("PRAGMA journal_mode"))))


@sqlite_only("the -wal file is SQLite's (PostgreSQL manages its own WAL)")
def test_wal_size(
    live_db: Path, config: Config, record_finding: Record, record_metric: Metric
) -> None:
    with open_live(config, "database::wal_size", record_finding):
        wal = Path(f"{live_db}-wal")
        size = wal.stat().st_size if wal.exists() else 0
        record_metric(metrics.WAL_BYTES, size)
        record_finding(rules.wal_size_finding(size, config.database))


def test_database_size(config: Config, record_finding: Record, record_metric: Metric) -> None:
    """The file's size, or PostgreSQL's pg_database_size."""
    with open_live(config, "database::size", record_finding) as live:
        size = live.size_bytes()
        record_metric(metrics.DB_BYTES, size)
        record_finding(rules.database_size_finding(size, config.database))


def test_query_latency(config: Config, record_finding: Record, record_metric: Metric) -> None:
    with open_live(config, "database::query_latency", record_finding) as live:
        query = config.database.latency_sql
        started = time.perf_counter()
        try:
            live.rows(query)
        except QueryError as error:
            record_finding(rules.latency_finding(query, None, error.message, config.database))
            return
        elapsed_ms = (time.perf_counter() - started) * 1000
        record_metric(metrics.LATENCY_MS, elapsed_ms)
        record_finding(rules.latency_finding(query, elapsed_ms, "", config.database))


def test_row_counts(
    config: Config,
    live_row_counts: Callable[[], dict[str, int]],
    record_finding: Record,
    record_metric: Metric,
) -> None:
    with open_live(config, "database::row_counts", record_finding):
        try:
            counts = live_row_counts()
        except DbguardError as error:
            _cannot_open(config, "database::row_counts", error, record_finding)
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
