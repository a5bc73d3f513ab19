"""The loss assessment (`incident diff`): row by row, table by table, what differs between a
recovery point (a plain SQLite file) and live.

Each row of a table present in both is `deleted` (in the point, not in live), `changed` (in
both under the same key, other values) or `inserted` (in live only). Rows are matched by
primary key, else by rowid (refused when the rowids were reused: tables.check_rowids). A
table whose columns changed is reported as drift, not diffed. A table of the point that
live lacks is `dropped` (every row deleted); a table only in live is `new`.

All the work is SQL on one connection with both files attached read-only (key joins,
EXCEPT): counts are COUNT(*), rows are streamed, so memory stays flat however many rows
there are. Only `keys=True` (for --json) keeps every deleted and changed key. Live is read
in one read transaction: one consistent state, and never written.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from dbguard.database import quote_identifier
from dbguard.incident.diff_queries import changed_query, deleted_query, inserted_query
from dbguard.incident.diff_result import DIFFED, DROPPED, NEW, ChangedRow, Diff, TableDiff
from dbguard.incident.tables import (
    DiffError,
    Drift,
    TableShape,
    check_rowids,
    column_definitions,
    columns_of,
    key_columns,
    open_pair,
    selected,
    shape_of,
    shape_or_drift,
    tables_of,
)


def diff_databases(
    point: Path,
    live: Path,
    ignore: Iterable[str],
    *,
    sample: int = 5,
    keys: bool = False,
    out: Path | None = None,
    timeout: float = 10.0,
) -> Diff:
    """Compare `point` with `live`. With `out`, every deleted and changed row (all columns;
    changed rows before and after) is written to that new SQLite file (atomic rename)."""
    patterns = tuple(ignore)
    if out is not None and out.exists():
        raise DiffError(f"{out} exists already", "pass --out with the name of a new file")
    temporary = out.with_name(f".{out.name}.tmp-{os.getpid()}") if out else None
    connection = open_pair(point, live, temporary, timeout)
    try:
        connection.execute("BEGIN")
        result = _diff(connection, point, live, patterns, sample, keys, temporary is not None)
        connection.execute("COMMIT")
    except BaseException:
        connection.close()
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise
    connection.close()
    if temporary is not None and out is not None:
        os.replace(temporary, out)
    return result


def _diff(
    connection: sqlite3.Connection,
    point: Path,
    live: Path,
    ignore: tuple[str, ...],
    sample: int,
    keys: bool,
    write: bool,
) -> Diff:
    in_point = tables_of(connection, "point", ignore)
    in_live = set(tables_of(connection, "live", ignore))
    tables: dict[str, TableDiff] = {}
    drift: dict[str, Drift] = {}
    for name in in_point:
        if name not in in_live:
            shape = shape_of(name, columns_of(connection, "point", name))
            tables[name] = _dropped(connection, shape, sample, keys, write)
            continue
        found = shape_or_drift(connection, name)
        if isinstance(found, Drift):
            drift[name] = found
            continue
        check_rowids(connection, found)
        tables[name] = _table(connection, found, sample, keys, write)
    for name in sorted(in_live - set(in_point)):
        (count,) = connection.execute(
            f"SELECT COUNT(*) FROM live.{quote_identifier(name)}"
        ).fetchone()
        tables[name] = TableDiff(
            name, NEW, (), {"deleted": 0, "changed": 0, "inserted": int(count)}
        )
    return Diff(point, live, tables, drift)


def _table(
    connection: sqlite3.Connection, shape: TableShape, sample: int, keys: bool, write: bool
) -> TableDiff:
    count = _counter(connection)
    result = TableDiff(
        shape.name,
        DIFFED,
        shape.key,
        {
            "deleted": count(deleted_query(shape, "1")),
            "changed": count(changed_query(shape, "1")),
            "inserted": count(inserted_query(shape, "1")),
        },
    )
    names = _names(shape)
    rows = f"{selected(shape, 'p')}, {selected(shape, 'l')}"
    order = f" ORDER BY {key_columns(shape, 'p')}"
    for before_after in connection.execute(changed_query(shape, rows) + order + f" LIMIT {sample}"):
        before, after = before_after[: len(names)], before_after[len(names) :]
        result.changed_rows.append(
            ChangedRow(
                {k: before[names.index(k)] for k in shape.key},
                {n: (b, a) for n, b, a in zip(names, before, after, strict=True) if b != a},
            )
        )
    result.deleted_rows = _rows(
        connection, deleted_query(shape, selected(shape, "p")) + order, names, sample
    )
    result.inserted_rows = _rows(
        connection,
        inserted_query(shape, selected(shape, "l")) + f" ORDER BY {key_columns(shape, 'l')}",
        names,
        sample,
    )
    if keys:
        result.deleted_keys = list(_keys(connection, deleted_query(shape, key_columns(shape, "p"))))
        result.changed_keys = list(_keys(connection, changed_query(shape, key_columns(shape, "p"))))
    if write:
        _write(
            connection,
            shape,
            "deleted",
            deleted_query(shape, f"'deleted', 'point', {selected(shape, 'p')}"),
        )
        _write(
            connection,
            shape,
            "changed",
            changed_query(shape, f"'changed', 'point', {selected(shape, 'p')}"),
        )
        connection.execute(
            f"INSERT INTO main.{quote_identifier(shape.name)} "
            + changed_query(shape, f"'changed', 'live', {selected(shape, 'l')}")
        )
    return result


def _dropped(
    connection: sqlite3.Connection, shape: TableShape, sample: int, keys: bool, write: bool
) -> TableDiff:
    table = f"point.{quote_identifier(shape.name)}"
    names = _names(shape)
    (count,) = connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    result = TableDiff(
        shape.name, DROPPED, shape.key, {"deleted": int(count), "changed": 0, "inserted": 0}
    )
    everything = (
        f"SELECT {selected(shape, 'p')} FROM {table} AS p ORDER BY {key_columns(shape, 'p')}"
    )
    result.deleted_rows = _rows(connection, everything, names, sample)
    if keys:
        result.deleted_keys = list(
            _keys(connection, f"SELECT {key_columns(shape, 'p')} FROM {table} AS p")
        )
    if write:
        _write(
            connection,
            shape,
            "deleted",
            f"SELECT 'deleted', 'point', {selected(shape, 'p')} FROM {table} AS p",
        )
    return result


def _write(connection: sqlite3.Connection, shape: TableShape, kind: str, query: str) -> None:
    """Rows of `shape` into the output file's table of the same name: `_kind`, `_side`
    (point: the values at the point; live: the values now), then every column."""
    table = f"main.{quote_identifier(shape.name)}"
    if kind == "deleted":  # the first write for this table creates it
        connection.execute(f"CREATE TABLE {table} ({column_definitions(shape, '_kind', '_side')})")
    connection.execute(f"INSERT INTO {table} {query}")


def _names(shape: TableShape) -> list[str]:
    return (["rowid"] if shape.by_rowid else []) + list(shape.columns)


def _rows(
    connection: sqlite3.Connection, query: str, names: list[str], limit: int
) -> list[dict[str, Any]]:
    return [
        dict(zip(names, row, strict=True)) for row in connection.execute(f"{query} LIMIT {limit}")
    ]


def _keys(connection: sqlite3.Connection, query: str) -> Iterator[Any]:
    for row in connection.execute(query):
        yield row[0] if len(row) == 1 else list(row)


def _counter(connection: sqlite3.Connection) -> Any:
    def count(query: str) -> int:
        (value,) = connection.execute(f"SELECT COUNT(*) FROM ({query})").fetchone()
        return int(value)

    return count
