"""The sections of dbguard.toml, one frozen dataclass each; the defaults are the documented ones."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dbguard.config.spark import SparkConfig
from dbguard.database import DEFAULT_IGNORED_TABLES


@dataclass(frozen=True)
class DatabaseConfig:
    path: Path = Path("db.sqlite3")
    # A PostgreSQL database instead of the SQLite file (dbguard.config.database_url).
    url: str = ""
    schema: str = "public"
    # A query whose latency is measured by the health checks ("": the engine's own catalog,
    # see `latency_sql`).
    latency_query: str = ""
    latency_warning_ms: float = 500.0
    latency_critical_ms: float = 2000.0
    wal_warning_mb: float = 64.0
    wal_critical_mb: float = 256.0
    size_warning_mb: float = 2048.0
    size_critical_mb: float = 8192.0
    # Integrity checks switch from integrity_check to quick_check above this size.
    quick_check_above_mb: float = 512.0
    connection_failures_critical: int = 3
    # How long opening the live DB waits for a lock before it counts as a connection failure.
    connect_timeout_seconds: float = 5.0
    # Apache Spark tables instead of the SQLite file ([database.spark], dbguard.config.spark).
    spark: SparkConfig = field(default_factory=SparkConfig)

    @property
    def is_postgres(self) -> bool:
        return bool(self.url)

    @property
    def is_spark(self) -> bool:
        return self.spark.enabled and not self.url

    @property
    def is_sqlite(self) -> bool:
        """A SQLite file dbguard can back up, restore and replicate (not a server, not Spark)."""
        return not self.is_postgres and not self.is_spark

    @property
    def engine(self) -> str:
        """ "sqlite", "postgresql" or "spark": which of the checks marked `engine(…)` run."""
        if self.is_postgres:
            return "postgresql"
        return "spark" if self.is_spark else "sqlite"

    @property
    def latency_sql(self) -> str:
        """The latency query: the configured one, else a count of the engine's own catalog."""
        if self.latency_query:
            return self.latency_query
        if self.is_postgres:
            return "SELECT COUNT(*) FROM pg_catalog.pg_class"
        if self.is_spark:
            return "SELECT 1"
        return "SELECT COUNT(*) FROM sqlite_master"

    @property
    def key(self) -> str:
        """What the run history and the reports call this database (secrets masked)."""
        if self.is_spark:
            return f"spark:{self.spark.master}"
        if not self.url:
            return str(self.path)
        from dbguard.redact import mask_secrets

        return mask_secrets(self.url)


@dataclass(frozen=True)
class RetentionConfig:
    """restic's keep rules; 0 turns a rule off. keep_within counts back from the newest backup."""

    keep_last: int = 3
    keep_daily: int = 7
    keep_weekly: int = 4
    keep_monthly: int = 6
    keep_within: str = "30d"
    min_verified: int = 3


@dataclass(frozen=True)
class BackupConfig:
    dir: Path = Path("backups")
    max_age_warning_hours: float = 26.0
    max_age_critical_hours: float = 50.0
    # Safety copies (restores' .before_restore.*, repairs' .before_repair.*) kept beside the
    # database, counted together; older ones are pruned.
    safety_copies_keep: int = 3
    retention: RetentionConfig = field(default_factory=RetentionConfig)
    # PostgreSQL: where the team's pg_dump (or pgBackRest) job writes; dbguard checks only
    # that the newest file there is fresh (same 26 h / 50 h thresholds).
    postgres_dump_dir: Path | None = None


@dataclass(frozen=True)
class ArchiveConfig:
    """The plan's Sunday full project backup: `source` tarred into `dir`."""

    source: Path = Path(".")
    dir: Path = Path("backups/archives")
    exclude: tuple[str, ...] = (".venv", "__pycache__", ".git")


@dataclass(frozen=True)
class ChecksConfig:
    expectations_dir: Path = Path("expectations")
    warning_percent: float = 10.0
    critical_percent: float = 25.0
    # Tables with fewer baseline rows than this get an absolute guard instead of percentages.
    small_table_rows: int = 100
    small_table_warning_rows: int = 2
    small_table_critical_rows: int = 5
    restore_drill: bool = True
    # Globs of tables that get no suite, baseline, count or alert (Litestream's own tables).
    ignore_tables: tuple[str, ...] = DEFAULT_IGNORED_TABLES


@dataclass(frozen=True)
class SystemConfig:
    disk_warning_percent: float = 80.0
    disk_critical_percent: float = 90.0
    memory_warning_percent: float = 75.0
    memory_critical_percent: float = 85.0
    health_url: str = ""
    response_warning_seconds: float = 2.0
    response_critical_seconds: float = 5.0


@dataclass(frozen=True)
class ReportsConfig:
    dir: Path = Path("reports")
    history: Path = Path("reports/history.sqlite3")
    trend_runs: int = 30
    logs_dir: Path = Path("logs")
    # node_exporter's textfile collector: `check` and `health` write their metrics here
    # (a path ending in .prom, relative to dbguard.toml; "" writes none).
    prometheus_textfile: str = ""
