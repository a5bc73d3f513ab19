"""Whether a suite already checks what a proposal would: then `suggest` proposes nothing.

A proposal is covered by any entry of the same family on the same column(s), whoever
wrote it and at whatever severity: an analyst's `expect_column_value_lengths_to_equal`
covers a proposed regex on that column, an analyst's `unexpected_rows_expectation` that
groups by a column and keeps counts above 1 covers its uniqueness, and one whose query
names the foreign-key columns and the parent table covers the reference. Entries are
only read here; suggest never changes one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from dbguard.quality.suggest.proposal import Proposal
from dbguard.quality.suggest.references import reference_name

FAMILIES = {
    "expect_column_values_to_not_be_null": "not_null",
    "expect_column_values_to_be_unique": "unique",
    "expect_compound_columns_to_be_unique": "unique",
    "expect_select_column_values_to_be_unique_within_record": "unique",
    "expect_column_values_to_be_between": "range",
    "expect_column_min_to_be_between": "range",
    "expect_column_max_to_be_between": "range",
    "expect_column_values_to_be_in_set": "in_set",
    "expect_column_distinct_values_to_be_in_set": "in_set",
    "expect_column_distinct_values_to_equal_set": "in_set",
    "expect_column_distinct_values_to_contain_set": "in_set",
    "expect_column_value_lengths_to_equal": "format",
    "expect_column_value_lengths_to_be_between": "format",
    "expect_column_values_to_match_regex": "format",
    "expect_column_values_to_match_regex_list": "format",
    "expect_column_values_to_match_like_pattern": "format",
    "expect_column_values_to_match_strftime_format": "format",
}
GROUPED_DUPLICATES = re.compile(r"group by (\w+) having count\(\*\) > 1")


def signatures(entry: Any) -> set[tuple[str, frozenset[str]]]:
    """(family, columns) pairs an existing entry checks."""
    if not isinstance(entry, dict):
        return set()
    kwargs = _mapping(entry.get("kwargs"))
    family = FAMILIES.get(str(entry.get("type")))
    names: list[str] = []
    for key in ("column", "column_list", "column_set"):
        value = kwargs.get(key)
        names += (
            [value] if isinstance(value, str) else [v for v in value or [] if isinstance(v, str)]
        )
    found = set()
    if family and names:
        found.add((family, _names(names)))
    query = kwargs.get("unexpected_rows_query")
    if isinstance(query, str):
        for column in GROUPED_DUPLICATES.findall(_plain(query)):
            found.add(("unique", _names([column])))
    return found


def is_covered(proposal: Proposal, entries: Iterable[Any]) -> bool:
    entries = list(entries)
    if proposal.kind == "reference":
        return any(_covers_reference(entry, proposal) for entry in entries)
    wanted = (proposal.kind, _names(proposal.columns))
    return any(wanted in signatures(entry) for entry in entries)


def _covers_reference(entry: Any, proposal: Proposal) -> bool:
    if not isinstance(entry, dict) or entry.get("type") != "unexpected_rows_expectation":
        return False
    dbguard_meta = _mapping(_mapping(entry.get("meta")).get("dbguard"))
    if dbguard_meta.get("name") == reference_name(proposal.columns, proposal.parent):
        return True
    query = _mapping(entry.get("kwargs")).get("unexpected_rows_query")
    if not isinstance(query, str):
        return False
    words = set(re.findall(r"\w+", _plain(query)))
    return _plain(proposal.parent) in words and all(
        _plain(column) in words for column in proposal.columns
    )


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _names(columns: Iterable[str]) -> frozenset[str]:
    return frozenset(column.casefold() for column in columns)


def _plain(text: str) -> str:
    """SQL text lower-cased, identifiers unquoted, whitespace collapsed."""
    return " ".join(re.sub(r'["`\[\]]', "", text).lower().split())
