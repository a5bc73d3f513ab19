"""The rows that break a rule, named: the table's columns and key, and example rows, read
through the source's catalog (plain sqlite3 or psycopg, not GX)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from dbguard.catalog import Catalog, QueryError, Source
from dbguard.quality.queries import batch_sql

log = logging.getLogger(__name__)

EXAMPLES = 10  # rows or values quoted in a finding


@dataclass(frozen=True)
class TableShape:
    """What a database holds of a table: its columns (none: no such table) and key."""

    table: str
    columns: tuple[str, ...]
    key_columns: tuple[str, ...]

    @property
    def exists(self) -> bool:
        return bool(self.columns)


def table_shape(catalog: Catalog, table: str) -> TableShape:
    """The table's columns and primary-key columns (used to name the rows that break a rule)."""
    columns = catalog.columns(table)
    keyed = sorted((column.primary_key, column.name) for column in columns if column.primary_key)
    return TableShape(
        table, tuple(column.name for column in columns), tuple(name for _, name in keyed)
    )


@dataclass(frozen=True)
class RowExamples:
    """The count and first rows of an unexpected-rows query, read through the catalog."""

    source: Source
    table: str

    def fetch(self, query: str) -> dict[str, Any]:
        sql = batch_sql(query, self.table)
        try:
            with self.source.open() as catalog:
                found = catalog.first_rows(sql, EXAMPLES)
        except QueryError as error:
            log.warning("cannot fetch examples of %r: %s", query, error.message)
            return {}
        return {"observed_value": found.count, "details": {"unexpected_rows": found.rows}}
