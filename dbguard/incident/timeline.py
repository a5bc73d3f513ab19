"""An incident's timeline, in the plan's order: damage began → detected → alerted → assessed →
repaired → verified → closed. A step with nothing recorded says so, and what records it.

Pure: the story in, the steps out. Times are shown in local time by the callers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dbguard.durations import human_duration
from dbguard.history import IncidentAction, StoredRun
from dbguard.incident.story import IncidentStory

NOT_RECORDED = "not recorded"


@dataclass(frozen=True)
class Step:
    name: str
    at: datetime | None  # None: not recorded
    what: str


def local_time(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z") if moment else NOT_RECORDED


def duration_text(duration: timedelta | None, missing: str) -> str:
    return missing if duration is None else human_duration(duration)


def time_to_detect_text(story: IncidentStory) -> str:
    return duration_text(
        story.incident.time_to_detect, "not recorded (no first bad point: `dbguard incident find`)"
    )


def time_to_repair_text(story: IncidentStory) -> str:
    incident = story.incident
    if incident.is_open:
        return f"still open ({human_duration(incident.open_for(story.now))} so far)"
    return duration_text(incident.time_to_repair, NOT_RECORDED)


def timeline(story: IncidentStory) -> list[Step]:
    return [
        _damage(story),
        _detected(story),
        _alerted(story),
        _assessed(story),
        _repaired(story),
        _verified(story),
        _closed(story),
    ]


def _damage(story: IncidentStory) -> Step:
    assessment = story.incident.assessment
    if assessment is None or assessment.first_bad is None:
        return Step("Damage began", None, "`dbguard incident find` dates it")
    bad = assessment.first_bad
    what = f"first bad point: {bad.label()}"
    if assessment.last_good is not None:
        good = assessment.last_good
        what = (
            f"between the last good point {good.label()} ({local_time(good.time)})"
            f" and the first bad point {bad.label()}"
        )
    return Step("Damage began", bad.time, what)


def _detected(story: IncidentStory) -> Step:
    incident = story.incident
    run = f"check run {incident.opened_run_id}" if incident.opened_run_id else "a check run"
    rules = story.failed_rules
    named = ", ".join(rules[:5]) + (f" and {len(rules) - 5} more" if len(rules) > 5 else "")
    what = f"{run} was CRITICAL" + (f": {named}" if rules else "")
    return Step("Detected", incident.detected_at, what)


def _alerted(story: IncidentStory) -> Step:
    first = story.first_alert
    if first is not None:
        others = len(story.alerts) - 1
        more = f"; {others} more message(s) in all" if others else ""
        return Step(
            "Alerted",
            first.sent_at,
            f"{first.source} {first.status.upper()} ({first.kind}) to {first.destination}{more}",
        )
    if story.alerts:
        return Step("Alerted", None, f"{len(story.alerts)} message(s) tried, none delivered")
    return Step("Alerted", None, "no alert sent (alerts go to [alerts] urls)")


def _assessed(story: IncidentStory) -> Step:
    assessment = story.incident.assessment
    if assessment is None:
        return Step(
            "Assessed",
            None,
            "`dbguard incident find`, then `dbguard incident diff`, record it",
        )
    parts = []
    if assessment.flipped:
        parts.append("rules flipped: " + ", ".join(assessment.flipped))
    if assessment.loss:
        deleted = sum(counts.get("deleted", 0) for counts in assessment.loss.values())
        changed = sum(counts.get("changed", 0) for counts in assessment.loss.values())
        parts.append(f"{deleted} row(s) deleted, {changed} changed")
    return Step("Assessed", assessment.first_at, "; ".join(parts) or "points found")


def action_text(action: IncidentAction) -> str:
    text = f"{action.kind} ({action.route or 'route not recorded'}): {action.outcome}"
    source = action.plan.get("source")
    return f"{text}, from {source}" if source else text


def _repaired(story: IncidentStory) -> Step:
    done = [action for action in story.incident.actions if action.succeeded]
    if not done:
        tried = len(story.incident.actions)
        note = f"{tried} restore/repair(s) refused or failed" if tried else "no restore or repair"
        return Step("Repaired", None, note)
    return Step("Repaired", done[-1].finished_at, action_text(done[-1]))


def _run_end(run: StoredRun) -> datetime:
    return run.started_at + timedelta(seconds=run.duration_seconds)


def _verified(story: IncidentStory) -> Step:
    run = story.verified_by
    if run is None:
        return Step("Verified", None, "no check run since (`dbguard check`)")
    return Step("Verified", _run_end(run), f"check run {run.id}: {run.status.upper()}")


def _closed(story: IncidentStory) -> Step:
    incident = story.incident
    if incident.closed_at is None:
        return Step("Closed", None, "still open: it closes when a check run is OK again")
    return Step("Closed", incident.closed_at, f"check run {incident.closed_run_id} was OK again")
