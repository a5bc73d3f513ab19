"""An incident from real check runs on the demo database: a damaging DELETE turns `dbguard
check` CRITICAL and opens one incident (a second critical run does not open another), the
alert sent is linked with its destination masked, `backup restore` joins the incident, the
next OK check closes it; `incident list`, `incident report` and the weekly report show time
to detect and time to repair."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alert_receiver import Receiver, dbguard
from check_project import ROOT

from dbguard.history import open_history
from dbguard.incident.records import record_assessment

pytestmark = pytest.mark.slow  # four full quality runs with Great Expectations

SECRET = "s3cretpw"
RULE = "fault_record::expect_table_row_count_to_be_between[critical]"


def incidents(cwd: Path) -> list[dict]:
    listed = dbguard("incident", "list", "--json", cwd=cwd)
    assert listed.returncode == 0, listed.stderr
    rows: list[dict] = json.loads(listed.stdout)
    return rows


def test_a_damaging_delete_opens_one_incident_and_the_ok_check_closes_it(
    tmp_path: Path, demo_db: Path
) -> None:
    with Receiver() as receiver:
        url = receiver.url.replace("json://", f"json://ops:{SECRET}@")
        (tmp_path / "dbguard.toml").write_text(
            f'[database]\npath = "{demo_db}"\n[backup]\ndir = "backups"\n'
            f'[checks]\nexpectations_dir = "{ROOT / "expectations"}"\n'
            '[reports]\ndir = "reports"\nhistory = "reports/history.sqlite3"\n'
            f'[alerts]\nurls = ["{url}"]\n'
        )
        assert dbguard("backup", "create", cwd=tmp_path).returncode == 0
        good = dbguard("check", cwd=tmp_path)
        assert good.returncode == 0, good.stdout[-3000:]
        assert incidents(tmp_path) == []

        damaged_at = datetime.now(UTC)
        with sqlite3.connect(demo_db) as connection:
            connection.execute("DELETE FROM fault_record WHERE id % 2 = 0")
        connection.close()
        first = dbguard("check", cwd=tmp_path)
        assert first.returncode == 1, first.stdout[-3000:]
        (opened,) = incidents(tmp_path)
        assert opened["status"] == "open"
        assert RULE in opened["failed_rules"]
        assert [(a["kind"], a["status"]) for a in opened["alerts"]] == [("problem", "critical")]

        second = dbguard("check", cwd=tmp_path)
        assert second.returncode == 1
        (still,) = incidents(tmp_path)
        assert (still["id"], still["status"]) == (opened["id"], "open")

        # What `incident find` records once it has dated the damage (issue 18's shape).
        history = open_history(tmp_path / "reports" / "history.sqlite3")
        record_assessment(
            history,
            str(demo_db),
            first_bad={"time": damaged_at.isoformat(timespec="seconds"), "txid": "0x2"},
            loss={"fault_record": {"deleted": 136, "changed": 0, "inserted": 0}},
        )
        restored = dbguard("backup", "restore", "--latest", "--yes", cwd=tmp_path)
        assert restored.returncode == 0, restored.stderr
        fixed = dbguard("check", cwd=tmp_path)
        assert fixed.returncode == 0, fixed.stdout[-3000:]
        assert len(receiver.payloads) == 2  # the problem, then the recovery

    (closed,) = incidents(tmp_path)
    assert closed["id"] == opened["id"] and closed["status"] == "closed"
    assert closed["time_to_detect_seconds"] is not None and closed["time_to_detect_seconds"] >= 0
    assert closed["time_to_repair_seconds"] > 0
    assert [(a["kind"], a["status"]) for a in closed["alerts"]] == [
        ("problem", "critical"),
        ("recovery", "ok"),
    ]
    assert all(SECRET not in a["destination"] for a in closed["alerts"])
    (restore,) = closed["actions"]
    assert (restore["kind"], restore["route"], restore["outcome"]) == ("restore", "offline", "done")
    assert restore["result"]["row_counts"]["fault_record"] == 272

    written = dbguard("incident", "report", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    markdown, html = (Path(line) for line in written.stdout.split())
    text = markdown.read_text()
    assert (
        f"| **Time to detect** (first bad point → first critical run) | {closed['time_to_detect']} |"
        in text
    )
    assert f"| **Time to repair** (detection → OK) | {closed['time_to_repair']} |" in text
    assert "| fault_record | 272 | 136 | 272 |" in text  # before, at detection, at the close
    for path in (markdown, html, tmp_path / "reports" / "history.sqlite3"):
        assert SECRET.encode() not in path.read_bytes(), path

    weekly = dbguard("report", "--weekly", cwd=tmp_path)
    assert weekly.returncode == 0, weekly.stderr
    section = Path(weekly.stdout.strip()).read_text().split("## Incidents", 1)[1].split("\n## ")[0]
    assert f"| {closed['id']} |" in section
    assert f"| {closed['time_to_detect']} | {closed['time_to_repair']} |" in section
