"""What the run history holds: one record per run (check, health, restore) with its metrics
and outcomes. Times are UTC."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from dbguard.findings import Subject

# Kinds of runs. A restore is recorded so that change-over-time compares the next check with
# what was restored, not with the damaged run before it. A restore or a repair made during
# an incident is also one of its actions (dbguard.history.incident_records).
CHECK, HEALTH, RESTORE, REPAIR = "check", "health", "restore", "repair"


@dataclass(frozen=True)
class Outcome:
    name: str
    severity: str
    outcome: str
    nodeid: str = ""
    target: str = ""
    duration_seconds: float = 0.0
    # The tables and rules its findings are about (dbguard.rules.problems groups by them).
    subjects: tuple[Subject, ...] = ()


@dataclass(frozen=True)
class RunRecord:
    kind: str
    started_at: datetime
    finished_at: datetime
    database: str
    status: str
    exit_code: int | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredRun:
    id: int
    kind: str
    started_at: datetime
    duration_seconds: float
    database: str
    status: str
    exit_code: int | None
    counts: dict[str, int]
    metrics: dict[str, float]
    outcomes: list[Outcome]


def utc_now() -> datetime:
    return datetime.now(UTC)


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text)
