"""`incident repair` as a library call: plan, then (with `yes`) apply one route and record it.

- **rows**: the damage (last good point → first bad point, else → live) is undone row by
  row in one transaction (repair_apply), after a consistent safety copy; every row written
  since the damage is left alone; conflicts follow dbguard.rules.repair.
- **point-in-time**: the point replaces live through the verified restore path (backup
  restore, or the replica's transaction), with its safety copy and post-check; the plan
  counts the later writes that are lost.

The points default to the incident's assessment (`incident find` records them). A repair is
recorded in the history as a run (the row counts it left, so change over time compares the
next check with them) and as an action of the open incident; a second repair of the same
incident needs `again`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbguard.errors import ConfigError, OperationFailed
from dbguard.history import REPAIR, ActionRecord, RunRecord, open_history, utc_now
from dbguard.incident.diff import Diff, diff_databases
from dbguard.incident.repair_plan import RowsPlan, plan_rows
from dbguard.incident.tables import open_pair

if TYPE_CHECKING:
    from dbguard.config import Config
    from dbguard.history import Incident

ROWS, POINT_IN_TIME = "rows", "point-in-time"


@dataclass(frozen=True)
class RepairRequest:
    point: str | None = None  # --from; default: the incident's last good point
    route: str | None = None  # ROWS or POINT_IN_TIME; default: rows unless a schema drifted
    yes: bool = False
    overwrite: bool = False
    again: bool = False
    timeout: float = 10.0


@dataclass
class RepairOutcome:
    route: str
    point: str  # the last good point, described
    bad: str | None  # the first bad point, described (None: live stood in for it)
    plan: RowsPlan | None  # rows route
    lost: Diff | None  # point-in-time route: what live has that the point has not
    applied: bool = False
    written: dict[str, dict[str, int]] = field(default_factory=dict)
    safety_copy: Path | None = None
    undo: Path | None = None
    row_counts: dict[str, int] = field(default_factory=dict)
    incident_id: int | None = None


def repair(config: Config, request: RepairRequest) -> RepairOutcome:
    from dbguard.incident.points import require_sqlite

    require_sqlite(config)
    live = Path(config.database.path)
    incident = _open_incident(config)
    if request.yes and incident is not None and not request.again:
        done = [a for a in incident.actions if a.kind == REPAIR and a.succeeded]
        if done:
            raise OperationFailed(
                f"incident {incident.id} was repaired already"
                f" ({done[-1].route} route, {done[-1].finished_at:%Y-%m-%d %H:%M:%S} UTC)",
                "look at 'dbguard incident diff' first; pass --again to repair it once more",
            )
    good_text, bad_text = _point_texts(request, incident)
    started_at = utc_now()
    with _materialized(config, good_text, bad_text) as (good, bad):
        outcome = _plan(config, request, live, good, bad)
        if not request.yes:
            return outcome
        if outcome.route == ROWS:
            _apply_rows(config, request, live, good, bad, outcome)
        else:
            _apply_point_in_time(config, request, live, good, outcome)
    outcome.applied = True
    outcome.incident_id = _record(config, request, outcome, started_at)
    return outcome


def _open_incident(config: Config) -> Incident | None:
    from dbguard.history import IncidentStore

    path = config.reports.history
    if not path.is_file():
        return None
    newest = IncidentStore(open_history(path)).incidents(config.database.key, limit=1)
    return newest[0] if newest and newest[0].is_open else None


def _point_texts(request: RepairRequest, incident: Incident | None) -> tuple[str, str | None]:
    assessment = incident.assessment if incident else None
    good = request.point
    if good is None and assessment and assessment.last_good:
        good = assessment.last_good.txid or assessment.last_good.backup
    if not good:
        raise ConfigError(
            "'dbguard incident repair' needs a recovery point, and no incident records one",
            "run 'dbguard incident find' first, or pass --from with a backup, a TXID or a time",
        )
    bad = None
    if assessment and assessment.first_bad and not assessment.first_bad.live:
        bad = assessment.first_bad.txid or assessment.first_bad.backup
    return good, bad


@dataclass(frozen=True)
class _Point:
    path: Path
    label: str
    backup: Path | None
    txid: int | None
    time: datetime


@contextlib.contextmanager
def _materialized(
    config: Config, good_text: str, bad_text: str | None
) -> Iterator[tuple[_Point, _Point | None]]:
    from dbguard.incident.points import materialize, resolve_point
    from dbguard.scratch import scratch_folder

    good = resolve_point(config, good_text)
    bad = (
        resolve_point(config, bad_text, option="the incident's first bad point")
        if bad_text
        else None
    )
    if bad is not None and bad.time <= good.time:
        bad = None  # not after the good point: live stands in for it
    with scratch_folder("incident-repair") as folder:
        (folder / "good").mkdir()
        good_file = materialize(config, good, folder / "good")
        bad_point = None
        if bad is not None:
            (folder / "bad").mkdir()
            bad_point = _Point(
                materialize(config, bad, folder / "bad"),
                bad.describe(),
                bad.backup,
                bad.txid,
                bad.time,
            )
        yield _Point(good_file, good.describe(), good.backup, good.txid, good.time), bad_point


def _plan(
    config: Config, request: RepairRequest, live: Path, good: _Point, bad: _Point | None
) -> RepairOutcome:
    ignore = tuple(config.checks.ignore_tables)
    connection = open_pair(good.path, live, None, request.timeout, bad=bad.path if bad else None)
    try:
        connection.execute("BEGIN")
        plan = plan_rows(connection, ignore, bad is not None)
        connection.execute("ROLLBACK")
    finally:
        connection.close()
    route = request.route or (POINT_IN_TIME if plan.drift else ROWS)
    lost = None
    if route == POINT_IN_TIME:
        lost = diff_databases(good.path, live, ignore, timeout=request.timeout)
    return RepairOutcome(
        route, good.label, bad.label if bad else None, plan if route == ROWS else None, lost
    )


def _apply_rows(
    config: Config,
    request: RepairRequest,
    live: Path,
    good: _Point,
    bad: _Point | None,
    outcome: RepairOutcome,
) -> None:
    from backup.naming import TIMESTAMP_FORMAT
    from backup.safety_copies import make_safety_copy
    from dbguard.incident.repair_apply import apply_rows

    moment = utc_now()
    outcome.safety_copy = make_safety_copy(live, moment, busy_timeout=request.timeout)
    undo = live.with_name(f"{live.name}.repair.{moment.strftime(TIMESTAMP_FORMAT)}.sqlite3")
    applied = apply_rows(
        good.path,
        live,
        bad.path if bad else None,
        undo,
        tuple(config.checks.ignore_tables),
        overwrite=request.overwrite,
        timeout=request.timeout,
    )
    outcome.plan, outcome.written, outcome.undo = applied.plan, applied.written, applied.undo
    outcome.row_counts = _row_counts(config, live)


def _apply_point_in_time(
    config: Config, request: RepairRequest, live: Path, good: _Point, outcome: RepairOutcome
) -> None:
    from backup.restore import restore_backup

    if good.backup is not None:
        result = restore_backup(
            good.backup,
            live,
            assume_yes=True,
            busy_timeout=request.timeout,
            safety_copies_keep=config.backup.safety_copies_keep,
            backup_dir=config.backup.dir,
        )
    else:
        from dbguard.replication.restore import restore_from_replica

        result = restore_from_replica(
            config, live, txid=good.txid, assume_yes=True, busy_timeout=request.timeout
        ).restore
    outcome.safety_copy = result.safety_copy
    outcome.row_counts = dict(result.row_counts)
    outcome.written = {"route": {"restored": 1}}


def _row_counts(config: Config, live: Path) -> dict[str, int]:
    import contextlib as _contextlib

    from dbguard.database import connect_read_only, row_counts

    with _contextlib.closing(connect_read_only(live)) as connection:
        return row_counts(connection, ignore=config.checks.ignore_tables)


def _record(
    config: Config, request: RepairRequest, outcome: RepairOutcome, started_at: datetime
) -> int | None:
    """The repair as a run (its row counts: what the next check compares with) and as the
    open incident's action. A history that cannot take it is a warning, never a failure."""
    import logging
    import sqlite3

    from dbguard.errors import DbguardError, ExitCode
    from dbguard.incident.records import record_run
    from dbguard.metrics import row_metric

    finished_at = utc_now()
    plan: dict[str, Any] = {"point": outcome.point, "first_bad": outcome.bad}
    if outcome.plan is not None:
        plan.update(outcome.plan.to_json(request.overwrite))
    if outcome.lost is not None:
        plan["lost"] = outcome.lost.loss
    action = ActionRecord(
        kind=REPAIR,
        route=outcome.route,
        started_at=started_at,
        finished_at=finished_at,
        plan=plan,
        result={
            "tables": outcome.written if outcome.route == ROWS else {},
            "safety_copy": str(outcome.safety_copy) if outcome.safety_copy else None,
            "undo": str(outcome.undo) if outcome.undo else None,
            "row_counts": outcome.row_counts,
        },
    )
    record = RunRecord(
        kind=REPAIR,
        started_at=started_at,
        finished_at=finished_at,
        database=config.database.key,
        status="ok",
        exit_code=int(ExitCode.OK),
        metrics={row_metric(table, "live"): n for table, n in outcome.row_counts.items()},
    )
    try:
        return record_run(open_history(config.reports.history), record, action).incident_id
    except (DbguardError, OSError, sqlite3.Error) as error:
        logging.getLogger(__name__).warning(
            "the repair is done, but the history could not record it: %s", error
        )
        return None
