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

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbguard.errors import OperationFailed
from dbguard.history import REPAIR, ActionRecord, open_history, utc_now
from dbguard.incident.damaged import damaged_tables
from dbguard.incident.diff import diff_databases
from dbguard.incident.diff_result import Diff
from dbguard.incident.point_input import PointFile, first_bad, last_good, open_incident, point_files
from dbguard.incident.repair_plan import RowsPlan, plan_rows
from dbguard.incident.tables import open_pair

if TYPE_CHECKING:
    from dbguard.config import Config
    from dbguard.incident.probe import Judge

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
    incident = open_incident(config)
    if request.yes and incident is not None and not request.again:
        done = [a for a in incident.actions if a.kind == REPAIR and a.succeeded]
        if done:
            raise OperationFailed(
                f"incident {incident.id} was repaired already"
                f" ({done[-1].route} route, {done[-1].finished_at:%Y-%m-%d %H:%M:%S} UTC)",
                "look at 'dbguard incident diff' first; pass --again to repair it once more",
            )
    good_point = last_good(config, request.point, incident, "incident repair")
    bad_point = first_bad(config, incident, good_point)
    started_at = utc_now()
    with point_files(config, [good_point, *([bad_point] if bad_point else [])]) as files:
        good, bad = files[0], (files[1] if len(files) > 1 else None)
        from dbguard.incident.probe import Judge

        judge = Judge(config)
        only = damaged_tables(
            judge, good, bad, live, tuple(config.checks.ignore_tables), request.timeout
        )
        outcome = _plan(config, request, live, good, bad, only)
        if not request.yes:
            return outcome
        if outcome.route == ROWS:
            _rehearse(config, request, live, good, bad, started_at, judge, only)
            _apply_rows(config, request, live, good, bad, outcome, only)
        else:
            _apply_point_in_time(config, request, live, good, outcome)
    outcome.applied = True
    outcome.incident_id = _record(config, request, outcome, started_at)
    return outcome


def _plan(
    config: Config,
    request: RepairRequest,
    live: Path,
    good: PointFile,
    bad: PointFile | None,
    only: frozenset[str] | None,
) -> RepairOutcome:
    ignore = tuple(config.checks.ignore_tables)
    connection = open_pair(good.path, live, None, request.timeout, bad=bad.path if bad else None)
    try:
        connection.execute("BEGIN")
        plan = plan_rows(connection, ignore, bad is not None, only)
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


def _rehearse(
    config: Config,
    request: RepairRequest,
    live: Path,
    good: PointFile,
    bad: PointFile | None,
    started_at: datetime,
    judge: Judge,
    only: frozenset[str] | None,
) -> None:
    """The rehearsal (repair_gate); a refusal is recorded in the open incident, then raised."""
    from dbguard.incident.records import record_repair
    from dbguard.incident.repair_gate import RepairRefused, rehearse

    try:
        rehearse(
            config,
            good,
            bad,
            live,
            judge=judge,
            only=only,
            overwrite=request.overwrite,
            timeout=request.timeout,
        )
    except RepairRefused as refused:
        if config.reports.history.is_file():
            record_repair(
                open_history(config.reports.history),
                config.database.key,
                ActionRecord(
                    kind=REPAIR,
                    route=ROWS,
                    started_at=started_at,
                    finished_at=utc_now(),
                    outcome="refused",
                    plan={"source": good.label},
                    result={"reason": refused.one_line()},
                ),
            )
        raise


def _apply_rows(
    config: Config,
    request: RepairRequest,
    live: Path,
    good: PointFile,
    bad: PointFile | None,
    outcome: RepairOutcome,
    only: frozenset[str] | None,
) -> None:
    from backup.naming import TIMESTAMP_FORMAT
    from backup.safety_copies import REPAIR_MARKER, make_safety_copy, prune_safety_copies
    from dbguard.incident.repair_apply import apply_rows

    moment = utc_now()
    outcome.safety_copy = make_safety_copy(
        live, moment, busy_timeout=request.timeout, marker=REPAIR_MARKER
    )
    undo = live.with_name(f"{live.name}.repair.{moment.strftime(TIMESTAMP_FORMAT)}.sqlite3")
    applied = apply_rows(
        good.path,
        live,
        bad.path if bad else None,
        undo,
        tuple(config.checks.ignore_tables),
        overwrite=request.overwrite,
        timeout=request.timeout,
        only=only,
    )
    outcome.plan, outcome.written, outcome.undo = applied.plan, applied.written, applied.undo
    outcome.row_counts = _row_counts(config, live)
    # Restores' and repairs' safety copies share one retention (never the one just made).
    prune_safety_copies(live, config.backup.safety_copies_keep, protect=outcome.safety_copy)


def _apply_point_in_time(
    config: Config, request: RepairRequest, live: Path, good: PointFile, outcome: RepairOutcome
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

    from dbguard.errors import DbguardError
    from dbguard.incident.records import record_live_change

    finished_at = utc_now()
    plan: dict[str, Any] = {"source": outcome.point, "first_bad": outcome.bad}
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
    try:
        history = open_history(config.reports.history)
        recorded = record_live_change(history, config.database.key, action, outcome.row_counts)
        return recorded.incident_id
    except (DbguardError, OSError, sqlite3.Error) as error:
        logging.getLogger(__name__).warning(
            "the repair is done, but the history could not record it: %s", error
        )
        return None
