"""Row-count bands: against the previous run (change over time) and against the baselines in
the expectation suites (read as plain JSON, so the quick health never imports GX)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbguard.config import ChecksConfig
from dbguard.findings import Finding, Severity

log = logging.getLogger(__name__)

REMEDIATION = (
    "audit recent writes (数据审计); if rows were lost, restore from the latest verified backup "
    "(`dbguard backup restore --latest`); if the change is intended, run `dbguard baseline`"
)


@dataclass(frozen=True)
class Band:
    """Allowed row counts: outside [warning_low, warning_high] a warning, outside the
    critical range critical."""

    reference: int
    warning_low: float
    warning_high: float
    critical_low: float
    critical_high: float

    def classify(self, count: int) -> Severity:
        if count < self.critical_low or count > self.critical_high:
            return Severity.CRITICAL
        if count < self.warning_low or count > self.warning_high:
            return Severity.WARNING
        return Severity.OK


def band_around(reference: int, checks: ChecksConfig) -> Band:
    """±warning_percent / ±critical_percent around `reference`; small tables get an absolute
    guard instead, so one deleted row in a 28-row table is not a 4 % storm."""
    if reference < checks.small_table_rows:
        warning = float(checks.small_table_warning_rows)
        critical = float(checks.small_table_critical_rows)
    else:
        warning = reference * checks.warning_percent / 100
        critical = reference * checks.critical_percent / 100
    return Band(
        reference,
        reference - warning,
        reference + warning,
        reference - critical,
        reference + critical,
    )


def change_finding(table: str, count: int | None, band: Band, against: str) -> Finding:
    """The finding for one table's count against `band` (`against` says what the reference is)."""
    expected = (
        f"{table}: {band.warning_low:g}–{band.warning_high:g} rows (critical outside "
        f"{band.critical_low:g}–{band.critical_high:g}), {against} had {band.reference}"
    )
    if count is None:
        return Finding(
            f"rows {table}",
            Severity.CRITICAL,
            expected,
            f"table {table} is missing",
            REMEDIATION,
            target="live",
        )
    severity = band.classify(count)
    change = (count - band.reference) / band.reference * 100 if band.reference else 0.0
    return Finding(
        f"rows {table}",
        severity,
        expected,
        f"{count} rows ({change:+.1f} % vs {against})",
        "" if severity is Severity.OK else REMEDIATION,
        target="live",
    )


def suite_bands(expectations_dir: Path) -> dict[str, Band]:
    """The row-count bands `dbguard baseline` wrote into the suites, per table.

    Unreadable or foreign files are skipped: the quality run validates suites
    strictly; this fast path only wants the numbers.
    """
    bands: dict[str, Band] = {}
    for path in sorted(Path(expectations_dir).glob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            log.debug("skipping %s: %s", path, error)
            continue
        band = _band_of(document)
        if band is not None:
            bands[str(document.get("name") or path.stem)] = band
    return bands


def _band_of(document: Any) -> Band | None:
    if not isinstance(document, dict):
        return None
    ranges: dict[str, tuple[float, float]] = {}
    reference = None
    for entry in document.get("expectations", []):
        if (
            not isinstance(entry, dict)
            or entry.get("type") != "expect_table_row_count_to_be_between"
        ):
            continue
        meta = (entry.get("meta") or {}).get("dbguard") or {}
        kwargs = entry.get("kwargs") or {}
        band = meta.get("band") or entry.get("severity")
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        if (
            band in ("warning", "critical")
            and isinstance(low, int | float)
            and isinstance(high, int | float)
        ):
            ranges[band] = (float(low), float(high))
            if isinstance(meta.get("baseline"), int):
                reference = meta["baseline"]
    if "warning" not in ranges or "critical" not in ranges or reference is None:
        return None
    return Band(reference, *ranges["warning"], *ranges["critical"])
