"""Plain language for every expectation type the demo suites and `dbguard suggest` use, and
values cut so one huge value cannot flood a report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbguard.check_run import PROJECT_ROOT
from dbguard.quality.describe import (
    VALUE_LIMIT,
    describe_expectation,
    describe_outcome,
    rows_text,
    value_text,
)
from dbguard.quality.formats import FORMATS

SUGGESTED_TYPES = {
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_unique",
    "expect_compound_columns_to_be_unique",
    "expect_column_values_to_be_between",
    "expect_column_min_to_be_between",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_match_regex",
    "expect_column_value_lengths_to_equal",
    "unexpected_rows_expectation",
}


def demo_entries() -> list[dict[str, object]]:
    entries = []
    for path in sorted((PROJECT_ROOT / "expectations").glob("*.json")):
        entries += json.loads(Path(path).read_text())["expectations"]
    return entries


def test_every_type_in_the_demo_and_in_suggest_reads_as_a_sentence() -> None:
    types = {str(entry["type"]) for entry in demo_entries()} | SUGGESTED_TYPES
    for kind in sorted(types):
        text = describe_expectation(kind, {"column": "c", "column_list": ["a", "b"]})
        assert "expect_" not in text and "_" not in text.replace("column_list", ""), (kind, text)
    for entry in demo_entries():
        text = describe_expectation(
            str(entry["type"]),
            entry["kwargs"],
            str(entry.get("description", "")),  # type: ignore[arg-type]
        )
        assert text and "expect_" not in text


@pytest.mark.parametrize(
    ("kind", "kwargs", "said"),
    [
        (
            "expect_column_values_to_be_between",
            {"column": "pue", "min_value": 1.0, "max_value": 3.0},
            "pue is between 1.0 and 3.0",
        ),
        (
            "expect_column_values_to_be_between",
            {"column": "it", "min_value": 0.0, "strict_min": True},
            "it is above 0.0",
        ),
        (
            "expect_column_values_to_be_between",
            {"column": "kwh", "min_value": 0},
            "kwh is at least 0",
        ),
        (
            "expect_column_min_to_be_between",
            {"column": "at", "min_value": "2024-08-01"},
            "the earliest at is at least '2024-08-01'",
        ),
        (
            "expect_table_row_count_to_be_between",
            {"min_value": 216, "max_value": 264},
            "the table has between 216 and 264 rows",
        ),
        ("expect_column_values_to_not_be_null", {"column": "site"}, "site is never empty (NULL)"),
        (
            "expect_column_values_to_be_unique",
            {"column": "node_name"},
            "no two rows share the same node_name",
        ),
        (
            "expect_compound_columns_to_be_unique",
            {"column_list": ["site", "month"]},
            "no two rows share the same site and month",
        ),
        (
            "expect_column_values_to_be_in_set",
            {"column": "status", "value_set": ["open", "closed"]},
            "status is one of 'open', 'closed'",
        ),
        (
            "expect_column_value_lengths_to_equal",
            {"column": "month", "value": 7.0},
            "month is exactly 7 characters long",
        ),
        (
            "expect_column_values_to_match_regex",
            {"column": "month", "regex": r"^[0-9]{4}-[0-9]{2}$"},
            "month is written as YYYY-MM",
        ),
        (
            "expect_column_values_to_match_regex",
            {"column": "x", "regex": "^a+$"},
            "x matches the pattern '^a+$'",
        ),
        (
            "unexpected_rows_expectation",
            {"unexpected_rows_query": "SELECT 1"},
            "no row matches 'SELECT 1'",
        ),
    ],
)
def test_sentences(kind: str, kwargs: dict[str, object], said: str) -> None:
    assert describe_expectation(kind, kwargs) == said


def test_the_issue_s_example() -> None:
    result = {
        "element_count": 240,
        "unexpected_count": 1,
        "partial_unexpected_index_list": [{"id": 17, "pue": 9.9}],
    }
    text = describe_outcome(
        "expect_column_values_to_be_between",
        {"column": "pue", "min_value": 1.0, "max_value": 3.0},
        False,
        result,
    )
    assert text == "pue is between 1.0 and 3.0 — 1 of 240 rows outside: id=17 pue=9.9"


def test_capped_rows_say_how_many_more_there_are() -> None:
    rows = [{"id": number, "pue": 9.9} for number in range(10)]
    text = describe_outcome(
        "unexpected_rows_expectation",
        {},
        False,
        {"observed_value": 25, "details": {"unexpected_rows": rows}},
        "PUE is a ratio",
    )
    assert text.startswith("PUE is a ratio — 25 rows break it: id=0 pue=9.9; id=1")
    assert text.endswith("… and 20 more rows")


def test_a_100_kb_value_is_cut_to_200_characters() -> None:
    huge = "x" * 100_000
    shown = value_text(huge)
    assert len(shown) < VALUE_LIMIT + 40 and "(100,002 characters)" in shown
    text = describe_outcome(
        "expect_column_values_to_be_in_set",
        {"column": "status", "value_set": ["open"]},
        False,
        {"element_count": 3, "unexpected_count": 1, "partial_unexpected_list": [huge]},
    )
    assert "x" * (VALUE_LIMIT + 1) not in text
    assert "x" * (VALUE_LIMIT + 1) not in rows_text([{"id": 1, "status": huge}] * 3)


def test_null_reads_as_null_and_a_pass_holds() -> None:
    assert value_text(None) == "NULL"
    said = describe_outcome("expect_column_values_to_not_be_null", {"column": "c"}, True, {})
    assert said == "c is never empty (NULL) — holds"


def test_every_suggested_format_has_a_name() -> None:
    for spec in FORMATS:
        said = describe_expectation(
            "expect_column_values_to_match_regex", {"column": "c", "regex": spec.regex}
        )
        assert said == f"c is written as {spec.label}"
