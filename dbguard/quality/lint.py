"""Every suite file against GX and against the live database's tables and columns.

`dbguard check` stops at the first malformed file; lint lists every problem,
each with the file, the expectation and what to do, so an analyst fixes them
all in one go.
"""

from __future__ import annotations

from pathlib import Path

from dbguard.catalog import Catalog, open_catalog
from dbguard.config import Config
from dbguard.database import is_ignored_table
from dbguard.quality.engine_gaps import engine_gap
from dbguard.quality.freshness import freshness_problems
from dbguard.quality.portability import portability_problems
from dbguard.quality.queries import batch_sql
from dbguard.quality.schema_snapshot import schema_problems
from dbguard.quality.suites import (
    Problem,
    SuiteFile,
    parse_suite_file,
    require_expectations_dir,
    suite_paths,
)
from dbguard.quality.targets import engine_name


def lint_suites(config: Config) -> list[Problem]:
    """All problems in the suites, errors and warnings (`Problem.warning`); an unreadable live
    database raises a DatabaseError."""
    require_expectations_dir(config.checks.expectations_dir)
    engine = engine_name(config)
    with open_catalog(config) as catalog:
        tables = {
            table: [column.name for column in catalog.columns(table)] for table in catalog.tables()
        }
        problems: list[Problem] = []
        seen: dict[str, Path] = {}
        paths = suite_paths(config.checks.expectations_dir)
        for path in paths:
            suite, file_problems = parse_suite_file(path)
            problems.extend(file_problems)
            if suite is None:
                continue
            if suite.table in seen:
                problems.append(
                    Problem(
                        path,
                        "",
                        f"checks table {suite.table!r}, as {seen[suite.table]} does",
                        "keep one suite file per table: merge them",
                    )
                )
            seen[suite.table] = path
            if is_ignored_table(suite.table, config.checks.ignore_tables):
                problems.append(
                    Problem(
                        path,
                        "",
                        f"table {suite.table!r} is in [checks] ignore_tables: this suite is not run",
                        "delete the file, or take the table out of ignore_tables",
                    )
                )
                continue
            problems.extend(_database_problems(suite, tables, catalog))
            problems.extend(_engine_problems(suite, engine))
            problems.extend(_portability_problems(suite, catalog))
            problems.extend(schema_problems(suite, catalog))
            problems.extend(freshness_problems(suite, tables.get(suite.table)))
    return problems


def _database_problems(
    suite: SuiteFile, tables: dict[str, list[str]], catalog: Catalog
) -> list[Problem]:
    if suite.table not in tables:
        return [
            Problem(
                suite.path,
                "",
                f"table {suite.table!r} is not in the live database",
                f'rename the suite ("name") to one of: {", ".join(sorted(tables)) or "no tables"}, '
                "or delete the file",
            )
        ]
    columns = tables[suite.table]
    problems = []
    for expectation in suite.expectations:
        where = f"#{expectation.index} {expectation.label}"
        for column in expectation.columns():
            if column not in columns:
                problems.append(
                    Problem(
                        suite.path,
                        where,
                        f"column {column!r} is not in table {suite.table!r}",
                        f"use one of: {', '.join(columns)}",
                    )
                )
        query = expectation.kwargs.get("unexpected_rows_query")
        if isinstance(query, str):
            problem = _query_problem(query, suite.table, catalog)
            if problem:
                problems.append(
                    Problem(suite.path, where, f"its query does not run: {problem}", "fix the SQL")
                )
    return problems


def _engine_problems(suite: SuiteFile, engine: str) -> list[Problem]:
    """Entries GX builds but cannot run on this engine: warned, with what to write instead."""
    problems = []
    for expectation in suite.expectations:
        column = expectation.kwargs.get("column")
        gap = engine_gap(engine, expectation.type, column if isinstance(column, str) else None)
        if gap is not None:
            where = f"#{expectation.index} {expectation.label}"
            problems.append(Problem(suite.path, where, gap.message, gap.alternative, warning=True))
    return problems


def _portability_problems(suite: SuiteFile, catalog: Catalog) -> list[Problem]:
    """What will not port between SQLite, PostgreSQL and Spark: warned, whatever the engine."""
    types = {column.name: column.type for column in catalog.columns(suite.table)}
    return [
        Problem(suite.path, f"#{e.index} {e.label}", found.message, found.fix, warning=True)
        for e in suite.expectations
        for found in portability_problems(e, types)
    ]


def _query_problem(query: str, table: str, catalog: Catalog) -> str | None:
    """Prepare the query against the real table without running it (EXPLAIN reads no rows)."""
    if "{batch}" not in query:
        return "it does not read {batch}, the table under test"
    return catalog.problem(batch_sql(query, table))
