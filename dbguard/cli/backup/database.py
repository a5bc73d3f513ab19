"""The database a backup command works on: the SQLite file of [database] path (or --db).

Backups, restores and safety copies are of SQLite files; a PostgreSQL
database is backed up by the team's pg_dump or pgBackRest job, whose freshness
`health` watches ([backup] postgres_dump_dir).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dbguard.errors import ConfigError

if TYPE_CHECKING:
    from dbguard.config import Config


def sqlite_database(config: Config, command: str) -> Path:
    if config.database.is_postgres:
        raise ConfigError(
            f"'dbguard {command}' works on a SQLite file, and the database is PostgreSQL",
            "back PostgreSQL up with pg_dump or pgBackRest; dbguard watches the dumps'"
            " freshness through [backup] postgres_dump_dir",
        )
    if config.database.is_spark:
        raise ConfigError(
            f"'dbguard {command}' works on a SQLite file, and the database is Spark tables",
            "back the lake up with its storage's own tools (versioned buckets, snapshots);"
            " dbguard checks the tables, it does not copy them",
        )
    return config.database.path


def safety_copies_of(config: Config) -> Path | None:
    """The database whose safety copies list and prune show, or None for PostgreSQL."""
    return config.database.path if config.database.is_sqlite else None
