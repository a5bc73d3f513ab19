"""[analysts] in dbguard.toml: what `dbguard suggest` proposes, how freshness reads timestamps,
and how volume anomalies are scored. Every key is optional; the defaults are documented in
dbguard.toml and docs/configuration.md."""

from __future__ import annotations

from dataclasses import dataclass, field

from dbguard.durations import parse_duration
from dbguard.errors import ConfigError

SEASONALITIES = ("", "day_of_week", "hour_of_day")
DIRECTIONS = ("both", "drop", "spike")
NAIVE_TIMESTAMPS = ("utc", "local")


@dataclass(frozen=True)
class SuggestConfig:
    """[analysts.suggest]: the thresholds `dbguard suggest` proposes rules with."""

    # Text columns with at most this many distinct values, none longer than in_set_max_length
    # characters, get an "is one of" rule (longer text is prose, not a category).
    in_set_max_distinct: int = 12
    in_set_max_length: int = 40
    # A "between" rule is widened by this share of the observed range on each side.
    range_margin_percent: float = 10.0
    # Freshness: a warning after this many typical gaps between writes (never under 1 hour);
    # critical once freshness_grace (or one more typical gap, if longer) has passed on top.
    freshness_gaps: float = 2.0
    freshness_grace: str = "24h"

    def __post_init__(self) -> None:
        _duration("suggest", "freshness_grace", self.freshness_grace)
        if self.in_set_max_distinct < 1 or self.freshness_gaps <= 0:
            raise ConfigError(
                "[analysts.suggest] in_set_max_distinct and freshness_gaps must be above 0",
                "write in_set_max_distinct = 12 and freshness_gaps = 2",
            )


@dataclass(frozen=True)
class FreshnessConfig:
    """[analysts.freshness]: how a timestamp written without a time zone is read."""

    naive_timestamps: str = "utc"

    def __post_init__(self) -> None:
        _choice("freshness", "naive_timestamps", self.naive_timestamps, NAIVE_TIMESTAMPS)


@dataclass(frozen=True)
class VolumeConfig:
    """[analysts.volume]: Elementary's z-score of each run's row count against recent runs."""

    training_days: float = 14.0
    sensitivity: float = 3.0
    seasonality: str = ""  # "", "day_of_week" or "hour_of_day"
    # No verdict before this many points share the current point's season (itself included):
    # with n points, one outlier's |z| cannot exceed (n - 1) / sqrt(n), so fewer than 11
    # could never reach a sensitivity of 3.
    min_points: int = 14
    # Changes smaller than both of these are never anomalies (a few rows of a small table).
    min_change_percent: float = 3.0
    min_change_rows: int = 2
    direction: str = "both"  # "both", "drop" or "spike"

    def __post_init__(self) -> None:
        _choice("volume", "seasonality", self.seasonality, SEASONALITIES)
        _choice("volume", "direction", self.direction, DIRECTIONS)
        if self.training_days <= 0 or self.sensitivity <= 0 or self.min_points < 2:
            raise ConfigError(
                "[analysts.volume] training_days and sensitivity must be above 0 and"
                " min_points at least 2",
                "write training_days = 14, sensitivity = 3, min_points = 14",
            )


@dataclass(frozen=True)
class AnalystsConfig:
    suggest: SuggestConfig = field(default_factory=SuggestConfig)
    freshness: FreshnessConfig = field(default_factory=FreshnessConfig)
    volume: VolumeConfig = field(default_factory=VolumeConfig)


def _choice(section: str, key: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        shown = ", ".join(repr(choice) for choice in allowed)
        raise ConfigError(
            f"[analysts.{section}] {key} = {value!r} is not one of {shown}",
            f"write {key} = {allowed[0]!r}" if allowed[0] else f"write {key} = {allowed[1]!r}",
        )


def _duration(section: str, key: str, value: str) -> None:
    try:
        parse_duration(value)
    except ValueError as error:
        raise ConfigError(f"[analysts.{section}] {key}: {error}", f'write {key} = "24h"') from None
