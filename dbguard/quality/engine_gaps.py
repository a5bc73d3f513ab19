"""The expectation types Great Expectations cannot run on an engine, and what to write instead.

One table, keyed by engine (`dbguard.quality.targets.engine_name`: "sqlite", "postgresql",
"spark"). `dbguard lint` warns about an entry found here, and an
entry that errors because GX has no implementation for it points there.

Measured with GX 1.24.1 (SPEC, "Great Expectations quirks"): these map metrics have no
provider for SqlAlchemyExecutionEngine, which both SQLite and PostgreSQL use, so
`batch.validate` reports "No provider found for column_values.… using …ExecutionEngine".
SparkDFExecutionEngine lacks others: dateutil parsing and SQL LIKE patterns.
tests/test_quality_engine_gaps.py checks the table against GX's own registry.
"""

from __future__ import annotations

from dataclasses import dataclass

ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "spark": "Spark"}

# What GX reports when an engine has no implementation of an expectation's metric.
NO_PROVIDER = "No provider found for"

_ORDER_BY = (
    "an unexpected_rows_expectation comparing each row with the one before it, in the order "
    "you mean: SELECT * FROM (SELECT *, LAG({column}) OVER (ORDER BY id) AS previous FROM {batch})"
)

ENGINE_GAPS: dict[str, dict[str, str]] = {
    "sqlite": {
        "expect_column_values_to_be_increasing": f"{_ORDER_BY} WHERE {{column}} < previous",
        "expect_column_values_to_be_decreasing": f"{_ORDER_BY} WHERE {{column}} > previous",
        "expect_column_values_to_be_dateutil_parseable": (
            "an unexpected_rows_expectation: SELECT * FROM {batch} WHERE {column} IS NOT NULL "
            "AND julianday({column}) IS NULL (SQLite reads ISO 8601 dates), or "
            "expect_column_values_to_match_regex with the format's pattern"
        ),
        "expect_column_values_to_be_json_parseable": (
            "an unexpected_rows_expectation: SELECT * FROM {batch} WHERE {column} IS NOT NULL "
            "AND NOT json_valid({column})"
        ),
        "expect_column_values_to_match_json_schema": (
            "an unexpected_rows_expectation testing the keys you need, e.g. SELECT * FROM {batch} "
            "WHERE json_type({column}, '$.name') IS NOT 'text'"
        ),
        "expect_column_values_to_match_strftime_format": (
            "expect_column_values_to_match_regex with the format's pattern, or an "
            "unexpected_rows_expectation: SELECT * FROM {batch} "
            "WHERE strftime('%Y-%m-%d', {column}) IS NOT {column}"
        ),
    },
    "postgresql": {
        "expect_column_values_to_be_increasing": f"{_ORDER_BY} WHERE {{column}} < previous",
        "expect_column_values_to_be_decreasing": f"{_ORDER_BY} WHERE {{column}} > previous",
        "expect_column_values_to_be_dateutil_parseable": (
            "a date or timestamp column (expect_column_values_to_be_of_type), or "
            "expect_column_values_to_match_regex with the format's pattern"
        ),
        "expect_column_values_to_be_json_parseable": (
            "a json or jsonb column (expect_column_values_to_be_of_type), or on PostgreSQL 16+ "
            "an unexpected_rows_expectation: SELECT * FROM {batch} "
            "WHERE NOT pg_input_is_valid({column}, 'jsonb')"
        ),
        "expect_column_values_to_match_json_schema": (
            "an unexpected_rows_expectation testing the keys you need, e.g. SELECT * FROM {batch} "
            "WHERE jsonb_typeof({column}::jsonb -> 'name') IS DISTINCT FROM 'string'"
        ),
        "expect_column_values_to_match_strftime_format": (
            "a date or timestamp column (expect_column_values_to_be_of_type), or "
            "expect_column_values_to_match_regex with the format's pattern"
        ),
    },
    "spark": {
        "expect_column_values_to_be_dateutil_parseable": (
            "an unexpected_rows_expectation: SELECT * FROM {batch} WHERE {column} IS NOT NULL "
            "AND try_to_timestamp({column}) IS NULL, or expect_column_values_to_match_regex "
            "with the format's pattern"
        ),
        "expect_column_values_to_match_like_pattern": (
            "expect_column_values_to_match_regex (LIKE's % is .*, _ is .), or an "
            "unexpected_rows_expectation: SELECT * FROM {batch} WHERE NOT {column} LIKE 'pattern'"
        ),
        "expect_column_values_to_match_like_pattern_list": (
            "expect_column_values_to_match_regex_list (LIKE's % is .*, _ is .)"
        ),
        "expect_column_values_to_not_match_like_pattern": (
            "expect_column_values_to_not_match_regex (LIKE's % is .*, _ is .), or an "
            "unexpected_rows_expectation: SELECT * FROM {batch} WHERE {column} LIKE 'pattern'"
        ),
        "expect_column_values_to_not_match_like_pattern_list": (
            "expect_column_values_to_not_match_regex_list (LIKE's % is .*, _ is .)"
        ),
    },
}


@dataclass(frozen=True)
class EngineGap:
    """An expectation type an engine cannot run, said for the suite's author."""

    engine: str
    expectation_type: str
    alternative: str

    @property
    def message(self) -> str:
        name = ENGINE_NAMES.get(self.engine, self.engine)
        return (
            f"Great Expectations cannot run {self.expectation_type} on {name} (it has no "
            f"implementation for that engine): `dbguard check` would report it as errored"
        )


def engine_gap(engine: str, expectation_type: str, column: str | None = None) -> EngineGap | None:
    """The gap for this type on this engine, or None when the engine runs it."""
    alternative = ENGINE_GAPS.get(engine, {}).get(expectation_type)
    if alternative is None:
        return None
    return EngineGap(
        engine,
        expectation_type,
        "use " + alternative.replace("{column}", column or "the_column"),
    )
