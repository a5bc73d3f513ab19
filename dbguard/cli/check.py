"""`dbguard check`: run the quality suite on the live DB and the latest backup."""

from __future__ import annotations

from pathlib import Path

import click

from dbguard.cli.options import backup_dir_option, command_config, db_option


@click.command(name="check")
@db_option
@backup_dir_option
@click.option(
    "--report",
    "report",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the HTML report here (default: reports/quality_YYYYMMDD_HHMMSS.html; "
    "for a --db other than the configured one, in its own subfolder of reports/).",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, not only criticals.")
@click.option(
    "--cold",
    is_flag=True,
    help="Run here even when `dbguard serve` is watching (default: its warm child runs it).",
)
@click.pass_context
def check(
    context: click.Context,
    db: str | None,
    backup_dir: str | None,
    report: str | None,
    strict: bool,
    cold: bool,
) -> int:
    """Run checks/ on the live database and its latest backup. Exit 1 on a critical finding."""
    if not cold:
        from dbguard.cli.warm_check import check_argv, run_in_watcher

        options = {"db": db, "backup_dir": backup_dir, "report": report, "strict": strict}
        code = run_in_watcher(command_config(context), check_argv(context, options))
        if code is not None:
            return code
    from dbguard.check_run import run_checks
    from dbguard.web.textfile import write_prometheus_textfile

    config = command_config(context, database__path=db, backup__dir=backup_dir)
    result = run_checks(
        config,
        strict=strict,
        report=Path(report) if report else None,
        configured_database=command_config(context).database,
    )
    write_prometheus_textfile(config)
    if result.lost is not None:
        click.echo(f"dbguard status: CRITICAL for {config.database.key}: the database is gone")
        click.echo(result.lost.message())
    for note in result.notes:
        click.echo(f"dbguard: warning: {note}", err=True)
    if result.reports is not None:
        click.echo(f"report: {result.reports.html}")
        click.echo(f"junit:  {result.reports.junit}")
        click.echo(f"latest: {result.reports.latest}")
    return int(result.exit_code)
