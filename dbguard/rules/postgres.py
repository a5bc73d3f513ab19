"""A PostgreSQL server: connections in use against max_connections, the longest-running
transaction, and a standby's replay lag."""

from __future__ import annotations

from dbguard.config import PostgresConfig
from dbguard.findings import Finding, Severity
from dbguard.rules.gauge import Gauge


def connections_finding(used: int, maximum: int, config: PostgresConfig) -> Finding:
    percent = used / maximum * 100 if maximum else 100.0
    gauge = Gauge(
        "postgres::connections",
        "connections in use, in percent of max_connections,",
        " %",
        config.connections_warning_percent,
        config.connections_critical_percent,
        "find idle or leaked connections (pg_stat_activity); put a pooler such as PgBouncer in "
        "front, or raise max_connections",
    )
    return gauge.finding(percent, f"{used} of {maximum} connections ({percent:.0f} %)")


def long_transaction_finding(seconds: float, who: str, config: PostgresConfig) -> Finding:
    gauge = Gauge(
        "postgres::longest_transaction",
        "the longest open transaction",
        " s",
        config.transaction_warning_seconds,
        config.transaction_critical_seconds,
        "a long transaction holds locks and stops vacuum: find it in pg_stat_activity and end "
        "it (pg_cancel_backend, then pg_terminate_backend) if it is stuck",
    )
    return gauge.finding(seconds, f"{seconds:.0f} s by {who}" if who else "no transaction open")


def standby_lag_finding(seconds: float | None, config: PostgresConfig) -> Finding:
    """A standby's replay lag; None when it has replayed nothing yet."""
    gauge = Gauge(
        "postgres::standby_lag",
        "the standby's replay lag behind its primary",
        " s",
        config.standby_lag_warning_seconds,
        config.standby_lag_critical_seconds,
        "check the primary's WAL sender and the network (pg_stat_replication on the primary)",
    )
    if seconds is None:
        return Finding(
            gauge.check,
            Severity.WARNING,
            gauge.expected,
            "no transaction replayed yet",
            "check the replication connection to the primary (pg_stat_wal_receiver)",
            target="live",
        )
    return gauge.finding(seconds, f"{seconds:.0f} s behind")
