"""Each table's schema snapshot, kept in its suite's meta (`meta.dbguard.schema`).

`dbguard baseline` writes it (and `suggest --write` for a suite that has none); the check
`checks/test_schema_drift.py` and `dbguard lint` compare the live table with it through
the rule in `dbguard.rules.schema`. Writing is idempotent: an unchanged schema leaves the
document as it was, capture time included.
"""

from __future__ import annotations

from typing import Any

from dbguard.catalog import Catalog
from dbguard.quality.suite_meta import dbguard_meta
from dbguard.quality.suites import Problem, SuiteFile
from dbguard.rules.schema import ColumnShape, schema_changes

SCHEMA_KEY = "schema"


def snapshot_of(document: dict[str, Any]) -> list[ColumnShape] | None:
    """The snapshot a suite document holds, or None when it has none (or a malformed one)."""
    stored = dbguard_meta(document).get(SCHEMA_KEY)
    if not isinstance(stored, dict) or not isinstance(stored.get("columns"), list):
        return None
    columns = []
    for entry in stored["columns"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            return None
        columns.append(
            ColumnShape(
                name=entry["name"],
                type=str(entry.get("type") or ""),
                not_null=bool(entry.get("not_null")),
                primary_key=int(entry.get("primary_key") or 0),
            )
        )
    return columns


def with_snapshot(
    document: dict[str, Any], columns: list[ColumnShape], captured_at: str, *, replace: bool = True
) -> dict[str, Any]:
    """`document` holding `columns` as its snapshot.

    The same document comes back when its snapshot already matches (or, with
    `replace=False`, when it has any snapshot): nothing to rewrite.
    """
    current = snapshot_of(document)
    if current is not None and (not replace or not _differs(current, columns)):
        return document
    meta = dict(document.get("meta") or {})
    kept = dict(meta.get("dbguard") or {})
    kept[SCHEMA_KEY] = {
        "captured_at": captured_at,
        "columns": [
            {
                "name": column.name,
                "not_null": column.not_null,
                "primary_key": column.primary_key,
                "type": column.type,
            }
            for column in columns
        ],
    }
    meta["dbguard"] = kept
    return {**document, "meta": meta}


def _differs(before: list[ColumnShape], after: list[ColumnShape]) -> bool:
    return bool(schema_changes(before, after)) or [c.name for c in before] != [
        c.name for c in after
    ]


def schema_problems(suite: SuiteFile, catalog: Catalog) -> list[Problem]:
    """For `dbguard lint`: each difference from the suite's snapshot, with how to accept it."""
    snapshot = snapshot_of(suite.data)
    live = catalog.columns(suite.table) if snapshot is not None else []
    if snapshot is None or not live:  # no snapshot yet, or no table (lint says so already)
        return []
    return [
        Problem(
            suite.path,
            "",
            f"schema of {suite.table!r} changed since its snapshot: {change.text()}"
            f" ({change.severity.value} in `dbguard check`)",
            f"if intended, review the rules naming {change.column!r} and accept the schema"
            f" with `dbguard baseline --table {suite.table}`; otherwise undo the change",
        )
        for change in schema_changes(snapshot, live)
    ]
