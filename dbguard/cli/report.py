"""`dbguard report`: the weekly Markdown report (`--weekly`), or where the latest HTML report is.

Both use the reports folder of the database in question: `reports/` for the
configured one, `reports/<name>-<hash>/` for any other `--db`.
"""

from __future__ import annotations

import click

from dbguard.cli.options import command_config, db_option
from dbguard.errors import ConfigError
from dbguard.report_files import LATEST_NAME, reports_folder


@click.command(name="report")
@db_option
@click.option(
    "--weekly", is_flag=True, help="Write reports/weekly_report_YYYYMMDD.md from the run history."
)
@click.pass_context
def report(context: click.Context, db: str | None, weekly: bool) -> int:
    """Write the weekly report (--weekly) or print the path of the latest HTML report."""
    config = command_config(context, database__path=db)
    folder = reports_folder(config, command_config(context).database)
    if weekly:
        from dbguard.report.weekly import write_weekly_report

        click.echo(str(write_weekly_report(config, reports_dir=folder)))
        return 0
    latest = folder / LATEST_NAME
    if not latest.is_file():
        raise ConfigError(f"no report yet in {folder}", "run `dbguard check` first")
    click.echo(str(latest))
    return 0
