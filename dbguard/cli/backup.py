"""`dbguard backup …`: create, verify, list, prune, restore, archive. Thin: the work is in backup/.

Exit codes: 0 ok; 1 a backup failed or did not verify, a restore was refused;
2 bad input (through the DbguardError handler in dbguard.cli.main).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dbguard.cli.options import backup_dir_option, command_config, db_option
from dbguard.errors import BackupError, ExitCode

if TYPE_CHECKING:
    from backup.catalog import BackupEntry
    from backup.retention import RetentionPolicy
    from dbguard.config import Config

# Databases smaller than this copy in well under a second: no progress bar.
PROGRESS_ABOVE_BYTES = 64 * 1024 * 1024


def _failed(message: str) -> int:
    click.echo(f"dbguard: error: {message}", err=True)
    return int(ExitCode.FAILED)


def _retention_options(function: Callable[..., Any]) -> Callable[..., Any]:
    for name in ("monthly", "weekly", "daily", "last"):
        function = click.option(
            f"--keep-{name}",
            f"keep_{name}",
            type=click.IntRange(min=0),
            default=None,
            help=f"Override [backup.retention] keep_{name}.",
        )(function)
    return click.option(
        "--keep-within",
        "keep_within",
        default=None,
        help="Override [backup.retention] keep_within, e.g. 30d (counts back from the newest backup).",
    )(function)


def _policy(config: Config, **overrides: Any) -> RetentionPolicy:
    """The retention policy from [backup.retention], with --keep-… flags applied."""
    import dataclasses

    from backup.retention import RetentionPolicy

    retention = dataclasses.replace(
        config.backup.retention,
        **{key: value for key, value in overrides.items() if value is not None},
    )
    return RetentionPolicy.from_config(retention)


@click.group(name="backup", invoke_without_command=True)
@click.pass_context
def backup(context: click.Context) -> None:
    """Consistent, verified backups of the live database, and their retention and restore."""
    if context.invoked_subcommand is None:
        click.echo(context.get_help())


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


@backup.command(name="create")
@db_option
@backup_dir_option
@click.option("--prune", "prune_after", is_flag=True, help="Prune after the new backup verified.")
@click.pass_context
def create(
    context: click.Context, db: str | None, backup_dir: str | None, prune_after: bool
) -> int:
    """Take a consistent, verified backup and print its path."""
    from backup.errors import BackupFailed
    from backup.prune import prune_backups
    from backup.snapshot import create_backup

    config = command_config(context, database__path=db, backup__dir=backup_dir)
    policy = _policy(config) if prune_after else None  # bad retention config fails before work
    try:
        with _progress(config.database.path) as progress:
            entry = create_backup(config.database.path, config.backup.dir, progress=progress)
    except BackupFailed as error:
        return _failed(error.one_line())
    click.echo(str(entry.path))
    if policy is not None:
        result = prune_backups(config.backup.dir, policy)
        for path in result.deleted:
            click.echo(f"pruned {path}", err=True)
    return int(ExitCode.OK)


@backup.command(name="verify")
@backup_dir_option
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--all", "verify_all", is_flag=True, help="Verify every backup in the folder.")
@click.pass_context
def verify(
    context: click.Context, backup_dir: str | None, paths: tuple[str, ...], verify_all: bool
) -> int:
    """Check backups against their manifests. Exit 1 if any is bad.

    With no PATH (or with --all): every backup in the backup folder and every
    project archive in the archive folder.
    """
    from backup.archive import list_archives
    from backup.catalog import list_backups, verify_file

    config = command_config(context, backup__dir=backup_dir)
    targets = [Path(path) for path in paths]
    if verify_all or not targets:
        targets += [entry.path for entry in list_backups(config.backup.dir)]
        targets += [entry.path for entry in list_archives(config.archive.dir)]
    if not targets:
        return _failed(f"no backups in {config.backup.dir} (take one with 'dbguard backup create')")
    bad = 0
    for path in targets:
        result = verify_file(path)
        if result.ok:
            click.echo(f"ok   {path}")
        else:
            bad += 1
            click.echo(f"BAD  {path}: {result.summary()}")
    if bad:
        click.echo(f"dbguard: error: {bad} of {len(targets)} backups did not verify", err=True)
        return int(ExitCode.FAILED)
    return int(ExitCode.OK)


def _age(created_at: datetime, now: datetime) -> str:
    seconds = max(0, int((now - created_at).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


@backup.command(name="list")
@backup_dir_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def list_command(context: click.Context, backup_dir: str | None, as_json: bool) -> int:
    """Every backup: time (local), age, size, retention tier, verified."""
    from backup.catalog import list_backups
    from backup.retention import plan

    config = command_config(context, backup__dir=backup_dir)
    entries = list_backups(config.backup.dir, verify=True)
    decided = plan(entries, _policy(config))
    now = datetime.now(UTC)
    rows = [_list_row(entry, decided.tier(entry.name), now) for entry in entries]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return int(ExitCode.OK)
    if not rows:
        click.echo(f"no backups in {config.backup.dir}")
        return int(ExitCode.OK)
    from rich.console import Console
    from rich.table import Table

    table = Table("name", "time (local)", "age", "size", "verified", "tier")
    table.columns[0].no_wrap = True
    for row, entry in zip(rows, entries, strict=True):
        status = "yes" if entry.verified else "NO: " + "; ".join(entry.problems)
        table.add_row(
            entry.name, row["local_time"], row["age"], _size(entry.size), status, row["tier"]
        )
    # Piped output is not cut to 80 columns.
    Console(width=None if sys.stdout.isatty() else 200).print(table)
    return int(ExitCode.OK)


def _list_row(entry: BackupEntry, tier: str, now: datetime) -> dict[str, Any]:
    return {
        "name": entry.name,
        "path": str(entry.path),
        "created_at": entry.created_at.isoformat(),
        "local_time": entry.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
        "age": _age(entry.created_at, now),
        "age_seconds": int((now - entry.created_at).total_seconds()),
        "size": entry.size,
        "tier": tier,
        "verified": bool(entry.verified),
        "problems": list(entry.problems),
        "row_counts": entry.manifest.row_counts if entry.manifest else None,
    }


@backup.command(name="prune")
@backup_dir_option
@click.option(
    "--dry-run", is_flag=True, help="Show what would be kept and deleted, delete nothing."
)
@_retention_options
@click.pass_context
def prune(context: click.Context, backup_dir: str | None, dry_run: bool, **keep: Any) -> int:
    """Delete backups no retention rule keeps (restic semantics, plus safety rules)."""
    from backup.prune import prune_backups

    config = command_config(context, backup__dir=backup_dir)
    if not Path(config.backup.dir).is_dir():
        raise BackupError(
            f"backup folder {config.backup.dir} does not exist",
            "check --backup-dir or [backup] dir in dbguard.toml",
        )
    result = prune_backups(config.backup.dir, _policy(config, **keep), dry_run=dry_run)
    decided = result.plan
    verb = "would delete" if dry_run else "deleted"
    for entry in decided.keep:
        click.echo(f"keep        {entry.name}  ({decided.tier(entry.name)})")
    for entry in decided.drop:
        click.echo(f"{verb:<12}{entry.name}  ({decided.tier(entry.name)})")
    for entry in decided.unverified:
        click.echo(f"unverified  {entry.name}  ({'; '.join(entry.problems)}; left alone)")
    click.echo(
        f"{len(decided.keep)} kept, {len(decided.drop)} {verb}, {len(decided.unverified)} unverified"
    )
    return int(ExitCode.OK)


@backup.command(name="restore")
@db_option
@backup_dir_option
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option("--latest", is_flag=True, help="Restore the newest backup that verifies.")
@click.option(
    "--from-replica",
    is_flag=True,
    help="Restore from the Litestream replica ([replication]) instead of a backup.",
)
@click.option(
    "--timestamp",
    default=None,
    help="With --from-replica: the replica's state at this time (ISO 8601; local time "
    "unless it carries a zone).",
)
@click.option("--yes", "assume_yes", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    help="Seconds to wait while the database is locked by a writer before refusing.",
)
@click.pass_context
def restore(
    context: click.Context,
    db: str | None,
    backup_dir: str | None,
    path: str | None,
    latest: bool,
    from_replica: bool,
    timestamp: str | None,
    assume_yes: bool,
    timeout: float,
) -> int:
    """Restore PATH (or --latest, or --from-replica) over the database: verified, with a
    safety copy, atomic."""
    from backup.errors import RestoreRefused
    from backup.restore import restore_backup, restore_latest
    from dbguard.errors import ConfigError

    if [bool(path), latest, from_replica].count(True) != 1:
        raise ConfigError(
            "give one of a backup PATH, --latest or --from-replica",
            "see 'dbguard backup restore --help'",
        )
    if timestamp is not None and not from_replica:
        raise ConfigError("--timestamp goes with --from-replica", "add --from-replica")
    config = command_config(context, database__path=db, backup__dir=backup_dir)
    if from_replica:
        return _restore_from_replica(config, timestamp, assume_yes, timeout)
    try:
        if latest:
            result = restore_latest(
                config.backup.dir,
                config.database.path,
                assume_yes=assume_yes,
                confirm=_confirm_on_terminal,
                busy_timeout=timeout,
            )
        else:
            result = restore_backup(
                Path(str(path)),
                config.database.path,
                assume_yes=assume_yes,
                confirm=_confirm_on_terminal,
                busy_timeout=timeout,
            )
    except RestoreRefused as error:
        return _failed(error.one_line())
    click.echo(f"restored {result.backup_path} to {result.db_path} ({result.route})")
    if result.safety_copy is not None:
        click.echo(f"safety copy of the previous database: {result.safety_copy}")
    return int(ExitCode.OK)


def _restore_from_replica(
    config: Config, timestamp: str | None, assume_yes: bool, timeout: float
) -> int:
    from backup.errors import RestoreRefused
    from dbguard.errors import ReplicationError
    from dbguard.replication.restore import parse_timestamp, restore_from_replica

    moment = parse_timestamp(timestamp) if timestamp is not None else None
    try:
        result = restore_from_replica(
            config,
            config.database.path,
            timestamp=moment,
            assume_yes=assume_yes,
            confirm=_confirm_on_terminal,
            busy_timeout=timeout,
        )
    except (RestoreRefused, ReplicationError) as error:
        return _failed(error.one_line())
    click.echo(
        f"restored the replica {result.replica} (transaction {result.txid:016x}) to"
        f" {result.db_path} ({result.route})"
    )
    if result.safety_copy is not None:
        click.echo(f"safety copy of the previous database: {result.safety_copy}")
    return int(ExitCode.OK)


def _confirm_on_terminal(question: str) -> bool:
    """Ask on the terminal. Without one (cron, a pipe) read one answer; if none comes
    (stdin empty or closed), refuse clearly instead of aborting or waiting."""
    from backup.errors import RestoreRefused

    if sys.stdin is not None and sys.stdin.isatty():
        return click.confirm(question, err=True)
    answer = sys.stdin.readline() if sys.stdin is not None else ""
    if not answer:
        raise RestoreRefused(
            "restore needs confirmation but stdin is not a terminal and gave no answer;"
            " nothing changed",
            "pass --yes to restore from a script or cron job",
        )
    click.echo(f"{question} [y/N]: {answer.strip()}", err=True)  # for the log
    return answer.strip().lower() in ("y", "yes")


@backup.command(name="archive")
@click.argument("source", required=False, type=click.Path(file_okay=False))
@click.option(
    "--archive-dir", default=None, type=click.Path(file_okay=False), help="Override [archive] dir."
)
@click.option(
    "--prune", "prune_after", is_flag=True, help="Prune archives after the new one verified."
)
@click.pass_context
def archive(
    context: click.Context, source: str | None, archive_dir: str | None, prune_after: bool
) -> int:
    """Archive the project folder (SOURCE, default [archive] source) as a verified tar.gz."""
    from backup.archive import create_archive
    from backup.errors import BackupFailed
    from backup.naming import PROJECT_ARCHIVE
    from backup.prune import prune_backups

    config = command_config(context, archive__source=source, archive__dir=archive_dir)
    policy = _policy(config) if prune_after else None
    try:
        entry = create_archive(
            config.archive.source,
            config.archive.dir,
            exclude=config.archive.exclude,
            exclude_paths=[config.backup.dir, config.database.path],
        )
    except BackupFailed as error:
        return _failed(error.one_line())
    click.echo(str(entry.path))
    if policy is not None:
        result = prune_backups(config.archive.dir, policy, scheme=PROJECT_ARCHIVE)
        for path in result.deleted:
            click.echo(f"pruned {path}", err=True)
    return int(ExitCode.OK)
