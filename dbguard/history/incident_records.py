"""What the history holds about an incident: when it was detected and closed, what `incident
find`/`diff` assessed, and the restores and repairs made while it was open. Times are UTC.

The shapes of a recovery point and of the loss are issue 18's JSON: a point is
`{"time": ISO, "txid": "0x…"}` or `{"time": ISO, "backup": PATH}`; the loss is
`{table: {"deleted": n, "changed": n, "inserted": n}}`. Time to detect and time to
repair are defined here, once, for the list, the post-mortem and the weekly report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dbguard.history.records import parse_timestamp, timestamp

LOSS_KINDS = ("deleted", "changed", "inserted")


@dataclass(frozen=True)
class RecoveryPoint:
    """A backup file or a replica transaction, with the time of the state it holds (or the
    live database itself, when `find` found no bad recovery point: `{"time", "live"}`)."""

    time: datetime | None
    txid: str | None = None
    backup: str | None = None
    live: str | None = None

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> RecoveryPoint:
        time = value.get("time")
        return cls(
            time=parse_timestamp(str(time)) if time else None,
            txid=str(value["txid"]) if value.get("txid") is not None else None,
            backup=str(value["backup"]) if value.get("backup") is not None else None,
            live=str(value["live"]) if value.get("live") is not None else None,
        )

    def to_json(self) -> dict[str, str]:
        shape = {"time": timestamp(self.time)} if self.time else {}
        if self.txid is not None:
            shape["txid"] = self.txid
        if self.backup is not None:
            shape["backup"] = self.backup
        if self.live is not None:
            shape["live"] = self.live
        return shape

    def label(self) -> str:
        """`TXID 0x1a2` or `backup db_….sqlite3` (which point, without its time)."""
        if self.txid is not None:
            return f"TXID {self.txid}"
        if self.backup is not None:
            return f"backup {self.backup}"
        if self.live is not None:
            return "the live database"
        return "a point"


@dataclass(frozen=True)
class Assessment:
    """The loss assessment: every `find`/`diff` result recorded, merged field by field (the
    newest value of each field wins)."""

    first_at: datetime  # the first assessment: the timeline's "assessed"
    last_at: datetime
    last_good: RecoveryPoint | None = None
    first_bad: RecoveryPoint | None = None
    flipped: tuple[str, ...] = ()
    loss: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class IncidentAction:
    """A restore or a repair made while the incident was open."""

    id: int
    kind: str  # restore / repair
    route: str
    started_at: datetime
    finished_at: datetime
    outcome: str  # done / refused / failed
    plan: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)
    run_id: int | None = None

    @property
    def succeeded(self) -> bool:
        return self.outcome == "done"


@dataclass(frozen=True)
class Incident:
    id: int
    database: str
    detected_at: datetime
    opened_run_id: int | None
    closed_at: datetime | None = None
    closed_run_id: int | None = None
    assessment: Assessment | None = None
    actions: tuple[IncidentAction, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def damage_began(self) -> datetime | None:
        """The first bad point's time, as the assessment found it (None: not assessed)."""
        point = self.assessment.first_bad if self.assessment else None
        return point.time if point else None

    @property
    def time_to_detect(self) -> timedelta | None:
        """First bad point → first critical check run (None until the damage is dated)."""
        began = self.damage_began
        return None if began is None else self.detected_at - began

    @property
    def time_to_repair(self) -> timedelta | None:
        """Detection → the check run that was OK again (None while open)."""
        return None if self.closed_at is None else self.closed_at - self.detected_at

    def open_for(self, now: datetime) -> timedelta:
        return (self.closed_at or now) - self.detected_at


@dataclass(frozen=True)
class ActionRecord:
    """A restore or repair to attach to the open incident (dbguard.incident.records)."""

    kind: str
    route: str
    started_at: datetime
    finished_at: datetime
    outcome: str = "done"
    plan: Mapping[str, Any] = field(default_factory=dict)
    result: Mapping[str, Any] = field(default_factory=dict)
