"""The history file's schema and its reads and writes, in short transactions.

Concurrent runs (the hourly check and the 5-minute health) share the file:
WAL mode, a busy timeout and one short transaction per append. Secrets are
masked before anything is stored.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from dbguard.findings import subjects_from_text, subjects_text
from dbguard.history.migrations import migrate
from dbguard.history.records import (
    CHECK,
    REPAIR,
    RESTORE,
    Outcome,
    RunRecord,
    StoredRun,
    parse_timestamp,
    timestamp,
)
from dbguard.metrics import row_counts_in
from dbguard.redact import mask_secrets

BUSY_TIMEOUT_SECONDS = 15.0
# Light records of `dbguard health` runs are kept this long; check runs are kept forever.
HEALTH_RUNS_KEPT = timedelta(days=35)

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,            -- 'check', 'health' or 'restore'
    started_at TEXT NOT NULL,      -- UTC, ISO 8601
    finished_at TEXT NOT NULL,
    duration_seconds REAL NOT NULL,
    database TEXT NOT NULL,
    status TEXT NOT NULL,          -- worst severity: ok / info / warning / critical
    exit_code INTEGER,
    counts TEXT NOT NULL DEFAULT '{}'  -- JSON: number of checks per severity
);
CREATE INDEX IF NOT EXISTS runs_by_kind_time ON runs (kind, started_at);
CREATE TABLE IF NOT EXISTS metrics (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (run_id, name)
);
CREATE TABLE IF NOT EXISTS outcomes (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name TEXT NOT NULL,            -- the finding's check name, else the test's name
    nodeid TEXT NOT NULL,
    target TEXT NOT NULL,
    severity TEXT NOT NULL,
    outcome TEXT NOT NULL,         -- passed / failed / skipped / error
    duration_seconds REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outcomes_by_name ON outcomes (name, run_id);
"""


class History:
    """One history file. Open it with `open_history`, which repairs a corrupted file."""

    def __init__(
        self,
        path: Path,
        recovered_from: Path | None = None,
        busy_timeout: float = BUSY_TIMEOUT_SECONDS,
    ) -> None:
        self.path = Path(path)
        # Set when a corrupted file was renamed aside on opening: report it once.
        self.recovered_from = recovered_from
        # How long a read or write waits for another run's lock before it gives up.
        self.busy_timeout = busy_timeout

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=self.busy_timeout)
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            connection.execute("PRAGMA foreign_keys = ON")
            yield connection
        finally:
            connection.close()

    def initialise(self, verify: bool = True) -> None:
        """Create the schema if it is missing; `verify` also runs quick_check (reads the file).

        An existing, current history is only read here, so a run that holds the write lock
        does not make this wait.
        """
        with self._connect() as connection:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            if not {"runs", "metrics", "outcomes"} <= tables:
                connection.execute("PRAGMA journal_mode = WAL")
                connection.executescript(SCHEMA)
            migrate(connection)  # the user_version steps: incidents (round 3), ...
            if verify:
                (verdict,) = connection.execute("PRAGMA quick_check").fetchone()
                if verdict != "ok":
                    raise sqlite3.DatabaseError(f"quick_check: {verdict}")

    def append(self, record: RunRecord) -> int:
        """Store one run in one short transaction; return its id."""
        duration = max(0.0, (record.finished_at - record.started_at).total_seconds())
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                cursor = connection.execute(
                    "INSERT INTO runs (kind, started_at, finished_at, duration_seconds, database,"
                    " status, exit_code, counts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        record.kind,
                        timestamp(record.started_at),
                        timestamp(record.finished_at),
                        duration,
                        mask_secrets(record.database),
                        record.status,
                        record.exit_code,
                        json.dumps(record.counts, sort_keys=True),
                    ),
                )
                run_id = int(cursor.lastrowid or 0)
                connection.executemany(
                    "INSERT OR REPLACE INTO metrics (run_id, name, value) VALUES (?, ?, ?)",
                    [(run_id, name, float(value)) for name, value in record.metrics.items()],
                )
                connection.executemany(
                    "INSERT INTO outcomes (run_id, name, nodeid, target, severity, outcome,"
                    " duration_seconds, subjects) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            run_id,
                            mask_secrets(item.name),
                            mask_secrets(item.nodeid),
                            item.target,
                            item.severity,
                            item.outcome,
                            item.duration_seconds,
                            subjects_text(item.subjects),
                        )
                        for item in record.outcomes
                    ],
                )
                if record.kind == "health":
                    cutoff = timestamp(record.started_at - HEALTH_RUNS_KEPT)
                    connection.execute(
                        "DELETE FROM runs WHERE kind = 'health' AND started_at < ?", (cutoff,)
                    )
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
        return run_id

    def recent_runs(
        self,
        *,
        kind: str | tuple[str, ...] | None = None,
        limit: int = 30,
        since: datetime | None = None,
        until: datetime | None = None,
        database: str | None = None,
    ) -> list[StoredRun]:
        """Runs newest first, with their metrics and outcomes."""
        clauses: list[str] = []
        parameters: list[object] = []
        if kind is not None:
            kinds = (kind,) if isinstance(kind, str) else kind
            clauses.append(f"kind IN ({','.join('?' * len(kinds))})")
            parameters.extend(kinds)
        if since is not None:
            clauses.append("started_at >= ?")
            parameters.append(timestamp(since))
        if until is not None:
            clauses.append("started_at < ?")
            parameters.append(timestamp(until))
        if database is not None:
            clauses.append("database = ?")
            parameters.append(mask_secrets(database))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._connect() as connection:
            connection.execute("BEGIN")
            rows = connection.execute(
                "SELECT id, kind, started_at, duration_seconds, database, status, exit_code, counts"
                f" FROM runs {where} ORDER BY started_at DESC, id DESC LIMIT ?",
                [*parameters, limit],
            ).fetchall()
            ids = [row[0] for row in rows]
            metrics: dict[int, dict[str, float]] = {run_id: {} for run_id in ids}
            outcomes: dict[int, list[Outcome]] = {run_id: [] for run_id in ids}
            marks = ",".join("?" * len(ids))
            if ids:
                for run_id, name, value in connection.execute(
                    f"SELECT run_id, name, value FROM metrics WHERE run_id IN ({marks})", ids
                ):
                    metrics[run_id][name] = value
                for (
                    run_id,
                    name,
                    nodeid,
                    target,
                    severity,
                    outcome,
                    seconds,
                    about,
                ) in connection.execute(
                    "SELECT run_id, name, nodeid, target, severity, outcome,"
                    " duration_seconds, subjects"
                    f" FROM outcomes WHERE run_id IN ({marks}) ORDER BY rowid",
                    ids,
                ):
                    subjects = subjects_from_text(about)
                    outcomes[run_id].append(
                        Outcome(name, severity, outcome, nodeid, target, seconds, subjects)
                    )
            connection.rollback()
        return [
            StoredRun(
                id=row[0],
                kind=row[1],
                started_at=parse_timestamp(row[2]),
                duration_seconds=row[3],
                database=row[4],
                status=row[5],
                exit_code=row[6],
                counts=json.loads(row[7] or "{}"),
                metrics=metrics[row[0]],
                outcomes=outcomes[row[0]],
            )
            for row in rows
        ]

    def previous_run(self, *, kind: str = "check", database: str | None = None) -> StoredRun | None:
        runs = self.recent_runs(kind=kind, limit=1, database=database)
        return runs[0] if runs else None

    def reference_counts(self, database: str) -> tuple[dict[str, int], str]:
        """The row counts the next check compares with, and what they are: the newest check
        run's, unless a restore or a repair (`incident repair`) was recorded after it (then
        the counts it left)."""
        runs = self.recent_runs(kind=(CHECK, RESTORE, REPAIR), limit=1, database=database)
        if not runs:
            return {}, ""
        run = runs[0]
        against = {RESTORE: "the restored backup", REPAIR: "the repair"}.get(
            run.kind, "the previous run"
        )
        return row_counts_in(run.metrics), against

    def consecutive_failures(self, name: str, *, limit: int = 50) -> int:
        """How many of the latest runs that checked `name` found it not ok, counting back
        from the newest until the first ok."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT outcomes.severity FROM outcomes JOIN runs ON runs.id = outcomes.run_id"
                " WHERE outcomes.name = ? ORDER BY runs.started_at DESC, runs.id DESC LIMIT ?",
                (name, limit),
            ).fetchall()
        count = 0
        for (severity,) in rows:
            if severity in ("ok", "info"):
                break
            count += 1
        return count
