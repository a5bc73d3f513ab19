"""`dbguard health` on Spark tables: the session starts, and each configured table is
readable, with its row count (one Spark job). No JVM is light, so this is the one health
path that is not: `--quick` on Spark still starts a session."""

from __future__ import annotations

import time

from dbguard import metrics
from dbguard.config import Config
from dbguard.errors import DbguardError
from dbguard.findings import Finding, Severity
from dbguard.health.nagios import PerfValue
from dbguard.health.report import HealthReport
from dbguard.rules.connection import ConnectionAttempt


def label(config: Config) -> str:
    return config.database.key


def attempt(config: Config) -> ConnectionAttempt:
    """Start (or reuse) the session, then read every table's schema. No pyspark or no Java is
    raised (the user's to fix); a table that cannot be read is a failed attempt."""
    from dbguard.catalog.spark import SparkCatalog
    from dbguard.spark.session import spark_session

    started = time.perf_counter()
    spark_session(config.database.spark)
    try:
        with SparkCatalog(config.database.spark, ignore=config.checks.ignore_tables) as catalog:
            catalog.rows("SELECT 1")
    except DbguardError as error:
        return ConnectionAttempt((time.perf_counter() - started) * 1000, error.message)
    return ConnectionAttempt((time.perf_counter() - started) * 1000)


def counts(config: Config, report: HealthReport) -> dict[str, int] | None:
    from dbguard.catalog.spark import SparkCatalog

    try:
        with SparkCatalog(config.database.spark, ignore=config.checks.ignore_tables) as catalog:
            return catalog.row_counts()
    except DbguardError as error:
        report.findings.append(
            Finding(
                "rows",
                Severity.CRITICAL,
                "every table readable, with its row count",
                f"failed: {error.message}",
                target="live",
            )
        )
        return None


def add_findings(config: Config, report: HealthReport, *, quick: bool) -> None:
    """The tables' Parquet bytes on this machine, as a metric (no thresholds: a lake grows)."""
    from dbguard.catalog.spark import SparkCatalog

    with SparkCatalog(config.database.spark, ignore=config.checks.ignore_tables) as catalog:
        size = catalog.size_bytes()
    report.metrics[metrics.DB_BYTES] = size
    report.perfdata.append(PerfValue("db", size, "B", minimum="0"))
