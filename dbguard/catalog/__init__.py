"""A small read-only catalog of the checked database, for SQLite files and PostgreSQL alike:
tables (without `[checks] ignore_tables`), columns, row counts, unique column sets, foreign
keys, and read-only queries. Baseline, lint, suggest, schema drift, freshness and the rows
named in findings read the database only through it.

`open_catalog(config)` opens the live database; `Source.open()` any other (a backup file).
`dbguard.database` stays the light sqlite3 helper of the backup package and the quick health.
"""

from __future__ import annotations

from dbguard.catalog.base import Catalog, ColumnShape, ForeignKeyShape, QueryError, QueryRows
from dbguard.catalog.source import (
    PostgresDatabase,
    Source,
    SparkTables,
    SqliteFile,
    live_source,
    sqlite_read_only_url,
)
from dbguard.config import Config

__all__ = [
    "Catalog",
    "ColumnShape",
    "ForeignKeyShape",
    "PostgresDatabase",
    "QueryError",
    "QueryRows",
    "Source",
    "SparkTables",
    "SqliteFile",
    "live_source",
    "open_catalog",
    "sqlite_read_only_url",
]


def open_catalog(config: Config) -> Catalog:
    """The live database's catalog, read-only, with `[checks] ignore_tables` applied. A missing
    SQLite file or a PostgreSQL login problem raises a DatabaseError."""
    return live_source(config).open(config.checks.ignore_tables)
