"""`dbguard lint`: every suite file against GX and the live database's tables and columns."""

from __future__ import annotations

import click

from dbguard.cli.options import command_config, db_option
from dbguard.errors import ExitCode


@click.command(name="lint")
@db_option
@click.pass_context
def lint(context: click.Context, db: str | None) -> int:
    """Check the suites in expectations/. Exit 1 if any problem, 0 if none."""
    from dbguard.quality.lint import lint_suites

    config = command_config(context, database__path=db)
    problems = lint_suites(config)
    for problem in problems:
        click.echo(f"{problem.one_line()}\n    fix: {problem.fix}")
    if problems:
        click.echo(f"{len(problems)} problem(s) in {config.checks.expectations_dir}", err=True)
        return int(ExitCode.FAILED)
    click.echo(f"suites in {config.checks.expectations_dir}: no problems")
    return int(ExitCode.OK)
