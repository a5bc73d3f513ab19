"""The post-mortem of one incident as Markdown: summary with time to detect and time to
repair, the timeline, what failed, the alerts, the loss and what came back, the restores and
repairs, and the people's own section (dbguard.incident.notes)."""

from __future__ import annotations

import json
from typing import Any

from dbguard.alerts.weekly import alert_lines
from dbguard.history import IncidentAction
from dbguard.history.incident_records import LOSS_KINDS
from dbguard.incident.notes import notes_block
from dbguard.incident.story import IncidentStory
from dbguard.incident.timeline import (
    action_text,
    local_time,
    time_to_detect_text,
    time_to_repair_text,
    timeline,
)
from dbguard.metrics import row_counts_in


def cell(text: object) -> str:
    """A Markdown table cell: one line, no column break."""
    return " ".join(str(text).split()).replace("|", "\\|")


def postmortem_markdown(story: IncidentStory, notes: str | None) -> str:
    incident = story.incident
    status = "OPEN" if incident.is_open else "closed"
    lines = [
        f"# Incident {incident.id}: post-mortem (事后分析)",
        "",
        f"Database `{incident.database}`. Status: **{status}**.",
        "",
        "| Summary | |",
        "|---|---|",
        f"| Detected | {local_time(incident.detected_at)} |",
        f"| Closed | {local_time(incident.closed_at) if incident.closed_at else 'still open'} |",
        f"| **Time to detect** (first bad point → first critical run) | {cell(time_to_detect_text(story))} |",
        f"| **Time to repair** (detection → OK) | {cell(time_to_repair_text(story))} |",
        "",
        "## Timeline",
        "",
        "| Step | Time | What |",
        "|---|---|---|",
    ]
    for step in timeline(story):
        lines.append(f"| {step.name} | {local_time(step.at)} | {cell(step.what)} |")
    lines += _what_failed(story)
    lines += alert_lines(
        list(story.alerts),
        heading="## Alerts sent",
        none_sent="No alert was sent while the incident was open.",
    )
    lines += _loss(story)
    lines += _actions(story)
    lines += [
        "",
        "## Cause and follow-ups (事后分析)",
        "",
        "Write here: dbguard keeps this section when it writes the report again.",
        "",
        notes_block(notes).rstrip("\n"),
        "",
        "---",
        f"Written {local_time(story.now)} by `dbguard incident report {incident.id}`.",
        "",
    ]
    return "\n".join(lines)


def _what_failed(story: IncidentStory) -> list[str]:
    lines = ["", "## What failed", ""]
    if story.failed_rules:
        lines.append("Critical in the run that detected it:")
        lines += [""] + [f"- `{name}`" for name in story.failed_rules]
    else:
        lines.append("The detecting run's outcomes are not in the history (or it was interrupted).")
    if story.warned_rules:
        lines += [
            "",
            "Warnings in the same run: " + ", ".join(f"`{n}`" for n in story.warned_rules),
        ]
    if story.later_rules:
        lines += [
            "",
            "Critical later in the incident: " + ", ".join(f"`{n}`" for n in story.later_rules),
        ]
    statuses = [run.status for run in story.checks]
    counts = ", ".join(
        f"{statuses.count(s)} {s}" for s in ("critical", "warning", "ok", "info") if s in statuses
    )
    lines += [
        "",
        f"Check runs during the incident: {len(statuses)}" + (f" ({counts})." if counts else "."),
    ]
    return lines


def _came_back(actions: tuple[IncidentAction, ...]) -> dict[str, dict[str, int]]:
    """Per table, the rows repairs put back (`reinserted`) and `reverted`, summed."""
    back: dict[str, dict[str, int]] = {}
    for action in actions:
        if not action.succeeded:
            continue
        for table, counts in dict(action.result.get("tables", {})).items():
            totals = back.setdefault(str(table), {"reinserted": 0, "reverted": 0})
            for key in totals:
                totals[key] += int(counts.get(key, 0))
    return back


def _loss(story: IncidentStory) -> list[str]:
    lines = ["", "## Loss and what came back", ""]
    assessment = story.incident.assessment
    loss = assessment.loss if assessment else {}
    back = _came_back(story.incident.actions)
    if not loss and not back:
        lines.append(
            "Not assessed: `dbguard incident diff` lists, table by table, the rows deleted and"
            " changed since the last good point, and records the counts here."
        )
    else:
        lines += [
            "| Table | Deleted | Changed | Inserted since | Put back | Reverted |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for table in sorted(set(loss) | set(back)):
            counts = [loss.get(table, {}).get(kind) for kind in LOSS_KINDS]
            shown = ["–" if n is None else f"{n:,}" for n in counts]
            returned = back.get(table)
            put, reverted = (
                (f"{returned['reinserted']:,}", f"{returned['reverted']:,}")
                if returned
                else ("–", "–")
            )
            lines.append(f"| {cell(table)} | {' | '.join(shown)} | {put} | {reverted} |")
    lines += _row_counts(story)
    restores = [a for a in story.incident.actions if a.succeeded and a.kind == "restore"]
    inserted = sum(counts.get("inserted", 0) for counts in loss.values())
    for action in restores:
        lost = (
            f" The assessment counted {inserted:,} row(s) written since the last good point:"
            " what was written after the restored state is not in it."
            if inserted
            else ""
        )
        lines += ["", f"The {cell(action_text(action))} replaced the whole database.{lost}"]
        restored = action.result.get("row_counts")
        if restored:
            rows = ", ".join(f"{table} {n:,}" for table, n in sorted(restored.items()))
            lines.append(f"Rows after it: {rows}.")
    return lines


def _row_counts(story: IncidentStory) -> list[str]:
    """Live row counts per table from the check runs: before, at detection, at the close."""
    runs = [
        ("Before (last check)", story.before),
        ("At detection", story.checks[0] if story.checks else None),
        (
            "Now" if story.incident.is_open else "At the close",
            story.checks[-1] if story.checks else None,
        ),
    ]
    counts = [(name, row_counts_in(run.metrics) if run else {}) for name, run in runs]
    tables = sorted({table for _, found in counts for table in found})
    if not tables:
        return []
    lines = [
        "",
        "Live row counts in the check runs:",
        "",
        "| Table | " + " | ".join(name for name, _ in counts) + " |",
        "|---|" + "---:|" * len(counts),
    ]
    for table in tables:
        shown = [f"{found[table]:,}" if table in found else "–" for _, found in counts]
        lines.append(f"| {cell(table)} | {' | '.join(shown)} |")
    return lines


def _actions(story: IncidentStory) -> list[str]:
    lines = ["", "## Restores and repairs", ""]
    actions = story.incident.actions
    if not actions:
        return [*lines, "None recorded while the incident was open."]
    lines += ["| Time | Kind | Route | Result | Plan |", "|---|---|---|---|---|"]
    for action in actions:
        result = action.outcome + (f": {_brief(action.result)}" if action.result else "")
        lines.append(
            f"| {local_time(action.finished_at)} | {action.kind} | {cell(action.route or '–')}"
            f" | {cell(result)} | {cell(_brief(action.plan) or '–')} |"
        )
    return lines


def _brief(values: dict[str, Any]) -> str:
    """A short, one-line rendering of a plan or result mapping ("" when empty)."""
    if not values:
        return ""
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return text if len(text) <= 300 else text[:297] + "..."
