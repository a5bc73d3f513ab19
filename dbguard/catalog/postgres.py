"""The catalog of a PostgreSQL database's configured schema, read through one read-only
psycopg session (`dbguard.postgres.connection`): pg_catalog for columns and keys."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from dbguard.catalog.base import Catalog, ColumnShape, ForeignKeyShape, QueryError
from dbguard.config import DatabaseConfig
from dbguard.postgres.connection import classify, connect
from dbguard.postgres.readings import row_counts, user_tables
from dbguard.redact import mask_secrets

if TYPE_CHECKING:
    import psycopg

_COLUMNS = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       COALESCE((SELECT k.n FROM pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
                 WHERE i.indrelid = c.oid AND i.indisprimary AND k.attnum = a.attnum), 0)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relname = %s AND c.relkind IN ('r', 'p')
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""

_KEY_NAMES = """ARRAY(SELECT a.attname FROM unnest({keys}) WITH ORDINALITY AS k(attnum, n)
      JOIN pg_attribute a ON a.attrelid = {relation} AND a.attnum = k.attnum {where}
      ORDER BY k.n)"""

_UNIQUE_SETS = f"""
SELECT {_KEY_NAMES.format(keys="i.indkey", relation="i.indrelid", where="WHERE k.n <= i.indnkeyatts")}
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relname = %s
  AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
ORDER BY NOT i.indisprimary, i.indexrelid
"""

# Only parents in the same schema: the reference rules name the parent without a schema.
_FOREIGN_KEYS = f"""
SELECT p.relname,
       {_KEY_NAMES.format(keys="con.conkey", relation="con.conrelid", where="")},
       {_KEY_NAMES.format(keys="con.confkey", relation="con.confrelid", where="")}
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class p ON p.oid = con.confrelid
WHERE con.contype = 'f' AND n.nspname = %s AND c.relname = %s AND p.relnamespace = n.oid
ORDER BY con.conname
"""


class PostgresCatalog(Catalog):
    dialect = "postgresql"

    def __init__(
        self,
        database: DatabaseConfig,
        *,
        ignore: Sequence[str] = (),
        estimate_rows: bool = False,
    ) -> None:
        super().__init__(database.key, ignore)
        self.database = database
        self.schema = database.schema
        self.estimate_rows = estimate_rows
        # A login problem raises PostgresLoginError, a server that does not answer
        # PostgresUnreachable (both DatabaseErrors).
        self.connection: psycopg.Connection = connect(database)

    def close(self) -> None:
        self.connection.close()

    def _failed(self, error: Exception) -> Exception:
        """A lost connection is the server's (PostgresUnreachable); anything else the query's."""
        import psycopg

        if self.connection.broken or isinstance(error, psycopg.OperationalError):
            return classify(error, self.database)
        return QueryError(mask_secrets(" ".join(str(error).split())))

    def _execute(self, sql: str, parameters: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        import psycopg
        from psycopg.pq import TransactionStatus

        try:
            if self.connection.info.transaction_status is TransactionStatus.INTRANS:
                # Inside a snapshot: a savepoint, so one failed query leaves the rest usable.
                with self.connection.transaction():
                    return self.connection.execute(sql, parameters or None)
            return self.connection.execute(sql, parameters or None)
        except psycopg.Error as error:
            raise self._failed(error) from None

    def tables(self) -> list[str]:
        import psycopg

        try:
            return user_tables(self.connection, self.schema, self.ignore)
        except psycopg.Error as error:
            raise self._failed(error) from None

    def columns(self, table: str) -> list[ColumnShape]:
        rows = self._execute(_COLUMNS, (self.schema, table)).fetchall()
        return [
            ColumnShape(
                name=str(name), type=str(kind), not_null=bool(not_null), primary_key=int(key)
            )
            for name, kind, not_null, key in rows
        ]

    def row_counts(
        self, tables: Sequence[str] | None = None, *, exact: bool = False
    ) -> dict[str, int]:
        import psycopg

        chosen = self.tables() if tables is None else list(tables)
        try:
            return row_counts(
                self.connection, self.schema, chosen, estimate=self.estimate_rows and not exact
            )
        except psycopg.Error as error:
            raise self._failed(error) from None

    def unique_sets(self, table: str) -> tuple[tuple[str, ...], ...]:
        rows = self._execute(_UNIQUE_SETS, (self.schema, table)).fetchall()
        return tuple(tuple(names) for (names,) in rows if names)

    def foreign_keys(self, table: str) -> tuple[ForeignKeyShape, ...]:
        rows = self._execute(_FOREIGN_KEYS, (self.schema, table)).fetchall()
        return tuple(
            ForeignKeyShape(tuple(columns), str(parent), tuple(parent_columns))
            for parent, columns, parent_columns in rows
            if columns and len(columns) == len(parent_columns)
        )

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        import psycopg

        cursor = self._execute(sql)
        try:
            rows = cursor.fetchall() if cursor.description else []
        except psycopg.Error as error:
            raise self._failed(error) from None
        names = [column.name for column in cursor.description or ()]
        return names, [tuple(row) for row in rows]

    def size_bytes(self) -> int:
        return int(self.value("SELECT pg_database_size(current_database())") or 0)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        import psycopg

        try:
            with self.connection.transaction():
                self.connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                yield
        except psycopg.Error as error:
            raise self._failed(error) from None
