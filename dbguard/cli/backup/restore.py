"""`dbguard backup restore`: a verified, safe, atomic restore from PATH, --latest or
--from-replica (the Litestream replica, see dbguard.replication.restore).

A successful restore is recorded in the run history (kind "restore", the
restored backup's row counts as the live counts), so the next `check`
compares its row counts with what was restored, not with the damaged run
before. While an incident is open, the restore (its route, source and result) is
also one of its actions, and so is a refused one (dbguard.incident.records).
A history that cannot be written costs a warning line, never the restore.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dbguard.cli.backup.database import sqlite_database
from dbguard.cli.options import backup_dir_option, command_config, db_option, timeout_option
from dbguard.errors import ConfigError, DbguardError, ExitCode

if TYPE_CHECKING:
    from backup.restore import RestoreResult
    from dbguard.config import Config


@click.command(name="restore")
@db_option
@backup_dir_option
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--latest",
    is_flag=True,
    help="Restore the newest backup that verifies and whose data is not CRITICAL.",
)
@click.option(
    "--ignore-quality",
    is_flag=True,
    help="With --latest: the newest backup that verifies, whatever its data's verdict.",
)
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
@timeout_option
@click.pass_context
def restore(
    context: click.Context,
    db: str | None,
    backup_dir: str | None,
    path: str | None,
    latest: bool,
    ignore_quality: bool,
    from_replica: bool,
    timestamp: str | None,
    assume_yes: bool,
    timeout: float,
) -> int:
    """Restore PATH (or --latest, or --from-replica) over the database: verified, with a
    safety copy, atomic."""
    if [bool(path), latest, from_replica].count(True) != 1:
        raise ConfigError(
            "give one of a backup PATH, --latest or --from-replica",
            "see 'dbguard backup restore --help'",
        )
    if timestamp is not None and not from_replica:
        raise ConfigError("--timestamp goes with --from-replica", "add --from-replica")
    if ignore_quality and not latest:
        raise ConfigError("--ignore-quality goes with --latest", "add --latest")
    config = command_config(context, database__path=db, backup__dir=backup_dir)
    database = sqlite_database(config, "backup restore")
    started_at = datetime.now(UTC)
    wanted = "the replica" if from_replica else (str(path) if path else "the latest backup")
    try:
        if from_replica:
            result, source = _restore_replica(config, database, timestamp, assume_yes, timeout)
        else:
            chosen = None if latest else Path(str(path))
            result = _restore(
                config,
                database,
                chosen,
                assume_yes=assume_yes,
                timeout=timeout,
                ignore_quality=ignore_quality,
            )
            source = str(result.backup_path)
            click.echo(f"restored {result.backup_path} to {result.db_path} ({result.route})")
    except DbguardError as refused:
        if refused.exit_code == ExitCode.FAILED:  # refused or failed, not bad input
            _record_refusal(config, wanted, refused, started_at)
        raise
    if result.ownership is not None:
        done = "created" if result.route == "new" else "wrote"
        click.echo(
            f"{done} {result.db_path} with {result.ownership.describe()}, {result.ownership.origin}"
        )
    if result.safety_copy is not None:
        click.echo(f"safety copy of the previous database: {result.safety_copy}")
    for note in result.notes:
        click.echo(f"note: {note}")
    for pruned in result.pruned_safety_copies:
        click.echo(f"pruned safety copy {pruned}", err=True)
    record_restore(config, result, started_at, datetime.now(UTC), source=source)
    return int(ExitCode.OK)


def _restore(
    config: Config,
    database: Path,
    source: Path | None,
    *,
    assume_yes: bool,
    timeout: float,
    ignore_quality: bool = False,
) -> RestoreResult:
    """Restore `source`, or when it is None the newest backup that verifies and is not
    CRITICAL (with `ignore_quality`, the newest that verifies)."""
    from backup.restore import latest_to_restore, restore_backup
    from dbguard.incident.usable import describe, latest_usable_backup

    manifest = None
    latest_skipped = False
    if source is None and ignore_quality:
        latest = latest_to_restore(config.backup.dir)  # read in full just now
        source, manifest = latest.path, latest.manifest
    elif source is None:
        usable = latest_usable_backup(config)
        for name, why in usable.skipped:
            click.echo(f"skipped {name}: {why}")
        click.echo(f"chose {usable.entry.name}: {describe(usable.quality)}")
        latest_skipped = bool(usable.skipped)
        source, manifest = usable.entry.path, usable.entry.manifest
    result = restore_backup(
        source,
        database,
        manifest=manifest,
        assume_yes=assume_yes,
        confirm=_confirm_on_terminal,
        busy_timeout=timeout,
        safety_copies_keep=config.backup.safety_copies_keep,
        backup_dir=config.backup.dir,
    )
    if latest_skipped:
        # `check` judges the newest backup: until a good one is newer, it stays CRITICAL.
        note = (
            "the newer backups hold the damage and `dbguard check` judges the newest one:"
            " take a fresh backup now (dbguard backup create), then run dbguard check"
        )
        result = dataclasses.replace(result, notes=(*result.notes, note))
    return result


def _restore_replica(
    config: Config, database: Path, timestamp: str | None, assume_yes: bool, timeout: float
) -> tuple[RestoreResult, str]:
    """The restore's result, and its source for people (the replica and the transaction)."""
    from dbguard.replication.restore import parse_timestamp, restore_from_replica
    from dbguard.replication.state import format_txid

    done = restore_from_replica(
        config,
        database,
        timestamp=parse_timestamp(timestamp) if timestamp is not None else None,
        assume_yes=assume_yes,
        confirm=_confirm_on_terminal,
        busy_timeout=timeout,
    )
    source = f"the replica {done.copy.replica} (transaction {format_txid(done.copy.txid)})"
    click.echo(f"restored {source} to {done.restore.db_path} ({done.restore.route})")
    return done.restore, source


def record_restore(
    config: Config,
    result: RestoreResult,
    started_at: datetime,
    finished_at: datetime,
    *,
    source: str = "",
) -> None:
    """Append the restore to the run history (and to the open incident, if any); a warning
    line if the history cannot take it."""
    from dbguard.history import RESTORE, ActionRecord, open_history
    from dbguard.incident.records import record_live_change

    action = ActionRecord(
        kind=RESTORE,
        route=result.route,
        started_at=started_at,
        finished_at=finished_at,
        plan={"source": source or str(result.backup_path), "database": str(result.db_path)},
        result={
            "row_counts": dict(result.row_counts),
            "safety_copy": str(result.safety_copy) if result.safety_copy else None,
            "notes": list(result.notes),
        },
    )
    try:
        history = open_history(config.reports.history)
        record_live_change(history, config.database.key, action, result.row_counts)
    except (DbguardError, OSError, sqlite3.Error) as error:
        reason = error.one_line() if isinstance(error, DbguardError) else str(error)
        click.echo(
            f"dbguard: warning: the restore is done, but the run history"
            f" {config.reports.history} could not record it: {' '.join(reason.split())}"
            " (the next check compares row counts with its previous run instead)",
            err=True,
        )


def _record_refusal(
    config: Config, wanted: str, refused: DbguardError, started_at: datetime
) -> None:
    """A refused restore during an incident is part of its story; without one, nothing."""
    from dbguard.history import RESTORE, ActionRecord, open_history
    from dbguard.incident.records import record_action

    action = ActionRecord(
        kind=RESTORE,
        route="",
        started_at=started_at,
        finished_at=datetime.now(UTC),
        outcome="refused",
        plan={"source": wanted},
        result={"reason": refused.one_line()},
    )
    # The refusal itself is what the user needs to see: a history that cannot take it is quiet.
    with contextlib.suppress(DbguardError, OSError, sqlite3.Error):
        record_action(open_history(config.reports.history), config.database.key, action)


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
