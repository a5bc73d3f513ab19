"""The catalog of `[database.spark]`'s tables, read through the SparkSession dbguard builds
(`dbguard.spark`): columns from each DataFrame's schema, keys from the configuration (Spark
has none of its own), counts and queries as Spark SQL jobs. Nothing is collected to this
machine but aggregates and the few example rows of a finding."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbguard.catalog.base import Catalog, ColumnShape, ForeignKeyShape, QueryError
from dbguard.config.spark import SparkConfig
from dbguard.database import kept_tables
from dbguard.redact import mask_secrets
from dbguard.spark.session import require_pyspark, spark_session
from dbguard.spark.tables import register_tables, require_local_paths

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def spark_quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


class SparkCatalog(Catalog):
    dialect = "spark"

    def __init__(self, spark: SparkConfig, *, ignore: Sequence[str] = ()) -> None:
        super().__init__(f"spark:{spark.master}", ignore)
        self.spark = spark
        require_pyspark()
        require_local_paths(spark)
        # No Java, no pyspark, or a missing Parquet folder raises a DbguardError here.
        self.session = spark_session(spark)
        self.frames: dict[str, DataFrame] = register_tables(self.session, spark)

    def close(self) -> None:
        """The session stays: a JVM costs seconds to start, and GX validates in it."""

    def tables(self) -> list[str]:
        return sorted(kept_tables(self.frames, self.ignore))

    def columns(self, table: str) -> list[ColumnShape]:
        frame = self.frames.get(table)
        if frame is None:
            return []
        keys = self.spark.keys.get(table, ())
        return [
            ColumnShape(
                name=column.name,
                type=column.dataType.simpleString(),
                not_null=not column.nullable,
                primary_key=keys.index(column.name) + 1 if column.name in keys else 0,
            )
            for column in frame.schema.fields
        ]

    def row_counts(
        self, tables: Sequence[str] | None = None, *, exact: bool = False
    ) -> dict[str, int]:
        chosen = self.tables() if tables is None else list(tables)
        if not chosen:
            return {}
        # One job for every table: a UNION ALL of counts.
        sql = " UNION ALL ".join(
            f"SELECT {position} AS position, COUNT(*) AS n FROM {spark_quote(table)}"
            for position, table in enumerate(chosen)
        )
        counts = dict(self.rows(sql))
        return {table: int(counts[position]) for position, table in enumerate(chosen)}

    def unique_sets(self, table: str) -> tuple[tuple[str, ...], ...]:
        keys = self.spark.keys.get(table, ())
        return (keys,) if keys and table in self.frames else ()

    def foreign_keys(self, table: str) -> tuple[ForeignKeyShape, ...]:
        return ()  # Spark declares none; suites state references as unexpected-rows queries

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        try:
            frame = self.session.sql(sql)
            rows = frame.collect()
        except Exception as error:  # pyspark's AnalysisException, ParseException, runtime errors
            raise QueryError(_message(error)) from None
        return list(frame.columns), [tuple(row) for row in rows]

    def problem(self, sql: str) -> str | None:
        """Why `sql` cannot run: Spark analyses a query when it is defined, reading no rows."""
        try:
            self.session.sql(sql)
        except Exception as error:
            return _message(error)
        return None

    def size_bytes(self) -> int:
        """The Parquet files' bytes on this machine's file system (0 for remote storage)."""
        total = 0
        for table in self.spark.tables:
            source = self.spark.tables[table]
            if self.spark.catalog_table(table) is None and "://" not in source:
                total += _disk_bytes(Path(source))
        return total

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        yield  # each query reads the files as they are; Parquet files are written whole


def _disk_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    total = 0
    for folder, _, names in os.walk(path):
        total += sum((Path(folder) / name).stat().st_size for name in names)
    return total


def _message(error: BaseException) -> str:
    """The engine's message, one line: pyspark's errors carry the JVM's stack below it."""
    lines = str(error).strip().splitlines()  # the first line; then the plan and the JVM's stack
    return mask_secrets(" ".join(lines[0].split())[:500]) if lines else type(error).__name__
