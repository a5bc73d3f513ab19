"""Profile one table of the live database, read-only, through its catalog: its schema,
then one aggregate pass over its rows (counts, nulls, distinct values, minimum and maximum,
value types and lengths, and how many values fit each known format), all in one read
transaction. Two small follow-up queries run only where needed: the distinct values of
the few low-cardinality text columns, and the orphan count of each foreign key.

The aggregate expressions are each engine's own (`statistics`); what it proposes is portable.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from dbguard.catalog import Catalog, ColumnShape, QueryError
from dbguard.database import quote_identifier
from dbguard.quality.formats import FORMATS, looks_like_time
from dbguard.quality.queries import batch_sql
from dbguard.quality.suggest.references import reference_query
from dbguard.quality.suggest.statistics import STATISTICS

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
    catalog: Catalog, table: str, *, in_set_max_distinct: int, in_set_max_length: int
) -> TableProfile:
    """The profile of `table`, read through the (read-only) catalog."""
    declared = catalog.columns(table)
    primary_key = tuple(
        name for _, name in sorted((c.primary_key, c.name) for c in declared if c.primary_key)
    )
    unique_sets = catalog.unique_sets(table)
    declared_keys = catalog.foreign_keys(table)
    with catalog.snapshot():
        rows, columns = _aggregate(catalog, table, declared, len(primary_key) == 1)
        columns = _with_values(catalog, table, columns, in_set_max_distinct, in_set_max_length)
        foreign_keys = tuple(
            ForeignKey(
                key.columns,
                key.parent,
                key.parent_columns,
                orphan_count(catalog, table, key.columns, key.parent, key.parent_columns),
            )
            for key in declared_keys
        )
    return TableProfile(table, rows, tuple(columns), unique_sets, foreign_keys, primary_key)


def _plain(value: Any) -> Any:
    """A value as suites store it: PostgreSQL's NUMERIC comes back as Decimal."""
    return float(value) if isinstance(value, Decimal) else value


def _aggregate(
    catalog: Catalog, table: str, declared: list[ColumnShape], single_key: bool
) -> tuple[int, list[ColumnProfile]]:
    """One SELECT over the whole table computing every column's statistics."""
    statistics = STATISTICS[catalog.dialect]
    wanted = [
        statistics(
            column,
            looks_like_time(column.name, column.type),
            single_key and column.primary_key == 1,
        )
        for column in declared
    ]
    parts = ["COUNT(*)", *(expression for stats in wanted for expression in stats.values())]
    (found,) = catalog.rows(f"SELECT {', '.join(parts)} FROM {quote_identifier(table)}")
    values = iter(found)
    rows = int(next(values))
    columns = []
    for column, stats in zip(declared, wanted, strict=True):
        seen = {name: next(values) for name in stats}
        columns.append(
            ColumnProfile(
                name=column.name,
                declared_type=column.type,
                not_null=column.not_null,
                primary_key=column.primary_key,
                non_null=int(seen["non_null"]),
                distinct=int(seen.get("distinct") or 0),
                minimum=_plain(seen.get("minimum")),
                maximum=_plain(seen.get("maximum")),
                numbers=int(seen.get("numbers") or 0),
                integers=int(seen.get("integers") or 0),
                texts=int(seen.get("texts") or 0),
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
    catalog: Catalog,
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
        f" AS values_{index}"
        for index in wanted
    ]
    found: dict[int, list[Any]] = {index: [] for index in wanted}
    for index, value in catalog.rows(" UNION ALL ".join(selects)):
        found[int(index)].append(value)
    updated = list(columns)
    for index, values in found.items():
        updated[index] = replace(columns[index], values=tuple(sorted(values, key=str)))
    return updated


def orphan_count(
    catalog: Catalog,
    table: str,
    columns: tuple[str, ...],
    parent: str,
    parent_columns: tuple[str, ...],
) -> int | None:
    """How many child rows break the reference now; None if the parent cannot be read."""
    sql = batch_sql(reference_query(columns, parent, parent_columns), table)
    try:
        return int(catalog.value(f"SELECT COUNT(*) FROM ({sql}) AS orphans") or 0)
    except QueryError:
        return None
