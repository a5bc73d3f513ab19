"""A PostgreSQL server: connections in use against max_connections, the longest-running
transaction, and a standby's replay lag."""

from __future__ import annotations

from dbguard.config import PostgresConfig
from dbguard.findings import Finding, Severity, classify_above


def connections_finding(used: int, maximum: int, config: PostgresConfig) -> Finding:
    percent = used / maximum * 100 if maximum else 100.0
    severity = classify_above(
        percent, config.connections_warning_percent, config.connections_critical_percent
    )
    return Finding(
        check="postgres::connections",
        severity=severity,
        expected=f"at most {config.connections_warning_percent:g} % of max_connections in use"
        f" (critical above {config.connections_critical_percent:g} %)",
        observed=f"{used} of {maximum} connections ({percent:.0f} %)",
        remediation=""
        if severity is Severity.OK
        else "find idle or leaked connections (pg_stat_activity); put a pooler such as "
        "PgBouncer in front, or raise max_connections",
        target="live",
    )


def long_transaction_finding(seconds: float, who: str, config: PostgresConfig) -> Finding:
    severity = classify_above(
        seconds, config.transaction_warning_seconds, config.transaction_critical_seconds
    )
    return Finding(
        check="postgres::longest_transaction",
        severity=severity,
        expected=f"no transaction open longer than {config.transaction_warning_seconds:g} s"
        f" (critical above {config.transaction_critical_seconds:g} s)",
        observed=f"{seconds:.0f} s by {who}" if who else "no transaction open",
        remediation=""
        if severity is Severity.OK
        else "a long transaction holds locks and stops vacuum: find it in pg_stat_activity and "
        "end it (pg_cancel_backend, then pg_terminate_backend) if it is stuck",
        target="live",
    )


def standby_lag_finding(seconds: float | None, config: PostgresConfig) -> Finding:
    """A standby's replay lag; None when it has replayed nothing yet."""
    expected = (
        f"the standby replays within {config.standby_lag_warning_seconds:g} s of its primary"
        f" (critical above {config.standby_lag_critical_seconds:g} s)"
    )
    if seconds is None:
        return Finding(
            "postgres::standby_lag",
            Severity.WARNING,
            expected,
            "no transaction replayed yet",
            "check the replication connection to the primary (pg_stat_wal_receiver)",
            target="live",
        )
    severity = classify_above(
        seconds, config.standby_lag_warning_seconds, config.standby_lag_critical_seconds
    )
    return Finding(
        check="postgres::standby_lag",
        severity=severity,
        expected=expected,
        observed=f"{seconds:.0f} s behind",
        remediation=""
        if severity is Severity.OK
        else "check the primary's WAL sender and the network (pg_stat_replication on the primary)",
        target="live",
    )
