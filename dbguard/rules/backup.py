"""Backups: the latest verified backup's age (the plan's daily backup: 26 h / 50 h)."""

from __future__ import annotations

from dbguard.config import BackupConfig
from dbguard.findings import Finding, Severity
from dbguard.rules.gauge import Gauge

TAKE_BACKUP = "take a backup now (dbguard backup create) and check that the daily backup job runs"
# PostgreSQL: dbguard does not take its backups, it watches the folder the team's job writes.
TAKE_DUMP = (
    "run the team's pg_dump (or pgBackRest) job now and check that it runs daily and writes "
    "into [backup] postgres_dump_dir"
)


def backup_age_finding(
    name: str | None,
    age_hours: float | None,
    reason: str,
    config: BackupConfig,
    *,
    what: str = "a verified backup",
    remediation: str = TAKE_BACKUP,
) -> Finding:
    """The newest verified backup `name` is `age_hours` old; with no backup, `reason` says why.
    The same plan thresholds hold for a PostgreSQL dump (`what`, `remediation`: TAKE_DUMP)."""
    gauge = Gauge(
        "backup::latest_age",
        f"{what}'s age",
        " h",
        config.max_age_warning_hours,
        config.max_age_critical_hours,
        remediation,
        target="backup",
    )
    if name is None or age_hours is None:
        return Finding(
            check=gauge.check,
            severity=Severity.CRITICAL,
            expected=gauge.expected,
            observed=reason or f"no {what.removeprefix('a ')}",
            remediation=remediation,
            target="backup",
        )
    return gauge.finding(age_hours, f"{name} is {age_hours:.1f} h old")
