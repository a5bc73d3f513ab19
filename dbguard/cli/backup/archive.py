"""`dbguard backup archive`: the plan's weekly project archive, verified, pruned like backups."""

from __future__ import annotations

import click

from dbguard.cli.backup.policy import retention_policy
from dbguard.cli.options import command_config
from dbguard.errors import ExitCode


@click.command(name="archive")
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
    from backup.naming import PROJECT_ARCHIVE
    from backup.prune import prune_backups

    config = command_config(context, archive__source=source, archive__dir=archive_dir)
    policy = retention_policy(config) if prune_after else None
    entry = create_archive(
        config.archive.source,
        config.archive.dir,
        exclude=config.archive.exclude,
        exclude_paths=[config.backup.dir, config.database.path],
    )
    click.echo(str(entry.path))
    if policy is not None:
        result = prune_backups(config.archive.dir, policy, scheme=PROJECT_ARCHIVE)
        for path in result.deleted:
            click.echo(f"pruned {path}", err=True)
    return int(ExitCode.OK)
