"""`dbguard replicate [--print-config]`: Litestream's continuous replication in the foreground.

Systemd and supervisors run it this way (`dbguard schedule` prints the unit). The work is in
dbguard.replication.supervise; the exit code is Litestream's.
"""

from __future__ import annotations

import os

import click

from dbguard.cli.options import command_config, db_option


@click.command(name="replicate")
@db_option
@click.option(
    "--print-config",
    is_flag=True,
    help="Print the Litestream configuration dbguard generates (secrets masked) and exit.",
)
@click.pass_context
def replicate(context: click.Context, db: str | None, print_config: bool) -> int:
    """Replicate the live database continuously with Litestream ([replication] in dbguard.toml).

    Runs until stopped; SIGTERM and SIGINT are passed on to Litestream, and its exit code
    is dbguard's.
    """
    from dbguard.replication.supervise import plan_replication, run_replication

    config = command_config(context, database__path=db)
    if print_config:
        click.echo(plan_replication(config, os.environ).printable(), nl=False)
        return 0
    return run_replication(config)
