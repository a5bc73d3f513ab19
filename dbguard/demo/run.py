"""The demo's main job: build the database, back it up, check live and backup, report; or,
with a PostgreSQL URL, load the demo into that (empty) database and check it there; or, with
Spark, write the demo's tables as Parquet and check them on a local Spark session."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dbguard.check_run import PROJECT_ROOT, checks_folder, run_checks
from dbguard.config import Config
from dbguard.demo.database import build_demo_database
from dbguard.errors import ExitCode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoResult:
    database: str  # the SQLite file, or the PostgreSQL URL (masked)
    backup: Path | None  # None on PostgreSQL: dbguard does not back it up
    report: Path | None
    exit_code: ExitCode


def _project_suites(config: Config) -> Config:
    """The project's own suites when the configured folder is absent."""
    expectations = config.checks.expectations_dir
    if Path(expectations).is_dir():
        return config
    checks = dataclasses.replace(config.checks, expectations_dir=PROJECT_ROOT / "expectations")
    return dataclasses.replace(config, checks=checks)


def demo_config(config: Config, demo_dir: Path) -> Config:
    """`config` pointed at the demo folder; the project's suites if the config's are absent."""
    demo_dir = demo_dir.expanduser().resolve()
    return _project_suites(
        dataclasses.replace(
            config,
            database=dataclasses.replace(config.database, path=demo_dir / "db.sqlite3", url=""),
            backup=dataclasses.replace(config.backup, dir=demo_dir / "backups"),
        )
    )


def run_demo(
    config: Config, demo_dir: Path, progress: Callable[[str], None] = log.info
) -> DemoResult:
    """The demo's steps, each announced through `progress` first (the CLI prints them)."""
    from backup.snapshot import create_backup

    config = demo_config(config, demo_dir)
    checks_folder(config)  # installed without the project folder: say so before building
    progress(f"building the demo database {config.database.path} (the plan's five tables)")
    database = build_demo_database(config.database.path)
    progress(f"backing it up into {config.backup.dir}")
    backup = create_backup(database, config.backup.dir, ignore_tables=config.checks.ignore_tables)
    progress("checking the live database and the backup (Great Expectations takes a few seconds)")
    run = run_checks(config)
    return DemoResult(
        database=str(database),
        backup=backup.path,
        report=run.reports.latest if run.reports else None,
        exit_code=run.exit_code,
    )


def run_spark_demo(
    config: Config, demo_dir: Path, progress: Callable[[str], None] = log.info
) -> DemoResult:
    """Write the demo's tables as Parquet into `demo_dir/parquet` and run the same suites on
    them with a local Spark session (the live target only: dbguard does not back up Spark)."""
    from dbguard.config.spark import SparkConfig
    from dbguard.demo.spark import LOCAL_MASTER, demo_spark_config, write_demo_parquet
    from dbguard.spark.session import require_pyspark

    require_pyspark()
    config = _project_suites(config)
    checks_folder(config)
    progress(f"starting Spark ({LOCAL_MASTER}; the JVM takes a few seconds)")
    local = dataclasses.replace(
        config,
        database=dataclasses.replace(config.database, spark=SparkConfig(master=LOCAL_MASTER)),
    )
    progress(f"writing the demo's five tables as Parquet into {demo_dir / 'parquet'}")
    write_demo_parquet(local, demo_dir)
    config = demo_spark_config(config, demo_dir)
    progress("checking them on Spark (Great Expectations' Spark engine)")
    run = run_checks(config, configured_database=config.database)
    return DemoResult(
        database=str(demo_dir.expanduser().resolve() / "parquet"),
        backup=None,
        report=run.reports.latest if run.reports else None,
        exit_code=run.exit_code,
    )


def run_postgres_demo(
    config: Config, url: str, progress: Callable[[str], None] = log.info
) -> DemoResult:
    """Load the demo's tables and rows into the empty PostgreSQL database `url` (one that has
    tables is refused), then run the same suites there (the live target only)."""
    from dbguard.demo.postgres import load_demo

    config = _project_suites(config.with_database(url))
    checks_folder(config)
    key = config.database.key
    progress(f"loading the demo's five tables into {key} (schema {config.database.schema})")
    load_demo(config.database)
    progress("checking it (Great Expectations takes a few seconds)")
    run = run_checks(config, configured_database=config.database)
    return DemoResult(
        database=key,
        backup=None,
        report=run.reports.latest if run.reports else None,
        exit_code=run.exit_code,
    )
