"""The run history: every check or health run's metrics and outcomes, in a small SQLite file.

It feeds the change-over-time checks (row counts vs the previous run), the
consecutive-failure logic (connection: 1 failure is a warning, N in a row
critical), the report's trend charts, the weekly report and `dbguard baseline`
(which refuses to capture from a database whose last run was critical).

Concurrent runs (the hourly check and the 5-minute health) share the file:
WAL mode, a busy timeout and one short transaction per append. A corrupted
file is renamed aside (`history.sqlite3.corrupt-<timestamp>`) and a new one
started; the caller gets a note to report, never a crash. Only the standard
library is used, so the quick health path stays light. Secrets are masked
before anything is stored.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dbguard.redact import mask_secrets

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 15_000
# Light records of `dbguard health` runs are kept this long; check runs are kept forever.
HEALTH_RUNS_KEPT = timedelta(days=35)

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,            -- 'check' or 'health'
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


@dataclass(frozen=True)
class Outcome:
    name: str
    severity: str
    outcome: str
    nodeid: str = ""
    target: str = ""
    duration_seconds: float = 0.0


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


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


class History:
    """One history file. Open it with `open_history`, which repairs a corrupted file."""

    def __init__(self, path: Path, recovered_from: Path | None = None) -> None:
        self.path = Path(path)
        # Set when a corrupted file was renamed aside on opening: report it once.
        self.recovered_from = recovered_from

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA foreign_keys = ON")
            yield connection
        finally:
            connection.close()

    def _initialise(self, verify: bool = True) -> None:
        with self._connect() as connection:
            mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.debug("history %s stays in journal mode %s", self.path, mode)
            connection.executescript(SCHEMA)
            _migrate(connection)
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
                        _timestamp(record.started_at),
                        _timestamp(record.finished_at),
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
                    " duration_seconds) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            run_id,
                            mask_secrets(item.name),
                            mask_secrets(item.nodeid),
                            item.target,
                            item.severity,
                            item.outcome,
                            item.duration_seconds,
                        )
                        for item in record.outcomes
                    ],
                )
                if record.kind == "health":
                    cutoff = _timestamp(record.started_at - HEALTH_RUNS_KEPT)
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
        kind: str | None = None,
        limit: int = 30,
        since: datetime | None = None,
        until: datetime | None = None,
        database: str | None = None,
    ) -> list[StoredRun]:
        """Runs newest first, with their metrics and outcomes."""
        clauses, parameters = [], []
        if kind is not None:
            clauses.append("kind = ?")
            parameters.append(kind)
        if since is not None:
            clauses.append("started_at >= ?")
            parameters.append(_timestamp(since))
        if until is not None:
            clauses.append("started_at < ?")
            parameters.append(_timestamp(until))
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
                for run_id, name, nodeid, target, severity, outcome, seconds in connection.execute(
                    "SELECT run_id, name, nodeid, target, severity, outcome, duration_seconds"
                    f" FROM outcomes WHERE run_id IN ({marks}) ORDER BY rowid",
                    ids,
                ):
                    outcomes[run_id].append(
                        Outcome(name, severity, outcome, nodeid, target, seconds)
                    )
            connection.rollback()
        return [
            StoredRun(
                id=row[0],
                kind=row[1],
                started_at=_parse(row[2]),
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


def _migrate(connection: sqlite3.Connection) -> None:
    """Bring a history written by an older dbguard up to SCHEMA (columns are only ever added)."""
    columns = {row[1] for row in connection.execute("PRAGMA table_info(outcomes)")}
    if "duration_seconds" not in columns:
        connection.execute(
            "ALTER TABLE outcomes ADD COLUMN duration_seconds REAL NOT NULL DEFAULT 0"
        )
        connection.commit()


def open_history(path: Path, *, verify: bool = True) -> History:
    """Open (creating if needed) the history at `path`.

    `verify` runs SQLite's quick_check, which reads the whole file: the
    five-minute health skips it (a file that is not a database is still caught).

    A file that is not a readable SQLite database is renamed to
    `<name>.corrupt-<UTC timestamp>` and a new history started; the returned
    History's `recovered_from` names the renamed file so the run can report it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    history = History(path)
    try:
        history._initialise(verify)
        return history
    except sqlite3.DatabaseError as error:
        aside = path.with_name(f"{path.name}.corrupt-{utc_now().strftime('%Y%m%d_%H%M%S')}")
        log.warning("run history %s is unreadable (%s); moved aside to %s", path, error, aside)
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{path}{suffix}")
            if source.exists():
                try:
                    source.rename(Path(f"{aside}{suffix}"))
                except OSError as rename_error:  # another run moved it first
                    log.warning("could not move %s aside: %s", source, rename_error)
        fresh = History(path, recovered_from=aside)
        fresh._initialise()
        return fresh


def last_run_had_critical(history_path: Path, database: str | None = None) -> bool:
    """Whether the newest check run (of `database`, if given) had a critical finding.

    `dbguard baseline` refuses to capture from such a database unless told to.
    A missing or unreadable history means no known critical run: False.
    """
    history_path = Path(history_path)
    if not history_path.exists():
        return False
    try:
        previous = History(history_path).previous_run(kind="check", database=database)
    except sqlite3.Error as error:
        log.warning("cannot read run history %s: %s", history_path, error)
        return False
    return previous is not None and previous.status == "critical"
