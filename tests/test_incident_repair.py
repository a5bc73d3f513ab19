"""`dbguard incident repair` on real damage (a real writer inserting throughout, real GX):
the rows route puts every deleted row back and reverts the updated ones while keeping every
later write; conflicts are listed and skipped unless --overwrite; a dropped table comes back
with its children (parents first, foreign keys on); the point-in-time route; a refusal on
timeout; a second repair of one incident needs --again; the history compares the next check
with what the repair left."""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alert_receiver import dbguard
from incident_damage import damage, fault_writing, later_ids, write_project
from replication_support import wait_for

from dbguard.config import load_config
from dbguard.errors import OperationFailed
from dbguard.history import REPAIR, ActionRecord, open_history
from dbguard.incident.records import record_assessment, record_repair
from dbguard.incident.repair import RepairRequest, repair

TRANSFERS = Path(__file__).with_name("writer_process.py")

pytestmark = pytest.mark.slow  # real check runs with Great Expectations


def rows(db: Path, query: str) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        return connection.execute(query).fetchall()


def digest(db: Path) -> str:
    with contextlib.closing(sqlite3.connect(db)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return hashlib.sha256(db.read_bytes()).hexdigest()


def incidents(cwd: Path) -> list[dict]:
    listed = dbguard("incident", "list", "--json", cwd=cwd)
    assert listed.returncode == 0, listed.stderr
    return list(json.loads(listed.stdout))


def test_the_rows_route_puts_the_damage_back_and_keeps_every_later_write(
    tmp_path: Path, demo_db: Path
) -> None:
    damaged_at = datetime.now(UTC)
    done = damage(tmp_path, demo_db, rate=1.5)
    assert dbguard("check", cwd=tmp_path).returncode == 1  # critical: opens the incident
    history = open_history(tmp_path / "reports" / "history.sqlite3")
    record_assessment(  # what `incident find` records (issue 18's shape)
        history,
        str(demo_db),
        last_good={"time": damaged_at.isoformat(), "backup": str(done.point)},
        first_bad={"time": damaged_at.isoformat(), "live": str(demo_db)},
    )
    before = digest(demo_db)
    plan = dbguard("incident", "repair", cwd=tmp_path)
    assert plan.returncode == 0, plan.stderr
    assert f"fault_record: will put back {len(done.deleted)} rows, revert 0" in plan.stdout
    assert "pue_data: will put back 0 rows, revert 10" in plan.stdout
    assert "nothing changed" in plan.stdout
    assert digest(demo_db) == before

    with fault_writing(demo_db, rate=0.5, seconds=120):
        repaired = dbguard("incident", "repair", "--yes", cwd=tmp_path)
    assert repaired.returncode == 0, repaired.stdout[-3000:] + repaired.stderr
    assert "check after the repair: OK" in repaired.stdout

    put_back = rows(demo_db, "SELECT * FROM fault_record WHERE id <= 272 AND id % 5 IN (1, 3)")
    assert {row[0]: row for row in put_back} == done.deleted
    assert dict(rows(demo_db, "SELECT id, pue FROM pue_data")) | done.changed == dict(
        rows(demo_db, "SELECT id, pue FROM pue_data")
    )
    later = later_ids(demo_db, done.point)  # before, during and after the repair
    assert set(done.written) < set(later)
    assert later == list(range(later[0], later[-1] + 1))  # none lost: no gap

    (undo,) = tmp_path.glob("db.sqlite3.repair.*.sqlite3")
    assert len(rows(undo, "SELECT * FROM fault_record WHERE _side = 'after'")) == len(done.deleted)
    assert len(rows(undo, "SELECT * FROM pue_data WHERE _side = 'before'")) == 10

    strict = dbguard("check", "--strict", cwd=tmp_path)
    assert strict.returncode == 0, strict.stdout[-3000:]
    (incident,) = incidents(tmp_path)
    assert incident["status"] == "closed"
    assert incident["time_to_detect_seconds"] is not None and incident["time_to_repair"]
    assert [a["kind"] for a in incident["actions"]] == ["repair"]
    written = dbguard("incident", "report", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    markdown = Path(written.stdout.splitlines()[0]).read_text()
    assert f"repair (rows): done, from backup {done.point.name}" in markdown


def test_conflicts_are_listed_and_skipped_then_overwritten(tmp_path: Path, demo_db: Path) -> None:
    done = damage(tmp_path, demo_db, after=0.5, rate=1.0)
    assert dbguard("check", cwd=tmp_path).returncode == 1
    time.sleep(1.1)  # the first bad point: a backup of the damage, in its own second
    assert dbguard("backup", "create", cwd=tmp_path).returncode == 0
    bad = max((tmp_path / "backups").glob("db_*.sqlite3"))
    taken, again = min(done.deleted), min(done.changed)
    with contextlib.closing(sqlite3.connect(demo_db)) as live:  # the application, afterwards
        live.execute(
            "INSERT INTO fault_record VALUES (?, 'DC-Wuhan-01', 2, 'PDU', 'hardware', 'minor',"
            " 'open', '2025-09-01 00:00:00', NULL, 'a new fault under an old id')",
            (taken,),
        )
        live.execute(  # the application fixed this row itself, its own way
            "UPDATE pue_data SET pue = round(total_energy_kwh / it_energy_kwh, 4),"
            " created_at = '2025-10-01 00:00:00' WHERE id = ?",
            (again,),
        )
        live.commit()
    record_assessment(
        open_history(tmp_path / "reports" / "history.sqlite3"),
        str(demo_db),
        last_good={"time": "2020-01-01T00:00:00+00:00", "backup": str(done.point)},
        first_bad={"time": datetime.now(UTC).isoformat(), "backup": str(bad)},
    )
    config = load_config(tmp_path / "dbguard.toml")
    first = repair(config, RepairRequest(yes=True))
    assert first.written["fault_record"] == {
        "reinserted": len(done.deleted) - 1,
        "reverted": 0,
        "skipped": 1,
    }
    assert first.written["pue_data"] == {"reinserted": 0, "reverted": 9, "skipped": 1}
    conflicts = {(t.shape.name, c.value, k) for t in first.plan.tables for c, k in t.conflicts}
    assert conflicts == {("fault_record", "key_taken", taken), ("pue_data", "changed_again", again)}
    assert rows(demo_db, f"SELECT description FROM fault_record WHERE id = {taken}") == [
        ("a new fault under an old id",)
    ]
    assert rows(demo_db, f"SELECT created_at FROM pue_data WHERE id = {again}") == [
        ("2025-10-01 00:00:00",)
    ]

    with pytest.raises(OperationFailed, match="repaired already"):
        repair(config, RepairRequest(yes=True, overwrite=True))
    repair(config, RepairRequest(yes=True, overwrite=True, again=True))
    assert rows(demo_db, f"SELECT * FROM fault_record WHERE id = {taken}") == [done.deleted[taken]]
    assert rows(demo_db, f"SELECT pue FROM pue_data WHERE id = {again}") == [(done.changed[again],)]


def test_a_dropped_table_comes_back_after_its_parents(tmp_path: Path, demo_db: Path) -> None:
    write_project(tmp_path, demo_db)
    assert dbguard("backup", "create", cwd=tmp_path).returncode == 0
    (point,) = (tmp_path / "backups").glob("db_*.sqlite3")
    comments = rows(demo_db, "SELECT * FROM pue_comment ORDER BY id")
    parents = rows(demo_db, "SELECT * FROM pue_data WHERE id IN (SELECT pue_id FROM pue_comment)")
    drills = rows(demo_db, "SELECT COUNT(*) FROM pue_drill_data")
    with contextlib.closing(sqlite3.connect(demo_db)) as live:
        gone = ", ".join(str(parent[0]) for parent in parents)
        live.execute("DROP TABLE pue_comment")
        live.execute(f"DELETE FROM pue_data WHERE id IN ({gone})")
        live.commit()
    config = load_config(tmp_path / "dbguard.toml")
    done = repair(config, RepairRequest(point=point.name, yes=True))
    assert [t.shape.name for t in done.plan.tables].index("pue_data") < [
        t.shape.name for t in done.plan.tables
    ].index("pue_comment")
    assert rows(demo_db, "SELECT * FROM pue_comment ORDER BY id") == comments
    assert sorted(
        rows(demo_db, "SELECT * FROM pue_data WHERE id IN (SELECT pue_id FROM pue_comment)")
    ) == sorted(parents)
    assert rows(demo_db, "SELECT COUNT(*) FROM pue_drill_data") == drills
    assert rows(demo_db, "PRAGMA foreign_key_check") == []
    # The next check compares row counts with what the repair left, as after a restore.
    counts, against = open_history(tmp_path / "reports" / "history.sqlite3").reference_counts(
        str(demo_db)
    )
    assert against == "the repair" and counts["pue_comment"] == len(comments)


def test_the_point_in_time_route_restores_the_point_and_says_what_is_lost(
    tmp_path: Path, demo_db: Path
) -> None:
    done = damage(tmp_path, demo_db, after=1.0, rate=2.0)
    plan = dbguard(
        "incident", "repair", "--from", done.point.name, "--route", "point-in-time", cwd=tmp_path
    )
    assert plan.returncode == 0, plan.stderr
    assert f"later writes will be lost: {len(done.written)} rows inserted" in plan.stdout
    config = load_config(tmp_path / "dbguard.toml")
    result = repair(config, RepairRequest(point=done.point.name, route="point-in-time", yes=True))
    assert result.safety_copy is not None and result.safety_copy.exists()
    assert rows(demo_db, "SELECT * FROM fault_record ORDER BY id") == rows(
        done.point, "SELECT * FROM fault_record ORDER BY id"
    )


def test_a_repair_refuses_when_the_database_stays_locked(tmp_path: Path, demo_db: Path) -> None:
    done = damage(tmp_path, demo_db, after=0.2)
    before = rows(demo_db, "SELECT COUNT(*) FROM fault_record")
    with contextlib.closing(sqlite3.connect(demo_db, isolation_level=None)) as holder:
        holder.execute("BEGIN IMMEDIATE")
        refused = dbguard(
            "incident", "repair", "--from", done.point.name, "--yes", "--timeout", "1", cwd=tmp_path
        )
        holder.execute("ROLLBACK")
    assert refused.returncode == 1
    assert "stayed locked" in refused.stderr and refused.stderr.count("\n") == 1
    assert rows(demo_db, "SELECT COUNT(*) FROM fault_record") == before
    assert not list(tmp_path.glob("db.sqlite3.repair.*"))


def test_a_second_repair_of_one_incident_needs_again(tmp_path: Path, demo_db: Path) -> None:
    done = damage(tmp_path, demo_db, after=0.2)
    assert dbguard("check", cwd=tmp_path).returncode == 1
    now = datetime.now(UTC)
    record_repair(
        open_history(tmp_path / "reports" / "history.sqlite3"),
        str(demo_db),
        ActionRecord(kind=REPAIR, route="rows", started_at=now, finished_at=now),
    )
    refused = dbguard("incident", "repair", "--from", done.point.name, "--yes", cwd=tmp_path)
    assert refused.returncode == 1 and "--again" in refused.stderr
    assert rows(demo_db, "SELECT COUNT(*) FROM fault_record") < [(272,)]


def test_a_repair_that_would_leave_live_failing_a_critical_rule_is_refused(
    tmp_path: Path, demo_db: Path
) -> None:
    done = damage(tmp_path, demo_db, after=0.2)
    assert dbguard("check", cwd=tmp_path).returncode == 1
    with contextlib.closing(sqlite3.connect(demo_db)) as live:  # a bad write after the damage
        live.execute(
            "INSERT INTO pue_data (site, month, total_energy_kwh, it_energy_kwh, pue, created_at)"
            " VALUES ('DC-Lhasa-01', '2025-09', 950.0, 100.0, 9.5, '2025-09-30 00:00:00')"
        )
        live.commit()
    before = digest(demo_db)
    refused = dbguard("incident", "repair", "--from", done.point.name, "--yes", cwd=tmp_path)
    assert refused.returncode == 1, refused.stdout
    assert "would fail critical rules" in refused.stderr and "pue" in refused.stderr
    assert refused.stderr.count("\n") == 1
    assert digest(demo_db) == before
    (incident,) = incidents(tmp_path)
    assert [(a["kind"], a["outcome"]) for a in incident["actions"]] == [("repair", "refused")]


def test_diff_defaults_to_the_last_good_point_find_reports(tmp_path: Path, demo_db: Path) -> None:
    done = damage(tmp_path, demo_db, after=0.2)
    result = dbguard("incident", "diff", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["tables"]["fault_record"]["deleted"] == len(done.deleted)


def test_tables_the_damage_is_not_in_keep_every_later_update(tmp_path: Path, demo_db: Path) -> None:
    """The application keeps updating its own table (real transfers) across the damage; the
    rows route repairs fault_record only and every transfer made since stays."""
    write_project(tmp_path, demo_db)
    ready, stats = tmp_path / "writer-ready", tmp_path / "writer.json"
    writer = subprocess.Popen(
        [
            sys.executable,
            str(TRANSFERS),
            "--db",
            str(demo_db),
            "--duration",
            "60",
            "--stats-json",
            str(stats),
            "--ready-file",
            str(ready),
        ]
    )
    try:
        wait_for(lambda: ready.exists() or writer.poll() is not None, "the transfer writer")
        assert dbguard("backup", "create", cwd=tmp_path).returncode == 0
        (point,) = (tmp_path / "backups").glob("db_*.sqlite3")
        time.sleep(1.0)
        with contextlib.closing(sqlite3.connect(demo_db, timeout=30)) as live:
            live.execute("DELETE FROM fault_record WHERE id % 5 IN (1, 3)")
            live.commit()
        time.sleep(1.0)
    finally:
        writer.terminate()
        writer.wait(timeout=30)
    balances = rows(demo_db, "SELECT id, balance FROM writer_accounts ORDER BY id")
    assert balances != rows(point, "SELECT id, balance FROM writer_accounts ORDER BY id")

    result = repair(
        load_config(tmp_path / "dbguard.toml"), RepairRequest(point=point.name, yes=True)
    )
    assert "writer_accounts" in result.plan.left_alone
    assert result.written["fault_record"]["reinserted"] == 109
    assert rows(demo_db, "SELECT id, balance FROM writer_accounts ORDER BY id") == balances
