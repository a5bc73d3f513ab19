"""`dbguard report`: the weekly Markdown report (`--weekly`), or where the latest HTML report is."""

from __future__ import annotations

from pathlib import Path

import click

from dbguard.cli.options import command_config, db_option
from dbguard.errors import ConfigError


@click.command(name="report")
@db_option
@click.option(
    "--weekly", is_flag=True, help="Write reports/weekly_report_YYYYMMDD.md from the run history."
)
@click.pass_context
def report(context: click.Context, db: str | None, weekly: bool) -> int:
    """Write the weekly report (--weekly) or print the path of the latest HTML report."""
    config = command_config(context, database__path=db)
    if weekly:
        from dbguard.report.weekly import write_weekly_report

        click.echo(str(write_weekly_report(config)))
        return 0
    latest = Path(config.reports.dir) / "latest.html"
    if not latest.is_file():
        raise ConfigError(f"no report yet in {config.reports.dir}", "run `dbguard check` first")
    click.echo(str(latest))
    return 0
