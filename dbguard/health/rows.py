"""Which row-count reference each table is held to outside the quality run, and the findings.

A table's reference is its suite's baseline (the bands `dbguard baseline` wrote,
which the quality run validates too); a table without one is held to the row
counts the next check compares with (the previous check run, or what a restore
put back). The bands and the verdict come from `dbguard.rules.rows`, so
`health`, the weekly report and `check` agree. Never imports GX.
"""

from __future__ import annotations

from dataclasses import dataclass

from dbguard.config import Config
from dbguard.database import is_ignored_table, kept_counts
from dbguard.findings import Finding
from dbguard.health.nagios import PerfValue
from dbguard.history import History
from dbguard.quality.suite_bands import suite_bands
from dbguard.rules.rows import DriftThresholds, RowCountBands, row_count_bands, row_count_finding

BASELINE = "the baseline"


@dataclass(frozen=True)
class Reference:
    bands: RowCountBands
    against: str  # "the baseline", "the previous run", "the restored backup"


def references(
    config: Config, previous_counts: dict[str, int], previous_against: str
) -> dict[str, Reference]:
    """Each table's reference: the suite's bands, else bands around `previous_counts`; none for
    the tables `[checks] ignore_tables` names (a suite or a past run may still list them)."""
    ignore = config.checks.ignore_tables
    found = {
        table: Reference(bands, BASELINE)
        for table, bands in suite_bands(config.checks.expectations_dir).items()
        if not is_ignored_table(table, ignore)
    }
    thresholds = DriftThresholds.from_config(config.checks)
    for table, count in kept_counts(previous_counts, ignore).items():
        if table not in found:
            found[table] = Reference(row_count_bands(count, thresholds), previous_against)
    return found


def history_references(
    config: Config, history: History | None, database: str
) -> dict[str, Reference]:
    counts, against = history.reference_counts(database) if history is not None else ({}, "")
    return references(config, counts, against)


def row_findings(
    counts: dict[str, int], found: dict[str, Reference]
) -> tuple[list[Finding], list[PerfValue]]:
    """A finding per table that has a reference (a missing table is critical), with perfdata."""
    findings: list[Finding] = []
    perfdata: list[PerfValue] = []
    for table in sorted(found):
        reference = found[table]
        count = counts.get(table)
        findings.append(row_count_finding(table, count, reference.bands, reference.against))
        if count is not None:
            bands = reference.bands
            perfdata.append(
                PerfValue(
                    f"rows_{table}",
                    count,
                    warning=f"{bands.warning.minimum}:{bands.warning.maximum}",
                    critical=f"{bands.critical.minimum}:{bands.critical.maximum}",
                    minimum="0",
                )
            )
    return findings, perfdata
