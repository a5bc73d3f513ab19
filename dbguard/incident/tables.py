"""How a table of a recovery point lines up with the same table in live: its key, whether its
columns drifted, and whether rowid matching still holds. Shared by `diff` and `repair`.

Both run on one connection whose main database is a scratch or output file and which has
the live database attached read-only as `live` and the point as `point` (open_pair), so
every comparison is SQL over both files (key joins, EXCEPT) and memory stays flat.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from dbguard.database import quote_identifier, read_only_uri, require_database, user_tables
from dbguard.errors import DbguardError

POINT = "point"
LIVE = "live"
ROWID = "rowid"


class DiffError(DbguardError):
    """The point and live cannot be compared row by row (bad input: exit 2)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    pk: int  # 1-based position in the primary key, 0 when not part of it


@dataclass(frozen=True)
class TableShape:
    """A table present in both the point and live with the same columns."""

    name: str
    columns: tuple[str, ...]
    types: tuple[str, ...]
    key: tuple[str, ...]  # primary-key columns, or ("rowid",) for a table without one

    @property
    def by_rowid(self) -> bool:
        return self.key == (ROWID,)

    @property
    def values(self) -> tuple[str, ...]:
        """The columns that are not the key (what a changed row differs in)."""
        return tuple(column for column in self.columns if column not in self.key)


@dataclass(frozen=True)
class Drift:
    """Columns that differ between the point and live: the table is reported, not diffed."""

    added: tuple[str, ...]  # in live only
    removed: tuple[str, ...]  # in the point only
    retyped: tuple[str, ...]  # in both, with another declared type or key position

    def as_json(self) -> dict[str, list[str]]:
        return {
            "added": list(self.added),
            "removed": list(self.removed),
            "retyped": list(self.retyped),
        }


def attach_uri(path: Path) -> str:
    return read_only_uri(path)


def open_pair(
    point: Path,
    live: Path,
    main: Path | None = None,
    timeout: float = 10.0,
    *,
    bad: Path | None = None,
    write_live: bool = False,
) -> sqlite3.Connection:
    """A connection with `main` (a file to write, default an in-memory database) as main, and
    `live`, `point` (and `bad`, the first bad point, when given) attached read-only: nothing
    done on it can write them. Only `write_live` (the repair) attaches live for writing."""
    for path in (point, live, *([bad] if bad else [])):
        require_database(path)
    connection = sqlite3.connect(
        str(main) if main else ":memory:", uri=True, timeout=timeout, isolation_level=None
    )
    connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    live_uri = f"file:{quote(str(live.resolve()))}?mode=rw" if write_live else attach_uri(live)
    connection.execute("ATTACH DATABASE ? AS live", (live_uri,))
    connection.execute("ATTACH DATABASE ? AS point", (attach_uri(point),))
    if bad is not None:
        connection.execute("ATTACH DATABASE ? AS bad", (attach_uri(bad),))
    return connection


def tables_of(connection: sqlite3.Connection, schema: str, ignore: Iterable[str]) -> list[str]:
    return user_tables(connection, ignore, schema=schema)


def columns_of(connection: sqlite3.Connection, schema: str, table: str) -> list[Column]:
    rows = connection.execute(f"PRAGMA {schema}.table_info({quote_identifier(table)})").fetchall()
    return [Column(row[1], str(row[2] or "").upper(), int(row[5])) for row in rows]


def table_sql(connection: sqlite3.Connection, schema: str, table: str) -> str:
    """The CREATE TABLE statement of `table` in `schema`."""
    row = connection.execute(
        f"SELECT sql FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    return str(row[0])


def shape_or_drift(connection: sqlite3.Connection, table: str) -> TableShape | Drift:
    """The table's shape when its columns are the same in the point and live, else its drift."""
    before = columns_of(connection, POINT, table)
    after = columns_of(connection, LIVE, table)
    if [(c.name, c.type, c.pk) for c in before] != [(c.name, c.type, c.pk) for c in after]:
        names_before = {c.name: c for c in before}
        names_after = {c.name: c for c in after}
        return Drift(
            added=tuple(n for n in names_after if n not in names_before),
            removed=tuple(n for n in names_before if n not in names_after),
            retyped=tuple(
                n
                for n, c in names_before.items()
                if n in names_after and (c.type, c.pk) != (names_after[n].type, names_after[n].pk)
            ),
        )
    return shape_of(table, before)


def shape_of(table: str, columns: Sequence[Column]) -> TableShape:
    key = tuple(c.name for c in sorted((c for c in columns if c.pk), key=lambda c: c.pk))
    return TableShape(
        name=table,
        columns=tuple(c.name for c in columns),
        types=tuple(c.type for c in columns),
        key=key or (ROWID,),
    )


def selected(shape: TableShape, alias: str) -> str:
    """`alias.col, …` for every column, with the rowid first for a table matched by it."""
    names = [f"{alias}.{quote_identifier(c)}" for c in shape.columns]
    if shape.by_rowid:
        names.insert(0, f"{alias}.rowid")
    return ", ".join(names)


def column_definitions(shape: TableShape, *labels: str) -> str:
    """The columns of a table that keeps copies of `shape`'s rows (the diff's --out file, the
    repair's undo file): `labels` (TEXT), `_rowid` for a table matched by rowid, then every
    column with its declared type and no constraint."""
    columns = [f"{label} TEXT" for label in labels]
    if shape.by_rowid:
        columns.append("_rowid INTEGER")
    columns += [
        f"{quote_identifier(n)} {t}".strip()
        for n, t in zip(shape.columns, shape.types, strict=True)
    ]
    return ", ".join(columns)


def key_match(shape: TableShape, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{_key(c)} = {right}.{_key(c)}" for c in shape.key)


def values_differ(shape: TableShape, left: str, right: str) -> str:
    """A condition true when a row's non-key values differ (NULL-aware)."""
    if not shape.values:
        return "0"
    return " OR ".join(
        f"{left}.{quote_identifier(c)} IS NOT {right}.{quote_identifier(c)}" for c in shape.values
    )


def key_columns(shape: TableShape, alias: str) -> str:
    return ", ".join(f"{alias}.{_key(c)}" for c in shape.key)


def check_rowids(connection: sqlite3.Connection, shape: TableShape) -> None:
    """For a table matched by rowid: refuse when rows moved to other rowids since the point
    (VACUUM renumbers the rowids of a table without a key), as matching would then pair
    unrelated rows. A row's values that left one rowid and appear at another is the sign."""
    if not shape.by_rowid:
        return
    table = quote_identifier(shape.name)
    values = ", ".join(quote_identifier(c) for c in shape.columns)
    query = f"""
        SELECT COUNT(*) FROM (
          SELECT {values} FROM (
            SELECT rowid AS _r, {values} FROM point.{table}
            EXCEPT SELECT rowid, {values} FROM live.{table})
          INTERSECT
          SELECT {values} FROM (
            SELECT rowid AS _r, {values} FROM live.{table}
            EXCEPT SELECT rowid, {values} FROM point.{table}))
    """
    (moved,) = connection.execute(query).fetchone()
    if moved:
        raise DiffError(
            f"table {shape.name} has no primary key and its rowids were reused since the point:"
            f" {moved} rows now sit at other rowids (a VACUUM renumbers them), so its rows"
            " cannot be matched",
            f"compare {shape.name} by hand, or pick a point taken after the VACUUM;"
            " a primary key on the table avoids this",
        )


def _key(column: str) -> str:
    return column if column == ROWID else quote_identifier(column)
