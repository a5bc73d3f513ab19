"""The demo's main job: build the database, back it up, check live and backup, report."""

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
    database: Path
    backup: Path
    report: Path | None
    exit_code: ExitCode


def demo_config(config: Config, demo_dir: Path) -> Config:
    """`config` pointed at the demo folder; the project's suites if the config's are absent."""
    demo_dir = demo_dir.expanduser().resolve()
    expectations = config.checks.expectations_dir
    if not Path(expectations).is_dir():
        expectations = PROJECT_ROOT / "expectations"
    return dataclasses.replace(
        config,
        database=dataclasses.replace(config.database, path=demo_dir / "db.sqlite3"),
        backup=dataclasses.replace(config.backup, dir=demo_dir / "backups"),
        checks=dataclasses.replace(config.checks, expectations_dir=expectations),
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
    backup = create_backup(database, config.backup.dir)
    progress("checking the live database and the backup (Great Expectations takes a few seconds)")
    run = run_checks(config)
    return DemoResult(
        database=database,
        backup=backup.path,
        report=run.reports.latest if run.reports else None,
        exit_code=run.exit_code,
    )
