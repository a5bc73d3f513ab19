"""`dbguard incident report [ID]`: the post-mortem of an incident (default: the newest) as
Markdown and offline HTML. The notes section of an existing Markdown file is kept."""

from __future__ import annotations

from pathlib import Path

import click

from dbguard.cli.options import command_config, db_option
from dbguard.errors import ExitCode


@click.command(name="report")
@db_option
@click.argument("incident_id", metavar="[ID]", required=False, type=click.IntRange(min=1))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for incident-ID.md and incident-ID.html (default: the reports folder's"
    " incidents/).",
)
@click.pass_context
def report(
    context: click.Context, db: str | None, incident_id: int | None, out_dir: str | None
) -> int:
    """Write the post-mortem of incident ID (default: the newest) as Markdown and HTML."""
    from dbguard.history import open_history
    from dbguard.incident.postmortem_files import write_postmortem
    from dbguard.report_files import reports_folder

    config = command_config(context, database__path=db)
    folder = (
        Path(out_dir)
        if out_dir
        else reports_folder(config, command_config(context).database) / "incidents"
    )
    written = write_postmortem(
        open_history(config.reports.history),
        config.database.key,
        folder,
        incident_id,
        config.secrets(),
    )
    click.echo(str(written.markdown))
    click.echo(str(written.html))
    if written.kept_notes:
        click.echo("kept the notes already written in the Markdown file", err=True)
    return int(ExitCode.OK)
