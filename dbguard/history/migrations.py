"""The history file's schema versions, as `PRAGMA user_version` steps.

A file is created with the round-1 tables (dbguard.history.store.SCHEMA), then every step
above its version runs, in order, in one transaction that also sets the new version: a
file written by an older dbguard (version 0: round 1 or round 2) opens and is brought up
to date the first time a newer dbguard opens it, and keeps every run, metric, outcome and
alert. Steps only add (columns, tables, indexes); nothing is ever dropped or rewritten, so
an older dbguard can still read a newer file. Two runs opening an old file at once are
safe: the second waits for the first's transaction and then finds nothing left to do.

The alert tables (dbguard.alerts.store) create themselves and are not versioned here.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

log = logging.getLogger(__name__)


def _outcome_durations(connection: sqlite3.Connection) -> None:
    """1: each outcome's duration (round 1 files lack the column)."""
    columns = {row[1] for row in connection.execute("PRAGMA table_info(outcomes)")}
    if "duration_seconds" not in columns:
        connection.execute(
            "ALTER TABLE outcomes ADD COLUMN duration_seconds REAL NOT NULL DEFAULT 0"
        )


INCIDENT_TABLES = (
    """CREATE TABLE IF NOT EXISTS incidents (
    id INTEGER PRIMARY KEY,
    database TEXT NOT NULL,          -- masked, as runs.database
    detected_at TEXT NOT NULL,       -- UTC, ISO 8601: when the first critical check run ended
    opened_run_id INTEGER REFERENCES runs (id) ON DELETE SET NULL,
    closed_at TEXT,                  -- UTC: when the check run that was OK again ended
    closed_run_id INTEGER REFERENCES runs (id) ON DELETE SET NULL
)""",
    # At most one open incident per database, whoever appends the runs.
    "CREATE UNIQUE INDEX IF NOT EXISTS incidents_one_open ON incidents (database)"
    " WHERE closed_at IS NULL",
    "CREATE INDEX IF NOT EXISTS incidents_by_time ON incidents (database, detected_at)",
    # Each `incident find` / `incident diff` result (issue 18's JSON shapes); a later one adds
    # to or replaces an earlier one field by field.
    """CREATE TABLE IF NOT EXISTS incident_assessments (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    assessed_at TEXT NOT NULL,
    last_good TEXT,                  -- JSON {time, txid | backup}, or NULL: not in this one
    first_bad TEXT,                  -- JSON {time, txid | backup}
    flipped TEXT,                    -- JSON list of rule names
    loss TEXT                        -- JSON {table: {deleted, changed, inserted}}
)""",
    # Each restore or repair made while the incident was open.
    """CREATE TABLE IF NOT EXISTS incident_actions (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,              -- restore / repair
    route TEXT NOT NULL,             -- offline / online / replica / rows / point-in-time ...
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    outcome TEXT NOT NULL,           -- done / refused / failed
    plan TEXT NOT NULL DEFAULT '{}',   -- JSON: what it set out to do
    result TEXT NOT NULL DEFAULT '{}', -- JSON: what it did (per table counts put back ...)
    run_id INTEGER REFERENCES runs (id) ON DELETE SET NULL  -- its run in `runs`, if any
)""",
    "CREATE INDEX IF NOT EXISTS incident_actions_by_incident ON incident_actions (incident_id)",
)


def _incidents(connection: sqlite3.Connection) -> None:
    """2: incidents, their assessments and their restores and repairs (round 3)."""
    for statement in INCIDENT_TABLES:
        connection.execute(statement)


def _outcome_subjects(connection: sqlite3.Connection) -> None:
    """3: the tables and rules each outcome's findings are about, as JSON
    [[table, rule, severity], …] (dbguard.findings.Subject), for dbguard.rules.problems."""
    columns = {row[1] for row in connection.execute("PRAGMA table_info(outcomes)")}
    if "subjects" not in columns:
        connection.execute("ALTER TABLE outcomes ADD COLUMN subjects TEXT NOT NULL DEFAULT ''")


# Version N is reached by STEPS[N - 1]. Append new steps; never change a released one.
STEPS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _outcome_durations,
    _incidents,
    _outcome_subjects,
)
CURRENT_VERSION = len(STEPS)


def schema_version(connection: sqlite3.Connection) -> int:
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    return int(version)


def migrate(connection: sqlite3.Connection) -> None:
    """Bring the history on `connection` up to CURRENT_VERSION. A current file is only read."""
    if schema_version(connection) >= CURRENT_VERSION:
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = schema_version(connection)  # another run may have done it meanwhile
        for number in range(version, CURRENT_VERSION):
            STEPS[number](connection)
        if version < CURRENT_VERSION:
            connection.execute(f"PRAGMA user_version = {CURRENT_VERSION}")
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    if version < CURRENT_VERSION:
        log.info("run history migrated from schema version %d to %d", version, CURRENT_VERSION)
