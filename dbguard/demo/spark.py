"""`dbguard demo --spark`: the demo's tables written as Parquet and checked on a local Spark
session: the same rows as the SQLite demo, so the same suite files check both."""

from __future__ import annotations

import dataclasses
import sqlite3
from contextlib import closing
from pathlib import Path

from dbguard.config import Config
from dbguard.config.spark import SparkConfig
from dbguard.database import quote_identifier, user_tables
from dbguard.demo.database import build_demo_database

LOCAL_MASTER = "local[2]"


def sqlite_keys(database: Path) -> dict[str, tuple[str, ...]]:
    """Each table's primary-key columns, the keys Spark needs to name failing rows."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        keys = {}
        for table in user_tables(connection, ()):
            rows = connection.execute(f"PRAGMA table_info({quote_identifier(table)})").fetchall()
            keys[table] = tuple(row[1] for row in sorted(rows, key=lambda r: r[5]) if row[5])
        return keys


def demo_spark_config(config: Config, demo_dir: Path, master: str = LOCAL_MASTER) -> Config:
    """`config` reading the demo's Parquet folders in `demo_dir/parquet` with Spark."""
    folder = demo_dir.expanduser().resolve() / "parquet"
    keys = sqlite_keys(demo_dir.expanduser().resolve() / "db.sqlite3")
    spark = SparkConfig(
        master=master,
        tables={table: str(folder / table) for table in keys},
        keys=keys,
        conf=dict(config.database.spark.conf),
    )
    database = dataclasses.replace(config.database, url="", spark=spark)
    return dataclasses.replace(config, database=database)


def write_demo_parquet(config: Config, demo_dir: Path) -> dict[str, Path]:
    """Build the demo database in `demo_dir`, then write its tables as Parquet beside it."""
    from dbguard.spark.parquet import sqlite_to_parquet
    from dbguard.spark.session import spark_session

    demo_dir = demo_dir.expanduser().resolve()
    database = build_demo_database(demo_dir / "db.sqlite3")
    session = spark_session(config.database.spark)
    return sqlite_to_parquet(session, database, demo_dir / "parquet")
