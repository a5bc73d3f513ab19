"""Profile one table of the live database, read-only: its schema from PRAGMAs, then one
aggregate pass over its rows (counts, nulls, distinct values, minimum and maximum, value
types and lengths, and how many values fit each known format), all in one read
transaction. Two small follow-up queries run only where needed: the distinct values of
the few low-cardinality text columns, and the orphan count of each foreign key.

Profiling is SQLite's own (PRAGMAs, typeof, GLOB); what it proposes is portable.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from dbguard.database import quote_identifier
from dbguard.quality.formats import FORMATS, looks_like_time

EMPTY: tuple[str, ...] = ()


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    declared_type: str
    not_null: bool  # declared NOT NULL
    primary_key: int  # position in the primary key, 0 when not part of it
    non_null: int = 0
    distinct: int = 0
    minimum: Any = None
    maximum: Any = None
    numbers: int = 0  # values stored as integer or real
    integers: int = 0
    texts: int = 0
    min_length: int | None = None
    max_length: int | None = None
    formats: dict[str, int] = field(default_factory=dict)  # format name -> matching values
    distinct_hours: int | None = None  # for time-like columns: distinct YYYY-MM-DDTHH prefixes
    values: tuple[Any, ...] | None = None  # every distinct value, for low-cardinality text

    def all_numbers(self) -> bool:
        return self.non_null > 0 and self.numbers == self.non_null

    def all_text(self) -> bool:
        return self.non_null > 0 and self.texts == self.non_null

    def format_of_all(self) -> str | None:
        """The first known format every non-null value has, if any."""
        for name, count in self.formats.items():
            if self.non_null and count == self.non_null:
                return name
        return None


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]
    orphans: int | None  # child rows whose key has no parent row now; None: unreadable parent


@dataclass(frozen=True)
class TableProfile:
    table: str
    rows: int
    columns: tuple[ColumnProfile, ...]
    unique_sets: tuple[tuple[str, ...], ...]  # primary key and UNIQUE indexes, declared
    foreign_keys: tuple[ForeignKey, ...]
    primary_key: tuple[str, ...]

    def column(self, name: str) -> ColumnProfile:
        return next(column for column in self.columns if column.name == name)


def profile_table(
    connection: sqlite3.Connection, table: str, *, in_set_max_distinct: int, in_set_max_length: int
) -> TableProfile:
    """The profile of `table`; the caller's connection is read-only."""
    connection.execute("BEGIN")
    try:
        declared = connection.execute(f"PRAGMA table_info({quote_identifier(table)})").fetchall()
        primary_key = tuple(
            name for _, name in sorted((row[5], row[1]) for row in declared if row[5])
        )
        rows, columns = _aggregate(connection, table, declared)
        columns = _with_values(connection, table, columns, in_set_max_distinct, in_set_max_length)
        unique_sets = _unique_sets(connection, table, primary_key)
        foreign_keys = _foreign_keys(connection, table)
    finally:
        connection.rollback()
    return TableProfile(table, rows, tuple(columns), unique_sets, foreign_keys, primary_key)


def affinity(declared_type: str) -> str:
    """SQLite's column affinity for a declared type (https://sqlite.org/datatype3.html)."""
    kind = declared_type.upper()
    if "INT" in kind:
        return "integer"
    if any(word in kind for word in ("CHAR", "CLOB", "TEXT")):
        return "text"
    if not kind or "BLOB" in kind:
        return "blob"
    if any(word in kind for word in ("REAL", "FLOA", "DOUB")):
        return "real"
    return "numeric"


def _statistics(column: str, declared_type: str, time_like: bool, rowid: bool) -> dict[str, str]:
    """The aggregates one column needs, by name. A REAL column skips the distinct count
    (no rule uses it for measurements), so does the rowid (distinct by definition), and
    numeric columns skip the text statistics: on a million rows each expression costs a
    noticeable share of the pass."""
    kind = affinity(declared_type)
    stats = {
        "non_null": f"COUNT({column})",
        "minimum": f"MIN({column})",
        "maximum": f"MAX({column})",
        "numbers": f"SUM(typeof({column}) IN ('integer', 'real'))",
        "integers": f"SUM(typeof({column}) = 'integer')",
        "texts": f"SUM(typeof({column}) = 'text')",
    }
    if rowid:
        stats["distinct"] = f"COUNT({column})"
    elif kind != "real":
        stats["distinct"] = f"COUNT(DISTINCT {column})"
    if kind not in ("integer", "real"):
        stats["min_length"] = f"MIN(CASE WHEN typeof({column}) = 'text' THEN length({column}) END)"
        stats["max_length"] = f"MAX(CASE WHEN typeof({column}) = 'text' THEN length({column}) END)"
        for spec in FORMATS:
            stats[f"format:{spec.name}"] = f"SUM({column} GLOB '{spec.glob}')"
        if time_like:
            stats["distinct_hours"] = f"COUNT(DISTINCT substr({column}, 1, 13))"
    return stats


def _aggregate(
    connection: sqlite3.Connection, table: str, declared: list[Any]
) -> tuple[int, list[ColumnProfile]]:
    """One SELECT over the whole table computing every column's statistics."""
    keys = [row for row in declared if row[5]]
    wanted = [
        _statistics(
            quote_identifier(row[1]),
            str(row[2] or ""),
            looks_like_time(row[1], row[2]),
            rowid=len(keys) == 1 and row[5] == 1 and str(row[2]).upper() == "INTEGER",
        )
        for row in declared
    ]
    parts = ["COUNT(*)", *(expression for stats in wanted for expression in stats.values())]
    values = iter(
        connection.execute(f"SELECT {', '.join(parts)} FROM {quote_identifier(table)}").fetchone()
    )
    rows = int(next(values))
    columns = []
    for row, stats in zip(declared, wanted, strict=True):
        seen = {name: next(values) for name in stats}
        columns.append(
            ColumnProfile(
                name=str(row[1]),
                declared_type=str(row[2] or ""),
                not_null=bool(row[3]),
                primary_key=int(row[5]),
                non_null=int(seen["non_null"]),
                distinct=int(seen.get("distinct") or 0),
                minimum=seen["minimum"],
                maximum=seen["maximum"],
                numbers=int(seen["numbers"] or 0),
                integers=int(seen["integers"] or 0),
                texts=int(seen["texts"] or 0),
                min_length=seen.get("min_length"),
                max_length=seen.get("max_length"),
                formats={spec.name: int(seen.get(f"format:{spec.name}") or 0) for spec in FORMATS},
                distinct_hours=(
                    int(seen["distinct_hours"] or 0) if "distinct_hours" in seen else None
                ),
            )
        )
    return rows, columns


def _with_values(
    connection: sqlite3.Connection,
    table: str,
    columns: list[ColumnProfile],
    max_distinct: int,
    max_length: int,
) -> list[ColumnProfile]:
    """The distinct values of low-cardinality text columns, in one UNION ALL query."""
    wanted = [
        index
        for index, column in enumerate(columns)
        if column.all_text()
        and column.distinct <= max_distinct
        and (column.max_length or 0) <= max_length
    ]
    if not wanted:
        return columns
    quoted_table = quote_identifier(table)
    selects = [
        f"SELECT {index}, v FROM (SELECT DISTINCT {quote_identifier(columns[index].name)} AS v"
        f" FROM {quoted_table} WHERE {quote_identifier(columns[index].name)} IS NOT NULL)"
        for index in wanted
    ]
    found: dict[int, list[Any]] = {index: [] for index in wanted}
    for index, value in connection.execute(" UNION ALL ".join(selects)):
        found[int(index)].append(value)
    updated = list(columns)
    for index, values in found.items():
        updated[index] = _replace(columns[index], values=tuple(sorted(values, key=str)))
    return updated


def _replace(column: ColumnProfile, **changes: Any) -> ColumnProfile:
    from dataclasses import replace

    return replace(column, **changes)


def _unique_sets(
    connection: sqlite3.Connection, table: str, primary_key: tuple[str, ...]
) -> tuple[tuple[str, ...], ...]:
    """The primary key and every full (not partial), column-only UNIQUE index."""
    sets: list[tuple[str, ...]] = [primary_key] if primary_key else []
    for index in connection.execute(f"PRAGMA index_list({quote_identifier(table)})").fetchall():
        _, name, unique, _origin, partial = index[:5]
        if not unique or partial:
            continue
        info = connection.execute(f"PRAGMA index_info({quote_identifier(name)})").fetchall()
        if any(row[1] is None or row[1] < 0 for row in info):  # an expression or the rowid
            continue
        names = tuple(str(row[2]) for row in sorted(info))
        if names and names not in sets:
            sets.append(names)
    return tuple(sets)


def _foreign_keys(connection: sqlite3.Connection, table: str) -> tuple[ForeignKey, ...]:
    from dbguard.quality.suggest.references import orphan_count

    groups: dict[int, list[Any]] = {}
    for row in connection.execute(f"PRAGMA foreign_key_list({quote_identifier(table)})"):
        groups.setdefault(int(row[0]), []).append(row)
    keys = []
    for rows in groups.values():
        rows.sort(key=lambda row: row[1])
        parent = str(rows[0][2])
        columns = tuple(str(row[3]) for row in rows)
        parent_columns = tuple(str(row[4]) for row in rows if row[4] is not None)
        if len(parent_columns) != len(columns):  # REFERENCES parent: its primary key
            declared = connection.execute(
                f"PRAGMA table_info({quote_identifier(parent)})"
            ).fetchall()
            parent_columns = tuple(
                name for _, name in sorted((r[5], r[1]) for r in declared if r[5])
            )
        if len(parent_columns) != len(columns):
            continue  # a parent without such a key: nothing portable to check against
        keys.append(
            ForeignKey(
                columns,
                parent,
                parent_columns,
                orphan_count(connection, table, columns, parent, parent_columns),
            )
        )
    return tuple(keys)
