"""Prometheus metrics built by prometheus_client: a custom collector over one Observations,
in a registry of its own (never the global one, so nothing else leaks in), for the
`/performance/metrics` route and node_exporter's textfile.

Names are `dbguard_<what>_<unit>`. Statuses are numbers as Nagios codes them: 0 OK,
1 WARNING, 2 CRITICAL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest, write_to_textfile
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from dbguard.findings import Severity
from dbguard.web.observations import Observations

STATUS_CODES = {"ok": 0, "info": 0, "warning": 1, "critical": 2}
CHECK_SEVERITIES = ("ok", "info", "warning", "critical")


def _gauge(name: str, documentation: str, value: float | None) -> Iterator[GaugeMetricFamily]:
    if value is not None:
        yield GaugeMetricFamily(name, documentation, value=value)


class DbguardCollector(Collector):
    """Every dbguard metric, from one Observations (computed before a scrape, not during)."""

    def __init__(self, observations: Observations) -> None:
        self.observations = observations

    def collect(self) -> Iterator[GaugeMetricFamily]:
        seen = self.observations
        if seen.table_rows:
            rows = GaugeMetricFamily(
                "dbguard_table_rows", "Rows per table in the live database", labels=["table"]
            )
            for table, count in sorted(seen.table_rows.items()):
                rows.add_metric([table], count)
            yield rows
        yield from _gauge(
            "dbguard_database_size_bytes", "Size of the live database file", seen.database_bytes
        )
        yield from _gauge("dbguard_wal_size_bytes", "Size of the live WAL file", seen.wal_bytes)
        yield from _gauge(
            "dbguard_query_latency_seconds",
            "Time to open the live database read-only and answer a query",
            seen.query_latency_seconds,
        )
        yield from _gauge(
            "dbguard_database_up",
            "1 if the live database opened and answered, else 0",
            None if seen.database_up is None else float(seen.database_up),
        )
        yield from _gauge(
            "dbguard_health_status",
            "Status of the health run behind these numbers (0 OK, 1 WARNING, 2 CRITICAL)",
            None if seen.health_status is None else STATUS_CODES[seen.health_status.value],
        )
        yield from _gauge(
            "dbguard_backup_age_seconds", "Age of the newest backup", seen.backup_age_seconds
        )
        yield from _gauge(
            "dbguard_replication_lag_seconds",
            "How far the replica is behind the live database",
            seen.replication_lag_seconds,
        )
        yield from self._last_check()

    def _last_check(self) -> Iterator[GaugeMetricFamily]:
        run = self.observations.last_check
        if run is None:
            return
        findings = GaugeMetricFamily(
            "dbguard_check_findings",
            "Checks of the last check run, per severity",
            labels=["severity"],
        )
        for severity in CHECK_SEVERITIES:
            findings.add_metric([severity], run.counts.get(severity, 0))
        yield findings
        yield GaugeMetricFamily(
            "dbguard_check_status",
            "Status of the last check run (0 OK, 1 WARNING, 2 CRITICAL)",
            value=STATUS_CODES.get(run.status, STATUS_CODES[Severity.CRITICAL.value]),
        )
        yield GaugeMetricFamily(
            "dbguard_check_duration_seconds", "Duration of the last check run", run.duration_seconds
        )
        yield GaugeMetricFamily(
            "dbguard_check_last_run_timestamp_seconds",
            "When the last check run started (Unix time)",
            run.started_at.timestamp(),
        )


def registry_of(observations: Observations) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DbguardCollector(observations))
    return registry


def exposition(observations: Observations) -> bytes:
    """The Prometheus text exposition format."""
    return generate_latest(registry_of(observations))


def write_textfile(observations: Observations, path: Path) -> None:
    """node_exporter's textfile, written to a temporary file and renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), registry_of(observations))
