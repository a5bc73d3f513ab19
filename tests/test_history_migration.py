"""A run history written by round 2 (schema version 0: the tables as `git show
main:dbguard/history/store.py` and `main:dbguard/alerts/store.py` had them before round 3)
opens, is migrated in place, and keeps every run, metric, outcome and alert; the migrated
file then records incidents. Two processes opening an old file at once migrate it once."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from spawned import run_at_once

from dbguard.alerts.store import AlertStore
from dbguard.history import CHECK, RunRecord, open_history, utc_now
from dbguard.history.migrations import CURRENT_VERSION
from dbguard.incident.records import record_run

# Round 2's schema, copied literally: the file a round-2 dbguard leaves behind.
ROUND_2_SCHEMA = """
PRAGMA journal_mode = WAL;
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
CREATE TABLE IF NOT EXISTS alert_state (
    source TEXT NOT NULL,          -- check / health / backup
    database TEXT NOT NULL,        -- masked
    destination TEXT NOT NULL,     -- sha256 of the URL, never the URL
    status TEXT NOT NULL,          -- what the destination was last told
    since TEXT,                    -- UTC, ISO 8601: when the open problem began
    notified_at TEXT,              -- UTC: when a message last reached it
    PRIMARY KEY (source, database, destination)
);
CREATE TABLE IF NOT EXISTS alert_sends (
    id INTEGER PRIMARY KEY,
    sent_at TEXT NOT NULL,         -- UTC, ISO 8601
    source TEXT NOT NULL,
    database TEXT NOT NULL,
    status TEXT NOT NULL,          -- the status the message speaks of
    kind TEXT NOT NULL,            -- problem / repeat / recovery / test
    destination TEXT NOT NULL,     -- the masked URL
    ok INTEGER NOT NULL,
    error TEXT NOT NULL DEFAULT '',
    seconds REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS alert_sends_by_time ON alert_sends (sent_at);
"""

DATABASE = "/srv/app/db.sqlite3"
DAY = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def at(minutes: int) -> str:
    return (DAY + timedelta(minutes=minutes)).isoformat(timespec="seconds")


def round_2_history(path: Path) -> None:
    """Runs (checks, health, a restore), their metrics and outcomes, and alerts, written
    with plain SQL as round 2 wrote them."""
    connection = sqlite3.connect(path)
    connection.executescript(ROUND_2_SCHEMA)
    runs = [
        (1, "check", at(0), at(1), 60.0, DATABASE, "ok", 0, '{"ok": 40}'),
        (2, "health", at(5), at(5), 0.4, DATABASE, "ok", 0, "{}"),
        (3, "check", at(60), at(61), 60.0, DATABASE, "critical", 1, '{"critical": 1, "ok": 39}'),
        (4, "restore", at(70), at(70), 2.0, DATABASE, "ok", 0, "{}"),
        (5, "check", at(120), at(121), 60.0, DATABASE, "ok", 0, '{"ok": 40}'),
    ]
    connection.executemany("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", runs)
    connection.executemany(
        "INSERT INTO metrics VALUES (?, ?, ?)",
        [
            (1, "rows.fault_record.live", 272),
            (1, "wal_bytes", 4096),
            (3, "rows.fault_record.live", 136),
            (4, "rows.fault_record.live", 272),
            (5, "rows.fault_record.live", 272),
        ],
    )
    connection.executemany(
        "INSERT INTO outcomes VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (1, "rows fault_record", "checks/x.py::a", "live", "ok", "passed", 0.5),
            (3, "rows fault_record", "checks/x.py::a", "live", "critical", "failed", 0.5),
            (3, "connection", "checks/y.py::b", "live", "ok", "passed", 0.1),
            (5, "rows fault_record", "checks/x.py::a", "live", "ok", "passed", 0.4),
        ],
    )
    connection.execute(
        "INSERT INTO alert_state VALUES ('check', ?, 'abc123', 'ok', NULL, ?)", (DATABASE, at(121))
    )
    connection.executemany(
        "INSERT INTO alert_sends (sent_at, source, database, status, kind, destination, ok)"
        " VALUES (?, 'check', ?, ?, ?, 'json://127.0.0.1:9/****', 1)",
        [(at(61), DATABASE, "critical", "problem"), (at(121), DATABASE, "ok", "recovery")],
    )
    connection.commit()
    connection.close()


def test_round_2_history_opens_migrated_with_everything_still_there(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    round_2_history(path)

    history = open_history(path)

    assert history.recovered_from is None  # migrated in place, not set aside
    with sqlite3.connect(path) as connection:
        (version,) = connection.execute("PRAGMA user_version").fetchone()
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert version == CURRENT_VERSION
    assert {"incidents", "incident_assessments", "incident_actions"} <= tables
    runs = history.recent_runs(limit=10)
    assert [(run.id, run.kind, run.status) for run in runs] == [
        (5, "check", "ok"),
        (4, "restore", "ok"),
        (3, "check", "critical"),
        (2, "health", "ok"),
        (1, "check", "ok"),
    ]
    by_id = {run.id: run for run in runs}
    assert by_id[1].metrics == {"rows.fault_record.live": 272, "wal_bytes": 4096}
    assert by_id[3].counts == {"critical": 1, "ok": 39}
    assert [(o.name, o.severity, o.duration_seconds) for o in by_id[3].outcomes] == [
        ("rows fault_record", "critical", 0.5),
        ("connection", "ok", 0.1),
    ]
    assert history.reference_counts(DATABASE) == ({"fault_record": 272}, "the previous run")
    assert history.consecutive_failures("rows fault_record") == 0
    alerts = AlertStore(path).sent_between(DAY, DAY + timedelta(days=1))
    assert [(a.kind, a.status, a.destination) for a in alerts] == [
        ("problem", "critical", "json://127.0.0.1:9/****"),
        ("recovery", "ok", "json://127.0.0.1:9/****"),
    ]
    assert AlertStore(path).states("check", DATABASE)["abc123"].status == "ok"


def test_migrated_history_records_incidents_after_the_old_runs(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    round_2_history(path)
    history = open_history(path)
    now = utc_now()

    opened = record_run(history, RunRecord(CHECK, now, now, DATABASE, "critical"))
    closed = record_run(history, RunRecord(CHECK, now, now, DATABASE, "ok"))

    assert opened.run_id == 6  # after the five old runs
    assert (opened.step, closed.step) == ("open", "close")
    assert opened.incident_id == closed.incident_id == 1
    assert len(history.recent_runs(limit=100)) == 7


def test_opening_a_current_history_again_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    round_2_history(path)
    open_history(path)
    before = path.read_bytes()
    open_history(path, verify=False)
    assert path.read_bytes() == before


def _open(path: str) -> None:
    open_history(Path(path))


def test_two_processes_opening_an_old_history_at_once_migrate_it_once(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    round_2_history(path)
    assert run_at_once(_open, [(str(path),), (str(path),)]) == [0, 0]
    with sqlite3.connect(path) as connection:
        (version,) = connection.execute("PRAGMA user_version").fetchone()
        (runs,) = connection.execute("SELECT COUNT(*) FROM runs").fetchone()
    assert (version, runs) == (CURRENT_VERSION, 5)
