"""`dbguard health` and `dbguard backup create` alert on their own status changes, and
`dbguard alert test` reaches every URL: real commands, a real receiver on 127.0.0.1."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alert_receiver import Receiver, dbguard, refusing_url
from check_project import ROOT
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.slow  # a dozen real dbguard processes


def configure(folder: Path, db: Path, urls: list[str], extra: str = "") -> None:
    listed = ", ".join(f'"{url}"' for url in urls)
    (folder / "dbguard.toml").write_text(
        f'[database]\npath = "{db}"\n[backup]\ndir = "backups"\n'
        f'[checks]\nexpectations_dir = "{ROOT / "expectations"}"\n'
        '[reports]\ndir = "reports"\nhistory = "reports/history.sqlite3"\n'
        f"{extra}[alerts]\nurls = [{listed}]\n"
    )


def test_health_pages_a_wiped_table_once_and_its_recovery(tmp_path: Path, demo_db: Path) -> None:
    with Receiver() as receiver:
        configure(
            tmp_path, demo_db, [receiver.url], 'prometheus_textfile = "metrics/dbguard.prom"\n'
        )
        assert dbguard("health", "--quick", cwd=tmp_path).returncode == 0
        assert receiver.payloads == []
        with sqlite3.connect(demo_db) as connection:
            saved = connection.execute("SELECT * FROM pue_comment").fetchall()
            connection.execute("DELETE FROM pue_comment")
        for _ in range(2):
            result = dbguard("health", "--quick", cwd=tmp_path)
            assert result.returncode == 2  # Nagios CRITICAL, alert or not
            assert len(result.stdout.splitlines()) == 1  # still one status line for Nagios
        assert len(receiver.payloads) == 1
        assert "dbguard health: CRITICAL (was OK)" in receiver.messages()[0]
        assert "pue_comment" in receiver.messages()[0]
        families = {
            family.name: family
            for family in text_string_to_metric_families(
                (tmp_path / "metrics" / "dbguard.prom").read_text()
            )
        }
        assert families["dbguard_health_status"].samples[0].value == 2
        rows = {s.labels["table"]: s.value for s in families["dbguard_table_rows"].samples}
        assert rows["pue_comment"] == 0

        with sqlite3.connect(demo_db) as connection:
            marks = ",".join("?" * len(saved[0]))
            connection.executemany(f"INSERT INTO pue_comment VALUES ({marks})", saved)
        assert dbguard("health", "--quick", cwd=tmp_path).returncode == 0
        assert len(receiver.payloads) == 2
        assert "RECOVERED, now OK (was CRITICAL)" in receiver.messages()[1]


def test_a_failed_backup_pages_and_the_next_good_one_recovers(
    tmp_path: Path, demo_db: Path
) -> None:
    with Receiver() as receiver:
        configure(tmp_path, demo_db, [receiver.url])
        (tmp_path / "backups").write_text("a file where the backup folder should be")
        failed = dbguard("backup", "create", cwd=tmp_path)
        assert failed.returncode != 0
        assert len(receiver.payloads) == 1
        message = receiver.messages()[0]
        assert "dbguard backup: CRITICAL (was OK)" in message
        assert "backup create" in message and "action: fix what the error names" in message

        (tmp_path / "backups").unlink()
        assert dbguard("backup", "create", cwd=tmp_path).returncode == 0
        assert len(receiver.payloads) == 2
        assert "dbguard backup: RECOVERED" in receiver.messages()[1]
        assert dbguard("backup", "create", cwd=tmp_path).returncode == 0
        assert len(receiver.payloads) == 2  # still OK: nothing to say


def test_alert_test_prints_one_masked_line_per_url_and_exits_1_if_any_failed(
    tmp_path: Path, demo_db_template: Path
) -> None:
    refused = refusing_url() + "?token=SECRETQUERY1"
    with Receiver() as receiver:
        configure(tmp_path, demo_db_template, [receiver.url])
        good = dbguard("alert", "test", cwd=tmp_path)
        assert good.returncode == 0, good.stderr
        assert good.stdout.splitlines() == [
            f"1. json://127.0.0.1:{receiver.port}/****: sent"
            + good.stdout.split(": sent", 1)[1].splitlines()[0]
        ]
        assert receiver.payloads[0]["title"] == "dbguard: test alert"

        configure(tmp_path, demo_db_template, [receiver.url, refused])
        mixed = dbguard("alert", "test", cwd=tmp_path)
    assert mixed.returncode == 1
    lines = mixed.stdout.splitlines()
    assert len(lines) == 2
    assert ": sent (" in lines[0]
    assert lines[1].startswith("2. json://127.0.0.1:") and ": FAILED: " in lines[1]
    assert "SECRETQUERY1" not in mixed.stdout + mixed.stderr


def test_one_connection_failure_that_recovers_sends_a_warning_never_a_critical(
    tmp_path: Path, demo_db: Path
) -> None:
    """The plan: 1 failure is a warning, 3 in a row critical. A writer holding the database in
    exclusive locking mode makes one health run fail to connect."""
    with Receiver() as receiver:
        configure(tmp_path, demo_db, [receiver.url])
        config = tmp_path / "dbguard.toml"  # [database] comes first: give up on a lock quickly
        config.write_text(
            config.read_text().replace("[backup]", "connect_timeout_seconds = 0.2\n[backup]", 1)
        )
        holder = sqlite3.connect(demo_db)
        try:
            holder.execute("PRAGMA locking_mode = EXCLUSIVE")
            holder.execute("UPDATE pue_data SET pue = pue WHERE id = 1")
            holder.commit()  # the exclusive lock stays until the connection closes
            locked = dbguard("health", "--quick", cwd=tmp_path)
        finally:
            holder.close()
        assert locked.returncode == 1, locked.stdout  # Nagios WARNING
        assert "connection: failed" in locked.stdout
        assert dbguard("health", "--quick", cwd=tmp_path).returncode == 0
    titles = [payload["title"] for payload in receiver.payloads]
    assert titles == [
        "dbguard health: WARNING (was OK)",
        "dbguard health: RECOVERED, now OK (was WARNING)",
    ]
    assert not any("CRITICAL" in message for message in receiver.messages())
