"""`dbguard backup verify`: read backups and archives in full against their manifests."""

from __future__ import annotations

from pathlib import Path

import click

from dbguard.cli.options import backup_dir_option, command_config
from dbguard.errors import ExitCode, OperationFailed


@click.command(name="verify")
@backup_dir_option
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--all", "verify_all", is_flag=True, help="Verify every backup in the folder.")
@click.pass_context
def verify(
    context: click.Context, backup_dir: str | None, paths: tuple[str, ...], verify_all: bool
) -> int:
    """Check backups against their manifests, reading every byte. Exit 1 if any is bad.

    With no PATH (or with --all): every backup in the backup folder and every
    project archive in the archive folder. Each result is recorded beside the
    file for 'backup list'.
    """
    from backup.catalog import existing_backup_folder, list_archives, list_backups, verify_file

    config = command_config(context, backup__dir=backup_dir)
    targets = [Path(path) for path in paths]
    if verify_all or not targets:
        existing_backup_folder(config.backup.dir)
        targets += [entry.path for entry in list_backups(config.backup.dir)]
        targets += [entry.path for entry in list_archives(config.archive.dir)]
    if not targets:
        raise OperationFailed(
            f"no backups in {config.backup.dir}", "take one with 'dbguard backup create'"
        )
    bad = 0
    for path in targets:
        result = verify_file(path)
        if result.ok:
            click.echo(f"ok   {path}")
        else:
            bad += 1
            click.echo(f"BAD  {path}: {result.summary()}")
    if bad:
        raise OperationFailed(f"{bad} of {len(targets)} backups did not verify")
    return int(ExitCode.OK)
