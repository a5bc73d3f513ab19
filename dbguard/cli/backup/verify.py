"""`dbguard backup verify`: read backups and archives in full against their manifests."""

from __future__ import annotations

from pathlib import Path

import click

from dbguard.cli.options import backup_dir_option, command_config
from dbguard.errors import DbguardError, ExitCode, OperationFailed


@click.command(name="verify")
@backup_dir_option
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--all", "verify_all", is_flag=True, help="Verify every backup in the folder.")
@click.option(
    "--no-quality",
    "skip_quality",
    is_flag=True,
    help="Do not judge the backups' data with the suites (only their integrity).",
)
@click.pass_context
def verify(
    context: click.Context,
    backup_dir: str | None,
    paths: tuple[str, ...],
    verify_all: bool,
    skip_quality: bool,
) -> int:
    """Check backups against their manifests, reading every byte. Exit 1 if any is bad.

    With no PATH (or with --all): every backup in the backup folder and every
    project archive in the archive folder. Each result is recorded beside the
    file for 'backup list', and so is the data's quality verdict (the suites run on each
    database backup that verifies, unless already judged; --no-quality skips it).
    """
    from backup.catalog import existing_backup_folder, list_archives, list_backups, verify_file
    from backup.naming import DATABASE_BACKUP
    from dbguard.incident.usable import Verdicts, describe

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
    verdicts = None if skip_quality else Verdicts(config)
    for path in targets:
        result = verify_file(path)
        if result.ok and verdicts is not None and DATABASE_BACKUP.parse(path.name):
            try:
                quality = f" (data {describe(verdicts.quality(path))})"
            except DbguardError as error:
                quality = f" (data not checked: {error.one_line()})"
            click.echo(f"ok   {path}{quality}")
        elif result.ok:
            click.echo(f"ok   {path}")
        else:
            bad += 1
            click.echo(f"BAD  {path}: {result.summary()}")
    if bad:
        raise OperationFailed(f"{bad} of {len(targets)} backups did not verify")
    return int(ExitCode.OK)
