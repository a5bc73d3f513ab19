"""Spark in tests: whether it can run here, the demo's tables as Parquet (optionally broken
first, as the SQLite fault scenarios break them), and a dbguard.toml reading them."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from dbguard.check_run import PROJECT_ROOT
from dbguard.config.spark import SparkConfig
from dbguard.demo.spark import sqlite_keys
from dbguard.spark.session import unavailable_reason

__all__ = ["MASTER", "SPARK_GROUP", "unavailable_reason"]

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MASTER = "local[1]"
SPARK_GROUP = "spark"  # the xdist group of every Spark test: one worker, one JVM


def spark_tables(folder: Path, keys: dict[str, tuple[str, ...]]) -> SparkConfig:
    return SparkConfig(
        master=MASTER,
        tables={table: str(folder / table) for table in keys},
        keys=keys,
    )


def broken_parquet(
    session: SparkSession,
    template: Path,
    folder: Path,
    mutate: Callable[[sqlite3.Connection], None] | None = None,
) -> tuple[Path, SparkConfig]:
    """A copy of the demo database `template` in `folder`, changed by `mutate`, and its tables
    as Parquet in `folder/parquet`: the SQLite file and the Spark tables hold the same rows."""
    from dbguard.spark.parquet import sqlite_to_parquet

    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "db.sqlite3"
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(database)) as copy:
        source.backup(copy)
    if mutate is not None:
        with closing(sqlite3.connect(database)) as connection, connection:
            mutate(connection)
    sqlite_to_parquet(session, database, folder / "parquet")
    return database, spark_tables(folder / "parquet", sqlite_keys(database))


def write_spark_config(
    folder: Path, spark: SparkConfig, *, expectations: Path | None = None
) -> Path:
    """A dbguard.toml for `spark` whose reports and history stay inside `folder`."""
    expectations = expectations or PROJECT_ROOT / "expectations"
    tables = ", ".join(f"{json.dumps(t)} = {json.dumps(s)}" for t, s in spark.tables.items())
    keys = ", ".join(f"{json.dumps(t)} = {json.dumps(list(k))}" for t, k in spark.keys.items())
    path = folder / "dbguard.toml"
    path.write_text(
        "[database.spark]\n"
        f"master = {json.dumps(spark.master)}\n"
        f"tables = {{ {tables} }}\n"
        f"keys = {{ {keys} }}\n"
        "[checks]\n"
        f"expectations_dir = {json.dumps(str(expectations))}\n"
        "[reports]\n"
        'dir = "reports"\n'
        'history = "reports/history.sqlite3"\n'
        'logs_dir = "logs"\n'
        "[backup]\n"
        'dir = "backups"\n'
    )
    return path


def copy_suites(folder: Path) -> Path:
    """The project's suites copied into `folder/expectations` (for runs that rewrite them)."""
    target = folder / "expectations"
    shutil.copytree(PROJECT_ROOT / "expectations", target)
    return target
