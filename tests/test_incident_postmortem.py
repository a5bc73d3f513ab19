"""`dbguard incident list` and `dbguard incident report` on a real history file: the timeline
(each missing step "not recorded"), time to detect and time to repair, the alerts with their
destinations masked, the loss and what came back, the notes section kept when the report is
written again, and an HTML page that renders offline in headless Chromium."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from alert_receiver import dbguard
from chromium import CHROMIUM_MISSING, render

from dbguard.alerts.store import AlertStore, SentAlert
from dbguard.history import CHECK, ActionRecord, Outcome, RunRecord, open_history, utc_now
from dbguard.incident.notes import END, START_PREFIX
from dbguard.incident.records import record_assessment, record_repair, record_run

T0 = utc_now().replace(microsecond=0) - timedelta(hours=3)
RULE = "fault_record::expect_table_row_count_to_be_between[critical]"


def project(tmp_path: Path) -> Path:
    (tmp_path / "dbguard.toml").write_text(
        '[database]\npath = "db.sqlite3"\n'
        '[reports]\ndir = "reports"\nhistory = "reports/history.sqlite3"\n'
    )
    return tmp_path / "db.sqlite3"


def run(database: Path, status: str, minute: int, **metrics: float) -> RunRecord:
    started = T0 + timedelta(minutes=minute)
    return RunRecord(
        CHECK,
        started,
        started + timedelta(seconds=20),
        str(database),
        status,
        metrics=metrics,
        outcomes=[Outcome(RULE, "critical" if status == "critical" else "ok", "failed")],
    )


def open_incident(tmp_path: Path) -> Path:
    """An OK run, then a critical one: incident 1, open, nothing else recorded."""
    database = project(tmp_path)
    history = open_history(tmp_path / "reports" / "history.sqlite3")
    record_run(history, run(database, "ok", 0, **{"rows.fault_record.live": 272}))
    record_run(history, run(database, "critical", 60, **{"rows.fault_record.live": 136}))
    return database


def whole_story(tmp_path: Path) -> Path:
    """Incident 1 from damage to close: assessed, alerted, repaired, verified, closed."""
    database = open_incident(tmp_path)
    path = tmp_path / "reports" / "history.sqlite3"
    history = open_history(path)
    AlertStore(path).save(
        "check",
        str(database),
        {},
        [
            SentAlert(
                T0 + timedelta(minutes=61),
                "check",
                str(database),
                "critical",
                "problem",
                "json://ops:****@127.0.0.1:9/****",
                True,
            )
        ],
    )
    record_assessment(
        history,
        str(database),
        last_good={"time": (T0 + timedelta(minutes=40)).isoformat(), "txid": "0x1a2"},
        first_bad={"time": (T0 + timedelta(minutes=45)).isoformat(), "txid": "0x1a3"},
        flipped=[RULE],
        loss={"fault_record": {"deleted": 136, "changed": 0, "inserted": 4}},
        assessed_at=T0 + timedelta(minutes=70),
    )
    record_repair(
        history,
        str(database),
        ActionRecord(
            "repair",
            "rows",
            T0 + timedelta(minutes=80),
            T0 + timedelta(minutes=81),
            result={"tables": {"fault_record": {"reinserted": 136, "reverted": 0}}},
        ),
    )
    record_run(history, run(database, "ok", 90, **{"rows.fault_record.live": 276}))
    return database


def timeline_rows(markdown: str) -> dict[str, tuple[str, str]]:
    section = markdown.split("## Timeline", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] not in ("Step", "---"):
            rows[cells[0]] = (cells[1], cells[2])
    return rows


def report(tmp_path: Path, *args: str) -> tuple[Path, Path]:
    written = dbguard("incident", "report", *args, cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    markdown, html = (Path(line) for line in written.stdout.split())
    return markdown, html


def test_a_fresh_incident_shows_every_missing_step_as_not_recorded(tmp_path: Path) -> None:
    open_incident(tmp_path)
    markdown, html = report(tmp_path)

    assert markdown == tmp_path / "reports" / "incidents" / "incident-1.md"
    assert html.read_text().startswith("<!DOCTYPE html>")
    text = markdown.read_text()
    steps = timeline_rows(text)
    assert list(steps) == [
        "Damage began",
        "Detected",
        "Alerted",
        "Assessed",
        "Repaired",
        "Verified",
        "Closed",
    ]
    assert [name for name, (time, _) in steps.items() if time == "not recorded"] == [
        "Damage began",
        "Alerted",
        "Assessed",
        "Repaired",
        "Verified",
        "Closed",
    ]
    assert RULE in steps["Detected"][1]
    assert "Status: **OPEN**" in text
    assert re.search(r"\*\*Time to repair\*\* .*\| still open \(", text)
    assert re.search(r"\*\*Time to detect\*\* .*\| not recorded", text)
    assert "| fault_record | 272 | 136 | 136 |" in text  # before, at detection, now


def test_list_and_report_show_both_durations_and_the_whole_story(tmp_path: Path) -> None:
    whole_story(tmp_path)

    listed = dbguard("incident", "list", "--json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)
    assert row["status"] == "closed"
    assert row["time_to_detect_seconds"] == 15 * 60 + 20  # first bad point → detection
    assert row["time_to_repair_seconds"] == 30 * 60  # detection → the OK run
    assert row["failed_rules"] == [RULE]
    assert row["first_bad"] == {"time": (T0 + timedelta(minutes=45)).isoformat(), "txid": "0x1a3"}
    assert [a["destination"] for a in row["alerts"]] == ["json://ops:****@127.0.0.1:9/****"]
    assert [(a["kind"], a["route"], a["outcome"]) for a in row["actions"]] == [
        ("repair", "rows", "done")
    ]
    table = dbguard("incident", "list", cwd=tmp_path)
    assert table.returncode == 0 and "15 min" in table.stdout and "30 min" in table.stdout

    text = report(tmp_path, "1")[0].read_text()
    steps = timeline_rows(text)
    assert all(time != "not recorded" for time, _ in steps.values()), steps
    assert "TXID 0x1a2" in steps["Damage began"][1] and "TXID 0x1a3" in steps["Damage began"][1]
    assert "json://ops:****@127.0.0.1:9/****" in steps["Alerted"][1]
    assert "repair (rows): done" in steps["Repaired"][1]
    assert re.search(r"\*\*Time to detect\*\* .*\| 15 min \|", text)
    assert re.search(r"\*\*Time to repair\*\* .*\| 30 min \|", text)
    assert "| fault_record | 136 | 0 | 4 | 136 | 0 |" in text  # loss, and what came back


def test_writing_the_report_again_keeps_the_notes(tmp_path: Path) -> None:
    database = open_incident(tmp_path)
    markdown, html = report(tmp_path)
    text = markdown.read_text()
    notes = "\n### Cause (事故原因)\n\nA migration ran `DELETE FROM fault_record` by mistake.\n\n"
    start = text.index("\n", text.index(START_PREFIX)) + 1
    edited = text[:start] + notes + text[text.index(END) :]
    markdown.write_text(edited)

    history = open_history(tmp_path / "reports" / "history.sqlite3")
    record_run(history, run(database, "ok", 120))
    again = dbguard("incident", "report", cwd=tmp_path)

    assert again.returncode == 0, again.stderr
    assert "kept the notes" in again.stderr
    rewritten = markdown.read_text()
    assert rewritten.split(START_PREFIX, 1)[1].split("\n", 1)[1].split(END)[0] == notes
    assert "Status: **closed**" in rewritten  # the rest was written anew
    assert "A migration ran <code>DELETE FROM fault_record</code> by mistake." in html.read_text()


def test_report_refuses_a_file_whose_notes_markers_are_gone(tmp_path: Path) -> None:
    open_incident(tmp_path)
    markdown, html = report(tmp_path)
    markdown.write_text("# my own notes, markers deleted\n")
    html.unlink()

    refused = dbguard("incident", "report", cwd=tmp_path)

    assert refused.returncode == 2
    assert refused.stderr.startswith("dbguard: error: ")
    assert "put the two marker lines back" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert markdown.read_text() == "# my own notes, markers deleted\n"
    assert not html.exists()


def test_no_incident_is_said_plainly(tmp_path: Path) -> None:
    project(tmp_path)
    listed = dbguard("incident", "list", cwd=tmp_path)
    assert listed.returncode == 0 and listed.stdout.startswith("no incidents recorded")
    assert not (tmp_path / "reports").exists()  # listing creates no history
    assert json.loads(dbguard("incident", "list", "--json", cwd=tmp_path).stdout) == []

    missing = dbguard("incident", "report", cwd=tmp_path)
    assert missing.returncode == 2
    assert "no incident is recorded" in missing.stderr

    open_incident(tmp_path)
    unknown = dbguard("incident", "report", "7", cwd=tmp_path)
    assert unknown.returncode == 2
    assert "incident 7 is not in" in unknown.stderr and "dbguard incident list" in unknown.stderr


@CHROMIUM_MISSING
def test_postmortem_page_renders_offline_even_with_links_in_the_notes(tmp_path: Path) -> None:
    whole_story(tmp_path)
    markdown, html = report(tmp_path, "--out", str(tmp_path / "postmortems"))
    assert markdown.parent == tmp_path / "postmortems"
    text = markdown.read_text()
    start = text.index("\n", text.index(START_PREFIX)) + 1
    hostile = (
        "\nSee ![graph](http://127.0.0.1:9/graph.png) and"
        ' <img src="http://127.0.0.1:9/raw.png"> <script src="http://127.0.0.1:9/x.js"></script>\n'
    )
    markdown.write_text(text[:start] + hostile + text[text.index(END) :])
    report(tmp_path, "--out", str(tmp_path / "postmortems"))

    page = html.read_text()
    assert "<script" not in page and "<img" not in page and "<link" not in page
    dom, requests = render(html, tmp_path)
    assert requests == []
    assert "Time to detect" in dom and "Time to repair" in dom
    assert '<section class="notes">' in dom
    assert "&lt;script src=" in dom  # the note's raw HTML is shown as text


@pytest.mark.parametrize("bad", ["0", "abc"])
def test_report_rejects_an_id_that_is_not_a_positive_number(tmp_path: Path, bad: str) -> None:
    project(tmp_path)
    rejected = dbguard("incident", "report", bad, cwd=tmp_path)
    assert rejected.returncode == 2 and rejected.stderr.startswith("dbguard: error: ")


def test_a_refused_restore_during_the_incident_is_in_its_story(tmp_path: Path) -> None:
    database = open_incident(tmp_path)
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    connection.close()
    (tmp_path / "backups").mkdir()

    refused = dbguard("backup", "restore", "--latest", "--yes", cwd=tmp_path)

    assert refused.returncode == 1, refused.stderr
    (row,) = json.loads(dbguard("incident", "list", "--json", cwd=tmp_path).stdout)
    (action,) = row["actions"]
    assert (action["kind"], action["outcome"]) == ("restore", "refused")
    assert "verifies" in action["result"]["reason"]
    text = report(tmp_path)[0].read_text()
    assert "| Repaired | not recorded | 1 restore/repair(s) refused or failed |" in text
