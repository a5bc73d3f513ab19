"""The live database file: integrity, foreign keys, journal mode, WAL and file size, latency."""

from __future__ import annotations

from collections.abc import Sequence

from dbguard.config import DatabaseConfig
from dbguard.findings import Finding, Severity
from dbguard.rules.gauge import Gauge

MIB = 1024 * 1024
RESTORE_HINT = "restore from the latest verified backup (`dbguard backup restore --latest`)"
WAL_REMEDIATION = (
    "a long-running reader stops checkpoints: find it (long transactions), then run "
    "PRAGMA wal_checkpoint(TRUNCATE)"
)
SIZE_REMEDIATION = "archive old rows, then VACUUM during a quiet hour; plan disk space for growth"
LATENCY_REMEDIATION = (
    "look for a missing index or a long write transaction; consider more resources "
    "(the plan: 性能优化/资源扩容)"
)


def integrity_finding(
    pragma: str, problems: Sequence[str], seconds: float | None = None
) -> Finding:
    """`PRAGMA integrity_check` or `quick_check` gave `problems` (empty: it said ok)."""
    took = f" in {seconds:.2f} s" if seconds is not None else ""
    return Finding(
        check="database::integrity",
        severity=Severity.CRITICAL if problems else Severity.OK,
        expected=f"PRAGMA {pragma} returns ok",
        observed=f"{len(problems)} problem(s){took}" if problems else f"{pragma} ok{took}",
        details="; ".join(problems[:10]),
        remediation=f"stop the application, save the damaged file, then {RESTORE_HINT}"
        if problems
        else "",
        target="live",
    )


def foreign_keys_finding(broken: Sequence[str]) -> Finding:
    """`PRAGMA foreign_key_check` found the references in `broken` (e.g. "t rowid 3 -> p")."""
    return Finding(
        check="database::foreign_key_check",
        severity=Severity.CRITICAL if broken else Severity.OK,
        expected="every foreign key points at an existing row",
        observed=f"{len(broken)} broken reference(s)" if broken else "none broken",
        details="; ".join(broken[:10]),
        remediation=f"audit the rows named; if their parents were deleted by mistake, {RESTORE_HINT}"
        if broken
        else "",
        target="live",
    )


def journal_mode_finding(mode: str) -> Finding:
    return Finding(
        check="database::journal_mode",
        severity=Severity.OK if mode.lower() == "wal" else Severity.WARNING,
        expected="journal_mode wal (readers never block the writer)",
        observed=mode,
        remediation="run PRAGMA journal_mode=WAL once on the database while the application "
        "is stopped",
        target="live",
    )


def wal_size_finding(wal_bytes: int, config: DatabaseConfig) -> Finding:
    gauge = Gauge(
        "database::wal_size",
        "WAL file",
        " MiB",
        config.wal_warning_mb,
        config.wal_critical_mb,
        WAL_REMEDIATION,
    )
    return gauge.finding(wal_bytes / MIB, f"{wal_bytes / MIB:.1f} MiB")


def database_size_finding(db_bytes: int, config: DatabaseConfig) -> Finding:
    gauge = Gauge(
        "database::size",
        "database",
        " MiB",
        config.size_warning_mb,
        config.size_critical_mb,
        SIZE_REMEDIATION,
    )
    return gauge.finding(db_bytes / MIB, f"{db_bytes / MIB:.1f} MiB")


def latency_finding(
    query: str, milliseconds: float | None, error: str, config: DatabaseConfig
) -> Finding:
    """The latency query answered in `milliseconds`, or failed with `error`."""
    if milliseconds is None:
        return Finding(
            check="database::query_latency",
            severity=Severity.CRITICAL,
            expected=f"{query!r} answers",
            observed=f"error: {error}",
            remediation="fix [database] latency_query in dbguard.toml, or check the table it reads",
            target="live",
        )
    gauge = Gauge(
        "database::query_latency",
        f"{query!r}'s time",
        " ms",
        config.latency_warning_ms,
        config.latency_critical_ms,
        LATENCY_REMEDIATION,
    )
    return gauge.finding(milliseconds, f"{milliseconds:.1f} ms")
