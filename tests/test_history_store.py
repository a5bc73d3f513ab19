"""The run history: append and read back, consecutive failures, concurrent writers,
corruption recovery, no secrets stored."""

from __future__ import annotations

import multiprocessing
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from dbguard.history import (
    History,
    Outcome,
    RunRecord,
    last_run_had_critical,
    open_history,
    utc_now,
)


def record(status: str = "ok", minutes_ago: int = 0, **metrics: float) -> RunRecord:
    started = utc_now() - timedelta(minutes=minutes_ago)
    return RunRecord(
        kind="check",
        started_at=started,
        finished_at=started + timedelta(seconds=3),
        database="/data/db.sqlite3",
        status=status,
        metrics=dict(metrics),
        outcomes=[Outcome("connection", status, "passed")],
    )


def test_runs_come_back_newest_first_with_metrics_and_outcomes(tmp_path: Path) -> None:
    history = open_history(tmp_path / "h.sqlite3")
    history.append(record("ok", minutes_ago=10, rows=100))
    history.append(record("warning", minutes_ago=5, rows=120))
    runs = history.recent_runs()
    assert [run.status for run in runs] == ["warning", "ok"]
    assert runs[0].metrics == {"rows": 120.0}
    assert runs[0].outcomes[0].name == "connection"
    assert runs[0].duration_seconds == pytest.approx(3.0)


def test_consecutive_failures_count_back_to_the_last_ok(tmp_path: Path) -> None:
    history = open_history(tmp_path / "h.sqlite3")
    for minutes_ago, status in ((40, "warning"), (30, "ok"), (20, "warning"), (10, "critical")):
        history.append(record(status, minutes_ago=minutes_ago))
    assert history.consecutive_failures("connection") == 2
    assert history.consecutive_failures("never-recorded") == 0


def test_corrupted_history_is_moved_aside_and_a_new_one_started(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    history = open_history(path)
    assert history.recovered_from is not None
    assert history.recovered_from.read_bytes().startswith(b"this is not a database")
    assert history.recovered_from.name.startswith("history.sqlite3.corrupt-")
    history.append(record())
    assert len(history.recent_runs()) == 1


def test_damaged_pages_are_detected_as_corruption(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    history = open_history(path)
    many = {f"rows.table_{index:04d}.live": float(index) for index in range(2000)}
    history.append(record(**many))
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    data[4096 * 2 : 4096 * 4] = b"\xff" * 8192  # wreck two pages past the header
    path.write_bytes(bytes(data))
    reopened = open_history(path)
    assert reopened.recovered_from is not None
    assert reopened.recent_runs() == []


def _append_many(path: str, worker: int) -> None:
    history = open_history(Path(path))
    for index in range(25):
        history.append(record(minutes_ago=index, worker=float(worker)))


def test_concurrent_writers_lose_no_run(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    open_history(path)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(str(path), n)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    history = History(path)
    assert len(history.recent_runs(limit=1000)) == 100
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_secrets_are_never_stored(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    history = open_history(path)
    started = utc_now()
    history.append(
        RunRecord(
            kind="check",
            started_at=started,
            finished_at=started,
            database="postgresql://ops:hunter2@db.example.com/energy",
            status="ok",
            outcomes=[Outcome("probe https://x.example.com/h?token=abcdef99", "ok", "passed")],
        )
    )
    stored = b"".join(
        file.read_bytes() for file in tmp_path.iterdir() if file.name.startswith(path.name)
    )
    assert b"db.example.com" in stored  # the record is there …
    assert b"hunter2" not in stored  # … without its secrets
    assert b"abcdef99" not in stored


def test_last_run_had_critical_follows_the_newest_check_run(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    assert last_run_had_critical(path) is False  # no history: nothing known
    history = open_history(path)
    history.append(record("critical", minutes_ago=5))
    assert last_run_had_critical(path) is True
    assert last_run_had_critical(path, "/other/db.sqlite3") is False
    history.append(record("ok", minutes_ago=1))
    assert last_run_had_critical(path, "/data/db.sqlite3") is False


def test_history_from_before_per_check_timings_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.executescript(
            "CREATE TABLE runs (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, started_at TEXT NOT NULL,"
            " finished_at TEXT NOT NULL, duration_seconds REAL NOT NULL, database TEXT NOT NULL,"
            " status TEXT NOT NULL, exit_code INTEGER, counts TEXT NOT NULL DEFAULT '{}');"
            "CREATE TABLE outcomes (run_id INTEGER NOT NULL, name TEXT NOT NULL, nodeid TEXT NOT NULL,"
            " target TEXT NOT NULL, severity TEXT NOT NULL, outcome TEXT NOT NULL);"
            "INSERT INTO runs VALUES (1, 'check', '2026-01-01T00:00:00+00:00',"
            " '2026-01-01T00:00:05+00:00', 5, '/data/db.sqlite3', 'ok', 0, '{}');"
            "INSERT INTO outcomes VALUES (1, 'connection', 'n', 'live', 'ok', 'passed');"
        )
    connection.close()
    history = open_history(path)
    assert history.recovered_from is None  # upgraded, not thrown away
    history.append(
        RunRecord(
            kind="check",
            started_at=utc_now(),
            finished_at=utc_now(),
            database="/data/db.sqlite3",
            status="ok",
            outcomes=[Outcome("connection", "ok", "passed", duration_seconds=0.25)],
        )
    )
    runs = history.recent_runs()
    assert [run.outcomes[0].duration_seconds for run in runs] == [0.25, 0.0]
