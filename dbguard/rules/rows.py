"""Row counts: the drift band around a reference, a wiped table, a missing table.

One band for every caller. A change of more than `warning_percent` of the
reference is a warning, more than `critical_percent` critical (the plan's ±10 %
/ ±25 %). Tables whose reference is below `small_table_rows` also get an
absolute guard: the allowed change is never smaller than
`small_table_*_rows` rows, so deleting one row of a 28-row table is not a 4 %
storm of alerts. Bands are whole rows, computed exactly (no float rounding at
the edges), and a table that had rows never has 0 inside its bands: a wiped
table is critical whatever the guard says.

The reference is a suite's baseline (`dbguard baseline`), the previous run
(change over time) or the latest backup (reconciliation); the rule is the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from fractions import Fraction

from dbguard.config import ChecksConfig
from dbguard.findings import Finding, Severity, Subject

# The rule of every finding about a table's row count, whatever the reference (the baseline,
# the previous run, a backup's or the replica's counts) or the method (volume anomalies):
# one cause, one problem (dbguard.rules.problems).
ROW_COUNT_RULE = "row count"
ROW_COUNT_REMEDIATION = (
    "audit recent writes (数据审计); if rows were lost, find when (`dbguard incident find`), see "
    "which (`dbguard incident diff`) and put them back keeping later writes (`dbguard incident "
    "repair`), or restore the newest usable backup (`dbguard backup restore --latest`); if the "
    "change is intended, run `dbguard baseline`"
)


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
        overrides = overrides or {}
        # Each value keeps the type [checks] gives it (float percents, int row counts).
        return cls(
            **{
                field.name: type(getattr(checks, field.name))(
                    overrides.get(field.name, getattr(checks, field.name))
                )
                for field in fields(cls)
            }
        )


@dataclass(frozen=True)
class Band:
    """Inclusive range of row counts that raise no alert at one severity."""

    minimum: int
    maximum: int

    def contains(self, count: int) -> bool:
        return self.minimum <= count <= self.maximum

    def __str__(self) -> str:
        return f"{self.minimum}–{self.maximum}"


@dataclass(frozen=True)
class RowCountBands:
    reference: int
    warning: Band
    critical: Band
    small_table: bool = False


def row_count_bands(reference: int, thresholds: DriftThresholds) -> RowCountBands:
    """The warning and critical bands around `reference`, in whole rows."""
    if reference < 0:
        raise ValueError(f"a row count cannot be negative: {reference}")
    small = reference < thresholds.small_table_rows
    warning_half = _half_width(reference, thresholds.warning_percent)
    critical_half = max(warning_half, _half_width(reference, thresholds.critical_percent))
    if small:
        warning_half = max(warning_half, Fraction(thresholds.small_table_warning_rows))
        critical_half = max(
            critical_half, warning_half, Fraction(thresholds.small_table_critical_rows)
        )
    return RowCountBands(
        reference=reference,
        warning=_band(reference, warning_half),
        critical=_band(reference, critical_half),
        small_table=small,
    )


def is_wiped(reference: int, observed: int) -> bool:
    """A table that had rows and now has none: critical in every caller."""
    return reference > 0 and observed == 0


def classify_row_count(observed: int | None, bands: RowCountBands) -> Severity:
    """None (the table is missing) and a wiped table are critical; else the bands decide."""
    if observed is None or is_wiped(bands.reference, observed):
        return Severity.CRITICAL
    if not bands.critical.contains(observed):
        return Severity.CRITICAL
    if not bands.warning.contains(observed):
        return Severity.WARNING
    return Severity.OK


def change_percent(reference: int, observed: int) -> float | None:
    """Signed change in percent of the reference; None when the reference is 0."""
    if reference == 0:
        return None
    return (observed - reference) / reference * 100.0


def row_count_subjects(severities: dict[str, Severity]) -> tuple[Subject, ...]:
    """The subjects of a finding about these tables' row counts: each table not OK."""
    return tuple(
        Subject(table, ROW_COUNT_RULE, severity)
        for table, severity in severities.items()
        if severity in (Severity.WARNING, Severity.CRITICAL)
    )


def describe_bands(bands: RowCountBands) -> str:
    """`216–264 rows (critical outside 180–300)`: the whole-row bands actually applied."""
    return f"{bands.warning} rows (critical outside {bands.critical})"


def row_count_finding(
    table: str,
    observed: int | None,
    bands: RowCountBands,
    against: str,
    *,
    target: str = "live",
) -> Finding:
    """One table's count against the bands around a reference; `against` names the reference
    ("the baseline", "the previous run", …)."""
    expected = f"{table}: {describe_bands(bands)}, {against} had {bands.reference}"
    severity = classify_row_count(observed, bands)
    if observed is None:
        observed_text = f"table {table} is missing"
    elif is_wiped(bands.reference, observed):
        observed_text = f"0 rows: the table was wiped ({against} had {bands.reference})"
    else:
        change = change_percent(bands.reference, observed)
        shown = "new rows" if change is None else f"{change:+.1f} %"
        observed_text = f"{observed} rows ({shown} vs {against})"
    return Finding(
        check=f"rows {table}",
        severity=severity,
        expected=expected,
        observed=observed_text,
        remediation="" if severity is Severity.OK else ROW_COUNT_REMEDIATION,
        target=target,
        subjects=row_count_subjects({table: severity}),
    )


def reconcile_finding(
    live_counts: dict[str, int],
    backup_counts: dict[str, int],
    thresholds: dict[str, DriftThresholds],
    default: DriftThresholds,
) -> Finding:
    """Live counts within the drift bands around the latest backup's counts."""
    severities: dict[str, Severity] = {}
    notes: list[str] = []
    for table in sorted(set(live_counts) | set(backup_counts)):
        backup_count = backup_counts.get(table)
        live_count = live_counts.get(table)
        if backup_count is None:
            severities[table] = Severity.WARNING
            notes.append(f"{table}: new in the live DB ({live_count} rows), not in the backup")
            continue
        bands = row_count_bands(backup_count, thresholds.get(table, default))
        severity = classify_row_count(live_count, bands)
        severities[table] = severity
        if live_count is None:
            notes.append(f"{table}: in the backup ({backup_count} rows), missing from the live DB")
        elif severity is not Severity.OK:
            notes.append(
                f"{table}: backup {backup_count}, live {live_count}, "
                f"allowed {describe_bands(bands)} ({severity})"
            )
    return Finding(
        check="backup::row_counts_reconcile",
        severity=Severity.worst(list(severities.values())),
        expected=(
            f"live row counts within ±{default.warning_percent:g} % of the latest backup's "
            f"(critical beyond ±{default.critical_percent:g} %)"
        ),
        observed="; ".join(notes) if notes else f"all {len(severities)} tables reconcile",
        remediation=ROW_COUNT_REMEDIATION,
        target="backup",
        subjects=row_count_subjects(severities),
    )


def _half_width(reference: int, percent: float) -> Fraction:
    return Fraction(reference) * Fraction(str(percent)) / 100


def _band(reference: int, half: Fraction) -> Band:
    # A table that had rows never has 0 inside a band: wiped is critical (is_wiped).
    floor = 1 if reference > 0 else 0
    return Band(max(floor, math.ceil(reference - half)), math.floor(reference + half))
