"""Volume anomalies (dbguard.rules.volume): Elementary's z-score over recent runs, as
properties, and a synthetic weekly pattern where only seasonality tells a usual Monday
spike from a real drop."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dbguard.config.analysts import VolumeConfig
from dbguard.errors import ConfigError
from dbguard.findings import Severity
from dbguard.rules.volume import (
    VolumePoint,
    VolumeSettings,
    training_set,
    volume_finding,
    volume_score,
)

START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
SETTINGS = VolumeSettings.from_config(VolumeConfig())


def hourly(counts: list[int], start: datetime = START) -> list[VolumePoint]:
    return [VolumePoint(start + timedelta(hours=i), count) for i, count in enumerate(counts)]


def after(points: list[VolumePoint], hours: int = 1) -> datetime:
    return points[-1].at + timedelta(hours=hours)


counts = st.lists(st.integers(min_value=0, max_value=1_000_000), min_size=0, max_size=60)


@given(history=counts, current=st.integers(min_value=0, max_value=1_000_000))
def test_never_more_than_a_warning(history: list[int], current: int) -> None:
    points = hourly(history)
    moment = after(points) if points else START
    finding = volume_finding("t", points, VolumePoint(moment, current), SETTINGS)
    assert finding.severity in (Severity.OK, Severity.WARNING)
    assert finding.check == "volume anomaly t"


@given(history=st.lists(st.integers(0, 10_000), max_size=12), current=st.integers(0, 10_000))
def test_no_verdict_below_the_minimum_number_of_points(history: list[int], current: int) -> None:
    points = hourly(history)
    score = volume_score(points, VolumePoint(after(points) if points else START, current), SETTINGS)
    assert score.points == len(history) + 1 < SETTINGS.min_points
    assert not score.verdict and not score.anomalous


@given(
    level=st.integers(min_value=100, max_value=1_000_000),
    noise=st.lists(st.integers(-3, 3), min_size=20, max_size=60),
    change=st.floats(min_value=-0.029, max_value=0.029),
)
def test_changes_below_the_percentage_are_never_anomalies(
    level: int, noise: list[int], change: float
) -> None:
    points = hourly([level + n for n in noise])
    current = VolumePoint(after(points), round(level * (1 + change)))
    assert not volume_score(points, current, SETTINGS).anomalous


@given(
    history=st.lists(st.integers(900, 1100), min_size=20, max_size=60),
    current=st.integers(0, 5000),
)
def test_a_one_way_watch_ignores_the_other_direction(history: list[int], current: int) -> None:
    points = hourly(history)
    now = VolumePoint(after(points), current)
    both = volume_score(points, now, SETTINGS)
    drops = volume_score(points, now, replace(SETTINGS, direction="drop"))
    spikes = volume_score(points, now, replace(SETTINGS, direction="spike"))
    assert drops.anomalous == (both.anomalous and current < both.mean)  # type: ignore[operator]
    assert spikes.anomalous == (both.anomalous and current > both.mean)  # type: ignore[operator]


@given(
    history=st.lists(st.integers(900, 1100), min_size=20, max_size=60),
    drop=st.integers(0, 899),
    deeper=st.integers(1, 500),
)
def test_a_deeper_drop_is_flagged_if_a_shallower_one_was(
    history: list[int], drop: int, deeper: int
) -> None:
    points = hourly(history)
    moment = after(points)
    shallow = volume_score(points, VolumePoint(moment, drop), SETTINGS)
    assume(shallow.anomalous)
    assert volume_score(points, VolumePoint(moment, max(0, drop - deeper)), SETTINGS).anomalous


@settings(max_examples=50)
@given(level=st.integers(10, 100_000), size=st.integers(14, 40))
def test_a_steady_count_is_usual(level: int, size: int) -> None:
    points = hourly([level] * size)
    score = volume_score(points, VolumePoint(after(points), level), SETTINGS)
    assert score.verdict and score.z == 0 and not score.anomalous


def test_old_points_leave_the_training_window() -> None:
    old = hourly([1] * 30, START - timedelta(days=30))
    recent = hourly([1000] * 20)
    chosen = training_set([*old, *recent], VolumePoint(after(recent), 1000), SETTINGS)
    assert all(point.rows == 1000 for point in chosen)
    assert len(chosen) == 21  # the current point is part of its own training set


def test_a_small_table_losing_one_row_is_not_an_anomaly() -> None:
    points = hourly([28] * 30)
    assert not volume_score(points, VolumePoint(after(points), 27), SETTINGS).anomalous
    assert volume_score(points, VolumePoint(after(points), 20), SETTINGS).anomalous


def weekly_pattern(weeks: int = 15) -> list[VolumePoint]:
    """Hourly runs of a staging table that a weekly import fills on Monday mornings: about
    1,000 rows, 3,000 from 08:00 to 11:00 on Mondays."""
    points = []
    for hour in range(weeks * 7 * 24):
        moment = START + timedelta(hours=hour)
        rows = 1000 + (hour * 7) % 11
        if moment.weekday() == 0 and 8 <= moment.hour < 11:
            rows = 3000 + hour % 5
        points.append(VolumePoint(moment, rows))
    return points


def next_time(points: list[VolumePoint], weekday: int, hour: int) -> datetime:
    moment = after(points)
    while moment.weekday() != weekday or moment.hour != hour:
        moment += timedelta(hours=1)
    return moment


def test_monday_spike_is_flagged_without_seasonality_and_usual_with_it() -> None:
    points = weekly_pattern()
    monday_spike = VolumePoint(next_time(points, weekday=0, hour=9), 3002)
    plain = volume_score(points, monday_spike, SETTINGS)
    seasonal = volume_score(points, monday_spike, replace(SETTINGS, seasonality="day_of_week"))
    assert plain.anomalous
    assert seasonal.verdict and not seasonal.anomalous
    finding = volume_finding(
        "staging", points, monday_spike, replace(SETTINGS, seasonality="day_of_week")
    )
    assert finding.severity is Severity.OK and "on Mondays" in finding.plain_language


def test_real_drop_is_flagged_with_seasonality_on() -> None:
    points = weekly_pattern()
    wednesday_drop = VolumePoint(next_time(points, weekday=2, hour=14), 700)
    seasonal = replace(SETTINGS, seasonality="day_of_week")
    assert volume_score(points, wednesday_drop, seasonal).anomalous
    # Without seasonality the Monday spikes widen the range enough to hide this drop.
    assert not volume_score(points, wednesday_drop, SETTINGS).anomalous
    finding = volume_finding("staging", points, wednesday_drop, seasonal)
    assert finding.severity is Severity.WARNING
    assert "700 rows" in finding.observed and "drop" in finding.remediation


def test_hour_of_day_compares_the_same_hour_only() -> None:
    points = weekly_pattern(weeks=3)
    at_nine = VolumePoint(next_time(points, weekday=0, hour=9), 1000)
    chosen = training_set(points, at_nine, replace(SETTINGS, seasonality="hour_of_day"))
    assert {point.at.hour for point in chosen} == {9}
    assert len(chosen) == 15  # 14 days of 09:00 runs, and this one


@pytest.mark.parametrize(
    ("key", "value"),
    [("seasonality", "weekly"), ("direction", "down"), ("min_points", 1), ("sensitivity", 0)],
)
def test_bad_volume_settings_are_configuration_errors(key: str, value: object) -> None:
    with pytest.raises(ConfigError):
        VolumeConfig(**{key: value})  # type: ignore[arg-type]
