"""When to send an alert: a pure decision over what a destination was last told, the run's
status, the time and [alerts] — no I/O. dbguard.alerts keeps the state and sends.

Per source (check, health, backup) and destination:
- a rise in status is sent: OK → WARNING, OK or WARNING → CRITICAL (a problem);
- a return to OK after a problem is sent once (a recovery);
- an unchanged open problem is sent again only after `repeat_after` (a repeat);
- a fall from CRITICAL to WARNING is not sent; the destination's state follows it, so a
  new CRITICAL after it pages again.
INFO counts as OK; with `min_severity = "critical"` a WARNING counts as OK too.

The state to keep is in the decision: the caller stores it when no message was due or the
message was delivered, and keeps the old one when delivery failed, so the next run
decides the same way again and retries.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from dbguard.config.alerts import AlertsConfig
from dbguard.findings import Severity


class AlertKind(enum.StrEnum):
    PROBLEM = "problem"
    REPEAT = "repeat"
    RECOVERY = "recovery"


@dataclass(frozen=True)
class AlertState:
    """What one destination was last told about one source."""

    status: Severity  # OK after a recovery (or before any problem)
    since: datetime | None = None  # when the open problem began; None when OK
    notified_at: datetime | None = None  # when a message last reached the destination


@dataclass(frozen=True)
class AlertPolicy:
    repeat_after: timedelta
    min_severity: Severity = Severity.WARNING

    @classmethod
    def from_config(cls, alerts: AlertsConfig) -> AlertPolicy:
        return cls(alerts.repeat_after_delta, Severity(alerts.min_severity))


@dataclass(frozen=True)
class AlertDecision:
    kind: AlertKind | None  # None: nothing to send
    status: Severity  # the status the alert speaks of (after min_severity)
    previous: Severity  # what the destination had been told
    state: AlertState  # to keep once the message, if any, was delivered
    reason: str


OK_STATE = AlertState(Severity.OK)


def alert_status(severity: Severity, policy: AlertPolicy) -> Severity:
    """The status as alerts see it: INFO is OK, and so is anything below min_severity."""
    if severity is Severity.INFO or severity.rank < policy.min_severity.rank:
        return Severity.OK
    return severity


def decide(
    state: AlertState | None, severity: Severity, now: datetime, policy: AlertPolicy
) -> AlertDecision:
    """What to send to one destination after a run whose worst finding is `severity`."""
    told = state or OK_STATE
    status = alert_status(severity, policy)
    previous = told.status

    def decision(kind: AlertKind | None, new: AlertState, reason: str) -> AlertDecision:
        return AlertDecision(kind, status, previous, new, reason)

    if status is Severity.OK:
        if previous is Severity.OK:
            return decision(None, told, "still OK")
        return decision(
            AlertKind.RECOVERY, AlertState(Severity.OK, None, now), f"back to OK from {previous}"
        )
    if status.rank > previous.rank:
        since = told.since if previous is not Severity.OK and told.since else now
        return decision(AlertKind.PROBLEM, AlertState(status, since, now), f"{previous} → {status}")
    if status.rank < previous.rank:
        return decision(
            None,
            AlertState(status, told.since, told.notified_at),
            f"down from {previous} to {status}: not sent",
        )
    if told.notified_at is None or now - told.notified_at >= policy.repeat_after:
        return decision(
            AlertKind.REPEAT,
            AlertState(status, told.since or now, now),
            f"still {status} after {policy.repeat_after}",
        )
    return decision(None, told, f"still {status}, told at {told.notified_at.isoformat()}")
