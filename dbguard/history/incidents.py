"""The incident tables of the history file (created by dbguard.history.migrations): reads,
and writes in short transactions.

The store decides nothing: `follow` asks the caller's decision (dbguard.rules.incidents,
passed in by dbguard.incident.records) whether a run opens, closes or joins an incident,
inside the same transaction that reads the open incident, so two runs appended at once
cannot open two incidents (a unique index guards that too). Alerts are not copied here:
they stay in the alert tables and are linked by time (dbguard.incident.records).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from dbguard.history.incident_records import (
    ActionRecord,
    Assessment,
    Incident,
    IncidentAction,
    RecoveryPoint,
)
from dbguard.history.records import parse_timestamp, timestamp
from dbguard.history.store import History
from dbguard.redact import mask_secrets

INCIDENT_COLUMNS = "id, database, detected_at, opened_run_id, closed_at, closed_run_id"
ACTION_COLUMNS = (
    "id, incident_id, kind, route, started_at, finished_at, outcome, plan, result, run_id"
)


class IncidentStore:
    """The incidents of one history file (open it with dbguard.history.open_history)."""

    def __init__(self, history: History) -> None:
        self.history = history

    def follow(
        self,
        database: str,
        decide: Callable[[bool], str],
        *,
        ended_at: datetime,
        run_id: int | None = None,
        action: ActionRecord | None = None,
    ) -> tuple[str, int | None]:
        """Apply `decide(incident_open)` ("open", "close", "attach", anything else: nothing) for
        a run of `database` that ended at `ended_at`; return the step and the incident's id."""
        database = mask_secrets(database)
        with self.history._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                row = connection.execute(
                    "SELECT id FROM incidents WHERE database = ? AND closed_at IS NULL",
                    (database,),
                ).fetchone()
                incident_id = int(row[0]) if row else None
                step = decide(incident_id is not None)
                if step == "open":
                    cursor = connection.execute(
                        "INSERT INTO incidents (database, detected_at, opened_run_id)"
                        " VALUES (?, ?, ?)",
                        (database, timestamp(ended_at), run_id),
                    )
                    incident_id = int(cursor.lastrowid or 0)
                elif step == "close" and incident_id is not None:
                    connection.execute(
                        "UPDATE incidents SET closed_at = ?, closed_run_id = ? WHERE id = ?",
                        (timestamp(ended_at), run_id, incident_id),
                    )
                elif step == "attach" and incident_id is not None and action is not None:
                    _insert_action(connection, incident_id, action, run_id)
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
        return step, incident_id

    def add_assessment(
        self,
        incident_id: int,
        assessed_at: datetime,
        *,
        last_good: RecoveryPoint | None = None,
        first_bad: RecoveryPoint | None = None,
        flipped: Iterable[str] | None = None,
        loss: Mapping[str, Mapping[str, int]] | None = None,
    ) -> None:
        """Record one find/diff result; fields left out keep what earlier ones said."""

        def encoded(value: Any) -> str | None:
            return None if value is None else json.dumps(value, sort_keys=True)

        with self.history._connect() as connection, connection:
            connection.execute(
                "INSERT INTO incident_assessments"
                " (incident_id, assessed_at, last_good, first_bad, flipped, loss)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    incident_id,
                    timestamp(assessed_at),
                    encoded(last_good.to_json() if last_good else None),
                    encoded(first_bad.to_json() if first_bad else None),
                    encoded(None if flipped is None else [str(name) for name in flipped]),
                    encoded(
                        None
                        if loss is None
                        else {
                            str(table): {str(k): int(v) for k, v in counts.items()}
                            for table, counts in loss.items()
                        }
                    ),
                ),
            )

    def incidents(
        self,
        database: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 1000,
    ) -> list[Incident]:
        """The database's incidents, newest first; with `since`/`until`, those open at any
        moment of [since, until)."""
        clauses, parameters = ["database = ?"], [mask_secrets(database)]
        if since is not None:
            clauses.append("(closed_at IS NULL OR closed_at >= ?)")
            parameters.append(timestamp(since))
        if until is not None:
            clauses.append("detected_at < ?")
            parameters.append(timestamp(until))
        return self._load(
            f"SELECT {INCIDENT_COLUMNS} FROM incidents WHERE {' AND '.join(clauses)}"
            " ORDER BY detected_at DESC, id DESC LIMIT ?",
            [*parameters, limit],
        )

    def incident(self, incident_id: int) -> Incident | None:
        found = self._load(f"SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = ?", [incident_id])
        return found[0] if found else None

    def outcomes_of_run(self, run_id: int) -> list[tuple[str, str]]:
        """(rule name, severity) of each outcome of run `run_id`, in the order recorded."""
        with self.history._connect() as connection:
            return [
                (str(name), str(severity))
                for name, severity in connection.execute(
                    "SELECT name, severity FROM outcomes WHERE run_id = ? ORDER BY rowid",
                    (run_id,),
                )
            ]

    def _load(self, query: str, parameters: list[Any]) -> list[Incident]:
        with self.history._connect() as connection:
            connection.execute("BEGIN")
            rows = connection.execute(query, parameters).fetchall()
            ids = [row[0] for row in rows]
            marks = ",".join("?" * len(ids))
            assessments: dict[int, list[tuple[Any, ...]]] = {key: [] for key in ids}
            actions: dict[int, list[IncidentAction]] = {key: [] for key in ids}
            if ids:
                for row in connection.execute(
                    "SELECT incident_id, assessed_at, last_good, first_bad, flipped, loss"
                    f" FROM incident_assessments WHERE incident_id IN ({marks})"
                    " ORDER BY assessed_at, id",
                    ids,
                ):
                    assessments[row[0]].append(row[1:])
                for row in connection.execute(
                    f"SELECT {ACTION_COLUMNS} FROM incident_actions"
                    f" WHERE incident_id IN ({marks}) ORDER BY started_at, id",
                    ids,
                ):
                    actions[row[1]].append(_action(row))
            connection.rollback()
        return [
            Incident(
                id=row[0],
                database=row[1],
                detected_at=parse_timestamp(row[2]),
                opened_run_id=row[3],
                closed_at=parse_timestamp(row[4]) if row[4] else None,
                closed_run_id=row[5],
                assessment=_merged(assessments[row[0]]),
                actions=tuple(actions[row[0]]),
            )
            for row in rows
        ]


def _insert_action(
    connection: sqlite3.Connection, incident_id: int, action: ActionRecord, run_id: int | None
) -> None:
    connection.execute(
        "INSERT INTO incident_actions (incident_id, kind, route, started_at, finished_at,"
        " outcome, plan, result, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            incident_id,
            action.kind,
            action.route,
            timestamp(action.started_at),
            timestamp(action.finished_at),
            action.outcome,
            mask_secrets(json.dumps(dict(action.plan), sort_keys=True, default=str)),
            mask_secrets(json.dumps(dict(action.result), sort_keys=True, default=str)),
            run_id,
        ),
    )


def _action(row: tuple[Any, ...]) -> IncidentAction:
    return IncidentAction(
        id=row[0],
        kind=row[2],
        route=row[3],
        started_at=parse_timestamp(row[4]),
        finished_at=parse_timestamp(row[5]),
        outcome=row[6],
        plan=json.loads(row[7] or "{}"),
        result=json.loads(row[8] or "{}"),
        run_id=row[9],
    )


def _merged(rows: list[tuple[Any, ...]]) -> Assessment | None:
    """One assessment from every recorded one, oldest first: the newest value of each field."""
    if not rows:
        return None
    fields: dict[str, Any] = {}
    for _, *values in rows:
        for name, value in zip(("last_good", "first_bad", "flipped", "loss"), values, strict=True):
            if value is not None:
                fields[name] = json.loads(value)
    return Assessment(
        first_at=parse_timestamp(rows[0][0]),
        last_at=parse_timestamp(rows[-1][0]),
        last_good=RecoveryPoint.from_json(fields["last_good"]) if "last_good" in fields else None,
        first_bad=RecoveryPoint.from_json(fields["first_bad"]) if "first_bad" in fields else None,
        flipped=tuple(fields.get("flipped", ())),
        loss=fields.get("loss", {}),
    )
