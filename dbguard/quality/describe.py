"""Expectations in plain language, from their type and kwargs, as Data Docs would say them:
"pue is between 1.0 and 3.0 — 1 of 240 rows outside: id=17 pue=9.9".

Used by the report (each result's sentence, the raw form one click away) and by
`dbguard suggest` (its proposals). Every value shown is cut to VALUE_LIMIT characters and
at most ROWS_SHOWN rows are named, with "… and N more rows" for the rest, so one huge value
or a million failing rows cannot flood a page. No GX import: this reads plain dicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dbguard.quality.formats import BY_REGEX

VALUE_LIMIT = 200
ROWS_SHOWN = 5
SET_SHOWN = 12


def value_text(value: Any, limit: int = VALUE_LIMIT) -> str:
    """A value as a reader sees it (strings quoted), at most `limit` characters of it."""
    if value is None:
        return "NULL"
    text = repr(value) if isinstance(value, str | bytes) else str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def row_text(row: Any) -> str:
    if isinstance(row, Mapping):
        return " ".join(f"{key}={value_text(value)}" for key, value in row.items())
    return value_text(row)


def rows_text(rows: Sequence[Any], total: int | None = None, shown: int = ROWS_SHOWN) -> str:
    """ "id=1 pue=9.9; id=2 pue=0.3; … and 8 more rows" (total: how many there are in all)."""
    total = len(rows) if total is None else max(total, len(rows))
    text = "; ".join(row_text(row) for row in rows[:shown])
    rest = total - min(len(rows), shown)
    return f"{text}; … and {rest:,} more row{'' if rest == 1 else 's'}" if rest > 0 else text


def describe_expectation(kind: str, kwargs: Mapping[str, Any], description: str = "") -> str:
    """The rule in one sentence."""
    column = kwargs.get("column")
    name = str(column) if column is not None else "the value"
    sentences = {
        "expect_table_row_count_to_be_between": lambda: f"the table has {_range(kwargs)} rows",
        "expect_table_row_count_to_equal": lambda: (
            f"the table has exactly {kwargs.get('value')} rows"
        ),
        "expect_column_values_to_not_be_null": lambda: f"{name} is never empty (NULL)",
        "expect_column_values_to_be_null": lambda: f"{name} is always empty (NULL)",
        "expect_column_values_to_be_unique": lambda: f"no two rows share the same {name}",
        "expect_compound_columns_to_be_unique": lambda: (
            f"no two rows share the same {_together(kwargs.get('column_list') or [])}"
        ),
        "expect_column_values_to_be_between": lambda: f"{name} is {_range(kwargs)}",
        "expect_column_values_to_be_in_set": lambda: f"{name} is one of {_set(kwargs)}",
        "expect_column_values_to_not_be_in_set": lambda: f"{name} is none of {_set(kwargs)}",
        "expect_column_value_lengths_to_equal": lambda: (
            f"{name} is exactly {_whole(kwargs.get('value'))} characters long"
        ),
        "expect_column_value_lengths_to_be_between": lambda: (
            f"{name} is {_range(kwargs)} characters long"
        ),
        "expect_column_values_to_match_regex": lambda: _pattern(name, kwargs.get("regex")),
        "expect_column_min_to_be_between": lambda: (
            f"the {_least(kwargs)} {name} is {_range(kwargs)}"
        ),
        "expect_column_max_to_be_between": lambda: (
            f"the {_most(kwargs)} {name} is {_range(kwargs)}"
        ),
        "expect_column_mean_to_be_between": lambda: f"the average {name} is {_range(kwargs)}",
        "unexpected_rows_expectation": lambda: (
            description or f"no row matches {value_text(kwargs.get('unexpected_rows_query'), 120)}"
        ),
    }
    build = sentences.get(kind)
    if build is not None:
        return build()
    words = kind.removeprefix("expect_").replace("_", " ")
    shown = ", ".join(f"{key}={value_text(value, 60)}" for key, value in sorted(kwargs.items()))
    return f"{description or words} ({shown})" if shown else description or words


VERBS = {
    "expect_column_values_to_be_between": "outside",
    "expect_column_value_lengths_to_be_between": "outside",
    "expect_column_value_lengths_to_equal": "of another length",
    "expect_column_values_to_not_be_null": "empty (NULL)",
    "expect_column_values_to_be_unique": "sharing a value",
    "expect_compound_columns_to_be_unique": "sharing a combination",
    "expect_column_values_to_be_in_set": "with another value",
    "expect_column_values_to_not_be_in_set": "with a forbidden value",
    "expect_column_values_to_match_regex": "not matching",
}


def describe_outcome(
    kind: str,
    kwargs: Mapping[str, Any],
    success: bool,
    result: Mapping[str, Any],
    description: str = "",
) -> str:
    """The rule and what was seen: "… — 1 of 240 rows outside: id=17 pue=9.9".

    `result` is GX's result dict (SUMMARY format: element_count, unexpected_count, the
    partial lists) or dbguard's own for unexpected rows (observed_value, details).
    """
    rule = describe_expectation(kind, kwargs, description)
    if success:
        return f"{rule} — holds"
    if "unexpected_count" in result:
        count = int(result.get("unexpected_count") or 0)
        total = result.get("element_count")
        seen = f"{count:,} of {total:,} rows" if isinstance(total, int) else f"{count:,} rows"
        seen += f" {VERBS.get(kind, 'breaking it')}"
        rows = result.get("partial_unexpected_index_list") or []
        if rows:
            return f"{rule} — {seen}: {rows_text(rows, count)}"
        values = result.get("partial_unexpected_list") or []
        shown = ", ".join(value_text(value) for value in values[:ROWS_SHOWN])
        more = count - min(len(values), ROWS_SHOWN)
        tail = f", … and {more:,} more" if values and more > 0 else ""
        return f"{rule} — {seen}" + (f": {shown}{tail}" if values else "")
    details = result.get("details")
    if isinstance(details, Mapping) and "unexpected_rows" in details:
        rows = details.get("unexpected_rows") or []
        count = int(result.get("observed_value") or len(rows))
        return f"{rule} — {count:,} {'row breaks' if count == 1 else 'rows break'} it: {rows_text(rows, count)}"
    if "observed_value" in result:
        return f"{rule} — observed {value_text(result['observed_value'])}"
    return f"{rule} — does not hold"


def _range(kwargs: Mapping[str, Any]) -> str:
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    strict_low, strict_high = bool(kwargs.get("strict_min")), bool(kwargs.get("strict_max"))
    if low is not None and high is not None and not strict_low and not strict_high:
        return f"between {_number(low)} and {_number(high)}"
    parts = []
    if low is not None:
        parts.append(f"{'above' if strict_low else 'at least'} {_number(low)}")
    if high is not None:
        parts.append(f"{'below' if strict_high else 'at most'} {_number(high)}")
    return " and ".join(parts) or "any number of"


def _whole(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else _number(value)


def _least(kwargs: Mapping[str, Any]) -> str:
    return "earliest" if isinstance(kwargs.get("min_value"), str) else "smallest"


def _most(kwargs: Mapping[str, Any]) -> str:
    return "latest" if isinstance(kwargs.get("max_value"), str) else "largest"


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return f"{value:.1f}"
    return value_text(value, 60)


def _set(kwargs: Mapping[str, Any]) -> str:
    values = list(kwargs.get("value_set") or [])
    shown = ", ".join(value_text(value, 60) for value in values[:SET_SHOWN])
    return shown + (f", … ({len(values)} values)" if len(values) > SET_SHOWN else "")


def _together(names: Sequence[Any]) -> str:
    names = [str(name) for name in names]
    return " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + f" and {names[-1]}"


def _pattern(name: str, regex: Any) -> str:
    known = BY_REGEX.get(str(regex))
    if known is not None:
        return f"{name} is written as {known.label}"
    return f"{name} matches the pattern {value_text(regex, 120)}"
