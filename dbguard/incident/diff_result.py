"""What `incident diff` found (dbguard.incident.diff computes it): per table the counts of
deleted, changed and inserted rows, the first rows of each kind, every key on request, and
the tables whose columns drifted; as_json is `incident diff --json`'s shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbguard.incident.tables import Drift

DIFFED, DROPPED, NEW = "diffed", "dropped", "new"


@dataclass
class ChangedRow:
    key: dict[str, Any]
    changes: dict[str, tuple[Any, Any]]  # column -> (before, after)


@dataclass
class TableDiff:
    name: str
    status: str  # DIFFED, DROPPED (live lacks the table) or NEW (only live has it)
    key: tuple[str, ...]
    counts: dict[str, int]
    deleted_rows: list[dict[str, Any]] = field(default_factory=list)  # the first few
    changed_rows: list[ChangedRow] = field(default_factory=list)
    inserted_rows: list[dict[str, Any]] = field(default_factory=list)
    deleted_keys: list[Any] = field(default_factory=list)  # every one, with keys=True
    changed_keys: list[Any] = field(default_factory=list)

    def as_json(self, with_keys: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {"status": self.status, "key": list(self.key), **self.counts}
        if with_keys:
            data["deleted_keys"] = self.deleted_keys
            data["changed_keys"] = self.changed_keys
        data["changed_rows"] = [
            {"key": row.key, "changes": {c: list(v) for c, v in row.changes.items()}}
            for row in self.changed_rows
        ]
        data["deleted_rows"] = self.deleted_rows
        data["inserted_rows"] = self.inserted_rows
        return data


@dataclass
class Diff:
    point: Path
    live: Path
    tables: dict[str, TableDiff]
    drift: dict[str, Drift]

    @property
    def loss(self) -> dict[str, dict[str, int]]:
        return {name: dict(table.counts) for name, table in self.tables.items()}

    def as_json(self, with_keys: bool = True) -> dict[str, Any]:
        return {
            "point": str(self.point),
            "live": str(self.live),
            "tables": {name: t.as_json(with_keys) for name, t in self.tables.items()},
            "schema_drift": {name: d.as_json() for name, d in self.drift.items()},
        }
