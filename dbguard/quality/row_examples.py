"""The rows that break a rule, named: the table's columns and key, and example rows, read with sqlite3."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbguard.database import quote_identifier, read_only_uri
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


def table_shape(database: Path, table: str, *, immutable: bool = False) -> TableShape:
    """The table's columns and primary-key columns (used to name the rows that break a rule)."""
    connection = sqlite3.connect(_uri(database, immutable), uri=True)
    try:
        rows = connection.execute(f"PRAGMA table_info({quote_identifier(table)})").fetchall()
    finally:
        connection.close()
    keyed = sorted((row[5], row[1]) for row in rows if row[5])
    return TableShape(table, tuple(row[1] for row in rows), tuple(name for _, name in keyed))


@dataclass(frozen=True)
class RowExamples:
    """The count and first rows of an unexpected-rows query, read with plain sqlite3."""

    database: Path
    table: str
    immutable: bool

    def fetch(self, query: str) -> dict[str, Any]:
        sql = batch_sql(query, self.table)
        connection = sqlite3.connect(_uri(self.database, self.immutable), uri=True)
        connection.row_factory = sqlite3.Row
        try:
            (count,) = connection.execute(f"SELECT COUNT(*) FROM ({sql})").fetchone()
            rows = connection.execute(f"SELECT * FROM ({sql}) LIMIT {EXAMPLES}").fetchall()
        except sqlite3.Error as error:
            log.warning("cannot fetch examples of %r: %s", query, error)
            return {}
        finally:
            connection.close()
        return {"observed_value": count, "details": {"unexpected_rows": [dict(r) for r in rows]}}


def _uri(database: Path, immutable: bool) -> str:
    return read_only_uri(database) + ("&immutable=1" if immutable else "")
