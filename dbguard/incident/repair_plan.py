"""The rows route's plan: per table, the rows the damage touched, each in its case
(dbguard.rules.repair), counted and, for conflicts, named; in foreign-key order.

A row of the last good point (`point`) that live lacks or holds with other values was
touched by the damage. The first bad point (`bad`; live itself when none is known, and then
no conflict can be told apart) tells which of them the application touched afterwards: a
key the damage had deleted that live holds again, a row the damage had changed that live
holds with yet other values or no more. A damage may span several transactions after the
first bad point, so a row the first bad point still shows as at the point counts as
damaged. Every case is one SQL query over the attached files (tables.open_pair), so
counting and applying select exactly the same rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from typing import Any

from dbguard.database import quote_identifier
from dbguard.incident.diff_queries import inserted_query
from dbguard.incident.tables import (
    Drift,
    TableShape,
    check_rowids,
    columns_of,
    key_columns,
    key_match,
    shape_of,
    shape_or_drift,
    tables_of,
    values_differ,
)
from dbguard.rules.repair import Case, Write, repair_row

CONFLICTS_SHOWN = 20


@dataclass
class TablePlan:
    shape: TableShape
    bad: str  # the schema holding the first bad point for this table: "bad" or "live"
    recreate: bool = False  # dropped from live: created again from the point's schema
    counts: dict[Case, int] = field(default_factory=dict)
    conflicts: list[tuple[Case, Any]] = field(default_factory=list)  # the first few (case, key)
    inserted_since: int = 0  # rows live has that the point has not: never touched

    def writes(self, overwrite: bool) -> dict[Write, int]:
        totals = {Write.INSERT: 0, Write.UPDATE: 0}
        for case, count in self.counts.items():
            write = repair_row(case, overwrite).write
            if write is not Write.NONE:
                totals[write] += count
        return totals

    def skipped(self, overwrite: bool) -> int:
        return sum(
            n for c, n in self.counts.items() if repair_row(c, overwrite).write is Write.NONE
        )

    def result(self, overwrite: bool) -> dict[str, int]:
        writes = self.writes(overwrite)
        return {
            "reinserted": writes[Write.INSERT],
            "reverted": writes[Write.UPDATE],
            "skipped": self.skipped(overwrite),
        }


@dataclass
class RowsPlan:
    tables: list[TablePlan]  # parents before children
    drift: dict[str, Drift]
    knows_bad: bool  # False: no first bad point, live stands in for it
    left_alone: list[str] = field(default_factory=list)  # tables the damage is not in

    def to_json(self, overwrite: bool) -> dict[str, Any]:
        return {
            "tables": {
                t.shape.name: {
                    **t.result(overwrite),
                    "recreate": t.recreate,
                    "conflicts": {
                        c.value: n
                        for c, n in t.counts.items()
                        if repair_row(c, False).conflict and n
                    },
                    "inserted_since": t.inserted_since,
                }
                for t in self.tables
            },
            "schema_drift": {name: d.as_json() for name, d in self.drift.items()},
            "left_alone": self.left_alone,
        }


def case_query(plan: TablePlan, case: Case, what: str) -> str:
    """SELECT `what` (over aliases p: point, b: bad, l: live) of the rows in `case`."""
    shape = plan.shape
    table = quote_identifier(shape.name)
    point, bad, live = f"point.{table} AS p", f"{plan.bad}.{table} AS b", f"live.{table} AS l"
    if plan.recreate:  # every row of the point goes back; live has no such table
        return (
            f"SELECT {what} FROM {point}"
            if case is Case.DELETED
            else f"SELECT {what} FROM {point} WHERE 0"
        )
    in_bad = key_match(shape, "b", "p")
    damaged = values_differ(shape, "p", "b")  # the first bad point shows the damage on it
    again = values_differ(shape, "l", "b")  # and live moved on from there
    if case in (Case.DELETED, Case.DELETED_AGAIN):
        touched = f"EXISTS (SELECT 1 FROM {bad} WHERE {in_bad} AND ({damaged}))"
        return (
            f"SELECT {what} FROM {point} WHERE NOT EXISTS"
            f" (SELECT 1 FROM {live} WHERE {key_match(shape, 'l', 'p')})"
            f" AND {'' if case is Case.DELETED_AGAIN else 'NOT '}{touched}"
        )
    differs = f"SELECT {what} FROM {point} JOIN {live} ON {key_match(shape, 'l', 'p')}"
    differs += f" WHERE ({values_differ(shape, 'p', 'l')})"
    if case is Case.KEY_TAKEN:
        return f"{differs} AND NOT EXISTS (SELECT 1 FROM {bad} WHERE {in_bad})"
    moved_on = f"EXISTS (SELECT 1 FROM {bad} WHERE {in_bad} AND ({damaged}) AND ({again}))"
    if case is Case.CHANGED_AGAIN:
        return f"{differs} AND {moved_on}"
    return f"{differs} AND EXISTS (SELECT 1 FROM {bad} WHERE {in_bad}) AND NOT {moved_on}"


def plan_rows(
    connection: sqlite3.Connection,
    ignore: Iterable[str],
    knows_bad: bool,
    only: frozenset[str] | None = None,
) -> RowsPlan:
    """The plan over the point's tables (only the damaged ones, `only`, when given)."""
    patterns = tuple(ignore)
    in_live = set(tables_of(connection, "live", patterns))
    in_bad = set(tables_of(connection, "bad", patterns)) if knows_bad else set()
    tables: list[TablePlan] = []
    drift: dict[str, Drift] = {}
    left_alone: list[str] = []
    graph = parents_of(connection, tables_of(connection, "point", patterns))
    if only is not None:
        only = with_parents(only, graph)
    for name in foreign_key_order(graph):
        if only is not None and name not in only and name in in_live:
            left_alone.append(name)
            continue
        if name not in in_live:
            shape = shape_of(name, columns_of(connection, "point", name))
            tables.append(_counted(connection, TablePlan(shape, "live", recreate=True)))
            continue
        found = shape_or_drift(connection, name)
        if isinstance(found, Drift):
            drift[name] = found
            continue
        check_rowids(connection, found)
        bad = "bad" if name in in_bad and _same_columns(connection, name) else "live"
        tables.append(_counted(connection, TablePlan(found, bad)))
    return RowsPlan(tables, drift, knows_bad, sorted(left_alone))


def parents_of(connection: sqlite3.Connection, tables: list[str]) -> dict[str, set[str]]:
    """Each table's parents among `tables`, by the point's foreign keys."""
    graph: dict[str, set[str]] = {}
    for name in tables:
        rows = connection.execute(
            f"PRAGMA point.foreign_key_list({quote_identifier(name)})"
        ).fetchall()
        graph[name] = {row[2] for row in rows if row[2] in tables and row[2] != name}
    return graph


def foreign_key_order(graph: dict[str, set[str]]) -> list[str]:
    """The tables with every parent before its children; a cycle keeps the listed order
    (SQLite checks each statement, so a cycle's rows need both sides)."""
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError:
        return list(graph)


def with_parents(names: frozenset[str], graph: dict[str, set[str]]) -> frozenset[str]:
    """`names` and every table they reference, at any depth: the rows put back in a damaged
    table may need rows of its parents put back first."""
    found, todo = set(names), list(names)
    while todo:
        for parent in graph.get(todo.pop(), ()):
            if parent not in found:
                found.add(parent)
                todo.append(parent)
    return frozenset(found)


def _same_columns(connection: sqlite3.Connection, name: str) -> bool:
    def columns(schema: str) -> list[tuple[str, str, int]]:
        return [(c.name, c.type, c.pk) for c in columns_of(connection, schema, name)]

    return columns("bad") == columns("point")


def _counted(connection: sqlite3.Connection, plan: TablePlan) -> TablePlan:
    for case in Case:
        (count,) = connection.execute(
            f"SELECT COUNT(*) FROM ({case_query(plan, case, '1')})"
        ).fetchone()
        plan.counts[case] = int(count)
        if count and repair_row(case, False).conflict and len(plan.conflicts) < CONFLICTS_SHOWN:
            keys = connection.execute(
                case_query(plan, case, key_columns(plan.shape, "p")) + f" LIMIT {CONFLICTS_SHOWN}"
            ).fetchall()
            plan.conflicts.extend((case, k[0] if len(k) == 1 else list(k)) for k in keys)
    if not plan.recreate:
        (since,) = connection.execute(
            f"SELECT COUNT(*) FROM ({inserted_query(plan.shape, '1')})"
        ).fetchone()
        plan.inserted_since = int(since)
    return plan
