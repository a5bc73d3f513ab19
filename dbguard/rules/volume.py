"""Volume anomalies: each run's row count scored against recent runs, Elementary's way.

Elementary (dbt-data-reliability, `get_anomaly_scores_query`) computes, per time bucket,
z = (value − mean) / stddev over a training set that includes the current point, flags
|z| above the sensitivity (3), optionally compares only points of the same season (day of
week, hour of day — and for day of week it widens the training window sevenfold so enough
points share the day), needs a minimum training set, and widens the expected range so a
change smaller than a percentage of the mean is never an anomaly. Here a bucket is one
check run. A change smaller than a few rows is ignored too (small tables, Elementary
issue 1933), and the direction can be limited to drops or spikes (issue 586).

The verdict is at most a warning: it stands next to the fixed ±10/25 % row-count bands,
never instead of them.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from dbguard.config.analysts import VolumeConfig
from dbguard.findings import Finding, Severity
from dbguard.rules.rows import row_count_subjects

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class VolumePoint:
    at: datetime  # aware; its own zone decides the day of week and the hour of day
    rows: int


@dataclass(frozen=True)
class VolumeSettings:
    training: timedelta
    sensitivity: float
    seasonality: str  # "", "day_of_week", "hour_of_day"
    min_points: int
    min_change_percent: float
    min_change_rows: int
    direction: str  # "both", "drop", "spike"

    @classmethod
    def from_config(cls, volume: VolumeConfig) -> VolumeSettings:
        return cls(
            training=timedelta(days=volume.training_days),
            sensitivity=volume.sensitivity,
            seasonality=volume.seasonality,
            min_points=volume.min_points,
            min_change_percent=volume.min_change_percent,
            min_change_rows=volume.min_change_rows,
            direction=volume.direction,
        )

    @property
    def window(self) -> timedelta:
        """How far back training points are taken (sevenfold for day-of-week seasons)."""
        return self.training * 7 if self.seasonality == "day_of_week" else self.training


@dataclass(frozen=True)
class VolumeScore:
    points: int  # the training set's size, the current point included
    mean: float | None = None
    stddev: float | None = None
    z: float | None = None
    low: float | None = None  # the expected range; outside it (in a watched direction) is
    high: float | None = None  # an anomaly
    anomalous: bool = False

    @property
    def verdict(self) -> bool:
        return self.mean is not None


def season_of(moment: datetime, seasonality: str) -> str:
    if seasonality == "day_of_week":
        return WEEKDAYS[moment.weekday()]
    if seasonality == "hour_of_day":
        return f"{moment.hour:02d}:00"
    return ""


def training_set(
    history: Sequence[VolumePoint], current: VolumePoint, settings: VolumeSettings
) -> list[VolumePoint]:
    """The points the current one is scored against: same season, inside the window,
    before it — and the current point itself, as Elementary does."""
    start = current.at - settings.window
    season = season_of(current.at, settings.seasonality)
    earlier = [
        point
        for point in history
        if start <= point.at < current.at and season_of(point.at, settings.seasonality) == season
    ]
    return [*earlier, current]


def volume_score(
    history: Sequence[VolumePoint], current: VolumePoint, settings: VolumeSettings
) -> VolumeScore:
    points = training_set(history, current, settings)
    if len(points) < settings.min_points:
        return VolumeScore(points=len(points))
    values = [float(point.rows) for point in points]
    mean = statistics.fmean(values)
    stddev = statistics.stdev(values)
    z = 0.0 if stddev == 0 else (current.rows - mean) / stddev
    # Elementary's ignore_small_changes: the range is never narrower than the percentage.
    slack = max(mean * settings.min_change_percent / 100, float(settings.min_change_rows))
    low = min(mean - settings.sensitivity * stddev, mean - slack)
    high = max(mean + settings.sensitivity * stddev, mean + slack)
    drop = current.rows < low and settings.direction in ("both", "drop")
    spike = current.rows > high and settings.direction in ("both", "spike")
    return VolumeScore(len(points), mean, stddev, z, low, high, drop or spike)


def volume_finding(
    table: str,
    history: Sequence[VolumePoint],
    current: VolumePoint,
    settings: VolumeSettings,
) -> Finding:
    score = volume_score(history, current, settings)
    season = season_of(current.at, settings.seasonality)
    scope = f"runs of the last {_days(settings.window)}" + (f" on {season}s" if season else "")
    if not score.verdict:
        observed = (
            f"{current.rows} rows; no verdict yet: {score.points} of the"
            f" {settings.min_points} points needed ({scope}, this run included)"
        )
        return Finding(
            f"volume anomaly {table}",
            Severity.OK,
            f"{table}'s row count is usual for its recent history",
            observed,
            target="live",
            plain_language=f"{table}: {observed}",
        )
    assert score.mean is not None and score.stddev is not None and score.z is not None
    assert score.low is not None and score.high is not None
    expected = (
        f"{table}: {score.low:,.0f}–{score.high:,.0f} rows (|z| ≤ {settings.sensitivity:g}"
        f" against {score.points} {scope}; changes under {settings.min_change_percent:g} %"
        f" or {settings.min_change_rows} rows ignored)"
    )
    observed = (
        f"{current.rows:,} rows, z = {score.z:+.1f} (mean {score.mean:,.1f} ± {score.stddev:,.1f})"
    )
    severity = Severity.WARNING if score.anomalous else Severity.OK
    word = "unusual" if score.anomalous else "usual"
    return Finding(
        f"volume anomaly {table}",
        severity,
        expected,
        observed,
        (
            f"a {'drop' if current.rows < score.mean else 'rise'} unlike {table}'s recent runs:"
            " audit recent writes and deletes (数据审计); the fixed ±10/25 % row-count checks"
            " say how far it is from the baseline"
        )
        if score.anomalous
        else "",
        target="live",
        plain_language=(
            f"{table} has {current.rows:,} rows, {word} for {scope}"
            f" (expected {score.low:,.0f}–{score.high:,.0f})"
        ),
        subjects=row_count_subjects({table: severity}),
    )


def _days(window: timedelta) -> str:
    days = window.total_seconds() / 86400
    return f"{days:g} days" if days != 1 else "day"
