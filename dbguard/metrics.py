"""Names of the numbers a run records in the history, formatted and parsed only here.

The charts, the change-over-time check, `health`, the weekly report and the
metrics endpoint read row counts back from a run's metrics. A table name may
hold any character, dots included (`a.b`), so a row-count name is
`rows.<table>.<target>` and is parsed from both ends: the target never holds a dot.
"""

from __future__ import annotations

from collections.abc import Mapping

ROWS_PREFIX = "rows."


def row_metric(table: str, target: str = "live") -> str:
    """The metric name of `table`'s row count on `target` ("live", "backup", …)."""
    return f"{ROWS_PREFIX}{table}.{target}"


def parse_row_metric(name: str) -> tuple[str, str] | None:
    """(table, target) of a row-count metric name, or None for any other metric."""
    if not name.startswith(ROWS_PREFIX):
        return None
    table, dot, target = name[len(ROWS_PREFIX) :].rpartition(".")
    if not dot or not table or not target:
        return None
    return table, target


def row_counts_in(metrics: Mapping[str, float], target: str = "live") -> dict[str, int]:
    """Every table's row count on `target` among a run's metrics."""
    counts: dict[str, int] = {}
    for name, value in metrics.items():
        parsed = parse_row_metric(name)
        if parsed is not None and parsed[1] == target:
            counts[parsed[0]] = int(value)
    return counts


# Other numbers a run records (one name each, read back by the charts, the weekly report and
# the metrics endpoint).
CONNECT_MS = "connect_ms"
LATENCY_MS = "latency_ms"
WAL_BYTES = "wal_bytes"
DB_BYTES = "db_bytes"
MEMORY_PERCENT = "memory_percent"
CPU_PERCENT = "cpu_percent"
BACKUP_AGE_HOURS = "backup_age_hours"
BACKUP_BYTES = "backup_bytes"
RESTORE_DRILL_SECONDS = "restore_drill_seconds"
HEALTH_URL_SECONDS = "health_url_seconds"
INTEGRITY_SECONDS = "integrity_seconds"
REPLICATION_LAG_SECONDS = "replication_lag_seconds"
REPLICA_RESTORE_SECONDS = "replica_restore_seconds"


def disk_metric(volume: str) -> str:
    """Disk use in percent of the volume holding `volume` ("db" or "backups")."""
    return f"disk_percent.{volume}"
