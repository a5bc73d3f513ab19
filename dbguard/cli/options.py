"""Options shared by several commands, and the one way a command gets its Config."""

from __future__ import annotations

from typing import Any

import click

from dbguard.config import Config, load_config

db_option = click.option(
    "--db",
    "db",
    default=None,
    help="The live database: a SQLite file, or a PostgreSQL URL (overrides [database]).",
)
tables_option = click.option(
    "--table",
    "tables",
    multiple=True,
    help="Only this table (repeatable). Default: every table of the database.",
)
backup_dir_option = click.option(
    "--backup-dir",
    "backup_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="The backup folder (overrides [backup] dir).",
)

# The commands that write live under SQLite's write lock (restore, incident repair).
timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    help="Seconds to wait while the database is locked by a writer before refusing.",
)


def command_config(context: click.Context, **overrides: Any) -> Config:
    """The configuration for this invocation, with command-line overrides applied.

    Overrides are named `section__key`, e.g. `database__path=...`.
    """
    root = context.find_root()
    config = load_config(root.obj.get("config_path") if root.obj else None)
    # --db takes a SQLite path or a PostgreSQL URL.
    config = config.with_database(overrides.pop("database__path", None))
    return config.with_overrides(**overrides)
