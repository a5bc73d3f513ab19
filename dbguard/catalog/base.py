"""What dbguard reads from a database, whichever engine holds it: the interface both catalogs
implement, and the shapes they return.

Every method reads; none writes. A query that fails is a `QueryError` carrying the engine's
own message (secrets masked); a PostgreSQL server that stops answering is a
`PostgresUnreachable` (the connection rule's 1 / 3 in a row).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar

from dbguard.errors import DatabaseError
from dbguard.rules.schema import ColumnShape

__all__ = ["Catalog", "ColumnShape", "ForeignKeyShape", "QueryError", "QueryRows"]


class QueryError(DatabaseError):
    """A query the database refused (a misspelt column, a missing table, bad SQL, a damaged
    file): the engine's message, one line, secrets masked."""


@dataclass(frozen=True)
class ForeignKeyShape:
    """A declared foreign key: `columns` of the table refer to `parent_columns` of `parent`."""

    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]


@dataclass(frozen=True)
class QueryRows:
    """How many rows a query returns, and the first few of them."""

    count: int
    rows: list[dict[str, Any]]


class Catalog(ABC):
    """A read-only view of one database: its tables (without `[checks] ignore_tables`), their
    columns, keys and row counts, and read-only queries."""

    dialect: ClassVar[str]  # "sqlite" or "postgresql"

    def __init__(self, label: str, ignore: Sequence[str]) -> None:
        self.label = label  # what messages call the database (a PostgreSQL URL masked)
        self.ignore = tuple(ignore)

    def __enter__(self) -> Catalog:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def tables(self) -> list[str]:
        """The tables, sorted, without those `[checks] ignore_tables` names."""

    @abstractmethod
    def columns(self, table: str) -> list[ColumnShape]:
        """The table's columns in order ([] when there is no such table)."""

    @abstractmethod
    def row_counts(
        self, tables: Sequence[str] | None = None, *, exact: bool = False
    ) -> dict[str, int]:
        """Each table's rows (every table by default), read in one snapshot. `exact` counts even
        where the configuration asks for planner estimates (PostgreSQL's estimate_rows)."""

    @abstractmethod
    def unique_sets(self, table: str) -> tuple[tuple[str, ...], ...]:
        """The primary key first, then every full (not partial), column-only unique index."""

    @abstractmethod
    def foreign_keys(self, table: str) -> tuple[ForeignKeyShape, ...]:
        """The declared foreign keys whose parent columns are known and in this schema."""

    @abstractmethod
    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run a read-only query: its column names and every row. Raises QueryError."""

    @abstractmethod
    def size_bytes(self) -> int:
        """The database's size on disk (the file, or pg_database_size)."""

    @abstractmethod
    def snapshot(self) -> AbstractContextManager[None]:
        """One read transaction around several queries (they see one state of the data).
        `row_counts` opens its own: do not call it inside."""

    def primary_key(self, table: str) -> tuple[str, ...]:
        keyed = sorted((column.primary_key, column.name) for column in self.columns(table))
        return tuple(name for position, name in keyed if position)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.query(sql)[1]

    def value(self, sql: str) -> Any:
        """The first column of the first row (None when there is no row)."""
        found = self.rows(sql)
        return found[0][0] if found else None

    def first_rows(self, sql: str, limit: int) -> QueryRows:
        """How many rows `sql` returns, and the first `limit` of them as dicts."""
        count = int(self.value(f"SELECT COUNT(*) FROM ({sql}) AS counted") or 0)
        names, rows = self.query(f"SELECT * FROM ({sql}) AS examples LIMIT {int(limit)}")
        return QueryRows(count, [dict(zip(names, row, strict=True)) for row in rows])

    def problem(self, sql: str) -> str | None:
        """Why `sql` cannot run, found by preparing it (EXPLAIN reads no rows); None if it can."""
        try:
            self.query(f"EXPLAIN {sql}")
        except QueryError as error:
            return error.message
        return None
