"""Tell people when a source's status changes: decide per destination
(dbguard.rules.alerting), build the message, send everything within one time budget, keep
the new state and the record of what was sent.

Nothing here can change a run's outcome: a notifier that refuses or hangs, or a history
file that cannot be written, becomes a note (one line, masked) that the caller shows in
the report or on the terminal, and the state is left as it was so the next run retries.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from dbguard.alerts.message import Message, build_message, trial_message
from dbguard.alerts.sending import Delivery, deliver
from dbguard.alerts.store import AlertStore, SentAlert, destination_key
from dbguard.config import Config
from dbguard.findings import Finding, Severity
from dbguard.redact import mask_secrets
from dbguard.rules.alerting import OK_STATE, AlertDecision, AlertPolicy, AlertState, decide

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertRun:
    deliveries: list[Delivery] = field(default_factory=list)
    # What went wrong, one line each (masked): for the report's notes and the terminal.
    notes: list[str] = field(default_factory=list)


def database_label(config: Config) -> str:
    return mask_secrets(config.database.key, config.secrets())


def notify(
    config: Config,
    source: str,
    findings: Sequence[Finding],
    *,
    severity: Severity | None = None,
    report: Path | None = None,
    now: datetime | None = None,
) -> AlertRun:
    """Send what `source`'s new status calls for to every configured URL.

    `severity` is the run's status (default: the worst of `findings`). Never raises: the
    alerts must not change a run's outcome, so even a bug here becomes a note.
    """
    if not config.alerts.urls:
        return AlertRun()
    try:
        return _notify(config, source, findings, severity, report, now)
    except Exception as error:
        log.exception("alerts failed")
        note = mask_secrets(f"alerts failed: {type(error).__name__}: {error}", config.secrets())
        return AlertRun(notes=[note])


def _notify(
    config: Config,
    source: str,
    findings: Sequence[Finding],
    severity: Severity | None,
    report: Path | None,
    now: datetime | None,
) -> AlertRun:
    alerts = config.alerts
    now = now or datetime.now(UTC)
    status = severity or Severity.worst([finding.severity for finding in findings])
    secrets = config.secrets()
    database = database_label(config)
    store = AlertStore(config.reports.history)
    notes: list[str] = []
    try:
        known, stored = store.states(source, database), True
    except (sqlite3.Error, OSError) as error:
        notes.append(
            f"alert state in {config.reports.history} unreadable ({error}): alerts sent as if"
            " none had been sent before"
        )
        known, stored = {}, False
    policy = AlertPolicy.from_config(alerts)
    new_states: dict[str, AlertState] = {}
    pending: list[tuple[str, AlertDecision]] = []
    outgoing: list[tuple[str, Message]] = []
    for url in alerts.urls:
        key = destination_key(url)
        decision = decide(known.get(key), status, now, policy)
        if decision.kind is None:
            if decision.state != known.get(key, OK_STATE):
                new_states[key] = decision.state
            continue
        message = build_message(
            decision,
            source=source,
            database=database,
            findings=findings,
            report=report,
            now=now,
            secrets=secrets,
        )
        pending.append((key, decision))
        outgoing.append((url, message))
    deliveries = deliver(outgoing, alerts.timeout_seconds, secrets)
    sent: list[SentAlert] = []
    for (key, decision), delivery in zip(pending, deliveries, strict=True):
        kind = decision.kind.value if decision.kind else ""
        if delivery.ok:
            new_states[key] = decision.state
        else:
            notes.append(
                f"alert ({kind}, {decision.status.upper()}) to {delivery.destination} failed:"
                f" {delivery.error}; the next run retries"
            )
        sent.append(
            SentAlert(
                now,
                source,
                database,
                decision.status.value,
                kind,
                delivery.destination,
                delivery.ok,
                delivery.error,
                delivery.seconds,
            )
        )
    if stored and (new_states or sent):
        try:
            store.save(source, database, new_states, sent)
        except (sqlite3.Error, OSError) as error:
            notes.append(f"could not record the alerts in {config.reports.history}: {error}")
    notes = [mask_secrets(note, secrets) for note in notes]
    for note in notes:
        log.warning("dbguard: warning: %s", note)
    return AlertRun(deliveries, notes)


def send_trial(config: Config, now: datetime | None = None) -> list[Delivery]:
    """`dbguard alert test`: a test message to every configured URL, recorded as kind "test"."""
    now = now or datetime.now(UTC)
    secrets = config.secrets()
    database = database_label(config)
    message = trial_message(database, now, secrets)
    deliveries = deliver(
        [(url, message) for url in config.alerts.urls], config.alerts.timeout_seconds, secrets
    )
    record = [
        SentAlert(now, "test", database, "ok", "test", d.destination, d.ok, d.error, d.seconds)
        for d in deliveries
    ]
    try:
        AlertStore(config.reports.history).save("test", database, {}, record)
    except (sqlite3.Error, OSError) as error:
        log.warning("could not record the test alerts in %s: %s", config.reports.history, error)
    return deliveries
