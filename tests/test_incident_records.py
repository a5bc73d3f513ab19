"""Incidents as records in a real history file: runs appended the way a check run is open,
keep and close them; restores and repairs join the open one; find/diff results are kept in
issue 18's shapes; one open incident per database even when two processes append at once."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from spawned import run_at_once

from dbguard.history import (
    CHECK,
    RESTORE,
    ActionRecord,
    History,
    IncidentStore,
    Outcome,
    RunRecord,
    open_history,
    utc_now,
)
from dbguard.incident.records import (
    loss_of_diff,
    record_action,
    record_assessment,
    record_repair,
    record_run,
)

DATABASE = "/data/db.sqlite3"
START = utc_now().replace(microsecond=0) - timedelta(hours=2)


def check(status: str, minute: int, database: str = DATABASE, **outcomes: str) -> RunRecord:
    started = START + timedelta(minutes=minute)
    return RunRecord(
        kind=CHECK,
        started_at=started,
        finished_at=started + timedelta(seconds=30),
        database=database,
        status=status,
        outcomes=[Outcome(name, severity, "failed") for name, severity in outcomes.items()],
    )


def history_at(tmp_path: Path) -> History:
    return open_history(tmp_path / "history.sqlite3")


def test_critical_check_opens_one_incident_and_an_ok_check_closes_it(tmp_path: Path) -> None:
    history = history_at(tmp_path)
    record_run(history, check("ok", 0))
    first = record_run(history, check("critical", 60, rows_fault_record="critical"))
    second = record_run(history, check("critical", 120))
    warning = record_run(history, check("warning", 150))
    closing = record_run(history, check("ok", 180))

    assert [first.step, second.step, warning.step, closing.step] == [
        "open",
        "keep",
        "keep",
        "close",
    ]
    (incident,) = IncidentStore(history).incidents(DATABASE)
    assert first.incident_id == closing.incident_id == incident.id
    assert incident.opened_run_id == first.run_id
    assert incident.detected_at == START + timedelta(minutes=60, seconds=30)
    assert incident.closed_run_id == closing.run_id
    assert incident.time_to_repair == timedelta(minutes=120)
    assert incident.time_to_detect is None  # no first bad point recorded yet
    assert IncidentStore(history).outcomes_of_run(first.run_id) == [
        ("rows_fault_record", "critical")
    ]

    again = record_run(history, check("critical", 200))
    assert again.step == "open" and again.incident_id != incident.id


def test_incidents_are_kept_per_database(tmp_path: Path) -> None:
    history = history_at(tmp_path)
    live = record_run(history, check("critical", 0))
    scratch = record_run(history, check("critical", 1, database="/tmp/drill.sqlite3"))
    assert live.step == scratch.step == "open"
    assert live.incident_id != scratch.incident_id
    assert record_run(history, check("ok", 2, database="/tmp/drill.sqlite3")).step == "close"
    (still_open,) = IncidentStore(history).incidents(DATABASE)
    assert still_open.is_open


def restore_record(minute: int) -> RunRecord:
    moment = START + timedelta(minutes=minute)
    return RunRecord(RESTORE, moment, moment + timedelta(seconds=3), DATABASE, "ok")


def restore_action(minute: int) -> ActionRecord:
    moment = START + timedelta(minutes=minute)
    return ActionRecord(
        kind=RESTORE,
        route="offline",
        started_at=moment,
        finished_at=moment + timedelta(seconds=3),
        plan={"source": "postgresql://app:hunter2@db.example.com/energy"},
        result={"row_counts": {"fault_record": 272}},
    )


def test_a_restore_during_the_incident_is_one_of_its_actions(tmp_path: Path) -> None:
    history = history_at(tmp_path)
    lone = record_run(history, restore_record(0), restore_action(0))
    assert lone.step == "none"  # no incident open: a routine restore
    record_run(history, check("critical", 10))

    restored = record_run(history, restore_record(20), restore_action(20))
    repaired = record_repair(
        history,
        DATABASE,
        ActionRecord(
            "ignored",
            "rows",
            START + timedelta(minutes=25),
            START + timedelta(minutes=26),
            plan={"tables": {"fault_record": {"reinsert": 136}}},
            result={"tables": {"fault_record": {"reinserted": 136, "reverted": 0}}},
        ),
    )

    assert restored.step == "attach" and repaired == restored.incident_id
    (incident,) = IncidentStore(history).incidents(DATABASE)
    restore, repair = incident.actions
    assert (restore.kind, restore.route, restore.run_id) == ("restore", "offline", restored.run_id)
    assert restore.result == {"row_counts": {"fault_record": 272}}
    assert restore.plan == {"source": "postgresql://app:****@db.example.com/energy"}
    assert (repair.kind, repair.route, repair.run_id, repair.succeeded) == (
        "repair",
        "rows",
        None,
        True,
    )
    assert b"hunter2" not in (tmp_path / "history.sqlite3").read_bytes()
    # The restore run still sets the counts the next check compares with.
    assert history.reference_counts(DATABASE)[1] == "the restored backup"


def test_a_repair_with_no_incident_open_is_not_recorded(tmp_path: Path) -> None:
    history = history_at(tmp_path)
    action = ActionRecord("repair", "rows", START, START, outcome="refused")
    assert record_action(history, DATABASE, action) is None
    assert IncidentStore(history).incidents(DATABASE) == []


FIND = {  # `incident find --json`, as issue 18 defines it
    "last_good": {"time": (START + timedelta(minutes=4)).isoformat(), "txid": "0x00000000000001a2"},
    "first_bad": {"time": (START + timedelta(minutes=5)).isoformat(), "txid": "0x00000000000001a3"},
    "flipped": ["fault_record::expect_table_row_count_to_be_between[critical]"],
}
DIFF = {  # `incident diff --json`
    "tables": {
        "fault_record": {"deleted": 109, "changed": 0, "inserted": 7, "deleted_keys": [2, 4]},
        "pue_data": {"deleted": 0, "changed": 10, "inserted": 0, "changed_keys": [1]},
    }
}


def test_find_and_diff_results_make_one_assessment_and_date_the_damage(tmp_path: Path) -> None:
    history = history_at(tmp_path)
    assert record_assessment(history, DATABASE, **FIND) is None  # no incident yet
    opened = record_run(history, check("critical", 10))

    found = record_assessment(history, DATABASE, **FIND, assessed_at=START + timedelta(minutes=12))
    diffed = record_assessment(
        history, DATABASE, loss=loss_of_diff(DIFF), assessed_at=START + timedelta(minutes=13)
    )

    assert found == diffed == opened.incident_id
    (incident,) = IncidentStore(history).incidents(DATABASE)
    assessment = incident.assessment
    assert assessment is not None
    assert assessment.last_good is not None and assessment.last_good.txid == "0x00000000000001a2"
    assert assessment.first_bad is not None and assessment.first_bad.to_json() == FIND["first_bad"]
    assert assessment.flipped == tuple(FIND["flipped"])
    assert assessment.loss == {
        "fault_record": {"deleted": 109, "changed": 0, "inserted": 7},
        "pue_data": {"deleted": 0, "changed": 10, "inserted": 0},
    }
    assert assessment.first_at == START + timedelta(minutes=12)
    assert incident.damage_began == START + timedelta(minutes=5)
    assert incident.time_to_detect == timedelta(minutes=5, seconds=30)

    # A backup-only find later replaces the points, and keeps the loss.
    backup_point = {"time": START.isoformat(), "backup": "backups/db_20260105_100000.sqlite3"}
    record_assessment(history, DATABASE, last_good=backup_point)
    (incident,) = IncidentStore(history).incidents(DATABASE)
    assert incident.assessment is not None
    assert incident.assessment.last_good is not None
    assert incident.assessment.last_good.backup == "backups/db_20260105_100000.sqlite3"
    assert incident.assessment.loss["pue_data"]["changed"] == 10


def test_an_assessment_after_the_close_goes_to_the_newest_incident(tmp_path: Path) -> None:
    history = history_at(tmp_path)
    record_run(history, check("critical", 0))
    closed = record_run(history, check("ok", 10))
    assert record_assessment(history, DATABASE, loss=loss_of_diff(DIFF)) == closed.incident_id


def _append_critical(path: str, index: int) -> None:
    history = open_history(Path(path))
    for minute in range(10):
        record_run(history, check("critical", index * 100 + minute))


def test_two_processes_appending_critical_runs_at_once_open_one_incident(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    open_history(path)
    assert run_at_once(_append_critical, [(str(path), 0), (str(path), 1)]) == [0, 0]
    with sqlite3.connect(path) as connection:
        (runs,) = connection.execute("SELECT COUNT(*) FROM runs").fetchone()
        (incidents,) = connection.execute("SELECT COUNT(*) FROM incidents").fetchone()
    assert (runs, incidents) == (20, 1)


def test_a_first_bad_point_that_is_live_itself_is_kept_as_such(tmp_path: Path) -> None:
    history = history_at(tmp_path)
    record_run(history, check("critical", 10))
    live = {"time": (START + timedelta(minutes=11)).isoformat(), "live": DATABASE}
    record_assessment(history, DATABASE, first_bad=live)
    (incident,) = IncidentStore(history).incidents(DATABASE)
    assert incident.assessment is not None and incident.assessment.first_bad is not None
    assert incident.assessment.first_bad.to_json() == live
    assert incident.assessment.first_bad.label() == "the live database"
