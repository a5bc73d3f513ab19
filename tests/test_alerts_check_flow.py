"""Real `dbguard check` runs on a real demo database with a real receiver behind apprise's
json:// URL: fault → the same fault → fixed gives exactly one CRITICAL message, nothing for
the repeat, one recovery; the messages name the table and what to do. The same runs leave
the Prometheus textfile and the weekly report's "Alerts sent"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alert_receiver import Receiver, dbguard
from check_project import ROOT
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.slow  # three full quality runs with Great Expectations


def set_first_pue(db: Path, value: float | None) -> float:
    """Set the first pue_data row's PUE (None: leave it); return what it was."""
    with sqlite3.connect(db) as connection:
        (row_id, old) = connection.execute(
            "SELECT id, pue FROM pue_data ORDER BY id LIMIT 1"
        ).fetchone()
        if value is not None:
            connection.execute("UPDATE pue_data SET pue = ? WHERE id = ?", (value, row_id))
    return float(old)


def test_fault_repeat_and_fix_send_one_critical_and_one_recovery(
    tmp_path: Path, demo_db: Path
) -> None:
    with Receiver() as receiver:
        (tmp_path / "dbguard.toml").write_text(
            f'[database]\npath = "{demo_db}"\n[backup]\ndir = "backups"\n'
            f'[checks]\nexpectations_dir = "{ROOT / "expectations"}"\n'
            '[reports]\ndir = "reports"\nhistory = "reports/history.sqlite3"\n'
            'prometheus_textfile = "metrics/dbguard.prom"\n'
            f'[alerts]\nurls = ["{receiver.url}"]\n'
        )
        assert dbguard("backup", "create", cwd=tmp_path).returncode == 0
        good = set_first_pue(demo_db, 5.0)

        fault = dbguard("check", cwd=tmp_path)
        assert fault.returncode == 1, fault.stderr[-2000:]
        assert len(receiver.payloads) == 1
        message = receiver.messages()[0]  # title, then the body
        assert "dbguard check: CRITICAL (was OK)" in message
        assert "pue_data::expect_column_values_to_be_between[pue]" in message
        assert "action: recompute PUE as total_energy_kwh / it_energy_kwh" in message
        report = next(line for line in fault.stdout.splitlines() if line.startswith("report:"))
        assert f"Report: {report.split(':', 1)[1].strip()}" in message
        assert receiver.payloads[0]["type"] == "failure"

        repeat = dbguard("check", cwd=tmp_path)
        assert repeat.returncode == 1
        assert len(receiver.payloads) == 1  # the same open problem, within repeat_after

        set_first_pue(demo_db, good)
        fixed = dbguard("check", cwd=tmp_path)
        assert fixed.returncode == 0, fixed.stdout[-3000:]
        assert len(receiver.payloads) == 2
        recovery = receiver.messages()[1]
        assert "dbguard check: RECOVERED, now OK (was CRITICAL)" in recovery
        assert receiver.payloads[1]["type"] == "success"

    textfile = (tmp_path / "metrics" / "dbguard.prom").read_text()
    families = {family.name: family for family in text_string_to_metric_families(textfile)}
    assert families["dbguard_check_status"].samples[0].value == 0
    rows = {s.labels["table"]: s.value for s in families["dbguard_table_rows"].samples}
    assert rows["pue_drill_data"] == 13680

    weekly = dbguard("report", "--weekly", cwd=tmp_path)
    assert weekly.returncode == 0, weekly.stderr
    text = Path(weekly.stdout.strip()).read_text()
    section = text.split("## Alerts sent", 1)[1].split("##", 1)[0]
    assert "2 message(s), 0 failed." in section
    assert "| check | critical | problem | json://127.0.0.1:" in section
    assert "| check | ok | recovery |" in section
