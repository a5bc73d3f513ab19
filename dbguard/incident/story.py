"""One incident as a story, read from the history file: the incident record, the rules that
failed, the alerts sent while it was open, the check runs it spanned and which of them
verified the last restore or repair.

Alerts are linked, not copied: they are the alert tables' own records (dbguard.alerts.store)
of the incident's database, sent from its detection until it closed, plus the recovery
messages sent within RECOVERY_GRACE of the closing run. Their destinations were masked when
they were recorded.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from dbguard.alerts.store import AlertStore, SentAlert
from dbguard.errors import DbguardError
from dbguard.findings import Severity
from dbguard.history import CHECK, History, Incident, IncidentStore, StoredRun

log = logging.getLogger(__name__)

# The recovery message of the closing run is sent right after the run is recorded.
RECOVERY_GRACE = timedelta(minutes=10)
# How far before its detection an incident's first run may have started.
LONGEST_RUN = timedelta(days=1)


class IncidentNotFound(DbguardError):
    """No such incident in the history."""


@dataclass(frozen=True)
class IncidentStory:
    incident: Incident
    failed_rules: tuple[str, ...]  # critical in the run that detected it
    warned_rules: tuple[str, ...]  # warnings in that run
    later_rules: tuple[str, ...]  # critical in a later run of the incident only
    alerts: tuple[SentAlert, ...]
    checks: tuple[StoredRun, ...]  # the check runs from detection to close, oldest first
    verified_by: StoredRun | None  # the first check run after the last restore or repair
    now: datetime
    before: StoredRun | None = None  # the last check run before the incident

    @property
    def first_alert(self) -> SentAlert | None:
        delivered = [alert for alert in self.alerts if alert.ok and alert.kind != "recovery"]
        return delivered[0] if delivered else None


def find_incident(history: History, database: str, incident_id: int | None) -> Incident:
    """Incident `incident_id`, or the newest incident of `database` when it is None."""
    store = IncidentStore(history)
    if incident_id is None:
        newest = store.incidents(database, limit=1)
        if not newest:
            raise IncidentNotFound(
                f"no incident is recorded for {database} in {history.path}",
                "an incident opens when a check run turns CRITICAL (`dbguard check`)",
            )
        return newest[0]
    incident = store.incident(incident_id)
    if incident is None:
        raise IncidentNotFound(
            f"incident {incident_id} is not in {history.path}",
            "`dbguard incident list` shows the recorded incidents",
        )
    return incident


def incident_story(history: History, incident: Incident, now: datetime) -> IncidentStory:
    store = IncidentStore(history)
    first = store.outcomes_of_run(incident.opened_run_id) if incident.opened_run_id else []
    failed = _names(first, Severity.CRITICAL)
    checks = _checks_of(history, incident)
    later: list[str] = []
    for run in checks[1:]:
        for outcome in run.outcomes:
            if outcome.severity == Severity.CRITICAL and outcome.name not in failed + later:
                later.append(outcome.name)
    return IncidentStory(
        incident=incident,
        failed_rules=tuple(failed),
        warned_rules=tuple(_names(first, Severity.WARNING)),
        later_rules=tuple(later),
        alerts=tuple(alerts_of(history, incident, now)),
        checks=tuple(checks),
        verified_by=_verified_by(incident, checks),
        now=now,
        before=_run_before(history, incident, checks),
    )


def alerts_of(history: History, incident: Incident, now: datetime) -> list[SentAlert]:
    """The alerts sent about the incident's database while it was open, and the recovery."""
    closed = incident.closed_at
    end = (closed + RECOVERY_GRACE) if closed else max(now, incident.detected_at) + RECOVERY_GRACE
    try:
        sent = AlertStore(history.path).sent_between(incident.detected_at, end)
    except (sqlite3.Error, OSError) as error:
        log.warning("cannot read the alerts in %s: %s", history.path, error)
        return []
    return [
        alert
        for alert in sent
        if alert.database == incident.database
        and alert.source != "test"
        and (closed is None or alert.sent_at < closed or alert.kind == "recovery")
    ]


def _names(outcomes: list[tuple[str, str]], severity: Severity) -> list[str]:
    names: list[str] = []
    for name, found in outcomes:
        if found == severity.value and name not in names:
            names.append(name)
    return names


def _checks_of(history: History, incident: Incident) -> list[StoredRun]:
    until = (incident.closed_at + timedelta(seconds=1)) if incident.closed_at else None
    runs = history.recent_runs(
        kind=CHECK,
        since=incident.detected_at - LONGEST_RUN,
        until=until,
        limit=100_000,
        database=incident.database,
    )
    first = incident.opened_run_id
    last = incident.closed_run_id
    return sorted(
        (
            run
            for run in runs
            if (first is None or run.id >= first)
            and (last is None or run.id <= last)
            and (first is not None or run.started_at >= incident.detected_at)
        ),
        key=lambda run: (run.started_at, run.id),
    )


def _run_before(history: History, incident: Incident, checks: list[StoredRun]) -> StoredRun | None:
    until = checks[0].started_at if checks else incident.detected_at
    earlier = history.recent_runs(kind=CHECK, until=until, limit=1, database=incident.database)
    return earlier[0] if earlier else None


def _verified_by(incident: Incident, checks: list[StoredRun]) -> StoredRun | None:
    done = [action for action in incident.actions if action.succeeded]
    if not done:
        closing = [run for run in checks if run.id == incident.closed_run_id]
        return closing[0] if closing else None
    after = done[-1].finished_at
    return next((run for run in checks if run.started_at >= after), None)
