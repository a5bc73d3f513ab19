"""The whole incident response on the demo, as the runbook orders it, with real Litestream,
a real writer and real GX: while `dbguard replicate` runs and a writer adds fault_record rows,
a bad DELETE of 40 % of fault_record and, in another transaction, an UPDATE of 10 pue_data
rows to pue = 9.9; the writer goes on for 5 s. `check` opens the incident, `incident find`
dates the damage, `incident diff` lists exactly the deleted and changed ids and the writer's
rows as inserted, `incident repair --yes` puts everything back and keeps every later write,
`check --strict` passes and the incident is closed with both durations. The point-in-time
route restores the last good transaction through the replica instead."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from pathlib import Path

import pytest
from replication_support import dbguard, replicating, wait_for, write_config, writing

from dbguard.config import load_config
from dbguard.incident.points import materialize, replica_points, resolve_point

EXPECTATIONS = Path(__file__).resolve().parent.parent / "expectations"
POINT_ROWS = 272  # the demo's fault_record ids are 1..272

pytestmark = pytest.mark.slow


def rows(db: Path, query: str) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        return connection.execute(query).fetchall()


def test_find_diff_repair_with_a_replica_and_a_writer(tmp_path: Path, demo_db: Path) -> None:
    config_path = write_config(tmp_path, demo_db, EXPECTATIONS)
    config = load_config(config_path)
    gone = "id <= 272 AND id % 5 IN (1, 3)"
    deleted = {row[0]: row for row in rows(demo_db, f"SELECT * FROM fault_record WHERE {gone}")}
    changed = dict(rows(demo_db, "SELECT id, pue FROM pue_data WHERE id % 24 = 5"))
    assert dbguard(config_path, "backup", "create").returncode == 0  # the nightly backup
    with replicating(config_path, demo_db):
        with writing(demo_db, 1.5, 60.0, copy_row="fault_record"):
            time.sleep(4.0)
            with contextlib.closing(sqlite3.connect(demo_db, isolation_level=None)) as app:
                app.execute(f"DELETE FROM fault_record WHERE {gone}")
                app.execute(
                    "UPDATE pue_data SET pue = 9.9 WHERE id IN"
                    f" ({', '.join(str(i) for i in changed)})"
                )
            time.sleep(5.0)
        newest = replica_points(config)[-1].txid or 0
        wait_for(lambda: (replica_points(config)[-1].txid or 0) >= newest, "the replica")
        written = [
            r[0] for r in rows(demo_db, f"SELECT id FROM fault_record WHERE id > {POINT_ROWS}")
        ]

        assert dbguard(config_path, "check", timeout=300).returncode == 1  # opens the incident
        found = dbguard(config_path, "incident", "find", "--json", timeout=300)
        assert found.returncode == 0, found.stderr
        assert "txid" in json.loads(found.stdout)["last_good"]

        diff = dbguard(config_path, "incident", "diff", "--json", timeout=300)
        assert diff.returncode == 0, diff.stderr
        tables = json.loads(diff.stdout)["tables"]
        assert sorted(tables["fault_record"]["deleted_keys"]) == sorted(deleted)
        assert sorted(tables["pue_data"]["changed_keys"]) == sorted(changed)
        assert tables["pue_data"]["deleted"] == tables["pue_data"]["inserted"] == 0
        for row in tables["pue_data"]["changed_rows"]:
            assert row["changes"] == {"pue": [changed[row["key"]["id"]], 9.9]}
        since = tables["fault_record"]["inserted"]  # the writer's rows after the last good point
        assert 0 < since <= len(written)

        repaired = dbguard(config_path, "incident", "repair", "--yes", timeout=600)
        assert repaired.returncode == 0, repaired.stdout[-3000:] + repaired.stderr
        assert "check after the repair: OK" in repaired.stdout

        back = rows(demo_db, f"SELECT * FROM fault_record WHERE {gone}")
        assert {row[0]: row for row in back} == deleted
        assert dict(rows(demo_db, "SELECT id, pue FROM pue_data WHERE pue = 9.9")) == {}
        assert set(written) <= {r[0] for r in rows(demo_db, "SELECT id FROM fault_record")}
        strict = dbguard(config_path, "check", "--strict", timeout=300)
        assert strict.returncode == 0, strict.stdout[-3000:]

    listed = dbguard(config_path, "incident", "list", "--json")
    (incident,) = json.loads(listed.stdout)
    assert incident["status"] == "closed"
    assert incident["time_to_detect_seconds"] is not None
    assert incident["time_to_repair_seconds"] is not None
    assert [(a["kind"], a["outcome"]) for a in incident["actions"]] == [("repair", "done")]


def test_the_point_in_time_route_restores_the_last_good_transaction(
    tmp_path: Path, demo_db: Path
) -> None:
    config_path = write_config(tmp_path, demo_db, EXPECTATIONS)
    config = load_config(config_path)
    with replicating(config_path, demo_db):
        with writing(demo_db, 2.0, 60.0, copy_row="fault_record"):
            time.sleep(3.0)
            with contextlib.closing(sqlite3.connect(demo_db, isolation_level=None)) as app:
                app.execute("DELETE FROM fault_record WHERE id <= 272 AND id % 5 IN (1, 3)")
            time.sleep(3.0)
        newest = replica_points(config)[-1].txid or 0
        wait_for(lambda: (replica_points(config)[-1].txid or 0) >= newest, "the replica")
        assert dbguard(config_path, "check", timeout=300).returncode == 1
        found = dbguard(config_path, "incident", "find", "--json", timeout=300)
        assert found.returncode == 0, found.stderr
        good = json.loads(found.stdout)["last_good"]
        since = len(rows(demo_db, f"SELECT id FROM fault_record WHERE id > {POINT_ROWS}"))

        plan = dbguard(config_path, "incident", "repair", "--route", "point-in-time", timeout=300)
        assert plan.returncode == 0, plan.stderr
        assert "route: point-in-time" in plan.stdout and "later writes will be lost" in plan.stdout
        restored = dbguard(
            config_path, "incident", "repair", "--route", "point-in-time", "--yes", timeout=600
        )
    assert restored.returncode in (0, 1), restored.stderr  # the check after it may see the lag
    assert "safety copy" in restored.stdout
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    point = materialize(config, resolve_point(config, good["txid"]), scratch)
    query = "SELECT * FROM fault_record ORDER BY id"
    assert rows(demo_db, query) == rows(point, query)
    assert len(rows(demo_db, f"SELECT id FROM fault_record WHERE id > {POINT_ROWS}")) < since
