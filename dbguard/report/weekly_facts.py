"""What the weekly report says, gathered once: the live counts, the week's runs from the
history, the machine's readings, and each table's verdict from the same row-count rule
`health` and `check` use (`dbguard.health.rows`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dbguard import metrics
from dbguard.catalog import open_catalog
from dbguard.config import Config
from dbguard.errors import DbguardError
from dbguard.findings import Finding, Severity
from dbguard.health.rows import Reference, history_references
from dbguard.history import CHECK, HEALTH, Incident, StoredRun, open_history, utc_now
from dbguard.incident.weekly import week_incidents
from dbguard.redact import mask_secrets
from dbguard.rules.rows import row_count_finding
from dbguard.system import cpu_percent, disk_usage, memory_usage


@dataclass
class WeekFacts:
    start: datetime
    end: datetime
    database: str
    counts: dict[str, int] | None  # None: the database could not be read
    read_error: str
    cpu: float
    cpu_source: str  # "average of N check runs" or "sampled now"
    memory: float
    disk_db: float | None  # None: the database is on a PostgreSQL server, not this machine
    disk_backups: float
    checks: list[StoredRun] = field(default_factory=list)  # newest first
    healths: list[StoredRun] = field(default_factory=list)
    references: dict[str, Reference] = field(default_factory=dict)
    incidents: list[Incident] = field(default_factory=list)  # open at some moment of the week

    def table_finding(self, table: str, count: int) -> Finding | None:
        """The row-count verdict for `table`, or None when it has no reference yet."""
        reference = self.references.get(table)
        if reference is None:
            return None
        return row_count_finding(table, count, reference.bands, reference.against)

    def table_severity(self, table: str, count: int) -> Severity | None:
        finding = self.table_finding(table, count)
        return None if finding is None else finding.severity


def gather(config: Config, now: datetime | None = None) -> WeekFacts:
    end = now or utc_now()
    start = end - timedelta(days=7)
    database = config.database.key
    counts: dict[str, int] | None = None
    read_error = ""
    try:
        with open_catalog(config) as catalog:
            counts = catalog.row_counts()
    except DbguardError as error:
        read_error = error.message
    history = open_history(config.reports.history)
    # Runs are stored to the second: include one that started in the report's own second.
    through = end + timedelta(seconds=1)
    checks, healths = (
        history.recent_runs(kind=kind, since=start, until=through, limit=10_000, database=database)
        for kind in (CHECK, HEALTH)
    )
    cpu_readings = [
        run.metrics[metrics.CPU_PERCENT] for run in checks if metrics.CPU_PERCENT in run.metrics
    ]
    if cpu_readings:
        cpu = sum(cpu_readings) / len(cpu_readings)
        cpu_source = f"average of {len(cpu_readings)} check runs"
    else:
        cpu, cpu_source = cpu_percent(), "sampled now"
    return WeekFacts(
        start=start,
        end=end,
        database=mask_secrets(database, config.secrets()),
        counts=counts,
        read_error=read_error,
        cpu=cpu,
        cpu_source=cpu_source,
        memory=memory_usage().percent,
        disk_db=None if not config.database.is_sqlite else disk_usage(config.database.path).percent,
        disk_backups=disk_usage(config.backup.dir).percent,
        checks=checks,
        healths=healths,
        references=history_references(config, history, database) if counts else {},
        incidents=week_incidents(history, database, start, end),
    )
