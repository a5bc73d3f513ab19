"""The JSON bodies of the monitor routes, built from what the commands return (a health
report, Observations): plain dicts, no I/O. Severity → HTTP status lives here, once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dbguard.findings import Finding, Severity
from dbguard.health.report import HealthReport
from dbguard.history import Outcome
from dbguard.metrics import CONNECT_MS, DB_BYTES, WAL_BYTES
from dbguard.rules.problems import group_problems, problems_json
from dbguard.web.observations import Observations

UNKNOWN = "unknown"
# The health routes answer 200 while an uptime checker should stay quiet, 503 when it should page.
HTTP_STATUS = {"ok": 200, "info": 200, "warning": 200, "critical": 503, UNKNOWN: 503}
# The findings /health/database shows: opening, then the database's own (integrity, WAL and
# file size; a PostgreSQL server's connections, transactions, standby lag).
DATABASE_CHECKS = ("connection",)
DATABASE_PREFIXES = ("database::", "postgres::")


def http_status(status: str) -> int:
    """The HTTP status of a health route for a status (ok / warning / critical / unknown)."""
    return HTTP_STATUS.get(status, 503)


def finding_json(finding: Finding) -> dict[str, str]:
    return {
        "check": finding.check,
        "severity": finding.severity.value,
        "target": finding.target,
        "expected": finding.expected,
        "observed": finding.observed,
        "remediation": finding.remediation,
        "details": finding.details,
    }


def _status(findings: Iterable[Finding]) -> str:
    worst = Severity.worst([finding.severity for finding in findings])
    return Severity.OK.value if worst is Severity.INFO else worst.value


def health_json(report: HealthReport, age_seconds: float) -> dict[str, Any]:
    """`/health/quick`: what `dbguard health --quick` found."""
    status = _status(report.findings)
    return {
        "status": status,
        "nagios_code": {"ok": 0, "warning": 1, "critical": 2}[status],
        "findings": [finding_json(finding) for finding in report.findings],
        "metrics": dict(report.metrics),
        "notes": list(report.notes),  # e.g. a health_url skipped because it is this monitor
        "age_seconds": round(age_seconds, 3),
    }


def is_database_finding(finding: Finding) -> bool:
    return finding.check in DATABASE_CHECKS or finding.check.startswith(DATABASE_PREFIXES)


def database_json(report: HealthReport, age_seconds: float) -> dict[str, Any]:
    """`/health/database`: integrity (quick_check), WAL, size and latency of `dbguard health`."""
    findings = [finding for finding in report.findings if is_database_finding(finding)]
    return {
        "status": _status(findings),
        "findings": [finding_json(finding) for finding in findings],
        "latency_ms": report.metrics.get(CONNECT_MS),
        "wal_bytes": report.metrics.get(WAL_BYTES),
        "db_bytes": report.metrics.get(DB_BYTES),
        "age_seconds": round(age_seconds, 3),
    }


def error_json(message: str) -> dict[str, str]:
    return {"status": UNKNOWN, "error": message}


def index_json(links: dict[str, str], *, token_required: bool, public: set[str]) -> dict[str, Any]:
    """The mount point: what is served where, and whether a route wants the bearer token."""
    return {
        "service": "dbguard monitor",
        "routes": {
            name: {"path": path, "token": token_required and name not in public}
            for name, path in links.items()
        },
    }


def _finding_of(outcome: Outcome) -> Finding:
    """What the history keeps of a check's finding, as a Finding to group."""
    try:
        severity = Severity(outcome.severity)
    except ValueError:
        severity = Severity.CRITICAL  # as the report counts an unknown severity
    return Finding(outcome.name, severity, "", "", target=outcome.target, subjects=outcome.subjects)


def overview_json(
    seen: Observations, database: str, links: dict[str, str], age_seconds: float
) -> dict[str, Any]:
    """`/status/overview`: the last check (status, its problems — one per cause, see
    dbguard.rules.problems — and every finding), the latest backups, links."""
    run = seen.last_check
    last_check: dict[str, Any] | None = None
    if run is not None:
        last_check = {
            "status": run.status,
            "started_at": run.started_at.isoformat(),
            "duration_seconds": round(run.duration_seconds, 3),
            "exit_code": run.exit_code,
            "counts": run.counts,
            "problems": problems_json(group_problems(map(_finding_of, run.outcomes))),
            "findings": [
                {
                    "check": outcome.name,
                    "severity": outcome.severity,
                    "target": outcome.target,
                    "outcome": outcome.outcome,
                }
                for outcome in run.outcomes
                if outcome.severity in ("warning", "critical")
            ],
        }
    return {
        "status": run.status if run is not None else UNKNOWN,
        "database": database,
        "last_check": last_check,
        "latest_backups": [
            {
                "name": backup.name,
                "created_at": backup.created_at.isoformat(),
                "age_seconds": round((seen.now - backup.created_at).total_seconds(), 1),
                "size_bytes": backup.size_bytes,
                "verified": backup.verified,
            }
            for backup in seen.backups
        ],
        "links": links,
        "age_seconds": round(age_seconds, 3),
    }
