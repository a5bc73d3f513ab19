"""Freshness: a table's newest timestamp must be no older than its limits.

The limits live in the table's suite (`meta.dbguard.freshness`: column, warning_after,
critical_after), written by `dbguard suggest` from the cadence it observed and edited by
analysts. The caller reads `MAX(column)`; this rule only decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dbguard.durations import format_duration, human_duration
from dbguard.findings import Finding, Severity


@dataclass(frozen=True)
class FreshnessLimits:
    warning_after: timedelta
    critical_after: timedelta

    def text(self) -> str:
        return (
            f"warning after {format_duration(self.warning_after)},"
            f" critical after {format_duration(self.critical_after)}"
        )


def classify_age(age: timedelta, limits: FreshnessLimits) -> Severity:
    if age > limits.critical_after:
        return Severity.CRITICAL
    if age > limits.warning_after:
        return Severity.WARNING
    return Severity.OK


def freshness_finding(
    table: str,
    column: str,
    newest: datetime | None,
    now: datetime,
    limits: FreshnessLimits,
    *,
    unreadable: str = "",
) -> Finding:
    """The finding for `table` whose newest `column` value is `newest` at `now` (both aware).

    `newest` None means the table holds no timestamp at all (empty, or only NULLs);
    `unreadable` says why a value could not be read as a time. Both are critical: a table
    whose freshness cannot be shown is not known to be fed.
    """
    expected = f"the newest {column} in {table} is recent ({limits.text()})"
    remediation = (
        f"check that the application or job that writes {table} is running and can commit;"
        f" if {table} is no longer fed on purpose, remove meta.dbguard.freshness from its suite"
    )
    if unreadable or newest is None:
        observed = unreadable or f"{table} has no {column} value at all"
        return Finding(
            f"freshness {table}",
            Severity.CRITICAL,
            expected,
            observed,
            remediation,
            target="live",
            plain_language=f"{table} cannot be shown to be fed: {observed}",
        )
    age = now - newest
    stamp = newest.isoformat(timespec="seconds")
    if age < timedelta(0):
        observed = f"newest {column} {stamp} is {human_duration(-age)} in the future"
        severity = Severity.OK
    else:
        observed = f"newest {column} {stamp} is {human_duration(age)} old"
        severity = classify_age(age, limits)
    return Finding(
        f"freshness {table}",
        severity,
        expected,
        observed,
        "" if severity is Severity.OK else remediation,
        target="live",
        plain_language=f"{table}: {observed} ({limits.text()})",
    )
