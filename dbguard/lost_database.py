"""A check run of the database dbguard.toml names when that database is gone.

A live SQLite file the configuration names that is missing or cannot be read was promised
and is lost: no pytest run (every check would fail on that one cause), but a check run all
the same, CRITICAL. Its one finding comes from the connection rule (as `dbguard health`'s
does), it reaches the run history through `record_run` (so the overview, the weekly report
and the incidents see it), and it goes through the alert rules as any check run does.
A `--db` path that does not exist, or a default path no configuration named, stays an input
error (`require_database`).
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from dbguard.config import Config
from dbguard.database import missing_reason
from dbguard.errors import DbguardError
from dbguard.findings import Finding, Severity
from dbguard.history import CHECK, History, Outcome, RunRecord, open_history, utc_now
from dbguard.rules.connection import CHECK_NAME, ConnectionAttempt, connection_finding

log = logging.getLogger(__name__)
PYTEST_TESTS_FAILED = 1  # what a check run with a critical finding records as its exit code


@dataclass(frozen=True)
class LostDatabase:
    finding: Finding
    notes: list[str] = field(default_factory=list)  # history or alerts that failed, one line each


def lost_reason(config: Config) -> str:
    """Why the configured live SQLite database is gone, or "" (present, not named by the
    configuration, or not a SQLite file: a server that does not answer is a connection failure)."""
    if not config.database.is_sqlite or not config.database_named:
        return ""
    return missing_reason(Path(config.database.path))


def check_lost_database(config: Config, reason: str) -> LostDatabase:
    """Record and alert a check run whose database is gone; its finding, for the terminal."""
    started = utc_now()
    notes: list[str] = []
    history: History | None = None
    failures_before: int | None = None
    try:
        history = open_history(config.reports.history, verify=False)
        failures_before = history.consecutive_failures(CHECK_NAME)
    except (DbguardError, sqlite3.Error, OSError) as error:
        notes.append(f"not recorded in the run history: {_text(error)}")
    finding = connection_finding(
        ConnectionAttempt(0.0, reason, missing=True),
        failures_before,
        config.database,
        promised=True,
        replicated=config.replication.enabled,
    )
    if history is not None:
        notes += _record(history, config, finding, started)
    from dbguard.alerts.notify import notify

    notes += notify(config, "check", [finding], severity=finding.severity).notes
    return LostDatabase(finding, notes)


def _record(history: History, config: Config, finding: Finding, started: datetime) -> list[str]:
    from dbguard.incident.records import record_run

    record = RunRecord(
        kind=CHECK,
        started_at=started,
        finished_at=utc_now(),
        database=config.database.key,
        status=finding.severity.value,
        exit_code=PYTEST_TESTS_FAILED,
        outcomes=[
            Outcome(
                finding.check,
                finding.severity.value,
                "failed",
                target=finding.target,
                subjects=finding.subjects,
            )
        ],
        counts={severity.value: int(severity is finding.severity) for severity in Severity},
    )
    try:
        record_run(history, record)
    except (sqlite3.Error, OSError) as error:
        return [f"not recorded in the run history: {error}"]
    return []


def _text(error: Exception) -> str:
    return error.one_line() if isinstance(error, DbguardError) else str(error)
