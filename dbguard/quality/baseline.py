"""Re-capture row-count baselines (and each table's schema snapshot) from the live database.

Only the expectations dbguard manages (`meta.dbguard.managed ==
"row_count_baseline"`) are rewritten; every other entry keeps its exact
serialized form. A table with no suite gets a new one holding just the
baseline, so dbguard works on any database after one `dbguard baseline`.
A table whose bands did not change keeps its file untouched (its
`captured_at` too): a re-baseline shows in a diff only where counts moved.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dbguard.catalog import open_catalog
from dbguard.config import Config
from dbguard.database import is_ignored_table
from dbguard.errors import DbguardError, SuiteError
from dbguard.quality.schema_snapshot import with_snapshot
from dbguard.quality.suite_files import new_suite_path, write_suite
from dbguard.quality.suites import load_suites
from dbguard.rules.rows import (
    ROW_COUNT_REMEDIATION,
    DriftThresholds,
    RowCountBands,
    change_percent,
    row_count_bands,
)

log = logging.getLogger(__name__)

MANAGED = "row_count_baseline"
ROW_COUNT_TYPE = "expect_table_row_count_to_be_between"


class BaselineRefusedError(DbguardError):
    """The last check run had critical findings: capturing now would make a bad day the norm."""


@dataclass(frozen=True)
class BaselineChange:
    table: str
    old: int | None
    new: int
    suite_path: Path
    created: bool
    written: bool = True  # False: the suite already held these bands, its file was left alone

    @property
    def change_percent(self) -> float | None:
        return None if self.old is None else change_percent(self.old, self.new)


def capture_baselines(
    config: Config,
    tables: list[str] | None = None,
    *,
    accept: bool = False,
    now: datetime | None = None,
) -> list[BaselineChange]:
    """Write the live row counts into the suites as warning/critical row-count bands."""
    captured_at = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    # Not a database at all (or a login refused) is bad input, whatever the history says.
    with open_catalog(config) as catalog:
        if not accept:
            refusal = last_run_refusal(config)
            if refusal:
                raise BaselineRefusedError(
                    refusal,
                    "fix the data (or restore a backup) first, or pass --accept if the new "
                    "counts are right",
                )
        existing_tables = catalog.tables()
        chosen = list(tables) if tables else existing_tables
        ignored = [t for t in chosen if is_ignored_table(t, config.checks.ignore_tables)]
        if ignored:
            raise SuiteError(
                f"table {ignored[0]!r} is in [checks] ignore_tables: it gets no baseline",
                "take it out of ignore_tables in dbguard.toml to check it",
            )
        missing = [table for table in chosen if table not in existing_tables]
        if missing:
            raise SuiteError(
                f"table {missing[0]!r} is not in {catalog.label}",
                f"choose from: {', '.join(existing_tables)}",
            )
        counts = catalog.row_counts(chosen, exact=True)
        schemas = {table: catalog.columns(table) for table in chosen}
    expectations_dir = config.checks.expectations_dir
    suites = {suite.table: suite for suite in load_suites(expectations_dir)}
    changes = []
    for table in chosen:
        suite = suites.get(table)
        path = suite.path if suite else new_suite_path(expectations_dir, table)
        document = dict(suite.data) if suite else new_suite_document(table)
        old = previous_baseline(document)
        thresholds = DriftThresholds.from_config(
            config.checks, suite.drift_overrides if suite else None
        )
        bands = row_count_bands(counts[table], thresholds)
        entries = managed_entries(bands, thresholds, captured_at)
        snapshot = with_snapshot(document, schemas[table], captured_at)
        if same_bands(document["expectations"], entries) and snapshot is document:
            written = False
        else:
            document = dict(snapshot)
            document["expectations"] = replace_managed(document["expectations"], entries)
            written = write_suite(path, document)
        log.info("baseline of %s: %s -> %s rows (%s)", table, old, counts[table], path)
        changes.append(
            BaselineChange(table, old, counts[table], path, created=suite is None, written=written)
        )
    return changes


def new_suite_document(table: str) -> dict[str, Any]:
    """An empty suite in GX's own serialized form."""
    import great_expectations as gx

    return dict(gx.ExpectationSuite(name=table).to_json_dict())


def previous_baseline(document: dict[str, Any]) -> int | None:
    for entry in document.get("expectations", []):
        meta = entry.get("meta") or {}
        dbguard_meta = meta.get("dbguard") if isinstance(meta, dict) else None
        if isinstance(dbguard_meta, dict) and dbguard_meta.get("managed") == MANAGED:
            baseline = dbguard_meta.get("baseline")
            if isinstance(baseline, int):
                return baseline
    return None


def is_managed(entry: Any) -> bool:
    if not isinstance(entry, dict):
        return False
    meta = entry.get("meta")
    dbguard_meta = meta.get("dbguard") if isinstance(meta, dict) else None
    return isinstance(dbguard_meta, dict) and dbguard_meta.get("managed") == MANAGED


def same_bands(entries: list[Any], managed: list[dict[str, Any]]) -> bool:
    """Whether `entries` already hold exactly `managed`, capture time aside."""
    return _without_capture_time([entry for entry in entries if is_managed(entry)]) == (
        _without_capture_time(managed)
    )


def _without_capture_time(entries: list[Any]) -> list[Any]:
    stripped = []
    for entry in entries:
        dbguard_meta = {**entry["meta"]["dbguard"]}
        dbguard_meta.pop("captured_at", None)
        stripped.append({**entry, "meta": {**entry["meta"], "dbguard": dbguard_meta}})
    return stripped


def replace_managed(entries: list[Any], managed: list[dict[str, Any]]) -> list[Any]:
    """The managed entries swapped for `managed` in place (at the front if there were none).

    Other entries are the very objects that were parsed, so they serialize exactly as before.
    """
    result: list[Any] = []
    inserted = False
    for entry in entries:
        if is_managed(entry):
            if not inserted:
                result.extend(managed)
                inserted = True
            continue
        result.append(entry)
    return result if inserted else [*managed, *result]


def managed_entries(
    bands: RowCountBands, thresholds: DriftThresholds, captured_at: str
) -> list[dict[str, Any]]:
    entries = []
    for band_name, band, percent, rows in (
        ("warning", bands.warning, thresholds.warning_percent, thresholds.small_table_warning_rows),
        (
            "critical",
            bands.critical,
            thresholds.critical_percent,
            thresholds.small_table_critical_rows,
        ),
    ):
        tolerance = f"±{percent:g} %"
        if bands.small_table:
            tolerance += f" or ±{rows} rows (small table)"
        entries.append(
            {
                "description": (
                    f"row count within {tolerance} of the baseline {bands.reference} "
                    f"({band.minimum}–{band.maximum})"
                ),
                "kwargs": {"max_value": band.maximum, "min_value": band.minimum},
                "meta": {
                    "dbguard": {
                        "band": band_name,
                        "baseline": bands.reference,
                        "captured_at": captured_at,
                        "managed": MANAGED,
                        "percent": percent,
                    },
                    "remediation": ROW_COUNT_REMEDIATION,
                },
                "severity": band_name,
                "type": ROW_COUNT_TYPE,
            }
        )
    return entries


def last_run_refusal(config: Config) -> str | None:
    """Why the last check run forbids a new baseline, or None (no history yet: allowed)."""
    try:
        from dbguard.history import last_run_had_critical
    except ImportError:  # the run history is optional for the library
        return None
    if not last_run_had_critical(config.reports.history, config.database.key):
        return None
    return (
        f"the last check run of {config.database.key} had critical findings; "
        "refusing to capture a baseline from it"
    )
