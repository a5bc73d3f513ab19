"""The freshness rule `dbguard suggest` proposes: the time column with the newest value, with
limits taken from the cadence the table shows. Pure, no I/O."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from dbguard.config.analysts import SuggestConfig
from dbguard.durations import format_duration, human_duration, parse_duration
from dbguard.quality.formats import BY_NAME
from dbguard.quality.freshness import parse_timestamp
from dbguard.quality.suggest.profile import TableProfile
from dbguard.quality.suggest.proposal import NotProposed, Proposal


def freshness_proposal(
    profile: TableProfile, settings: SuggestConfig, now: datetime, naive: str, captured_at: str
) -> tuple[list[Proposal], list[NotProposed]]:
    """A freshness rule on the time column with the newest value, with limits from the
    cadence it shows; none for a table whose newest row is already late by that cadence."""
    candidates = []
    for column in profile.columns:
        spec = BY_NAME.get(column.format_of_all() or "") if column.all_text() else None
        typed = isinstance(column.maximum, date)  # PostgreSQL's date and timestamp columns
        if not (typed or (spec is not None and spec.is_time)) or not column.distinct_hours:
            continue
        try:
            newest = parse_timestamp(column.maximum, naive)
            oldest = parse_timestamp(column.minimum, naive)
        except ValueError:
            continue
        candidates.append((newest, column.name, oldest, column.distinct_hours))
    if not candidates:
        return [], []
    newest, name, oldest, hours = max(candidates)
    what = f"freshness of {name}"
    if hours < 2:
        return [], [NotProposed(profile.table, what, "every row was written within one hour")]
    gap = (newest - oldest) / (hours - 1)
    warning = _round_up(max(gap * settings.freshness_gaps, timedelta(hours=1)))
    critical = _round_up(warning + max(parse_duration(settings.freshness_grace), gap))
    age = now - newest
    if age > warning:
        return [], [
            NotProposed(
                profile.table,
                what,
                f"the newest {name} is {human_duration(age)} old, later than the"
                f" {format_duration(warning)} its cadence allows: the table looks historical"
                " (add a rule by hand once it is fed again)",
            )
        ]
    rule = {
        "column": name,
        "critical_after": format_duration(critical),
        "suggested": {
            "captured_at": captured_at,
            "observed": {
                "active_hours": hours,
                "newest": newest.isoformat(timespec="seconds"),
                "oldest": oldest.isoformat(timespec="seconds"),
                "typical_gap": human_duration(gap),
            },
        },
        "warning_after": format_duration(warning),
    }
    return [Proposal(profile.table, "freshness", (name,), freshness=rule)], []


def _round_up(duration: timedelta) -> timedelta:
    """Whole hours (whole days from a day and a half), rounded up — but a tenth of a unit
    over is rounding noise of the cadence estimate (2.08 h is 2 h, 1.93 days 2 days)."""
    unit = timedelta(days=1) if duration >= timedelta(hours=36) else timedelta(hours=1)
    return unit * max(1, math.ceil(duration / unit - 0.1))
