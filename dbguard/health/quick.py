"""`dbguard health [--quick]`: the plan's five-minute check, in well under a second.

Connection, row counts (against the suites' baselines, else the last check
run), WAL and database size, disk and memory — and the configured health URL.
Without --quick it also runs SQLite's `PRAGMA quick_check`. Only the standard
library and psutil: never Great Expectations, pandas, SQLAlchemy, matplotlib
or rich (a test checks). Each run appends a light record to the run history,
which is what makes "3 connection failures in a row" work between runs.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from dbguard.config import Config
from dbguard.database import connect_read_only, row_counts
from dbguard.errors import DatabaseError, NagiosCode
from dbguard.findings import Finding, Severity, classify_above
from dbguard.health.connection import check_connection
from dbguard.health.nagios import PerfValue, nagios_code, status_line
from dbguard.health.rows import Band, band_around, change_finding, suite_bands
from dbguard.history import History, Outcome, RunRecord, open_history, utc_now
from dbguard.redact import mask_secrets
from dbguard.replication.status import replication_findings
from dbguard.system import (
    disk_finding,
    health_url_finding,
    memory_finding,
    probe_url,
)

log = logging.getLogger(__name__)
MIB = 1024 * 1024


@dataclass
class HealthReport:
    findings: list[Finding] = field(default_factory=list)
    perfdata: list[PerfValue] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    facts: list[str] = field(default_factory=list)  # the OK summary: "14254 rows in 5 tables", …

    @property
    def severity(self) -> Severity:
        return Severity.worst([finding.severity for finding in self.findings])

    @property
    def code(self) -> NagiosCode:
        return nagios_code(self.severity)

    def line(self) -> str:
        problems = [
            f"{f.check}: {f.observed}"
            for f in sorted(self.findings, key=lambda f: -f.severity.rank)
            if f.severity in (Severity.WARNING, Severity.CRITICAL)
        ]
        summary = "; ".join(problems + self.facts) or "no checks ran"
        return mask_secrets(status_line(self.code, summary, self.perfdata))


def run_health(config: Config, *, quick: bool = True, record: bool = True) -> HealthReport:
    """Run the health checks on the configured live DB; a missing DB is a DatabaseError."""
    started = utc_now()
    path = Path(config.database.path)
    if not path.exists():
        raise DatabaseError(
            f"database {path} does not exist",
            "pass --db or set [database] path in dbguard.toml",
        )
    history = _history(config)
    report = HealthReport()
    connection = check_connection(
        path,
        history,
        config.database.connection_failures_critical,
        timeout=config.database.connect_timeout_seconds,
    )
    report.findings.append(connection.finding)
    report.perfdata.append(PerfValue("connect", round(connection.milliseconds, 2), "ms"))
    if connection.ok:
        _rows(config, path, history, report)
        if not quick:
            _integrity(path, report)
    _files(config, path, report)
    _system(config, path, history, report)
    report.findings.extend(replication_findings(config))
    if record and history is not None:
        _record(history, config, started, report)
    return report


def _history(config: Config) -> History | None:
    try:
        return open_history(config.reports.history, verify=False)
    except (OSError, sqlite3.Error) as error:
        log.warning("run history %s unavailable: %s", config.reports.history, error)
        return None


def _rows(config: Config, path: Path, history: History | None, report: HealthReport) -> None:
    try:
        with closing(connect_read_only(path)) as connection:
            counts = row_counts(connection, ignore=config.checks.ignore_tables)
    except (sqlite3.Error, DatabaseError) as error:
        report.findings.append(
            Finding(
                "rows", Severity.CRITICAL, "row counts readable", f"failed: {error}", target="live"
            )
        )
        return
    bands: dict[str, tuple[Band, str]] = {
        table: (band, "baseline")
        for table, band in suite_bands(config.checks.expectations_dir).items()
    }
    previous = history.previous_run(kind="check", database=str(path)) if history else None
    if previous is not None:
        for name, value in previous.metrics.items():
            parts = name.split(".")
            if (
                len(parts) == 3
                and parts[0] == "rows"
                and parts[2] == "live"
                and parts[1] not in bands
            ):
                bands[parts[1]] = (band_around(int(value), config.checks), "the last check run")
    for table in sorted(set(counts) | set(bands)):
        count = counts.get(table)
        if count is not None:
            report.metrics[f"rows.{table}.live"] = count
        if table in bands:
            band, against = bands[table]
            finding = change_finding(table, count, band, against)
            report.findings.append(finding)
            if count is not None:
                report.perfdata.append(
                    PerfValue(
                        f"rows_{table}",
                        count,
                        warning=f"{band.warning_low:g}:{band.warning_high:g}",
                        critical=f"{band.critical_low:g}:{band.critical_high:g}",
                        minimum="0",
                    )
                )
    total = sum(counts.values())
    report.facts.append(f"{total} rows in {len(counts)} tables")
    report.perfdata.insert(1, PerfValue("rows", total, minimum="0"))


def _integrity(path: Path, report: HealthReport) -> None:
    with closing(connect_read_only(path)) as connection:
        verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
    severity = Severity.OK if verdict == "ok" else Severity.CRITICAL
    report.findings.append(
        Finding(
            "integrity",
            severity,
            "PRAGMA quick_check says ok",
            str(verdict),
            ""
            if severity is Severity.OK
            else "restore the latest verified backup "
            "(`dbguard backup restore --latest`) after saving the damaged file",
            target="live",
        )
    )


def _files(config: Config, path: Path, report: HealthReport) -> None:
    database = config.database
    wal = Path(f"{path}-wal")
    wal_bytes = wal.stat().st_size if wal.exists() else 0
    db_bytes = path.stat().st_size
    report.metrics.update(wal_bytes=wal_bytes, db_bytes=db_bytes)
    for name, size, warning_mb, critical_mb, action in (
        (
            "wal size",
            wal_bytes,
            database.wal_warning_mb,
            database.wal_critical_mb,
            "a reader may hold the WAL open: check long transactions; `PRAGMA wal_checkpoint(TRUNCATE)`",
        ),
        (
            "database size",
            db_bytes,
            database.size_warning_mb,
            database.size_critical_mb,
            "archive old rows or plan more disk",
        ),
    ):
        severity = classify_above(size / MIB, warning_mb, critical_mb)
        report.findings.append(
            Finding(
                name,
                severity,
                f"at most {warning_mb:g} MiB (critical above {critical_mb:g} MiB)",
                f"{size / MIB:.1f} MiB",
                "" if severity is Severity.OK else action,
                target="live",
            )
        )
    report.facts.append(f"WAL {wal_bytes / MIB:.1f} MiB")
    report.perfdata += [
        PerfValue(
            "wal",
            wal_bytes,
            "B",
            f"{int(database.wal_warning_mb * MIB)}",
            f"{int(database.wal_critical_mb * MIB)}",
            "0",
        ),
        PerfValue(
            "db",
            db_bytes,
            "B",
            f"{int(database.size_warning_mb * MIB)}",
            f"{int(database.size_critical_mb * MIB)}",
            "0",
        ),
    ]


def _system(config: Config, path: Path, history: History | None, report: HealthReport) -> None:
    system = config.system
    for label, key, where in (
        ("db", "disk_percent.db", path),
        ("backups", "disk_percent.backups", config.backup.dir),
    ):
        finding, usage = disk_finding(label, where, system)
        report.findings.append(finding)
        report.metrics[key] = usage.percent
        report.perfdata.append(
            PerfValue(
                f"disk_{label}",
                round(usage.percent, 1),
                "%",
                f"{system.disk_warning_percent:g}",
                f"{system.disk_critical_percent:g}",
                "0",
                "100",
            )
        )
    report.facts.append(f"disk {report.metrics['disk_percent.db']:.0f} %")
    memory, percent = memory_finding(system)
    report.findings.append(memory)
    report.metrics["memory_percent"] = percent
    report.facts.append(f"memory {percent:.0f} %")
    report.perfdata.append(
        PerfValue(
            "memory",
            round(percent, 1),
            "%",
            f"{system.memory_warning_percent:g}",
            f"{system.memory_critical_percent:g}",
            "0",
            "100",
        )
    )
    if system.health_url:
        probe = probe_url(system.health_url, timeout=system.response_critical_seconds + 0.5)
        failures = (
            0 if probe.ok else (history.consecutive_failures("health url") if history else 0) + 1
        )
        report.findings.append(
            health_url_finding(
                probe, system, failures, config.database.connection_failures_critical
            )
        )
        report.metrics["health_url_seconds"] = probe.seconds
        report.perfdata.append(
            PerfValue(
                "response",
                round(probe.seconds, 3),
                "s",
                f"{system.response_warning_seconds:g}",
                f"{system.response_critical_seconds:g}",
                "0",
            )
        )


def _record(history: History, config: Config, started: datetime, report: HealthReport) -> None:
    try:
        history.append(
            RunRecord(
                kind="health",
                started_at=started,
                finished_at=utc_now(),
                database=str(config.database.path),
                status=report.severity.value,
                exit_code=int(report.code),
                metrics=report.metrics,
                outcomes=[
                    Outcome(
                        f.check,
                        f.severity.value,
                        "passed" if f.severity is not Severity.CRITICAL else "failed",
                        target=f.target,
                    )
                    for f in report.findings
                ],
            )
        )
    except sqlite3.Error as error:  # health must answer even if the history is busy or broken
        log.warning("could not record the health run: %s", error)
