"""`dbguard incident …`: incidents as records, one module per command. Thin: the work is in
dbguard.incident.

An incident opens when a check run turns CRITICAL and closes when a check run is OK again;
`list` shows them, `report` writes one's post-mortem (Markdown and offline HTML); `find`
bisects the recovery points for when the damage began; `diff` says row by row what was lost
since a recovery point; `repair` puts the lost rows back.
"""

from __future__ import annotations

import click

from dbguard.cli.incident.diff import diff
from dbguard.cli.incident.find import find
from dbguard.cli.incident.listing import list_command
from dbguard.cli.incident.repair import repair
from dbguard.cli.incident.report import report


@click.group(name="incident", invoke_without_command=True)
@click.pass_context
def incident(context: click.Context) -> None:
    """Incidents: when a check turned CRITICAL, what was done, and the post-mortem."""
    if context.invoked_subcommand is None:
        click.echo(context.get_help())


for command in (diff, find, list_command, repair, report):
    incident.add_command(command)
