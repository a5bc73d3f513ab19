"""What a check reads: a SQLite file (the live database, a backup, a restored copy), a
PostgreSQL database, or Spark tables. Each source opens its own catalog and names its own SQLAlchemy URL for
Great Expectations, so callers never ask which engine it is."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from dbguard.catalog.base import Catalog
from dbguard.config import Config, DatabaseConfig
from dbguard.config.spark import SparkConfig
from dbguard.database import read_only_uri, require_database


def sqlite_read_only_url(path: Path, *, immutable: bool = False) -> str:
    """SQLAlchemy URL opening `path` read-only through SQLite's URI syntax.

    `immutable` is for backups, which nothing writes: SQLite then takes no locks and
    creates no -wal/-shm beside them. Never for the live database, which changes.
    """
    return f"sqlite:///{read_only_uri(path)}{'&immutable=1' if immutable else ''}&uri=true"


@dataclass(frozen=True)
class SqliteFile:
    path: Path
    immutable: bool = False  # True for files nothing writes: opened without locks or -wal/-shm

    gx_data_source: ClassVar[str] = "sqlite"  # GX's add_sqlite

    @property
    def label(self) -> str:
        return str(self.path)

    @property
    def identity(self) -> tuple[str, bool]:
        """The same file opened the same way, however its path was written."""
        return (str(Path(self.path).resolve()), self.immutable)

    def require(self, *, sqlite_header: bool = True) -> None:
        """Refuse input that cannot work: a missing file, or (with `sqlite_header`) one that
        is not SQLite, raises a DatabaseError. A damaged file is for the checks to report."""
        require_database(self.path, sqlite_header=sqlite_header)

    def sqlalchemy_url(self) -> str:
        return sqlite_read_only_url(self.path, immutable=self.immutable)

    def open(self, ignore: Sequence[str] = ()) -> Catalog:
        from dbguard.catalog.sqlite import SqliteCatalog

        return SqliteCatalog(self.path, immutable=self.immutable, ignore=ignore)


@dataclass(frozen=True)
class PostgresDatabase:
    database: DatabaseConfig
    estimate_rows: bool = False  # [postgres] estimate_rows: planner estimates for row counts

    gx_data_source: ClassVar[str] = "postgres"  # GX's add_postgres

    @property
    def label(self) -> str:
        return self.database.key

    @property
    def identity(self) -> tuple[str, bool]:
        return (self.database.key, False)

    def require(self, *, sqlite_header: bool = True) -> None:
        """Refuse input that cannot work: a login the server refuses (user, password, database
        name) raises PostgresLoginError. A server that does not answer is not refused: it is a
        connection failure for the checks to count (1 / 3 in a row)."""
        from dbguard.postgres.connection import PostgresUnreachable, connect

        with suppress(PostgresUnreachable):
            connect(self.database).close()

    def sqlalchemy_url(self) -> str:
        from dbguard.postgres.connection import sqlalchemy_url

        return sqlalchemy_url(self.database)

    def open(self, ignore: Sequence[str] = ()) -> Catalog:
        from dbguard.catalog.postgres import PostgresCatalog

        return PostgresCatalog(self.database, ignore=ignore, estimate_rows=self.estimate_rows)


@dataclass(frozen=True)
class SparkTables:
    """`[database.spark]`'s tables, read in the SparkSession dbguard builds."""

    spark: SparkConfig

    gx_data_source: ClassVar[str] = "spark"  # GX's add_spark, one dataframe asset per table

    @property
    def label(self) -> str:
        return f"spark:{self.spark.master}"

    @property
    def identity(self) -> tuple[str, bool]:
        return (f"{self.label} {sorted(self.spark.tables.items())}", False)

    def require(self, *, sqlite_header: bool = True) -> None:
        """Refuse input that cannot work: no pyspark, no Java, a missing Parquet folder (each
        a DbguardError, one line)."""
        self.open().close()

    def sqlalchemy_url(self) -> str:
        raise TypeError("Spark tables have no SQLAlchemy URL: GX reads them as DataFrames")

    def open(self, ignore: Sequence[str] = ()) -> Catalog:
        from dbguard.catalog.spark import SparkCatalog

        return SparkCatalog(self.spark, ignore=ignore)


Source = SqliteFile | PostgresDatabase | SparkTables


def live_source(config: Config) -> Source:
    """The configured live database: never opened for writing."""
    if config.database.is_postgres:
        return PostgresDatabase(config.database, config.postgres.estimate_rows)
    if config.database.is_spark:
        return SparkTables(config.database.spark)
    return SqliteFile(Path(config.database.path))
