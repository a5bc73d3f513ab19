"""`dbguard init [--db PATH] [--force]`: dbguard.toml and suites for one's own SQLite database."""

from __future__ import annotations

import os
from pathlib import Path

import click

from dbguard.errors import ConfigError


@click.command(name="init")
@click.option(
    "--db",
    "db",
    default=None,
    help="Your SQLite database (default: the one SQLite file in the current folder).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing dbguard.toml that names another database (the old one is kept).",
)
@click.pass_context
def init(context: click.Context, db: str | None, force: bool) -> int:
    """Set dbguard up for your database: dbguard.toml beside it, a suite per table.

    Each suite holds the table's row-count baseline and the rules `dbguard suggest`
    proposes, as warnings. The database is only read. A second run keeps dbguard.toml
    and every existing suite, and gives new tables theirs.
    """
    from dbguard.config import CONFIG_ENV_VAR
    from dbguard.init_project import init_project

    root = context.find_root()
    if root.obj and root.obj.get("config_path"):
        raise ConfigError(
            "dbguard init writes dbguard.toml beside the database, so --config does not apply",
            "leave out --config (and choose the database with --db)",
        )
    cwd = Path.cwd()
    result = init_project(db, cwd=cwd, force=force)
    tables = len(result.new_suites) + len(result.kept_suites)
    click.echo(f"database:  {result.database} ({tables} tables; only read)")
    if result.config_written:
        copied = f" (the old one is now {result.config_copy.name})" if result.config_copy else ""
        click.echo(f"wrote:     {result.config_path}{copied}")
    else:
        click.echo(f"kept:      {result.config_path} (it already configures this database)")
    if result.new_suites:
        click.echo(
            f"suites:    {len(result.new_suites)} new in {result.expectations_dir}: row-count"
            f" baselines and {result.suggested_rules} suggested rules, as warnings"
        )
    if result.kept_suites:
        click.echo(
            f"kept:      {len(result.kept_suites)} existing suites, unchanged"
            " (`dbguard baseline` re-captures their row counts)"
        )
    if result.checks_dir is not None:
        click.echo(f"checks:    {result.checks_dir} (what `dbguard check` runs)")
    else:
        click.echo(
            "dbguard: warning: `dbguard check` will find no checks/ folder: dbguard was installed"
            " without its project folder; install it from a clone with `make install`",
            err=True,
        )
    if os.environ.get(CONFIG_ENV_VAR):
        click.echo(
            f"dbguard: warning: ${CONFIG_ENV_VAR} is set, so the commands below read"
            f" {os.environ[CONFIG_ENV_VAR]}, not {result.config_path}: unset it",
            err=True,
        )
    click.echo("next:")
    commands = result.next_commands(cwd)
    width = max(len(command) for command, _ in commands)
    for command, what in commands:
        click.echo(f"  {command:<{width}}   # {what}")
    return 0
