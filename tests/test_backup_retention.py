"""Retention: restic's keep rules and dbguard's safety rules, as properties over random backup sets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backup.retention import RetentionPolicy, Within, parse_within, plan
from dbguard.cli.backup.policy import retention_policy
from dbguard.config import Config
from dbguard.errors import ConfigError


@dataclass(frozen=True)
class Item:
    name: str
    created_at: datetime
    verified: bool | None


EPOCH = datetime(2024, 1, 1, tzinfo=UTC)

times = st.lists(
    st.integers(min_value=0, max_value=3 * 365 * 24 * 3600), min_size=0, max_size=60, unique=True
)


@st.composite
def backup_sets(draw: st.DrawFn, all_verified: bool = False) -> list[Item]:
    offsets = draw(times)
    return [
        Item(
            f"db_{offset}",
            EPOCH + timedelta(seconds=offset),
            True if all_verified else draw(st.sampled_from([True, True, True, False, None])),
        )
        for offset in offsets
    ]


policies = st.builds(
    RetentionPolicy,
    keep_last=st.integers(0, 5),
    keep_daily=st.integers(0, 10),
    keep_weekly=st.integers(0, 6),
    keep_monthly=st.integers(0, 8),
    keep_within=st.builds(Within, days=st.integers(0, 60), hours=st.integers(0, 48)),
    min_verified=st.integers(0, 6),
)


def names(items: list[Item]) -> set[str]:
    return {item.name for item in items}


def newest_per_bucket(items: list[Item], bucket: Callable[[datetime], Any], count: int) -> set[str]:
    """The reference model: newest item of each of the `count` most recent buckets."""
    by_bucket: dict[Any, Item] = {}
    for item in items:
        key = bucket(item.created_at)
        if key not in by_bucket or item.created_at > by_bucket[key].created_at:
            by_bucket[key] = item
    recent = sorted(by_bucket, reverse=True)[:count]
    return {by_bucket[key].name for key in recent}


@settings(max_examples=300, deadline=None)
@given(backups=backup_sets(), policy=policies)
def test_plan_partitions_and_safety_rules_hold(
    backups: list[Item], policy: RetentionPolicy
) -> None:
    result = plan(backups, policy)
    kept, dropped, unverified = names(result.keep), names(result.drop), names(result.unverified)
    assert kept | dropped | unverified == names(backups)
    assert not (kept & dropped) and not (kept & unverified) and not (dropped & unverified)
    # Backups that are not verified are neither counted nor deleted.
    assert unverified == {item.name for item in backups if item.verified is not True}
    verified = [item for item in backups if item.verified is True]
    if verified:
        newest = max(verified, key=lambda item: item.created_at)
        assert newest.name in kept
    assert len(kept) >= min(policy.min_verified, len(verified))
    for item in result.keep + result.drop:
        assert result.reasons[item.name]


@settings(max_examples=200, deadline=None)
@given(backups=backup_sets(all_verified=True), count=st.integers(1, 10))
def test_keep_daily_keeps_newest_of_each_of_the_most_recent_days(
    backups: list[Item], count: int
) -> None:
    result = plan(backups, RetentionPolicy(keep_daily=count))
    expected = newest_per_bucket(backups, lambda moment: moment.date(), count)
    assert names(result.keep) == expected


@settings(max_examples=200, deadline=None)
@given(backups=backup_sets(all_verified=True), count=st.integers(1, 6))
def test_keep_weekly_uses_iso_weeks(backups: list[Item], count: int) -> None:
    result = plan(backups, RetentionPolicy(keep_weekly=count))
    expected = newest_per_bucket(backups, lambda moment: tuple(moment.isocalendar())[:2], count)
    assert names(result.keep) == expected


@settings(max_examples=200, deadline=None)
@given(backups=backup_sets(all_verified=True), count=st.integers(1, 8))
def test_keep_monthly_keeps_newest_of_each_month(backups: list[Item], count: int) -> None:
    result = plan(backups, RetentionPolicy(keep_monthly=count))
    expected = newest_per_bucket(backups, lambda moment: (moment.year, moment.month), count)
    assert names(result.keep) == expected


@settings(max_examples=200, deadline=None)
@given(backups=backup_sets(all_verified=True), count=st.integers(1, 8))
def test_keep_last_keeps_the_newest_n(backups: list[Item], count: int) -> None:
    result = plan(backups, RetentionPolicy(keep_last=count))
    newest_first = sorted(backups, key=lambda item: item.created_at, reverse=True)
    assert names(result.keep) == names(newest_first[:count])


@settings(max_examples=200, deadline=None)
@given(backups=backup_sets(all_verified=True), days=st.integers(1, 90))
def test_keep_within_counts_back_from_the_newest_backup(backups: list[Item], days: int) -> None:
    result = plan(backups, RetentionPolicy(keep_within=Within(days=days)))
    if not backups:
        assert result.keep == []
        return
    newest = max(item.created_at for item in backups)
    expected = {item.name for item in backups if item.created_at > newest - timedelta(days=days)}
    assert names(result.keep) == expected


@settings(max_examples=200, deadline=None)
@given(backups=backup_sets(), policy=policies)
def test_pruning_twice_drops_nothing_more(backups: list[Item], policy: RetentionPolicy) -> None:
    first = plan(backups, policy)
    second = plan(first.keep + first.unverified, policy)
    assert second.drop == []


def test_backups_that_stopped_six_weeks_ago_are_not_all_deleted() -> None:
    stopped = datetime(2026, 10, 14, 2, 0, tzinfo=UTC)  # six weeks before 2026-11-25
    backups = [Item(f"db_{day}", stopped - timedelta(days=day), True) for day in range(365)]
    defaults = retention_policy(Config())  # [backup.retention]'s defaults, mapped by the CLI
    result = plan(backups, defaults)
    # Age-only pruning ("older than 30 days from now") would delete all 365.
    assert len(result.keep) >= 12
    assert backups[0] in result.keep
    within_only = plan(backups, RetentionPolicy(keep_within=parse_within("30d")))
    assert len(within_only.keep) == 30


def test_a_policy_with_no_rules_keeps_everything() -> None:
    backups = [Item(f"db_{day}", EPOCH + timedelta(days=day), True) for day in range(10)]
    assert plan(backups, RetentionPolicy()).drop == []


def test_min_verified_keeps_back_the_newest_dropped_backups() -> None:
    backups = [Item(f"db_{hour}", EPOCH + timedelta(hours=hour), True) for hour in range(10)]
    result = plan(backups, RetentionPolicy(keep_last=1, min_verified=4))
    assert names(result.keep) == {"db_9", "db_8", "db_7", "db_6"}
    assert result.reasons["db_7"] == ["min_verified=4"]


def test_broken_backups_do_not_count_toward_the_minimum() -> None:
    backups = [Item(f"db_{day}", EPOCH + timedelta(days=day), day % 2 == 0) for day in range(10)]
    result = plan(backups, RetentionPolicy(keep_last=1, min_verified=3))
    assert names(result.keep) == {"db_8", "db_6", "db_4"}
    assert names(result.unverified) == {"db_1", "db_3", "db_5", "db_7", "db_9"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30d", Within(days=30)),
        ("2w", Within(days=14)),
        ("6m", Within(months=6)),
        ("1y2m3d4h", Within(1, 2, 3, 4)),
        ("12h", Within(hours=12)),
        ("0", Within()),
        ("", Within()),
    ],
)
def test_parse_within_accepts_restic_durations(text: str, expected: Within) -> None:
    assert parse_within(text) == expected


@pytest.mark.parametrize("text", ["30", "3x", "d30", "30 days", "-5d", "1.5d"])
def test_parse_within_rejects_other_text(text: str) -> None:
    with pytest.raises(ConfigError, match="not a duration"):
        parse_within(text)


def test_within_months_clamp_to_the_end_of_the_month() -> None:
    assert Within(months=1).before(datetime(2026, 3, 31, tzinfo=UTC)) == datetime(
        2026, 2, 28, tzinfo=UTC
    )
