"""The weekly report's "Incidents" section: every incident open at some moment of the week,
with its time to detect and its time to repair (dbguard.history.incident_records defines
both)."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timedelta

from dbguard.durations import human_duration
from dbguard.history import History, Incident, IncidentStore

log = logging.getLogger(__name__)


def week_incidents(
    history: History, database: str, start: datetime, end: datetime
) -> list[Incident]:
    """The incidents of [start, end] (end's own second included), oldest first."""
    try:
        found = IncidentStore(history).incidents(
            database, since=start, until=end + timedelta(seconds=1)
        )
    except sqlite3.Error as error:
        log.warning("cannot read the incidents in %s: %s", history.path, error)
        return []
    return list(reversed(found))


def incident_lines(incidents: list[Incident], end: datetime) -> list[str]:
    """Markdown lines for the weekly report."""
    lines = ["", "## Incidents (事故)", ""]
    if not incidents:
        return [*lines, "No incident this week."]
    lines += [
        "| Incident | Detected | Closed | Time to detect | Time to repair |",
        "|---|---|---|---|---|",
    ]
    for incident in incidents:
        detect = incident.time_to_detect
        repair = incident.time_to_repair
        closed = (
            f"{incident.closed_at.astimezone():%Y-%m-%d %H:%M}" if incident.closed_at else "open"
        )
        lines.append(
            f"| {incident.id} | {incident.detected_at.astimezone():%Y-%m-%d %H:%M} | {closed}"
            f" | {human_duration(detect) if detect is not None else 'not recorded'}"
            f" | {human_duration(repair) if repair is not None else f'open for {human_duration(incident.open_for(end))}'} |"
        )
    lines += ["", "The post-mortem of each: `dbguard incident report ID`."]
    return lines
