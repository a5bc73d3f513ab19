"""Incidents as records: the one way runs, restores, repairs and assessments reach an incident.

- `record_run` appends a run to the history and lets it open, close or join an incident
  (dbguard.rules.incidents decides; dbguard.history.incidents stores). Check runs are
  appended through it (dbguard.report.session, at the end of every quality run, whoever
  started it). `record_live_change` appends a restore or repair the same way, with its
  route, plan and result as an ActionRecord.
- `record_action` attaches a restore or repair that appended no run (a refused restore; a
  repair, which records itself with kind "repair", its route, its plan and its result:
  per table `{"reinserted": n, "reverted": n, "skipped": n}` under `result["tables"]`).
- `record_assessment` takes issue 18's `incident find` / `incident diff` results: points
  `{"time", "txid" | "backup"}`, `flipped` rule names, `loss` per table
  `{"deleted", "changed", "inserted"}` (`loss_of_diff` reads it from diff's JSON).

Nothing here may fail the run that calls it: a history that cannot take the incident step
is a warning in the log, and the next run decides again.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from dbguard.history import (
    REPAIR,
    ActionRecord,
    History,
    IncidentStore,
    RecoveryPoint,
    RunRecord,
    utc_now,
)
from dbguard.history.incident_records import LOSS_KINDS
from dbguard.rules.incidents import IncidentStep, incident_step

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordedRun:
    run_id: int
    step: IncidentStep  # what the run did to the incidents of its database
    incident_id: int | None  # the incident it opened, closed, joined or left open


def record_run(
    history: History, record: RunRecord, action: ActionRecord | None = None
) -> RecordedRun:
    """Append `record` (raises as History.append does), then apply its incident step."""
    run_id = history.append(record)
    step, incident_id = _follow(
        history, record.database, record.kind, record.status, record.finished_at, run_id, action
    )
    return RecordedRun(run_id, step, incident_id)


def record_live_change(
    history: History, database: str, action: ActionRecord, row_counts: Mapping[str, int]
) -> RecordedRun:
    """A restore or repair that left live with `row_counts`: appended as an ok run of the
    action's kind, whose row counts the next check compares with (not a drop or a spike),
    with the action attached to the open incident. Raises as History.append does."""
    from dbguard.metrics import row_metric

    record = RunRecord(
        kind=action.kind,
        started_at=action.started_at,
        finished_at=action.finished_at,
        database=database,
        status="ok",
        exit_code=0,
        metrics={row_metric(table, "live"): count for table, count in row_counts.items()},
    )
    return record_run(history, record, action)


def record_action(history: History, database: str, action: ActionRecord) -> int | None:
    """Attach a restore or repair with no run of its own to the open incident of `database`;
    the incident's id, or None when none is open (nothing is recorded then)."""
    _, incident_id = _follow(history, database, action.kind, "ok", action.finished_at, None, action)
    return incident_id


def record_repair(history: History, database: str, action: ActionRecord) -> int | None:
    """`incident repair`'s record of itself (kind "repair")."""
    return record_action(history, database, replace(action, kind=REPAIR))


def record_assessment(
    history: History,
    database: str,
    *,
    last_good: Mapping[str, Any] | None = None,
    first_bad: Mapping[str, Any] | None = None,
    flipped: Iterable[str] | None = None,
    loss: Mapping[str, Mapping[str, int]] | None = None,
    incident_id: int | None = None,
    assessed_at: datetime | None = None,
) -> int | None:
    """Record what `incident find` (points, flipped rules) and/or `incident diff` (loss)
    found, for `incident_id`, else the open incident of `database`, else its newest one.
    Returns the incident's id, or None when the database has no incident."""
    store = IncidentStore(history)
    if incident_id is None:
        newest = store.incidents(database, limit=1)
        if not newest:
            log.info("no incident of %s to record the assessment in", database)
            return None
        incident_id = newest[0].id  # the open one, if any, is the newest
    store.add_assessment(
        incident_id,
        assessed_at or utc_now(),
        last_good=RecoveryPoint.from_json(last_good) if last_good else None,
        first_bad=RecoveryPoint.from_json(first_bad) if first_bad else None,
        flipped=flipped,
        loss=loss,
    )
    return incident_id


def loss_of_diff(diff: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """`incident diff --json`'s `tables.<name>.{deleted, changed, inserted}` counts."""
    tables = diff.get("tables", {})
    return {
        str(table): {kind: int(counts.get(kind, 0)) for kind in LOSS_KINDS}
        for table, counts in tables.items()
    }


def _follow(
    history: History,
    database: str,
    kind: str,
    status: str,
    ended_at: datetime,
    run_id: int | None,
    action: ActionRecord | None,
) -> tuple[IncidentStep, int | None]:
    decided: list[IncidentStep] = []

    def decide(incident_open: bool) -> str:
        decision = incident_step(incident_open, kind, status)
        decided.append(decision.step)
        return decision.step.value

    try:
        _, incident_id = IncidentStore(history).follow(
            database, decide, ended_at=ended_at, run_id=run_id, action=action
        )
    except sqlite3.Error as error:
        log.warning("the run is recorded, but its incident step is not: %s", error)
        return IncidentStep.NONE, None
    step = decided[-1] if decided else IncidentStep.NONE
    if step in (IncidentStep.OPEN, IncidentStep.CLOSE, IncidentStep.ATTACH):
        log.info("incident %s: %s (%s run)", incident_id, step.value, kind)
    return step, incident_id
