"""Pure severity decisions: row-count drift bands, thresholds, and what a GX result means.

No I/O here, so every rule is a property test away (tests/test_quality_severity.py).

Row-count drift follows the plan: a change of more than `warning_percent` of
the baseline is a warning, more than `critical_percent` is critical. Tables
whose baseline is below `small_table_rows` get an absolute guard as well: the
allowed change is never smaller than `small_table_*_rows` rows, so deleting one
row of a five-row table is not a 20 % alert.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from fractions import Fraction

from dbguard.config import ChecksConfig
from dbguard.findings import Severity


@dataclass(frozen=True)
class DriftThresholds:
    # No defaults here: the numbers live in [checks] (ChecksConfig) and the suites, not in code.
    warning_percent: float
    critical_percent: float
    small_table_rows: int
    small_table_warning_rows: int
    small_table_critical_rows: int

    @classmethod
    def from_config(
        cls, checks: ChecksConfig, overrides: dict[str, float] | None = None
    ) -> DriftThresholds:
        """Thresholds from [checks], with a suite's own `meta.dbguard` overrides applied."""
        names = [field.name for field in fields(cls)]
        overrides = overrides or {}
        # Each value keeps the type [checks] gives it (float percents, int row counts).
        return cls(
            **{
                name: type(getattr(checks, name))(overrides.get(name, getattr(checks, name)))
                for name in names
            }
        )


@dataclass(frozen=True)
class Band:
    """Inclusive range of row counts that raise no alert at one severity."""

    minimum: int
    maximum: int

    def contains(self, count: int) -> bool:
        return self.minimum <= count <= self.maximum


@dataclass(frozen=True)
class RowCountBands:
    baseline: int
    warning: Band
    critical: Band
    small_table: bool


def row_count_bands(baseline: int, thresholds: DriftThresholds) -> RowCountBands:
    """The warning and critical bands around `baseline` (exact: no float rounding at the edges)."""
    if baseline < 0:
        raise ValueError(f"a row count cannot be negative: {baseline}")
    small = baseline < thresholds.small_table_rows
    warning_half = _half_width(baseline, thresholds.warning_percent)
    critical_half = max(warning_half, _half_width(baseline, thresholds.critical_percent))
    if small:
        warning_half = max(warning_half, Fraction(thresholds.small_table_warning_rows))
        critical_half = max(
            critical_half, warning_half, Fraction(thresholds.small_table_critical_rows)
        )
    return RowCountBands(
        baseline=baseline,
        warning=_band(baseline, warning_half),
        critical=_band(baseline, critical_half),
        small_table=small,
    )


def classify_row_count(observed: int, bands: RowCountBands) -> Severity:
    if not bands.critical.contains(observed):
        return Severity.CRITICAL
    if not bands.warning.contains(observed):
        return Severity.WARNING
    return Severity.OK


def change_percent(baseline: int, observed: int) -> float | None:
    """Signed change in percent of the baseline; None when the baseline is 0."""
    if baseline == 0:
        return None
    return (observed - baseline) / baseline * 100.0


def expectation_severity(*, success: bool, errored: bool, configured: str) -> Severity:
    """What a GX expectation result means for dbguard.

    An expectation that errored (a missing table or column) is critical whatever
    its configured severity: a check that could not run must never pass as a
    mere warning. A failure takes the expectation's own severity.
    """
    if errored:
        return Severity.CRITICAL
    if success:
        return Severity.OK
    try:
        return Severity(str(configured).lower())
    except ValueError:
        return Severity.CRITICAL


def _half_width(baseline: int, percent: float) -> Fraction:
    return Fraction(baseline) * Fraction(str(percent)) / 100


def _band(baseline: int, half: Fraction) -> Band:
    return Band(max(0, math.ceil(baseline - half)), math.floor(baseline + half))
