"""`dbguard backup prune`: retention over the backups (restic semantics plus safety rules), and
the safety copies beside the database beyond [backup] safety_copies_keep. `--dry-run` shows it."""

from __future__ import annotations

from typing import Any

import click

from dbguard.cli.backup.database import safety_copies_of
from dbguard.cli.backup.policy import retention_options, retention_policy
from dbguard.cli.options import backup_dir_option, command_config, db_option
from dbguard.errors import ExitCode


@click.command(name="prune")
@db_option
@backup_dir_option
@click.option(
    "--dry-run", is_flag=True, help="Show what would be kept and deleted, delete nothing."
)
@retention_options
@click.pass_context
def prune(
    context: click.Context, db: str | None, backup_dir: str | None, dry_run: bool, **keep: Any
) -> int:
    """Delete backups no retention rule keeps, and safety copies beyond the newest N."""
    from backup.catalog import existing_backup_folder
    from backup.prune import prune_backups
    from dbguard.incident.usable import protect_newest_usable

    config = command_config(context, database__path=db, backup__dir=backup_dir)
    existing_backup_folder(config.backup.dir)
    result = prune_backups(
        config.backup.dir,
        retention_policy(config, **keep),
        dry_run=dry_run,
        db_path=safety_copies_of(config),
        safety_copies_keep=config.backup.safety_copies_keep,
        protect=protect_newest_usable(config),
    )
    decided = result.plan
    verb = "would delete" if dry_run else "deleted"
    for entry in decided.keep:
        _line("keep", entry.name, decided.tier(entry.name))
    for entry in decided.drop:
        _line(verb, entry.name, decided.tier(entry.name))
    for entry in decided.unverified:
        _line("unverified", entry.name, f"{'; '.join(entry.problems)}; left alone")
    click.echo(
        f"{len(decided.keep)} kept, {len(decided.drop)} {verb}, {len(decided.unverified)} unverified"
    )
    copies = result.safety_copies.plan if result.safety_copies else None
    if copies is not None and (copies.keep or copies.drop):
        for copy in copies.keep:
            _line("keep", copy.name, f"safety copy, newest {copies.keep_count}")
        for copy in copies.drop:
            _line(verb, copy.name, f"safety copy beyond safety_copies_keep = {copies.keep_count}")
        click.echo(f"safety copies: {len(copies.keep)} kept, {len(copies.drop)} {verb}")
    return int(ExitCode.OK)


def _line(action: str, name: str, why: str) -> None:
    click.echo(f"{action:<13}{name}  ({why})")
