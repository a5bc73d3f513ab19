"""Opening the live database: 1 failure is a warning, N failures in a row (across runs,
counted in the run history) critical — the plan's 连续3次 rule. A file that is not a database
will not recover by the next run: critical at once."""

from __future__ import annotations

from dataclasses import dataclass

from dbguard.config import DatabaseConfig
from dbguard.findings import Finding, Severity

CHECK_NAME = "connection"
EXPECTED = "the live database opens read-only and answers a query"
REMEDIATION = (
    "check that the file exists, its permissions and free disk space; restart the application "
    "if it holds a lock (the plan: 自动重启/手动检查)"
)


@dataclass(frozen=True)
class ConnectionAttempt:
    milliseconds: float
    error: str = ""  # "" when the database opened and answered
    damaged: bool = False  # the file is not a database, or is malformed


def connection_finding(
    attempt: ConnectionAttempt, failures_before: int | None, config: DatabaseConfig
) -> Finding:
    """`failures_before`: failed runs in a row before this one (None: unknown, no history)."""
    if not attempt.error:
        return Finding(
            CHECK_NAME,
            Severity.OK,
            EXPECTED,
            f"opened and queried in {attempt.milliseconds:.1f} ms",
            target="live",
        )
    in_a_row = (failures_before or 0) + 1
    critical = attempt.damaged or in_a_row >= config.connection_failures_critical
    counted = (
        f"{in_a_row} failure(s) in a row"
        if failures_before is not None
        else "failures in a row unknown: the run history is unavailable"
    )
    return Finding(
        CHECK_NAME,
        Severity.CRITICAL if critical else Severity.WARNING,
        f"{EXPECTED} (critical after {config.connection_failures_critical} failures in a row)",
        f"failed: {attempt.error} ({counted})",
        remediation=REMEDIATION,
        target="live",
    )
