"""Opening the live database: 1 failure is a warning, N failures in a row (across runs,
counted in the run history) critical — the plan's 连续3次 rule. A file that is not a database
will not recover by the next run: critical at once. Nor will a database dbguard.toml names
that is gone (missing or unreadable): what the configuration promised exists and is not
there, so it is critical at once and the finding says how to restore it. (A `--db` path that
does not exist is the caller's typo: an input error, decided before any rule runs.)"""

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
    missing: bool = False  # the file is not there, or cannot be read


LOST_EXPECTED = (
    "the live database is a readable SQLite file (critical at once when it is not, or when the"
    " file dbguard.toml names is gone)"
)
RUNBOOK_LOST = 'docs/RUNBOOK.md, section 2c "The database file is lost"'


def restore_command(*, replicated: bool) -> str:
    """The one command that brings a lost or damaged live database back."""
    source = "--from-replica" if replicated else "--latest"
    return f"dbguard backup restore {source}"


def restore_remediation(*, replicated: bool) -> str:
    return (
        f"restore it ({RUNBOOK_LOST}): stop the application (and `dbguard replicate`), "
        f"run `{restore_command(replicated=replicated)}`, start them again, then `dbguard check`"
    )


def connection_finding(
    attempt: ConnectionAttempt,
    failures_before: int | None,
    config: DatabaseConfig,
    *,
    promised: bool = False,
    replicated: bool = False,
) -> Finding:
    """`failures_before`: failed runs in a row before this one (None: unknown, no history).
    `promised`: dbguard.toml names this database (so missing means lost, not a typo);
    `replicated`: a Litestream replica is configured (the restore to name)."""
    if not attempt.error:
        return Finding(
            CHECK_NAME,
            Severity.OK,
            EXPECTED,
            f"opened and queried in {attempt.milliseconds:.1f} ms",
            target="live",
        )
    in_a_row = (failures_before or 0) + 1
    lost = attempt.damaged or (attempt.missing and promised)
    counted = (
        f"{in_a_row} failure(s) in a row"
        if failures_before is not None
        else "failures in a row unknown: the run history is unavailable"
    )
    if lost:
        return Finding(
            CHECK_NAME,
            Severity.CRITICAL,
            LOST_EXPECTED,
            f"failed: {attempt.error} ({counted})",
            remediation=restore_remediation(replicated=replicated),
            target="live",
        )
    return Finding(
        CHECK_NAME,
        Severity.CRITICAL if in_a_row >= config.connection_failures_critical else Severity.WARNING,
        f"{EXPECTED} (critical after {config.connection_failures_critical} failures in a row)",
        f"failed: {attempt.error} ({counted})",
        remediation=REMEDIATION,
        target="live",
    )
