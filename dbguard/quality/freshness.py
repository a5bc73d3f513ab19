"""Freshness rules as suites store them, and their evaluation against the live database.

GX has no expectation relative to "now", so freshness is a dbguard-managed entry in the
suite's meta:

    "meta": {"dbguard": {"freshness": {"column": "created_at",
                                       "warning_after": "2h", "critical_after": "26h"}}}

dbguard reads the newest value with one portable `SELECT MAX(column)` (the same on
PostgreSQL) and `dbguard.rules.freshness` decides. Timestamps written without a zone are
read as UTC, or as local time with `[analysts.freshness] naive_timestamps = "local"`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from dbguard.catalog import Catalog
from dbguard.database import quote_identifier
from dbguard.durations import parse_duration
from dbguard.findings import Finding
from dbguard.quality.suite_meta import dbguard_meta
from dbguard.quality.suites import Problem, SuiteFile
from dbguard.rules.freshness import FreshnessLimits, freshness_finding

FRESHNESS_KEY = "freshness"
FRESHNESS_FIX = 'write {"column": "created_at", "warning_after": "2h", "critical_after": "26h"}'


@dataclass(frozen=True)
class FreshnessRule:
    table: str
    column: str
    limits: FreshnessLimits
    suggested: bool  # written by `dbguard suggest` and not yet reviewed


def freshness_rule(table: str, document: dict[str, Any]) -> FreshnessRule | None:
    """The rule a suite document holds; None when it has none. A malformed rule raises a
    ValueError saying what is wrong (lint reports it; see `rule_problem`)."""
    stored = dbguard_meta(document).get(FRESHNESS_KEY)
    if stored is None:
        return None
    if not isinstance(stored, dict) or not isinstance(stored.get("column"), str):
        raise ValueError('meta.dbguard.freshness needs a "column" (the timestamp column)')
    warning = parse_duration(str(stored.get("warning_after", "")))
    critical = parse_duration(str(stored.get("critical_after", "")))
    if warning > critical:
        raise ValueError("meta.dbguard.freshness: warning_after is longer than critical_after")
    return FreshnessRule(
        table,
        stored["column"],
        FreshnessLimits(warning, critical),
        suggested=isinstance(stored.get("suggested"), dict),
    )


def newest_value(catalog: Catalog, table: str, column: str) -> Any:
    return catalog.value(f"SELECT MAX({quote_identifier(column)}) FROM {quote_identifier(table)}")


def parse_timestamp(value: Any, naive: str = "utc") -> datetime:
    """A stored time as an aware datetime: ISO 8601 text (a space for the T, a trailing Z
    and fractions allowed) or a date/datetime from the driver. Raises ValueError."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        text = value.strip()
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    else:
        raise ValueError(f"{value!r} is not a timestamp (ISO 8601 text expected)")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC) if naive == "utc" else moment.astimezone()
    return moment


def evaluate(catalog: Catalog, rule: FreshnessRule, now: datetime, naive: str = "utc") -> Finding:
    """Read the rule's newest value and decide; unreadable values become a critical finding
    (a query the database refuses raises QueryError)."""
    value = newest_value(catalog, rule.table, rule.column)
    if value is None:
        return freshness_finding(rule.table, rule.column, None, now, rule.limits)
    try:
        newest = parse_timestamp(value, naive)
    except ValueError:
        shown = repr(value)[:80]
        return freshness_finding(
            rule.table,
            rule.column,
            None,
            now,
            rule.limits,
            unreadable=f"the newest {rule.column} {shown} is not a timestamp",
        )
    return freshness_finding(rule.table, rule.column, newest, now, rule.limits)


def freshness_problems(suite: SuiteFile, columns: list[str] | None) -> list[Problem]:
    """For `dbguard lint`: a freshness rule that cannot be read or names a missing column."""
    try:
        rule = freshness_rule(suite.table, suite.data)
    except ValueError as error:
        return [Problem(suite.path, "meta.dbguard.freshness", str(error), FRESHNESS_FIX)]
    if rule is None or columns is None or rule.column in columns:
        return []
    return [
        Problem(
            suite.path,
            "meta.dbguard.freshness",
            f"column {rule.column!r} is not in table {suite.table!r}",
            f"use one of: {', '.join(columns)}",
        )
    ]
