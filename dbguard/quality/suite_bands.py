"""The row-count bands `dbguard baseline` wrote into the suites, read as plain JSON.

`dbguard health` and the weekly report classify row counts against the same
bands the quality run's Great Expectations validates, without importing GX.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

from dbguard.rules.rows import Band, RowCountBands

log = logging.getLogger(__name__)

ROW_COUNT_TYPE = "expect_table_row_count_to_be_between"


def suite_bands(expectations_dir: Path) -> dict[str, RowCountBands]:
    """Each table's managed warning and critical bands and baseline, by table name.

    Unreadable or foreign files are skipped: the quality run validates suites
    strictly; this fast path only wants the numbers.
    """
    bands: dict[str, RowCountBands] = {}
    for path in sorted(Path(expectations_dir).glob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            log.debug("skipping %s: %s", path, error)
            continue
        found = bands_of(document)
        if found is not None:
            bands[table_of(document, path)] = found
    return bands


def table_of(document: dict[str, Any], path: Path) -> str:
    """The table a suite checks: `meta.dbguard.table`, else the suite's name."""
    meta = document.get("meta")
    dbguard_meta = meta.get("dbguard") if isinstance(meta, dict) else None
    if isinstance(dbguard_meta, dict) and isinstance(dbguard_meta.get("table"), str):
        return str(dbguard_meta["table"])
    return str(document.get("name") or path.stem)


def bands_of(document: Any) -> RowCountBands | None:
    """The bands of a suite's managed row-count entries, or None without both of them."""
    if not isinstance(document, dict):
        return None
    ranges: dict[str, Band] = {}
    reference = None
    for entry in document.get("expectations") or []:
        if not isinstance(entry, dict) or entry.get("type") != ROW_COUNT_TYPE:
            continue
        meta = entry.get("meta")
        dbguard_meta = (meta.get("dbguard") if isinstance(meta, dict) else None) or {}
        kwargs = entry.get("kwargs") or {}
        name = dbguard_meta.get("band") or entry.get("severity")
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        if (
            name in ("warning", "critical")
            and isinstance(low, int | float)
            and isinstance(high, int | float)
        ):
            # GX compares the count with the numbers as written: 7843.5 allows 7844 and up.
            ranges[name] = Band(math.ceil(low), math.floor(high))
            if isinstance(dbguard_meta.get("baseline"), int):
                reference = dbguard_meta["baseline"]
    if "warning" not in ranges or "critical" not in ranges or reference is None:
        return None
    return RowCountBands(reference, ranges["warning"], ranges["critical"])
