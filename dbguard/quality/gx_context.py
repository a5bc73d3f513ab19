"""An ephemeral Great Expectations context (no project folder, no progress bars, no network),
and how a source (a SQLite file, a PostgreSQL database, Spark tables) and a table of any name
are addressed in it."""

from __future__ import annotations

import os
from types import ModuleType
from typing import TYPE_CHECKING, Any

from dbguard.catalog import Source, SparkTables, sqlite_read_only_url
from dbguard.heavy_import import import_frozen
from dbguard.quality.queries import whole_table_query

if TYPE_CHECKING:
    from great_expectations.data_context import AbstractDataContext
    from great_expectations.datasource.fluent.interfaces import Batch


def load_great_expectations() -> ModuleType:
    """GX, imported once per process with the garbage collector paused (dbguard.heavy_import).

    Call it before the first GX import of a command: every later `import great_expectations…`
    finds the package loaded."""
    # GX 1.7+ has no analytics left, but older 1.x releases read this before importing anything.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    return import_frozen("great_expectations")


def ephemeral_context() -> AbstractDataContext:
    """A fresh in-memory context. Importing GX costs seconds, so callers create one per run."""
    gx = load_great_expectations()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # TQDM_DISABLE does not reach GX's bars; only the context's own setting does.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


__all__ = [
    "add_data_source",
    "ephemeral_context",
    "source_batch",
    "sqlite_read_only_url",
    "whole_table_batch",
]


def add_data_source(context: AbstractDataContext, name: str, source: Source) -> Any:
    """A GX data source reading `source`, read-only: `add_sqlite` for a file (with `add_sql`,
    stdev fails: GX issue 12165), `add_postgres` for PostgreSQL (one SQLAlchemy engine each),
    `add_spark` for Spark tables (the session dbguard built: GX calls getOrCreate)."""
    if isinstance(source, SparkTables):
        return context.data_sources.add_spark(name)
    add = getattr(context.data_sources, f"add_{source.gx_data_source}")
    return add(name, connection_string=source.sqlalchemy_url())


def source_batch(data_source: Any, asset_name: str, source: Source, table: str) -> Batch:
    """A batch of every row of `table` in `source`: a table asset on SQL engines, a DataFrame
    asset on Spark (the table's DataFrame; `{batch}` becomes GX's temporary view, and the
    other configured tables are views under their own names)."""
    if not isinstance(source, SparkTables):
        return whole_table_batch(data_source, asset_name, table)
    from dbguard.spark.session import spark_session
    from dbguard.spark.tables import read_table

    frame = read_table(spark_session(source.spark), source.spark, table)
    asset = data_source.add_dataframe_asset(name=asset_name)
    definition = asset.add_batch_definition_whole_dataframe("whole-table")
    return definition.get_batch(batch_parameters={"dataframe": frame})


# GX strips these from both ends of a table name before quoting it (GX 1.24,
# sql_datasource.DEFAULT_INITIAL_QUOTE_CHARACTERS and its closing partners).
GX_STRIPPED_FIRST = "\"'`["
GX_STRIPPED_LAST = "\"'`]"


def whole_table_batch(source: Any, asset_name: str, table: str) -> Batch:
    """A batch of every row of `table`, whatever its name (`order`, `it's`, `a.b`, `we"ird`).

    GX quotes a table name given in double quotes; a plain name is sent unquoted, so a
    keyword, a space or a dot breaks it (measured with GX 1.24.1). A name GX would strip
    (one starting or ending with a quote or bracket) becomes a query asset with the name
    quoted by us; a query asset cannot check column types (GX reads them from the table).
    """
    if table and table[0] not in GX_STRIPPED_FIRST and table[-1] not in GX_STRIPPED_LAST:
        asset = source.add_table_asset(name=asset_name, table_name=f'"{table}"')
    else:
        asset = source.add_query_asset(name=asset_name, query=whole_table_query(table))
    return asset.add_batch_definition_whole_table("whole-table").get_batch()
