"""The aggregate expressions `dbguard suggest` computes per column, in each engine's SQL.

Every engine fills the same names (see `ColumnProfile`): SQLite looks at each value's storage
class (`typeof`) and matches formats with GLOB; PostgreSQL's columns hold one declared type,
so the type decides what a value is, and formats match with `~` (the same regular
expressions the proposed rules use); Spark's likewise, with RLIKE. A name an engine leaves out counts as 0 or unknown.
"""

from __future__ import annotations

from collections.abc import Callable

from dbguard.catalog import ColumnShape
from dbguard.database import quote_identifier
from dbguard.quality.formats import FORMATS

Statistics = Callable[[ColumnShape, bool, bool], dict[str, str]]


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


def sqlite_statistics(column: ColumnShape, time_like: bool, sole_key: bool) -> dict[str, str]:
    """The aggregates one column needs, by name. A REAL column skips the distinct count
    (no rule uses it for measurements), so does a one-column primary key (distinct by
    definition), and numeric columns skip the text statistics: on a million rows each
    expression costs a noticeable share of the pass."""
    name = quote_identifier(column.name)
    kind = affinity(column.type)
    stats = {
        "non_null": f"COUNT({name})",
        "minimum": f"MIN({name})",
        "maximum": f"MAX({name})",
        "numbers": f"SUM(typeof({name}) IN ('integer', 'real'))",
        "integers": f"SUM(typeof({name}) = 'integer')",
        "texts": f"SUM(typeof({name}) = 'text')",
    }
    if sole_key:
        stats["distinct"] = f"COUNT({name})"
    elif kind != "real":
        stats["distinct"] = f"COUNT(DISTINCT {name})"
    if kind not in ("integer", "real"):
        stats["min_length"] = f"MIN(CASE WHEN typeof({name}) = 'text' THEN length({name}) END)"
        stats["max_length"] = f"MAX(CASE WHEN typeof({name}) = 'text' THEN length({name}) END)"
        for spec in FORMATS:
            stats[f"format:{spec.name}"] = f"SUM({name} GLOB '{spec.glob}')"
        if time_like:
            stats["distinct_hours"] = f"COUNT(DISTINCT substr({name}, 1, 13))"
    return stats


POSTGRES_INTEGERS = ("smallint", "integer", "bigint")
POSTGRES_NUMBERS = ("real", "double precision", "numeric", "decimal")
POSTGRES_TEXTS = ("text", "character varying", "character", "varchar", "char", "citext", "name")
POSTGRES_ORDERED = ("date", "time", "timestamp", "interval")  # MIN and MAX work
POSTGRES_COMPARABLE = ("uuid", "boolean")  # COUNT(DISTINCT) works, MIN and MAX do not


def postgres_kind(declared_type: str) -> str:
    """integer, number, text, ordered (dates and times), comparable, or other (json, …)."""
    base = declared_type.lower().split("(")[0].split("[")[0].strip().strip('"')
    if declared_type.endswith("]"):
        return "other"  # an array
    for kind, names in (
        ("integer", POSTGRES_INTEGERS),
        ("number", POSTGRES_NUMBERS),
        ("text", POSTGRES_TEXTS),
        ("ordered", POSTGRES_ORDERED),
        ("comparable", POSTGRES_COMPARABLE),
    ):
        if any(base == name or base.startswith(name + " ") for name in names):
            return kind
    return "other"


def typed_statistics(
    name: str,
    kind: str,
    sole_key: bool,
    time_like: bool,
    format_count: Callable[[str], str],
    hour_of: str | None,
) -> dict[str, str]:
    """The same names as SQLite's for an engine whose declared types can be trusted
    (PostgreSQL, Spark): `kind` from the type; `format_count(regex)` counts the values a
    format matches; `hour_of` truncates `name` to its hour for date/time columns (None: the
    column is not one)."""
    every = f"COUNT({name})"
    stats = {"non_null": every}
    if kind in ("integer", "number", "text", "ordered"):
        stats["minimum"] = f"MIN({name})"
        stats["maximum"] = f"MAX({name})"
    if kind in ("integer", "number"):
        stats["numbers"] = every
    if kind == "integer":
        stats["integers"] = every
    if sole_key:
        stats["distinct"] = every
    elif kind in ("integer", "text", "ordered", "comparable"):
        stats["distinct"] = f"COUNT(DISTINCT {name})"
    if kind == "text":
        stats["texts"] = every
        stats["min_length"] = f"MIN(length({name}))"
        stats["max_length"] = f"MAX(length({name}))"
        for spec in FORMATS:
            stats[f"format:{spec.name}"] = format_count(spec.regex)
        if time_like:
            stats["distinct_hours"] = f"COUNT(DISTINCT substr({name}, 1, 13))"
    if kind == "ordered" and hour_of is not None:
        stats["distinct_hours"] = f"COUNT(DISTINCT {hour_of})"
    return stats


def postgres_statistics(column: ColumnShape, time_like: bool, sole_key: bool) -> dict[str, str]:
    """From the declared type; formats by regular expression."""
    name = quote_identifier(column.name)
    dated = column.type.lower().startswith(("date", "timestamp"))

    def format_count(regex: str) -> str:
        pattern = regex.replace("'", "''")
        return f"COUNT(*) FILTER (WHERE {name} ~ '{pattern}')"

    return typed_statistics(
        name,
        postgres_kind(column.type),
        sole_key,
        time_like,
        format_count,
        f"date_trunc('hour', {name})" if dated else None,
    )


SPARK_INTEGERS = ("tinyint", "smallint", "int", "bigint")
SPARK_NUMBERS = ("float", "double", "decimal")
SPARK_TEXTS = ("string", "varchar", "char")
SPARK_ORDERED = ("date", "timestamp", "timestamp_ntz")


def spark_kind(declared_type: str) -> str:
    """integer, number, text, ordered, comparable (boolean) or other, from Spark's type name
    (`bigint`, `decimal(10,2)`, `string`, …)."""
    base = declared_type.lower().split("(")[0].strip()
    for kind, names in (
        ("integer", SPARK_INTEGERS),
        ("number", SPARK_NUMBERS),
        ("text", SPARK_TEXTS),
        ("ordered", SPARK_ORDERED),
        ("comparable", ("boolean",)),
    ):
        if base in names:
            return kind
    return "other"


def spark_statistics(column: ColumnShape, time_like: bool, sole_key: bool) -> dict[str, str]:
    """In Spark SQL, from the type; formats match with RLIKE (Java's regex engine reads the
    same patterns)."""
    name = "`" + column.name.replace("`", "``") + "`"

    def format_count(regex: str) -> str:
        pattern = regex.replace("\\", "\\\\").replace("'", "\\'")
        return f"COUNT_IF({name} RLIKE '{pattern}')"

    return typed_statistics(
        name,
        spark_kind(column.type),
        sole_key,
        time_like,
        format_count,
        f"date_trunc('HOUR', {name})",
    )


STATISTICS: dict[str, Statistics] = {
    "sqlite": sqlite_statistics,
    "postgresql": postgres_statistics,
    "spark": spark_statistics,
}
