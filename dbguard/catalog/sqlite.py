"""The catalog of a SQLite file, opened read-only: PRAGMAs for columns and keys."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dbguard.catalog.base import Catalog, ColumnShape, ForeignKeyShape, QueryError
from dbguard.database import (
    connect_read_only,
    quote_identifier,
    row_counts,
    user_tables,
)
from dbguard.redact import mask_secrets


class SqliteCatalog(Catalog):
    dialect = "sqlite"

    def __init__(
        self,
        path: Path,
        *,
        immutable: bool = False,
        ignore: Sequence[str] = (),
        timeout: float = 5.0,
    ) -> None:
        super().__init__(str(path), ignore)
        self.path = Path(path)
        # A missing file or one that is not SQLite raises DatabaseError / NotSQLiteError here.
        self.connection = connect_read_only(self.path, timeout, immutable=immutable)

    def close(self) -> None:
        self.connection.close()

    def _execute(self, sql: str, *parameters: Any) -> sqlite3.Cursor:
        try:
            return self.connection.execute(sql, parameters)
        except sqlite3.Error as error:
            raise QueryError(mask_secrets(" ".join(str(error).split()))) from None

    def tables(self) -> list[str]:
        try:
            return user_tables(self.connection, self.ignore)
        except sqlite3.Error as error:
            raise QueryError(f"{self.label}: {error}") from None

    def columns(self, table: str) -> list[ColumnShape]:
        rows = self._execute(f"PRAGMA table_info({quote_identifier(table)})").fetchall()
        return [
            ColumnShape(
                name=str(row[1]),
                type=str(row[2] or ""),
                not_null=bool(row[3]),
                primary_key=int(row[5]),
            )
            for row in rows
        ]

    def row_counts(
        self, tables: Sequence[str] | None = None, *, exact: bool = False
    ) -> dict[str, int]:
        try:
            chosen = None if tables is None else list(tables)
            return row_counts(self.connection, chosen, ignore=self.ignore)
        except sqlite3.Error as error:
            raise QueryError(f"{self.label}: {error}") from None

    def unique_sets(self, table: str) -> tuple[tuple[str, ...], ...]:
        primary_key = self.primary_key(table)
        sets: list[tuple[str, ...]] = [primary_key] if primary_key else []
        for index in self._execute(f"PRAGMA index_list({quote_identifier(table)})").fetchall():
            _, name, unique, _origin, partial = index[:5]
            if not unique or partial:
                continue
            info = self._execute(f"PRAGMA index_info({quote_identifier(name)})").fetchall()
            if any(row[1] is None or row[1] < 0 for row in info):  # an expression or the rowid
                continue
            names = tuple(str(row[2]) for row in sorted(info))
            if names and names not in sets:
                sets.append(names)
        return tuple(sets)

    def foreign_keys(self, table: str) -> tuple[ForeignKeyShape, ...]:
        groups: dict[int, list[Any]] = {}
        for row in self._execute(f"PRAGMA foreign_key_list({quote_identifier(table)})"):
            groups.setdefault(int(row[0]), []).append(row)
        keys = []
        for rows in groups.values():
            rows.sort(key=lambda row: row[1])
            parent = str(rows[0][2])
            columns = tuple(str(row[3]) for row in rows)
            parent_columns = tuple(str(row[4]) for row in rows if row[4] is not None)
            if len(parent_columns) != len(columns):  # REFERENCES parent: its primary key
                parent_columns = self.primary_key(parent)
            if len(parent_columns) != len(columns):
                continue  # a parent without such a key: nothing portable to check against
            keys.append(ForeignKeyShape(columns, parent, parent_columns))
        return tuple(keys)

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        cursor = self._execute(sql)
        try:
            rows = cursor.fetchall()
        except sqlite3.Error as error:
            raise QueryError(mask_secrets(" ".join(str(error).split()))) from None
        names = [str(column[0]) for column in cursor.description or ()]
        return names, [tuple(row) for row in rows]

    def size_bytes(self) -> int:
        return self.path.stat().st_size

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        self._execute("BEGIN")
        try:
            yield
        finally:
            self.connection.rollback()
