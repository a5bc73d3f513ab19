"""The weekly report's "Alerts sent" section: every message sent or tried that week (and the
same table in an incident's post-mortem)."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from dbguard.alerts.store import AlertStore, SentAlert

log = logging.getLogger(__name__)

MAX_ROWS = 50


def alerts_sent(history: Path, start: datetime, end: datetime) -> list[SentAlert]:
    """The alerts of [start, end] (end's own second included), oldest first."""
    try:
        return AlertStore(history).sent_between(start, end + timedelta(seconds=1))
    except (sqlite3.Error, OSError) as error:
        log.warning("cannot read the alerts in %s: %s", history, error)
        return []


def alert_lines(
    sent: list[SentAlert],
    *,
    heading: str = "## Alerts sent (告警记录)",
    none_sent: str = "No alert was sent this week.",
) -> list[str]:
    """Markdown lines for the weekly report (or, with its own heading, a post-mortem)."""
    lines = ["", heading, ""]
    if not sent:
        return [*lines, none_sent]
    failed = sum(not item.ok for item in sent)
    lines += [
        f"{len(sent)} message(s), {failed} failed.",
        "",
        "| Time | Source | Status | Kind | To | Result |",
        "|---|---|---|---|---|---|",
    ]
    for item in sent[-MAX_ROWS:]:
        result = "✅ sent" if item.ok else f"❌ {item.error or 'failed'}".replace("|", "/")
        lines.append(
            f"| {item.sent_at.astimezone():%Y-%m-%d %H:%M} | {item.source} | {item.status}"
            f" | {item.kind} | {item.destination} | {result} |"
        )
    if len(sent) > MAX_ROWS:
        lines.append(f"(the {MAX_ROWS} newest of {len(sent)})")
    return lines
