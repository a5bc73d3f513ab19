"""`dbguard lint`: every suite file against GX and the live database's tables and columns."""

from __future__ import annotations

import click

from dbguard.cli.options import command_config, db_option
from dbguard.errors import ExitCode


@click.command(name="lint")
@db_option
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, not only on errors.")
@click.pass_context
def lint(context: click.Context, db: str | None, strict: bool) -> int:
    """Check the suites in expectations/. Exit 1 on an error (or, with --strict, a warning)."""
    from dbguard.quality.lint import lint_suites

    config = command_config(context, database__path=db)
    problems = lint_suites(config)
    for problem in problems:
        click.echo(f"{problem.one_line()}\n    fix: {problem.fix}")
    errors = sum(1 for problem in problems if not problem.warning)
    warnings = len(problems) - errors
    folder = config.checks.expectations_dir
    if not problems:
        click.echo(f"suites in {folder}: no problems")
        return int(ExitCode.OK)
    click.echo(f"{errors} problem(s), {warnings} warning(s) in {folder}", err=True)
    return int(ExitCode.FAILED if errors or strict else ExitCode.OK)
