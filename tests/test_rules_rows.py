"""Properties of the pure rules: row-count drift bands (wiped tables included), gauges,
GX results."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from dbguard.config import ChecksConfig
from dbguard.findings import Severity, classify_above
from dbguard.rules.expectations import expectation_severity
from dbguard.rules.rows import (
    DriftThresholds,
    change_percent,
    classify_row_count,
    describe_bands,
    row_count_bands,
    row_count_finding,
)

counts = st.integers(min_value=0, max_value=10_000_000)
percents = st.floats(min_value=0, max_value=200, allow_nan=False).map(lambda value: round(value, 2))


@st.composite
def thresholds(draw: st.DrawFn) -> DriftThresholds:
    warning = draw(percents)
    return DriftThresholds(
        warning_percent=warning,
        critical_percent=warning + draw(percents),
        small_table_rows=draw(st.integers(0, 1000)),
        small_table_warning_rows=draw(st.integers(0, 50)),
        small_table_critical_rows=draw(st.integers(0, 100)),
    )


@given(counts, thresholds())
def test_the_baseline_itself_is_never_an_alert(baseline: int, limits: DriftThresholds) -> None:
    assert classify_row_count(baseline, row_count_bands(baseline, limits)) is Severity.OK


@given(counts, thresholds())
def test_warning_band_lies_inside_critical_band(baseline: int, limits: DriftThresholds) -> None:
    bands = row_count_bands(baseline, limits)
    assert bands.critical.minimum <= bands.warning.minimum <= baseline
    assert baseline <= bands.warning.maximum <= bands.critical.maximum


@given(counts, counts, counts, thresholds())
def test_moving_further_from_the_baseline_never_lowers_severity(
    baseline: int, near: int, far: int, limits: DriftThresholds
) -> None:
    near, far = sorted((near, far), key=lambda count: abs(count - baseline))
    # Same side of the baseline, so "further" is well defined for asymmetric clamping at 0.
    if (near - baseline) * (far - baseline) < 0:
        return
    bands = row_count_bands(baseline, limits)
    assert classify_row_count(far, bands).rank >= classify_row_count(near, bands).rank


@given(st.integers(min_value=100, max_value=10_000_000), counts)
def test_large_tables_follow_the_plans_percent_rule_exactly(baseline: int, observed: int) -> None:
    """The plan: change > 25 % critical, > 10 % warning (exact arithmetic, no float edges)."""
    limits = DriftThresholds.from_config(ChecksConfig())
    change = abs(Fraction(observed - baseline)) / baseline * 100
    expected = (
        Severity.CRITICAL if change > 25 else Severity.WARNING if change > 10 else Severity.OK
    )
    assert classify_row_count(observed, row_count_bands(baseline, limits)) is expected


@given(st.integers(min_value=1, max_value=99), thresholds())
def test_small_tables_tolerate_the_absolute_guard(baseline: int, limits: DriftThresholds) -> None:
    limits = DriftThresholds(
        limits.warning_percent,
        limits.critical_percent,
        small_table_rows=100,
        small_table_warning_rows=limits.small_table_warning_rows,
        small_table_critical_rows=limits.small_table_critical_rows,
    )
    bands = row_count_bands(baseline, limits)
    within = max(1, baseline - limits.small_table_warning_rows)
    assert classify_row_count(within, bands) is Severity.OK


def test_one_deleted_row_of_28_is_not_an_alert_but_a_third_is_critical() -> None:
    bands = row_count_bands(28, DriftThresholds.from_config(ChecksConfig()))
    assert classify_row_count(27, bands) is Severity.OK
    assert classify_row_count(24, bands) is Severity.WARNING
    assert classify_row_count(18, bands) is Severity.CRITICAL


def test_plan_figures_for_pue_data() -> None:
    bands = row_count_bands(240, DriftThresholds.from_config(ChecksConfig()))
    assert (bands.warning.minimum, bands.warning.maximum) == (216, 264)
    assert (bands.critical.minimum, bands.critical.maximum) == (180, 300)
    assert classify_row_count(204, bands) is Severity.WARNING  # 15 % deleted
    assert classify_row_count(144, bands) is Severity.CRITICAL  # 40 % deleted


def test_suite_overrides_replace_config_thresholds() -> None:
    limits = DriftThresholds.from_config(ChecksConfig(), {"warning_percent": 5, "other": 1})
    assert limits.warning_percent == 5
    assert limits.critical_percent == 25


@given(
    st.floats(min_value=0, max_value=1e6, allow_nan=False),
    st.floats(min_value=0, max_value=1e6, allow_nan=False),
    st.floats(min_value=0, max_value=1e6, allow_nan=False),
)
def test_gauges_alert_only_above_their_limits(value: float, warning: float, extra: float) -> None:
    critical = warning + extra
    severity = classify_above(value, warning, critical)
    assert (severity is Severity.CRITICAL) == (value > critical)
    assert (severity is Severity.OK) == (value <= warning)


@given(st.booleans(), st.sampled_from(["critical", "warning", "info", "WARNING", "bogus"]))
def test_an_errored_expectation_is_always_critical(success: bool, configured: str) -> None:
    assert expectation_severity(success=success, errored=True, configured=configured) is (
        Severity.CRITICAL
    )


@given(st.sampled_from(["critical", "warning", "info"]))
def test_a_failed_expectation_takes_its_own_severity(configured: str) -> None:
    assert expectation_severity(success=False, errored=False, configured=configured) == configured
    assert expectation_severity(success=True, errored=False, configured=configured) is Severity.OK


@given(st.integers(min_value=1, max_value=10**6), counts)
def test_change_percent_is_signed_relative_change(baseline: int, observed: int) -> None:
    change = change_percent(baseline, observed)
    assert change is not None
    assert (change > 0) == (observed > baseline)
    assert change_percent(0, observed) is None


@given(st.integers(min_value=1, max_value=10_000_000), thresholds())
def test_a_wiped_table_is_critical_whatever_the_guard(
    reference: int, limits: DriftThresholds
) -> None:
    bands = row_count_bands(reference, limits)
    assert bands.critical.minimum >= 1
    assert classify_row_count(0, bands) is Severity.CRITICAL


def test_a_wiped_five_row_lookup_table_is_critical_not_a_warning() -> None:
    bands = row_count_bands(5, DriftThresholds.from_config(ChecksConfig()))
    finding = row_count_finding("lookup", 0, bands, "the baseline")
    assert finding.severity is Severity.CRITICAL
    assert "wiped" in finding.observed
    assert classify_row_count(4, bands) is Severity.OK  # one row gone: within the guard
    assert classify_row_count(1, bands) is Severity.WARNING


def test_an_empty_table_that_stays_empty_is_fine() -> None:
    bands = row_count_bands(0, DriftThresholds.from_config(ChecksConfig()))
    assert classify_row_count(0, bands) is Severity.OK


def test_a_missing_table_is_critical() -> None:
    bands = row_count_bands(90, DriftThresholds.from_config(ChecksConfig()))
    assert row_count_finding("t", None, bands, "the previous run").severity is Severity.CRITICAL


def test_bands_are_shown_in_whole_rows() -> None:
    bands = row_count_bands(8715, DriftThresholds.from_config(ChecksConfig()))
    assert describe_bands(bands) == "7844–9586 rows (critical outside 6537–10893)"


def test_a_90_row_table_has_one_band_everywhere() -> None:
    """The band that `check`'s suites hold and `health` applies (round 1 had 81–99 and 88–92)."""
    bands = row_count_bands(90, DriftThresholds.from_config(ChecksConfig()))
    assert (bands.warning.minimum, bands.warning.maximum) == (81, 99)
    assert classify_row_count(85, bands) is Severity.OK
