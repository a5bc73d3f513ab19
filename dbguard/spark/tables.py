"""The configured tables of `[database.spark]` in a session: each read (a Parquet folder or
file, or a table of the session's catalog) and registered as a temporary view by its name,
so suites' SQL (`LEFT JOIN pue_data …`) finds every table, as on SQLite."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dbguard.config.spark import SparkConfig
from dbguard.errors import DatabaseError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


def require_local_paths(spark: SparkConfig) -> None:
    """Every Parquet path on this machine exists: checked before a JVM starts for nothing."""
    for table, source in spark.tables.items():
        if spark.catalog_table(table) is None and "://" not in source and not Path(source).exists():
            raise DatabaseError(
                f"the Parquet data of table {table!r} is missing: {source} does not exist",
                f"check tables.{table} in [database.spark] (a path relative to dbguard.toml)",
            )


def read_table(session: SparkSession, spark: SparkConfig, table: str) -> DataFrame:
    """One configured table as a DataFrame (nothing is read but the Parquet footers)."""
    from pyspark.errors import AnalysisException

    catalog_name = spark.catalog_table(table)
    source = catalog_name or spark.tables[table]
    try:
        if catalog_name is not None:
            return session.table(catalog_name)
        return session.read.parquet(source)
    except AnalysisException as error:
        message = " ".join(str(error).split())[:300]
        raise DatabaseError(
            f"cannot read table {table!r} from {source}: {message}",
            f"check tables.{table} in [database.spark]",
        ) from None


def register_tables(session: SparkSession, spark: SparkConfig) -> dict[str, DataFrame]:
    """Every configured table, registered as a temporary view named after it."""
    require_local_paths(spark)
    frames = {}
    for table in spark.tables:
        frame = read_table(session, spark, table)
        frame.createOrReplaceTempView(table)
        frames[table] = frame
    return frames
