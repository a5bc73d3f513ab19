"""`dbguard check`: run the quality suite on the live DB and the latest backup."""

from __future__ import annotations

import click

from dbguard.cli.options import backup_dir_option, command_config, db_option


@click.command(name="check")
@db_option
@backup_dir_option
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, not only criticals.")
@click.pass_context
def check(context: click.Context, db: str | None, backup_dir: str | None, strict: bool) -> int:
    """Run checks/ on the live database and its latest backup. Exit 1 on a critical finding."""
    from dbguard.check_run import run_checks

    config = command_config(context, database__path=db, backup__dir=backup_dir)
    return int(run_checks(config, strict=strict).exit_code)
