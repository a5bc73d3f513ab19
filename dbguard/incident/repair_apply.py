"""Applying the rows route: one transaction on live under SQLite's write lock.

The rows to write are selected by the plan's case queries (repair_plan.case_query) inside
the transaction, so they are exactly the rows the damage touched as live is at that moment.
They go first into the undo file (the connection's main database: per table every row
written, `_side` `after`, and for an update the row it replaced, `_side` `before`), then
from there into live, parents before children, with foreign keys enforced. One COMMIT;
a process killed before it leaves live as it was. The undo file is published (renamed)
only after live committed.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from dbguard.database import quote_identifier
from dbguard.errors import OperationFailed
from dbguard.incident.repair_plan import RowsPlan, TablePlan, case_query, plan_rows
from dbguard.incident.tables import ROWID, column_definitions, open_pair, selected, table_sql
from dbguard.rules.repair import Case, Write, repair_row

# Cases whose row in live is replaced by an update: its values before go to the undo file.
REPLACES_A_LIVE_ROW = (Case.KEY_TAKEN, Case.CHANGED, Case.CHANGED_AGAIN)


@dataclass(frozen=True)
class Applied:
    plan: RowsPlan  # as planned again under the write lock: what was written
    written: dict[str, dict[str, int]]  # per table {"reinserted", "reverted", "skipped"}
    undo: Path


def apply_rows(
    point: Path,
    live: Path,
    bad: Path | None,
    undo: Path,
    ignore: tuple[str, ...],
    *,
    overwrite: bool,
    timeout: float,
    only: frozenset[str] | None = None,
) -> Applied:
    temporary = undo.with_name(f".{undo.name}.tmp-{os.getpid()}")
    connection = open_pair(point, live, temporary, timeout, bad=bad, write_live=True)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise OperationFailed(
                f"the database stayed locked by a writer for {timeout:g} s ({error});"
                " the repair is refused and nothing changed",
                "run it again, with a longer --timeout, or when the application writes less",
            ) from None
        try:
            plan = plan_rows(connection, ignore, bad is not None, only)
            written = {t.shape.name: _apply_table(connection, t, overwrite) for t in plan.tables}
            connection.execute("COMMIT")
        except sqlite3.IntegrityError as error:
            connection.execute("ROLLBACK")
            raise OperationFailed(
                f"the repair would break a constraint of the database ({error});"
                " it was rolled back and nothing changed",
                "look at the conflicting rows with 'dbguard incident diff --out FILE'",
            ) from None
    except BaseException:
        connection.close()
        temporary.unlink(missing_ok=True)
        raise
    connection.close()
    os.replace(temporary, undo)
    return Applied(plan, written, undo)


def _apply_table(
    connection: sqlite3.Connection, plan: TablePlan, overwrite: bool
) -> dict[str, int]:
    shape = plan.shape
    table = quote_identifier(shape.name)
    if plan.recreate:
        _recreate(connection, shape.name)
    definitions = column_definitions(shape, "_case", "_write", "_side")
    connection.execute(f"CREATE TABLE main.{table} ({definitions})")
    keys = ["_rowid"] if shape.by_rowid else [quote_identifier(k) for k in shape.key]
    index = quote_identifier(f"{shape.name}_key")
    connection.execute(f"CREATE INDEX main.{index} ON {table} (_side, _write, {', '.join(keys)})")
    skipped = 0
    for case in (Case.DELETED,) if plan.recreate else tuple(Case):
        decision = repair_row(case, overwrite)
        if decision.write is Write.NONE:
            (count,) = connection.execute(
                f"SELECT COUNT(*) FROM ({case_query(plan, case, '1')})"
            ).fetchone()
            skipped += int(count)
            continue
        labels = f"'{case.value}', '{decision.write.value}'"
        if case in REPLACES_A_LIVE_ROW:
            connection.execute(
                f"INSERT INTO main.{table} "
                + case_query(plan, case, f"{labels}, 'before', {selected(shape, 'l')}")
            )
        connection.execute(
            f"INSERT INTO main.{table} "
            + case_query(plan, case, f"{labels}, 'after', {selected(shape, 'p')}")
        )
    names = ", ".join(quote_identifier(c) for c in shape.columns)
    target_names = f"rowid, {names}" if shape.by_rowid else names
    source_names = f"_rowid, {names}" if shape.by_rowid else names
    inserted = connection.execute(
        f"INSERT INTO live.{table} ({target_names}) SELECT {source_names} FROM main.{table}"
        " WHERE _side = 'after' AND _write = 'insert'"
    ).rowcount
    reverted = 0
    if shape.values:
        match = " AND ".join(f"u.{k} = l.{ROWID if k == '_rowid' else k}" for k in keys)
        assignments = ", ".join(
            f"{quote_identifier(c)} = u.{quote_identifier(c)}" for c in shape.values
        )
        reverted = connection.execute(
            f"UPDATE live.{table} AS l SET {assignments} FROM main.{table} AS u"
            f" WHERE u._side = 'after' AND u._write = 'update' AND {match}"
        ).rowcount
    return {"reinserted": inserted, "reverted": reverted, "skipped": skipped}


def _recreate(connection: sqlite3.Connection, name: str) -> None:
    """The dropped table as the point declares it, with its indexes, in live."""
    definition = table_sql(connection, "point", name)
    body = definition[definition.index("(") :]
    connection.execute(f"CREATE TABLE live.{quote_identifier(name)} {body}")
    indexes = connection.execute(
        "SELECT name, sql FROM point.sqlite_master WHERE type = 'index' AND tbl_name = ?"
        " AND sql IS NOT NULL",
        (name,),
    ).fetchall()
    for index_name, sql in indexes:
        on = sql.upper().index(" ON ")
        unique = "UNIQUE " if sql.upper().startswith("CREATE UNIQUE") else ""
        with contextlib.suppress(sqlite3.Error):  # an index only speeds queries up
            connection.execute(
                f"CREATE {unique}INDEX live.{quote_identifier(index_name)}{sql[on:]}"
            )
