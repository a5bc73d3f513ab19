"""`dbguard schedule [--install | --systemd]`: print the plan's cron jobs, or install them into
the crontab; with replication configured, also the systemd unit for `dbguard replicate`.
`--systemd` prints the systemd units: `dbguard serve` (it watches), and `replicate`."""

from __future__ import annotations

import click

from dbguard.cli.options import command_config

SYSTEMD_HINT = (
    "where systemd runs, `dbguard schedule --systemd` prints the unit for `dbguard serve`, which"
    " runs health and the checks itself within a minute of a change (docs/watching.md)"
)


@click.command(name="schedule")
@click.option(
    "--install", is_flag=True, help="Install the block into your crontab (other entries are kept)."
)
@click.option(
    "--systemd",
    "systemd_unit",
    is_flag=True,
    help="Print the systemd units instead: `dbguard serve` (endpoints and the watcher), and"
    " `dbguard replicate` with [replication].",
)
@click.pass_context
def schedule(context: click.Context, install: bool, systemd_unit: bool) -> int:
    """Print (or --install) the crontab: 02:00 backup, hourly check, 5-minute health, weekly
    report; with [replication], the systemd unit for `dbguard replicate` after it."""
    from dbguard.schedule import dbguard_executable, install_block, render_block
    from dbguard.schedule_units import render_serve_unit, render_systemd_unit

    config = command_config(context)
    executable = dbguard_executable()
    if systemd_unit:
        click.echo(render_serve_unit(config, executable), nl=False)
        if config.replication.enabled:
            click.echo("")
            click.echo(render_systemd_unit(config, executable), nl=False)
        return 0
    if not install:
        click.echo(render_block(config, executable), nl=False)
        if config.replication.enabled:
            click.echo("")
            click.echo(render_systemd_unit(config, executable), nl=False)
        click.echo(SYSTEMD_HINT, err=True)
        return 0
    click.echo(install_block(config, executable), nl=False)
    click.echo(
        "installed: the dbguard block above is now in your crontab (`crontab -l` to see it)",
        err=True,
    )
    if config.replication.enabled:
        click.echo(
            "replication: install its systemd unit with `dbguard schedule --systemd`",
            err=True,
        )
    return 0
