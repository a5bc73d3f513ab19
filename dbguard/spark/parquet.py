"""A SQLite file's tables written as Parquet folders, through Spark itself (no pyarrow): each
table is exported as JSON lines (exact nulls, exact doubles), read by Spark with a schema
from the declared column types, and written as `FOLDER/<table>/`. For the demo and the
benchmarks; dbguard never writes Parquet it did not make."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from dbguard.database import quote_identifier, user_tables

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def spark_type(declared: str) -> str:
    """SQLite's type affinity rules (https://sqlite.org/datatype3.html), in Spark's words."""
    declared = declared.upper()
    if "INT" in declared:
        return "BIGINT"
    if any(word in declared for word in ("CHAR", "CLOB", "TEXT")) or not declared:
        return "STRING"
    return "DOUBLE"


def table_schema(connection: sqlite3.Connection, table: str) -> str:
    """The Spark DDL of a SQLite table's columns (`id BIGINT, site STRING, …`)."""
    columns = connection.execute(f"PRAGMA table_info({quote_identifier(table)})").fetchall()
    return ", ".join(
        f"`{name.replace('`', '``')}` {spark_type(str(kind or ''))}"
        for _, name, kind, *_ in columns
    )


def sqlite_to_parquet(
    session: SparkSession,
    database: Path,
    folder: Path,
    tables: Sequence[str] | None = None,
    *,
    batch_rows: int = 100_000,
) -> dict[str, Path]:
    """Write each table (every user table by default) to `folder/<table>`, replacing what a
    previous call wrote there; the folders by table name."""
    written: dict[str, Path] = {}
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        chosen = list(tables) if tables is not None else user_tables(connection, ())
        for table in chosen:
            schema = table_schema(connection, table)
            with tempfile.TemporaryDirectory(prefix="dbguard-parquet-") as scratch:
                lines = Path(scratch) / f"{len(written)}.jsonl"
                cursor = connection.execute(f"SELECT * FROM {quote_identifier(table)}")
                names = [column[0] for column in cursor.description]
                with lines.open("w", encoding="utf-8") as out:
                    while rows := cursor.fetchmany(batch_rows):
                        out.writelines(
                            json.dumps(dict(zip(names, row, strict=True))) + "\n" for row in rows
                        )
                target = Path(folder) / table
                frame = session.read.schema(schema).json(str(lines))
                frame.write.mode("overwrite").parquet(str(target))
            written[table] = target
    return written
