"""`dbguard health [--quick]`: one Nagios status line and exit code (0 OK, 1 WARNING,
2 CRITICAL, 3 UNKNOWN). Imports nothing heavy: it runs every five minutes."""

from __future__ import annotations

import click

from dbguard.cli.options import command_config, db_option


@click.command(name="health")
@db_option
@click.option("--quick", is_flag=True, help="Skip SQLite's quick_check (the five-minute job).")
@click.option("--no-record", is_flag=True, help="Do not append this run to the run history.")
@click.pass_context
def health(context: click.Context, db: str | None, quick: bool, no_record: bool) -> int:
    """Check connection, row counts, WAL, disk and memory; print one Nagios status line."""
    from dbguard.alerts.sources import notify_health
    from dbguard.health.quick import run_health
    from dbguard.web.textfile import write_prometheus_textfile

    config = command_config(context, database__path=db)
    report = run_health(config, quick=quick, record=not no_record)
    click.echo(report.line())
    notify_health(config, report.findings)
    write_prometheus_textfile(config, report)
    return int(report.code)
