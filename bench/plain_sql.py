"""The quality rules as plain SQL run by the sqlite3 module: the baseline `dbguard check` is held to.

    python -m bench.plain_sql --db PATH [--expectations DIR] [--json]
    python -m bench.plain_sql --url postgresql+psycopg://… [--expectations DIR] [--json]
    python -m bench.plain_sql --spark-config dbguard.toml [--expectations DIR] [--json]

It reads the same suites as dbguard (expectations/*.json, GX Core 1.x) and
runs each expectation as one hand-written query on a read-only connection,
then the database-health checks of checks/ (integrity or quick check,
foreign keys, journal mode). No Great Expectations, pandas, SQLAlchemy or
pytest is imported. An expectation type with no SQL here is listed as
"not mirrored" so the comparison stays honest. With --url the same queries run on
PostgreSQL through psycopg (every subquery is aliased, which both engines read), in a
read-only session, then a row count of every table (PostgreSQL has no integrity pragma).
With --spark-config the same queries run as Spark SQL on the `[database.spark]` tables of
that dbguard.toml (registered as views in a session built as dbguard builds it), then a row
count of every table: the floor for `dbguard check` on Spark.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

QUICK_CHECK_ABOVE_BYTES = 512 * 2**20  # dbguard's [database] quick_check_above_mb default


@dataclass
class Outcome:
    rule: str
    success: bool
    observed: object


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _unexpected(
    connection: sqlite3.Connection, table: str, bad: str, kwargs: dict[str, Any], column: str = ""
) -> tuple[bool, object]:
    """Count rows failing `bad` (an SQL condition) among non-null rows; apply `mostly`."""
    where = f"WHERE {q(column)} IS NOT NULL" if column else ""
    total, unexpected = connection.execute(
        f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN {bad} THEN 1 ELSE 0 END), 0) FROM {q(table)} {where}"
    ).fetchone()
    mostly = float(kwargs.get("mostly", 1.0))
    success = total == 0 or (total - unexpected) / total >= mostly
    return success, {"element_count": total, "unexpected_count": unexpected}


def _between(value: object, kwargs: dict[str, Any]) -> bool:
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    if value is None:
        return False
    if low is not None and (value <= low if kwargs.get("strict_min") else value < low):  # type: ignore[operator]
        return False
    return not (high is not None and (value >= high if kwargs.get("strict_max") else value > high))  # type: ignore[operator]


def _range_condition(expression: str, kwargs: dict[str, Any]) -> str:
    """An SQL condition true when `expression` lies outside [min_value, max_value]."""
    parts = []
    if kwargs.get("min_value") is not None:
        operator = "<=" if kwargs.get("strict_min") else "<"
        parts.append(f"{expression} {operator} {_literal(kwargs['min_value'])}")
    if kwargs.get("max_value") is not None:
        operator = ">=" if kwargs.get("strict_max") else ">"
        parts.append(f"{expression} {operator} {_literal(kwargs['max_value'])}")
    return " OR ".join(parts) or "0"


def _scalar(connection: sqlite3.Connection, sql: str) -> object:
    return connection.execute(sql).fetchone()[0]


Rule = Callable[[sqlite3.Connection, str, dict[str, Any]], tuple[bool, object]]


def _row_count_between(c: sqlite3.Connection, t: str, k: dict[str, Any]) -> tuple[bool, object]:
    count = _scalar(c, f"SELECT COUNT(*) FROM {q(t)}")
    return _between(count, k), count


def _row_count_equal(c: sqlite3.Connection, t: str, k: dict[str, Any]) -> tuple[bool, object]:
    count = _scalar(c, f"SELECT COUNT(*) FROM {q(t)}")
    return count == k["value"], count


def _columns(c: sqlite3.Connection, t: str) -> list[str]:
    return [row[1] for row in c.execute(f"PRAGMA table_info({q(t)})")]


def _aggregate(function: str) -> Rule:
    def rule(c: sqlite3.Connection, t: str, k: dict[str, Any]) -> tuple[bool, object]:
        value = _scalar(c, f"SELECT {function}({q(k['column'])}) FROM {q(t)}")
        return _between(value, k), value

    return rule


def _unexpected_rows(c: sqlite3.Connection, t: str, k: dict[str, Any]) -> tuple[bool, object]:
    query = k["unexpected_rows_query"].replace("{batch}", q(t)).replace("{active_batch}", q(t))
    count = _scalar(c, f"SELECT COUNT(*) FROM ({query}) AS unexpected")
    return count == 0, count


def _multicolumn_sum(c: sqlite3.Connection, t: str, k: dict[str, Any]) -> tuple[bool, object]:
    total = " + ".join(q(column) for column in k["column_list"])
    return _unexpected(c, t, f"({total}) != {_literal(k['sum_total'])}", k)


RULES: dict[str, Rule] = {
    "expect_table_row_count_to_be_between": _row_count_between,
    "expect_table_row_count_to_equal": _row_count_equal,
    "expect_column_to_exist": lambda c, t, k: (k["column"] in _columns(c, t), k["column"]),
    "expect_table_columns_to_match_set": lambda c, t, k: (
        set(_columns(c, t)) == set(k["column_set"])
        if k.get("exact_match", True)
        else set(k["column_set"]) <= set(_columns(c, t)),
        _columns(c, t),
    ),
    "expect_table_columns_to_match_ordered_list": lambda c, t, k: (
        _columns(c, t) == list(k["column_list"]),
        _columns(c, t),
    ),
    "expect_column_values_to_not_be_null": lambda c, t, k: _unexpected(
        c, t, f"{q(k['column'])} IS NULL", k
    ),
    "expect_column_values_to_be_null": lambda c, t, k: _unexpected(
        c, t, f"{q(k['column'])} IS NOT NULL", k
    ),
    "expect_column_values_to_be_unique": lambda c, t, k: (
        lambda duplicated: (duplicated == 0, duplicated)
    )(
        _scalar(
            c,
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {q(t)} WHERE {q(k['column'])} IS NOT NULL"
            f" GROUP BY {q(k['column'])} HAVING COUNT(*) > 1) AS duplicated",
        )
    ),
    "expect_compound_columns_to_be_unique": lambda c, t, k: (
        lambda duplicates: (duplicates == 0, duplicates)
    )(
        _scalar(
            c,
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {q(t)} GROUP BY "
            f"{', '.join(q(x) for x in k['column_list'])} HAVING COUNT(*) > 1) AS duplicated",
        )
    ),
    "expect_column_values_to_be_between": lambda c, t, k: _unexpected(
        c, t, _range_condition(q(k["column"]), k), k, k["column"]
    ),
    "expect_column_values_to_be_in_set": lambda c, t, k: _unexpected(
        c,
        t,
        f"{q(k['column'])} NOT IN ({', '.join(_literal(v) for v in k['value_set']) or 'NULL'})",
        k,
        k["column"],
    ),
    "expect_column_values_to_not_be_in_set": lambda c, t, k: _unexpected(
        c,
        t,
        f"{q(k['column'])} IN ({', '.join(_literal(v) for v in k['value_set']) or 'NULL'})",
        k,
        k["column"],
    ),
    "expect_column_values_to_match_regex": lambda c, t, k: _unexpected(
        c, t, f"NOT regexp({_literal(k['regex'])}, {q(k['column'])})", k, k["column"]
    ),
    "expect_column_values_to_not_match_regex": lambda c, t, k: _unexpected(
        c, t, f"regexp({_literal(k['regex'])}, {q(k['column'])})", k, k["column"]
    ),
    "expect_column_value_lengths_to_be_between": lambda c, t, k: _unexpected(
        c,
        t,
        _range_condition(f"length({q(k['column'])})", k),
        k,
        k["column"],
    ),
    "expect_column_value_lengths_to_equal": lambda c, t, k: _unexpected(
        c, t, f"length({q(k['column'])}) != {_literal(k['value'])}", k, k["column"]
    ),
    "expect_column_pair_values_a_to_be_greater_than_b": lambda c, t, k: _unexpected(
        c,
        t,
        f"NOT ({q(k['column_A'])} {'>=' if k.get('or_equal') else '>'} {q(k['column_B'])})",
        k,
        k["column_A"],
    ),
    "expect_column_pair_values_to_be_equal": lambda c, t, k: _unexpected(
        c, t, f"{q(k['column_A'])} IS NOT {q(k['column_B'])}", k
    ),
    "expect_multicolumn_sum_to_equal": _multicolumn_sum,
    "expect_column_min_to_be_between": _aggregate("MIN"),
    "expect_column_max_to_be_between": _aggregate("MAX"),
    "expect_column_mean_to_be_between": _aggregate("AVG"),
    "expect_column_sum_to_be_between": _aggregate("SUM"),
    "expect_column_unique_value_count_to_be_between": lambda c, t, k: (
        lambda n: (_between(n, k), n)
    )(_scalar(c, f"SELECT COUNT(DISTINCT {q(k['column'])}) FROM {q(t)}")),
    "expect_column_distinct_values_to_be_in_set": lambda c, t, k: (
        lambda values: (values <= set(k["value_set"]), sorted(map(str, values)))
    )({row[0] for row in c.execute(f"SELECT DISTINCT {q(k['column'])} FROM {q(t)}")}),
    "unexpected_rows_expectation": _unexpected_rows,
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def suite_table(suite: dict[str, Any], path: Path) -> str:
    """The table a suite is for: its meta, else its name, else the file name."""
    meta = suite.get("meta") or {}
    for key in ("table", "table_name", "data_asset_name"):
        if isinstance(meta.get(key), str):
            return str(meta[key])
    dbguard_meta = meta.get("dbguard") if isinstance(meta.get("dbguard"), dict) else {}
    if isinstance(dbguard_meta.get("table"), str):
        return str(dbguard_meta["table"])
    return str(suite.get("name") or path.stem)


def run_suites(connection: sqlite3.Connection, directory: Path) -> tuple[list[Outcome], list[str]]:
    outcomes: list[Outcome] = []
    not_mirrored: list[str] = []
    for path in sorted(directory.glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        table = suite_table(suite, path)
        for expectation in suite.get("expectations", []):
            kind = _snake(str(expectation.get("type") or expectation.get("expectation_type")))
            rule = RULES.get(kind)
            if rule is None:
                not_mirrored.append(f"{path.name}: {kind}")
                continue
            success, observed = rule(connection, table, expectation.get("kwargs", {}))
            outcomes.append(Outcome(f"{table}.{kind}", bool(success), observed))
    return outcomes, not_mirrored


def run_health(connection: sqlite3.Connection, path: Path, latency_query: str) -> list[Outcome]:
    """checks/test_database_health.py's SQL: integrity (quick above 512 MiB), foreign keys,
    journal mode, the latency query, a row count of every table."""
    pragma = "quick_check" if path.stat().st_size > QUICK_CHECK_ABOVE_BYTES else "integrity_check"
    integrity = [row[0] for row in connection.execute(f"PRAGMA {pragma}")]
    foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
    mode = _scalar(connection, "PRAGMA journal_mode")
    connection.execute(latency_query).fetchall()
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    counts = {table: _scalar(connection, f"SELECT COUNT(*) FROM {q(table)}") for table in tables}
    return [
        Outcome(pragma, integrity == ["ok"], integrity[:5]),
        Outcome("foreign_key_check", not foreign, len(foreign)),
        Outcome("journal_mode", mode == "wal", mode),
        Outcome("row_counts", True, counts),
    ]


def run_postgres(url: str, directory: Path) -> tuple[list[Outcome], list[str]]:
    """The suites on PostgreSQL (a dbguard URL) in a read-only session, then every table's
    row count (what `dbguard check` reads of each table besides the suites)."""
    import psycopg

    from dbguard.config.database_url import libpq_conninfo
    from dbguard.postgres.connection import session_options

    with psycopg.connect(
        libpq_conninfo(url), autocommit=True, options=session_options("public")
    ) as connection:
        outcomes, not_mirrored = run_suites(connection, directory)  # type: ignore[arg-type]
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        ]
        counts = {t: _scalar(connection, f"SELECT COUNT(*) FROM {q(t)}") for t in tables}  # type: ignore[arg-type]
    return [*outcomes, Outcome("row_counts", True, counts)], not_mirrored


class SparkCursor:
    """The little of sqlite3's connection API the rules use, over `spark.sql`."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.rows: list[tuple[Any, ...]] = []

    def execute(self, sql: str, parameters: Any = ()) -> SparkCursor:
        self.rows = [tuple(row) for row in self.session.sql(sql).collect()]
        return self

    def fetchone(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.rows


def run_spark(config_path: Path, directory: Path) -> tuple[list[Outcome], list[str]]:
    from dbguard.config import load_config
    from dbguard.spark.session import spark_session
    from dbguard.spark.tables import register_tables

    spark = load_config(config_path).database.spark
    session = spark_session(spark)
    register_tables(session, spark)
    cursor = SparkCursor(session)
    outcomes, not_mirrored = run_suites(cursor, directory)  # type: ignore[arg-type]
    counts = {t: _scalar(cursor, f"SELECT COUNT(*) FROM {q(t)}") for t in spark.tables}  # type: ignore[arg-type]
    return [*outcomes, Outcome("row_counts", True, counts)], not_mirrored


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", type=Path, help="a SQLite file")
    where.add_argument("--url", help="a PostgreSQL URL, as dbguard.toml's [database] url")
    where.add_argument("--spark-config", type=Path, help="a dbguard.toml with [database.spark]")
    parser.add_argument("--expectations", type=Path, default=Path("expectations"))
    parser.add_argument("--json", action="store_true", help="print every outcome as JSON")
    parser.add_argument(
        "--latency-query",
        default="SELECT COUNT(*) FROM pue_data",
        help="dbguard.toml's [database] latency_query",
    )
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except Exception as error:  # exit 1 means "rules failed": a crash must not look like one
        print(
            f"plain_sql: error: {type(error).__name__}: {' '.join(str(error).split())}",
            file=sys.stderr,
        )
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.url:
        outcomes, not_mirrored = run_postgres(args.url, args.expectations)
        return _report(outcomes, not_mirrored, as_json=args.json)
    if args.spark_config:
        outcomes, not_mirrored = run_spark(args.spark_config, args.expectations)
        return _report(outcomes, not_mirrored, as_json=args.json)

    connection = sqlite3.connect(f"file:{args.db.resolve()}?mode=ro", uri=True)
    connection.create_function(
        "regexp",
        2,
        lambda pattern, value: value is not None and re.search(pattern, str(value)) is not None,
        deterministic=True,
    )
    try:
        outcomes, not_mirrored = run_suites(connection, args.expectations)
        outcomes += run_health(connection, args.db, args.latency_query)
    finally:
        connection.close()
    return _report(outcomes, not_mirrored, as_json=args.json)


def _report(outcomes: list[Outcome], not_mirrored: list[str], *, as_json: bool) -> int:
    failed = [outcome for outcome in outcomes if not outcome.success]
    if as_json:
        print(
            json.dumps(
                {
                    "rules": len(outcomes),
                    "failed": [vars(outcome) for outcome in failed],
                    "not_mirrored": not_mirrored,
                },
                default=str,
                indent=2,
            )
        )
    else:
        print(f"{len(outcomes)} rules, {len(failed)} failed, {len(not_mirrored)} not mirrored")
        for item in not_mirrored:
            print(f"not mirrored: {item}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
