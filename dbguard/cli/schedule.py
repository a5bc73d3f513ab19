"""`dbguard schedule [--install]`: print the plan's cron jobs, or install them into the crontab."""

from __future__ import annotations

import click

from dbguard.cli.options import command_config


@click.command(name="schedule")
@click.option(
    "--install", is_flag=True, help="Install the block into your crontab (other entries are kept)."
)
@click.pass_context
def schedule(context: click.Context, install: bool) -> int:
    """Print (or --install) the crontab: 02:00 backup, hourly check, 5-minute health, weekly report."""
    from dbguard.schedule import dbguard_executable, install_block, render_block

    config = command_config(context)
    executable = dbguard_executable()
    if not install:
        click.echo(render_block(config, executable), nl=False)
        return 0
    click.echo(install_block(config, executable), nl=False)
    click.echo(
        "installed: the dbguard block above is now in your crontab (`crontab -l` to see it)",
        err=True,
    )
    return 0
