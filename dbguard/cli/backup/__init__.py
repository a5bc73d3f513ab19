"""`dbguard backup …`: create, verify, list, prune, restore, archive — one module per command.
Thin: the work is in backup/.

Exit codes: 0 ok; 1 a backup failed or did not verify, a restore was refused;
2 bad input. Errors are raised, and become the line and the exit code in dbguard.cli.main.
"""

from __future__ import annotations

import click

from dbguard.cli.backup.archive import archive
from dbguard.cli.backup.create import create
from dbguard.cli.backup.listing import list_command
from dbguard.cli.backup.prune import prune
from dbguard.cli.backup.restore import restore
from dbguard.cli.backup.verify import verify


@click.group(name="backup", invoke_without_command=True)
@click.pass_context
def backup(context: click.Context) -> None:
    """Consistent, verified backups of the live database, and their retention and restore."""
    if context.invoked_subcommand is None:
        click.echo(context.get_help())


for command in (create, verify, list_command, prune, restore, archive):
    backup.add_command(command)
