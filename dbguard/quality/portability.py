"""What in a suite will not port between SQLite, PostgreSQL and Spark, found in its text: an
engine-only SQL function in an unexpected-rows query, Python's named groups in a regular
expression (Java's engine, Spark's, rejects them), and a bound or set whose type differs from
its column's (Spark 4's ANSI mode refuses to compare a string with a number). `dbguard lint`
warns about each, whichever engine the suite runs on today."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dbguard.quality.suites import Expectation

# Functions only one engine has, with what to write instead (in every engine's SQL).
ENGINE_ONLY_FUNCTIONS: dict[str, tuple[str, str]] = {
    "julianday": ("SQLite", "compare ISO 8601 text directly, or the engine's date functions"),
    "strftime": ("SQLite", "substr() of ISO 8601 text (substr(t, 1, 7) is the month)"),
    "datetime": ("SQLite", "compare ISO 8601 text directly"),
    "unixepoch": ("SQLite", "compare ISO 8601 text directly"),
    "group_concat": ("SQLite", "COUNT(*) and the rows themselves (the report names them)"),
    "json_extract": ("SQLite", "a plain column, or one suite per engine"),
    "json_valid": ("SQLite", "a plain column, or one suite per engine"),
    "json_type": ("SQLite", "a plain column, or one suite per engine"),
    "iif": ("SQLite", "CASE WHEN … THEN … ELSE … END"),
    "total": ("SQLite", "COALESCE(SUM(x), 0)"),
    "randomblob": ("SQLite", "nothing random in a rule: it must give the same verdict twice"),
    "age": ("PostgreSQL", "compare the timestamps directly"),
    "regexp_matches": ("PostgreSQL", "expect_column_values_to_match_regex"),
    "generate_series": ("PostgreSQL", "a rule over the rows that exist"),
    "string_to_array": ("PostgreSQL", "substr() and LIKE"),
    "to_tsvector": ("PostgreSQL", "LIKE, or expect_column_values_to_match_regex"),
    "pg_input_is_valid": ("PostgreSQL", "expect_column_values_to_match_regex"),
}
_PREFIXES = {"jsonb_": "PostgreSQL", "pg_": "PostgreSQL"}
_FUNCTION = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(")
_QUOTED = re.compile(r"'(?:[^']|'')*'")
_GLOB = re.compile(r"\bGLOB\b", re.IGNORECASE)
_TILDE = re.compile(r"[^!~]~\*?\s*'")  # PostgreSQL's regex match operator: x ~ 'pattern'
# Python's named group and its back-reference; Java knows only (?<name>…) and \k<name>.
_PYTHON_NAMED_GROUP = re.compile(r"\(\?P[<=]")
_NUMERIC_WORDS = ("INT", "REAL", "FLOA", "DOUB", "DEC", "NUM")
_TEXT_WORDS = ("CHAR", "CLOB", "TEXT", "STRING")
# Entries whose bounds or set members are compared with the column's values themselves (not
# with their lengths, counts or statistics).
BOUNDED_VALUES = (
    "expect_column_values_to_be_between",
    "expect_column_min_to_be_between",
    "expect_column_max_to_be_between",
)
VALUE_SETS = (
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_not_be_in_set",
    "expect_column_distinct_values_to_be_in_set",
    "expect_column_distinct_values_to_contain_set",
    "expect_column_distinct_values_to_equal_set",
    "expect_column_most_common_value_to_be_in_set",
)
_SAME_TYPE = {
    "number": 'write the bounds and values as numbers (5, not "5")',
    "text": 'write the bounds and values as strings ("5", not 5)',
}


@dataclass(frozen=True)
class Portability:
    """Something in one entry that one of the engines will not run, and what to write."""

    message: str
    fix: str


def query_portability(query: str) -> list[Portability]:
    """Engine-only functions and operators in an unexpected-rows query (string literals
    skipped: a function named inside quotes is text)."""
    code = _QUOTED.sub("''", query)
    found: list[Portability] = []
    seen: set[str] = set()
    for match in _FUNCTION.finditer(code):
        name = match.group(1).lower()
        engine, instead = ENGINE_ONLY_FUNCTIONS.get(name, ("", ""))
        if not engine:
            engine = next((e for prefix, e in _PREFIXES.items() if name.startswith(prefix)), "")
            instead = "a plain column, or one suite per engine"
        if engine and name not in seen:
            seen.add(name)
            found.append(
                Portability(
                    f"its query uses {name}(), which only {engine} has: on the other engines"
                    " (SQLite, PostgreSQL, Spark) it fails",
                    f"use {instead}",
                )
            )
    if _GLOB.search(code):
        found.append(
            Portability(
                "its query uses GLOB, which only SQLite has", "use LIKE, or RLIKE/~ per engine"
            )
        )
    if _TILDE.search(code):
        found.append(
            Portability(
                "its query matches with ~, which only PostgreSQL reads as a regular expression",
                "use expect_column_values_to_match_regex",
            )
        )
    return found


def regex_portability(expectation: Expectation) -> list[Portability]:
    patterns: list[Any] = [expectation.kwargs.get("regex")]
    listed = expectation.kwargs.get("regex_list")
    if isinstance(listed, list):
        patterns += listed
    for pattern in patterns:
        if isinstance(pattern, str) and _PYTHON_NAMED_GROUP.search(pattern):
            return [
                Portability(
                    "its regex uses Python's named group (?P<name>…), which Java's regex engine"
                    " (Spark) rejects",
                    "use a plain group (…): the rule does not read group names",
                )
            ]
    return []


def column_kind(declared_type: str) -> str:
    """number, text or other, from a declared type in any engine's words."""
    kind = declared_type.upper()
    if any(word in kind for word in _TEXT_WORDS):
        return "text"
    if any(word in kind for word in _NUMERIC_WORDS) or kind in ("BIGINT", "SMALLINT"):
        return "number"
    return "other"


def _value_kind(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "other"
    if isinstance(value, int | float):
        return "number"
    return "text" if isinstance(value, str) else "other"


def comparison_portability(
    expectation: Expectation, column_types: dict[str, str]
) -> list[Portability]:
    """A bound or set member of the other type than its column (a number against a text
    column, a string against a numeric one)."""
    column = expectation.kwargs.get("column")
    if not isinstance(column, str) or column not in column_types:
        return []
    kind = column_kind(column_types[column])
    if kind == "other":
        return []
    values: list[Any] = []
    if expectation.type in BOUNDED_VALUES:
        values = [expectation.kwargs.get(key) for key in ("min_value", "max_value")]
    value_set = expectation.kwargs.get("value_set")
    if expectation.type in VALUE_SETS and isinstance(value_set, list):
        values += value_set
    mismatched = [v for v in values if _value_kind(v) not in ("other", kind)]
    if not mismatched:
        return []
    return [
        Portability(
            f"it compares the {kind} column {column!r} with {mismatched[0]!r}: SQLite converts,"
            " Spark 4's ANSI mode refuses to compare a string with a number",
            _SAME_TYPE[kind],
        )
    ]


def portability_problems(
    expectation: Expectation, column_types: dict[str, str]
) -> list[Portability]:
    """Everything in one suite entry that will not port between the engines."""
    found = regex_portability(expectation) + comparison_portability(expectation, column_types)
    query = expectation.kwargs.get("unexpected_rows_query")
    if isinstance(query, str):
        found = query_portability(query) + found
    return found
