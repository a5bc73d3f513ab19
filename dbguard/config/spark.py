"""`[database] spark`: the same suites on Apache Spark tables (a Parquet folder or file, or a
table of the Spark session's catalog), with the key columns that name failing rows.

    [database.spark]
    master = "local[2]"
    tables = { orders = "lake/orders", customers = "catalog:sales.customers" }
    keys = { orders = "id", customers = ["region", "id"] }
    conf = { "spark.executor.memory" = "2g" }

A table's source is a path (relative to dbguard.toml; `s3a://…`, `hdfs://…` pass through) or,
prefixed `catalog:`, a table already in the session's catalog.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbguard.errors import ConfigError

CATALOG_PREFIX = "catalog:"
EXAMPLE = '[database.spark] tables = { orders = "lake/orders" } and keys = { orders = "id" }'


@dataclass(frozen=True)
class SparkConfig:
    master: str = ""  # local[N], spark://host:7077, yarn; "" means no Spark source
    tables: dict[str, str] = field(default_factory=dict)  # name -> Parquet path or catalog:name
    keys: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> key columns
    conf: dict[str, str] = field(default_factory=dict)  # extra Spark settings

    @property
    def enabled(self) -> bool:
        return bool(self.master or self.tables)

    def catalog_table(self, table: str) -> str | None:
        """The session catalog's table name when `table` is one, else None (a Parquet path)."""
        source = self.tables[table]
        return source[len(CATALOG_PREFIX) :] if source.startswith(CATALOG_PREFIX) else None


def parse_mapping(raw: Any, name: str, where: str, base: Path) -> dict[str, Any]:
    """One of the section's maps, checked: tables (paths resolved against `base`), keys (a
    column or a list of columns), conf (strings, numbers or booleans, sent as strings)."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{name} in {where} must be a table", f"write it as {EXAMPLE}")
    parsed: dict[str, Any] = {}
    for key, value in raw.items():
        if name == "keys":
            columns = [value] if isinstance(value, str) else value
            if (
                not isinstance(columns, list)
                or not columns
                or not all(isinstance(column, str) and column for column in columns)
            ):
                raise ConfigError(
                    f"keys.{key} in {where} must be a column name or a list of them",
                    f'write keys = {{ {key} = "id" }}',
                )
            parsed[key] = tuple(columns)
        elif name == "conf":
            if isinstance(value, dict | list):
                raise ConfigError(
                    f"conf.{key!r} in {where} must be a string, a number or true/false",
                    f'write conf = {{ "{key}" = "…" }}',
                )
            parsed[key] = str(value).lower() if isinstance(value, bool) else str(value)
        else:
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(
                    f"tables.{key} in {where} must be a Parquet path or catalog:name",
                    f"write it as {EXAMPLE}",
                )
            parsed[key] = _source(value, base)
    return parsed


def _source(value: str, base: Path) -> str:
    if value.startswith(CATALOG_PREFIX) or "://" in value:
        return value
    return str((base / Path(value).expanduser()).resolve())


def check_spark(spark: SparkConfig, where: str, *, postgres: bool) -> None:
    """A Spark section that cannot work: no tables, a table without a key, a PostgreSQL URL
    beside it."""
    if not spark.enabled:
        return
    if postgres:
        raise ConfigError(
            f"{where} [database] sets both url and spark",
            "keep url for PostgreSQL or [database.spark] for Spark",
        )
    if not spark.tables:
        raise ConfigError(f"{where} [database.spark] names no tables", f"write {EXAMPLE}")
    if not spark.master:
        raise ConfigError(
            f"{where} [database.spark] has no master",
            'write master = "local[2]" (or a spark:// URL, or "yarn")',
        )
    missing = sorted(set(spark.tables) - set(spark.keys))
    if missing:
        raise ConfigError(
            f"table {missing[0]!r} in {where} [database.spark] has no key: Spark has no primary"
            " keys, and dbguard needs one to name failing rows",
            f'add keys = {{ {missing[0]} = "id" }} (a column or a list of columns)',
        )
    stray = sorted(set(spark.keys) - set(spark.tables))
    if stray:
        raise ConfigError(
            f"keys.{stray[0]} in {where} [database.spark] names no configured table",
            f"add it to tables or remove keys.{stray[0]}",
        )
