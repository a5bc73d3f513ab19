"""`dbguard backup create`: a consistent, verified backup; prints its path (stdout) and the
file it backed up (stderr: a symlinked database is named by its target)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from dbguard.cli.backup.database import sqlite_database
from dbguard.cli.backup.policy import retention_policy
from dbguard.cli.options import backup_dir_option, command_config, db_option
from dbguard.errors import ExitCode

# Databases smaller than this copy in well under a second: no progress bar.
PROGRESS_ABOVE_BYTES = 64 * 1024 * 1024


@click.command(name="create")
@db_option
@backup_dir_option
@click.option("--prune", "prune_after", is_flag=True, help="Prune after the new backup verified.")
@click.pass_context
def create(
    context: click.Context, db: str | None, backup_dir: str | None, prune_after: bool
) -> int:
    """Take a consistent, verified backup and print its path."""
    from backup.prune import prune_backups
    from backup.snapshot import create_backup
    from dbguard.alerts.sources import backup_alerts
    from dbguard.incident.usable import protect_newest_usable

    config = command_config(context, database__path=db, backup__dir=backup_dir)
    database = sqlite_database(config, "backup create")
    policy = retention_policy(config) if prune_after else None  # bad config fails before work
    with backup_alerts(config), _progress(database) as progress:
        entry = create_backup(
            database,
            config.backup.dir,
            progress=progress,
            ignore_tables=config.checks.ignore_tables,
        )
    click.echo(str(entry.path))
    if entry.manifest is not None:
        click.echo(f"backed up {entry.manifest.source}", err=True)
    if policy is not None:
        result = prune_backups(
            config.backup.dir,
            policy,
            db_path=database,
            safety_copies_keep=config.backup.safety_copies_keep,
            protect=protect_newest_usable(config),
        )
        pruned = result.deleted + (result.safety_copies.deleted if result.safety_copies else [])
        for path in pruned:
            click.echo(f"pruned {path}", err=True)
    return int(ExitCode.OK)


@contextmanager
def _progress(db_path: Path) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr for a large database on a terminal; otherwise nothing."""
    try:
        large = db_path.stat().st_size >= PROGRESS_ABOVE_BYTES
    except OSError:
        large = False
    if not (large and sys.stderr.isatty()):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeRemainingColumn

    with Progress(
        "backing up",
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("backup", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
