"""`dbguard health` on a PostgreSQL database, with psycopg directly (no GX, no pandas, no
SQLAlchemy): connect read-only, count rows (exact, or planner estimates with
`[postgres] estimate_rows`), database size, connections against max_connections, the
longest-running transaction, a standby's replay lag, and the freshness of the newest dump
in `[backup] postgres_dump_dir`. The verdicts come from `dbguard.rules`."""

from __future__ import annotations

import time

import psycopg

from dbguard import metrics
from dbguard.config import Config
from dbguard.errors import DatabaseError
from dbguard.findings import Finding, Severity
from dbguard.health.nagios import PerfValue
from dbguard.health.report import HealthReport
from dbguard.postgres.connection import PostgresUnreachable, connect
from dbguard.postgres.dumps import dump_age_finding
from dbguard.postgres.readings import row_counts, server_state, user_tables
from dbguard.redact import mask_secrets
from dbguard.rules.connection import ConnectionAttempt
from dbguard.rules.database import database_size_finding
from dbguard.rules.postgres import (
    connections_finding,
    long_transaction_finding,
    standby_lag_finding,
)


def _lost(check: str, expected: str, error: Exception) -> Finding:
    message = error.message if isinstance(error, DatabaseError) else " ".join(str(error).split())
    return Finding(
        check,
        Severity.CRITICAL,
        expected,
        f"failed: {mask_secrets(message)}",
        "check that the server is running (it answered a moment before)",
        target="live",
    )


def label(config: Config) -> str:
    return config.database.key


def attempt(config: Config) -> ConnectionAttempt:
    """Connect and query once; a login problem is raised (the user's to fix), a server that
    does not answer is a failed attempt (the 1 / 3-in-a-row rule)."""
    started = time.perf_counter()
    try:
        with connect(config.database) as connection:
            connection.execute("SELECT 1").fetchone()
    except PostgresUnreachable as error:
        return ConnectionAttempt((time.perf_counter() - started) * 1000, error.message)
    return ConnectionAttempt((time.perf_counter() - started) * 1000)


def counts(config: Config, report: HealthReport) -> dict[str, int] | None:
    try:
        with connect(config.database) as connection:
            tables = user_tables(connection, config.database.schema, config.checks.ignore_tables)
            return row_counts(
                connection, config.database.schema, tables, estimate=config.postgres.estimate_rows
            )
    except (DatabaseError, psycopg.Error) as error:  # the server went away mid-run
        report.findings.append(_lost("rows", "row counts readable", error))
        return None


def add_findings(config: Config, report: HealthReport, *, quick: bool) -> None:
    try:
        with connect(config.database) as connection:
            state = server_state(connection)
    except (DatabaseError, psycopg.Error) as error:
        report.findings.append(_lost("postgres::server", "the server's state readable", error))
        return
    settings = config.postgres
    report.findings += [
        database_size_finding(state.database_bytes, config.database),
        connections_finding(state.connections, state.max_connections, settings),
        long_transaction_finding(
            state.longest_transaction_seconds, state.longest_transaction, settings
        ),
    ]
    if state.in_recovery:
        report.findings.append(standby_lag_finding(state.standby_lag_seconds, settings))
    report.facts.append(f"{state.connections}/{state.max_connections} connections")
    report.perfdata += [
        PerfValue("db", state.database_bytes, "B", minimum="0"),
        PerfValue(
            "connections", state.connections, minimum="0", maximum=str(state.max_connections)
        ),
        PerfValue("longest_transaction", round(state.longest_transaction_seconds, 1), "s"),
    ]
    report.metrics[metrics.DB_BYTES] = state.database_bytes
    if config.backup.postgres_dump_dir is not None:
        finding, age_hours = dump_age_finding(config.backup)
        report.findings.append(finding)
        if age_hours is not None:
            report.metrics[metrics.BACKUP_AGE_HOURS] = age_hours
