"""`dbguard check`: run the quality suite on the live DB and the latest backup."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dbguard.cli.options import backup_dir_option, command_config, db_option

if TYPE_CHECKING:
    from dbguard.check_run import CheckRun
    from dbguard.check_scope import CheckScope
    from dbguard.config import Config
    from dbguard.report.findings_json import FindingsCollector


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
    "--only",
    "only",
    default=None,
    metavar="expectations[:TABLE]",
    help="Run only the expectation suites (of TABLE) on the live database: no backup, "
    "health or system checks, no history or alerts; a report only with --report.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print every finding as JSON on stdout (check, target, severity, expected, "
    "observed, remediation, details); pytest's own output goes to stderr.",
)
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
    only: str | None,
    as_json: bool,
    cold: bool,
) -> int:
    """Run checks/ on the live database and its latest backup. Exit 1 on a critical finding."""
    if not cold:
        from dbguard.cli.warm_check import check_argv, run_in_watcher

        options = {
            "db": db,
            "backup_dir": backup_dir,
            "report": report,
            "strict": strict,
            "only": only,
            "json": as_json,
        }
        code = run_in_watcher(command_config(context), check_argv(context, options))
        if code is not None:
            return code
    from dbguard.check_run import run_checks
    from dbguard.check_scope import parse_only
    from dbguard.report.findings_json import FindingsCollector
    from dbguard.web.textfile import write_prometheus_textfile

    scope = parse_only(only) if only is not None else None
    config = command_config(context, database__path=db, backup__dir=backup_dir)
    collector = FindingsCollector()
    # With --json, stdout holds the document alone: pytest's terminal goes to stderr.
    with contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext():
        result = run_checks(
            config,
            strict=strict,
            report=Path(report) if report else None,
            configured_database=command_config(context).database,
            only=scope,
            plugins=[collector],
        )
    if scope is None:
        write_prometheus_textfile(config)
    for note in result.notes:
        click.echo(f"dbguard: warning: {note}", err=True)
    if as_json:
        click.echo(json_document(config, scope, collector, result))
        return int(result.exit_code)
    if result.lost is not None:
        click.echo(f"dbguard status: CRITICAL for {config.database.key}: the database is gone")
        click.echo(result.lost.message())
    if result.reports is not None:
        click.echo(f"report: {result.reports.html}")
        click.echo(f"junit:  {result.reports.junit}")
        if scope is None:  # a partial run's report does not replace the latest
            click.echo(f"latest: {result.reports.latest}")
    return int(result.exit_code)


def json_document(
    config: Config, scope: CheckScope | None, collector: FindingsCollector, result: CheckRun
) -> str:
    from dbguard.findings import Severity
    from dbguard.report.findings_json import finding_record, findings_document, result_findings

    if result.lost is not None:
        findings, status = [finding_record(result.lost)], Severity.CRITICAL
    else:
        findings, status = result_findings(collector.results), collector.status
    document = findings_document(
        database=config.database.key,
        scope=scope.text if scope is not None else "all",
        status=status,
        exit_code=int(result.exit_code),
        report=str(result.reports.html) if result.reports is not None else None,
        findings=findings,
        secrets=config.secrets(),
    )
    return json.dumps(document, indent=2, ensure_ascii=False)
