"""Freshness and schema drift decisions (dbguard.rules.freshness, dbguard.rules.schema), and the
durations they are written in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dbguard.durations import format_duration, parse_duration
from dbguard.findings import Severity
from dbguard.quality.freshness import parse_timestamp
from dbguard.rules.freshness import FreshnessLimits, classify_age, freshness_finding
from dbguard.rules.schema import ColumnShape, schema_changes, schema_finding

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LIMITS = FreshnessLimits(timedelta(hours=2), timedelta(hours=26))


@given(st.integers(min_value=1, max_value=10_000), st.sampled_from("smhdw"))
def test_durations_read_back_what_they_write(number: int, unit: str) -> None:
    duration = parse_duration(f"{number}{unit}")
    assert parse_duration(format_duration(duration)) == duration


@pytest.mark.parametrize("text", ["", "2", "h", "2 hours", "-2h", "0h", "2x"])
def test_malformed_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)))
def test_freshness_severity_grows_with_age(age: timedelta) -> None:
    severity = classify_age(age, LIMITS)
    if age <= LIMITS.warning_after:
        assert severity is Severity.OK
    elif age <= LIMITS.critical_after:
        assert severity is Severity.WARNING
    else:
        assert severity is Severity.CRITICAL
    older = classify_age(age + timedelta(minutes=1), LIMITS)
    assert older.rank >= severity.rank


def test_freshness_finding_names_the_table_and_the_age() -> None:
    finding = freshness_finding("order", "created_at", NOW - timedelta(hours=30), NOW, LIMITS)
    assert finding.severity is Severity.CRITICAL
    assert finding.check == "freshness order"
    assert "30 h old" in finding.observed
    assert "warning after 2h, critical after 26h" in finding.plain_language
    assert "is running" in finding.remediation


def test_a_table_with_no_timestamp_is_critical_and_the_future_is_not_stale() -> None:
    assert freshness_finding("t", "c", None, NOW, LIMITS).severity is Severity.CRITICAL
    future = freshness_finding("t", "c", NOW + timedelta(hours=1), NOW, LIMITS)
    assert future.severity is Severity.OK and "in the future" in future.observed


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("2026-03-02T10:00:00", datetime(2026, 3, 2, 10, tzinfo=UTC)),
        ("2026-03-02 10:00:00.123456", datetime(2026, 3, 2, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2026-03-02T10:00:00Z", datetime(2026, 3, 2, 10, tzinfo=UTC)),
        ("2026-03-02T12:00:00+02:00", datetime(2026, 3, 2, 10, tzinfo=UTC)),
        ("2026-03-02", datetime(2026, 3, 2, tzinfo=UTC)),
    ],
)
def test_stored_timestamps_are_read_as_utc_unless_they_say_otherwise(
    stored: str, expected: datetime
) -> None:
    assert parse_timestamp(stored) == expected


def test_a_number_is_not_a_timestamp() -> None:
    with pytest.raises(ValueError):
        parse_timestamp(1_700_000_000)


COLUMNS = [
    ColumnShape("id", "INTEGER", False, 1),
    ColumnShape("site", "TEXT", True, 0),
    ColumnShape("pue", "REAL", True, 0),
]


def test_unchanged_schema_is_ok_whatever_the_case_of_names_and_types() -> None:
    live = [ColumnShape("ID", "integer", False, 1), *COLUMNS[1:]]
    finding = schema_finding("pue_data", COLUMNS, live)
    assert finding.severity is Severity.OK and finding.observed == "no change"


@pytest.mark.parametrize(
    ("live", "severity", "said"),
    [
        ([*COLUMNS, ColumnShape("note", "TEXT", False, 0)], Severity.WARNING, "'note' added"),
        (COLUMNS[:2], Severity.CRITICAL, "'pue' removed"),
        (
            [*COLUMNS[:2], ColumnShape("pue", "TEXT", True, 0)],
            Severity.CRITICAL,
            "'pue': type REAL → TEXT",
        ),
        (
            [ColumnShape("id", "INTEGER", False, 0), *COLUMNS[1:]],
            Severity.CRITICAL,
            "'id': primary key",
        ),
        (
            [*COLUMNS[:2], ColumnShape("pue", "REAL", False, 0)],
            Severity.WARNING,
            "'pue': not null NOT NULL → nullable",
        ),
    ],
)
def test_schema_changes_have_the_issue_s_severities(
    live: list[ColumnShape], severity: Severity, said: str
) -> None:
    finding = schema_finding("pue_data", COLUMNS, live)
    assert finding.severity is severity
    assert said in finding.observed
    assert "dbguard baseline --table pue_data" in finding.remediation


def test_a_missing_table_is_critical() -> None:
    assert schema_finding("gone", COLUMNS, None).severity is Severity.CRITICAL


@given(st.lists(st.sampled_from(["a", "b", "c", "d"]), unique=True))
def test_worst_change_decides_and_removals_are_always_critical(names: list[str]) -> None:
    baseline = [ColumnShape(name, "TEXT", False, 0) for name in ("a", "b", "c")]
    live = [ColumnShape(name, "TEXT", False, 0) for name in names]
    changes = schema_changes(baseline, live)
    removed = {"a", "b", "c"} - set(names)
    assert {c.column for c in changes if c.what == "removed"} == removed
    worst = schema_finding("t", baseline, live or None).severity
    if removed:
        assert worst is Severity.CRITICAL
    elif "d" in names:
        assert worst is Severity.WARNING
