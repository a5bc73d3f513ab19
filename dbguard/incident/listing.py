"""`dbguard incident list`: one row per incident of a database, newest first, as plain data
(the CLI prints it as a table or as JSON)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from dbguard.durations import human_duration
from dbguard.history import History, IncidentStore
from dbguard.history.records import timestamp
from dbguard.incident.story import IncidentStory, incident_story
from dbguard.incident.timeline import time_to_detect_text, time_to_repair_text


def _seconds(duration: timedelta | None) -> float | None:
    return None if duration is None else round(duration.total_seconds(), 3)


def incident_row(story: IncidentStory) -> dict[str, Any]:
    incident = story.incident
    assessment = incident.assessment
    return {
        "id": incident.id,
        "database": incident.database,
        "status": "open" if incident.is_open else "closed",
        "detected_at": timestamp(incident.detected_at),
        "closed_at": timestamp(incident.closed_at) if incident.closed_at else None,
        "open_for": human_duration(incident.open_for(story.now)),
        "damage_began": timestamp(incident.damage_began) if incident.damage_began else None,
        "time_to_detect": time_to_detect_text(story),
        "time_to_detect_seconds": _seconds(incident.time_to_detect),
        "time_to_repair": time_to_repair_text(story),
        "time_to_repair_seconds": _seconds(incident.time_to_repair),
        "failed_rules": list(story.failed_rules),
        "alerts": [
            {
                "sent_at": timestamp(alert.sent_at),
                "source": alert.source,
                "status": alert.status,
                "kind": alert.kind,
                "destination": alert.destination,
                "ok": alert.ok,
            }
            for alert in story.alerts
        ],
        "last_good": assessment.last_good.to_json()
        if assessment and assessment.last_good
        else None,
        "first_bad": assessment.first_bad.to_json()
        if assessment and assessment.first_bad
        else None,
        "flipped": list(assessment.flipped) if assessment else [],
        "loss": assessment.loss if assessment else {},
        "actions": [
            {
                "kind": action.kind,
                "route": action.route,
                "outcome": action.outcome,
                "started_at": timestamp(action.started_at),
                "finished_at": timestamp(action.finished_at),
                "plan": action.plan,
                "result": action.result,
                "run_id": action.run_id,
            }
            for action in incident.actions
        ],
        "opened_run_id": incident.opened_run_id,
        "closed_run_id": incident.closed_run_id,
    }


def incident_rows(history: History, database: str, now: datetime) -> list[dict[str, Any]]:
    """Every incident of `database`, newest first."""
    return [
        incident_row(incident_story(history, incident, now))
        for incident in IncidentStore(history).incidents(database)
    ]
