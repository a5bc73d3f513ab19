"""Schema drift: a table's columns against the snapshot `dbguard baseline` kept in its suite.

A column added is a warning (the suite does not check it yet); a column removed, or a
changed declared type or primary key, is critical (rules and the application's queries
may now read the wrong thing); a changed NOT NULL is a warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dbguard.findings import Finding, Severity


@dataclass(frozen=True)
class ColumnShape:
    name: str
    type: str  # the declared type, as written ("" when none was declared)
    not_null: bool
    primary_key: int  # position in the primary key, 0 when not part of it

    def key(self) -> str:
        return self.name.casefold()  # SQLite (and unquoted SQL) names ignore case


@dataclass(frozen=True)
class SchemaChange:
    column: str
    what: str  # "added", "removed", "type", "not null", "primary key"
    before: str
    after: str
    severity: Severity

    def text(self) -> str:
        if self.what in ("added", "removed"):
            return f"column {self.column!r} {self.what} ({self.after or self.before})"
        return f"column {self.column!r}: {self.what} {self.before} → {self.after}"


def _type_text(column: ColumnShape) -> str:
    return " ".join(column.type.upper().split()) or "no declared type"


def schema_changes(
    baseline: Sequence[ColumnShape], live: Sequence[ColumnShape]
) -> list[SchemaChange]:
    """Every difference between the snapshot and the live columns, in column order."""
    before = {column.key(): column for column in baseline}
    after = {column.key(): column for column in live}
    changes: list[SchemaChange] = []
    for column in baseline:
        now = after.get(column.key())
        if now is None:
            changes.append(
                SchemaChange(column.name, "removed", _type_text(column), "", Severity.CRITICAL)
            )
            continue
        if _type_text(column) != _type_text(now):
            changes.append(
                SchemaChange(
                    column.name, "type", _type_text(column), _type_text(now), Severity.CRITICAL
                )
            )
        if column.primary_key != now.primary_key:
            changes.append(
                SchemaChange(
                    column.name,
                    "primary key",
                    _key_text(column),
                    _key_text(now),
                    Severity.CRITICAL,
                )
            )
        if column.not_null != now.not_null:
            changes.append(
                SchemaChange(
                    column.name,
                    "not null",
                    _null_text(column),
                    _null_text(now),
                    Severity.WARNING,
                )
            )
    for column in live:
        if column.key() not in before:
            changes.append(
                SchemaChange(column.name, "added", "", _type_text(column), Severity.WARNING)
            )
    return changes


def schema_finding(
    table: str, baseline: Sequence[ColumnShape], live: Sequence[ColumnShape] | None
) -> Finding:
    """The finding for `table`'s live columns (None: the table is gone) against its snapshot."""
    expected = f"{table} has the {len(baseline)} columns its suite's schema snapshot records"
    accept = f"dbguard baseline --table {table}"
    if live is None or not live:
        return Finding(
            f"schema {table}",
            Severity.CRITICAL,
            expected,
            f"table {table} is missing",
            "restore from the latest verified backup if it was dropped by mistake;"
            " if it was removed on purpose, delete its suite",
            target="live",
            plain_language=f"{table} is missing from the database",
        )
    changes = schema_changes(baseline, live)
    severity = Severity.worst([change.severity for change in changes])
    observed = "; ".join(change.text() for change in changes) or "no change"
    remediation = (
        ""
        if not changes
        else f"if the change is intended, review the rules that name these columns and accept"
        f" it with `{accept}`; otherwise undo the migration or restore from the latest"
        f" verified backup"
    )
    return Finding(
        f"schema {table}",
        severity,
        expected,
        observed,
        remediation,
        target="live",
        plain_language=f"{table}'s columns: {observed}",
    )


def _key_text(column: ColumnShape) -> str:
    return f"part {column.primary_key} of the key" if column.primary_key else "not in the key"


def _null_text(column: ColumnShape) -> str:
    return "NOT NULL" if column.not_null else "nullable"
