"""The database that is gone (issue 20): a live database dbguard.toml names that is missing is
CRITICAL for `health`, `health --quick` and `check`, alerted, recorded in the history and
shown by the overview endpoint and the weekly report, with the runbook's restore command. A
`--db` that does not exist, or a configuration that names no database, stays an input error.
A `[system] health_url` naming dbguard's own monitor is not probed (it would call itself)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from alert_receiver import Receiver, dbguard, free_port, serve_process, stop, wait_listening
from check_project import ROOT

from dbguard.config import DatabaseConfig
from dbguard.findings import Severity
from dbguard.history import open_history
from dbguard.rules.connection import ConnectionAttempt, connection_finding


def write_config(folder: Path, db: Path, extra: str = "") -> None:
    (folder / "dbguard.toml").write_text(
        f'[database]\npath = "{db}"\n'
        f'[checks]\nexpectations_dir = "{ROOT / "expectations"}"\n'
        '[backup]\ndir = "backups"\n'
        '[reports]\ndir = "reports"\nhistory = "reports/history.sqlite3"\n' + extra
    )


def remove_database(db: Path) -> None:
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        path.unlink(missing_ok=True)


@pytest.mark.slow  # cold `dbguard check` runs
def test_deleted_database_is_critical_alerted_recorded_and_shown(
    tmp_path: Path, demo_db: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    port = free_port()
    with Receiver() as receiver:
        write_config(
            project,
            demo_db,
            f'[alerts]\nurls = ["{receiver.url}"]\n[serve]\nport = {port}\n[watch]\nenabled = false\n',
        )
        assert dbguard("health", "--quick", cwd=project).returncode == 0
        remove_database(demo_db)  # the disk died
        for _ in range(3):
            quick = dbguard("health", "--quick", cwd=project)
            assert quick.returncode == 2, quick.stdout + quick.stderr
            assert quick.stdout.startswith("DBGUARD CRITICAL - connection: failed: database ")
            assert "does not exist" in quick.stdout
        check = dbguard("check", cwd=project)
        full = dbguard("health", cwd=project)
        messages = receiver.messages()
    assert check.returncode == 1, check.stdout + check.stderr
    assert "the database is gone" in check.stdout
    assert "`dbguard backup restore --latest`" in check.stdout
    assert 'docs/RUNBOOK.md, section 2c "The database file is lost"' in check.stdout
    assert "Traceback" not in check.stderr
    assert full.returncode == 2 and full.stdout.startswith("DBGUARD CRITICAL")
    # One alert for health's incident (three runs), one for the check's; each says CRITICAL
    # and how to restore.
    assert len(messages) == 2, messages
    assert all("CRITICAL" in message for message in messages), messages
    assert all("backup restore --latest" in message for message in messages), messages
    history = open_history(project / "reports" / "history.sqlite3", verify=False)
    last_check = history.previous_run(kind="check", database=str(demo_db))
    assert last_check is not None and last_check.status == "critical"
    assert [(o.name, o.severity) for o in last_check.outcomes] == [("connection", "critical")]
    weekly = dbguard("report", "--weekly", cwd=project)
    assert weekly.returncode == 0, weekly.stderr
    text = Path(weekly.stdout.strip()).read_text()
    assert "- Database status: **CRITICAL (database unreadable: database " in text
    assert not demo_db.exists()  # nothing was created in its place
    server = serve_process(project)
    try:
        wait_listening(server, port, "dbguard serve")
        overview = httpx.get(f"http://127.0.0.1:{port}/tools/monitor/status/overview", timeout=30)
    finally:
        stop(server)
    assert overview.json()["status"] == "critical"
    assert not demo_db.exists()


def test_missing_database_not_named_by_the_configuration_stays_an_input_error(
    tmp_path: Path,
) -> None:
    # A dbguard.toml without [database] path: the default db.sqlite3 was never promised.
    (tmp_path / "dbguard.toml").write_text('[reports]\ndir = "reports"\n')
    check = dbguard("check", cwd=tmp_path)
    assert check.returncode == 2
    assert check.stderr.startswith("dbguard: error: database ")
    quick = dbguard("health", "--quick", cwd=tmp_path)
    assert quick.returncode == 3
    assert quick.stdout.startswith("DBGUARD UNKNOWN - database ")


def test_missing_db_option_stays_an_input_error_even_with_a_configured_database(
    tmp_path: Path, demo_db: Path
) -> None:
    write_config(tmp_path, demo_db)
    typo = tmp_path / "db.sqlite"
    for args, code in ((("check",), 2), (("health", "--quick"), 3)):
        result = dbguard(*args, "--db", str(typo), cwd=tmp_path)
        assert result.returncode == code, result.stdout + result.stderr
        assert f"database {typo} does not exist" in result.stderr
    assert not (tmp_path / "reports" / "history.sqlite3").exists()


def test_the_restore_command_names_the_replica_when_one_is_configured() -> None:
    missing = ConnectionAttempt(0.1, "database /srv/db.sqlite3 does not exist", missing=True)
    replicated = connection_finding(missing, 0, DatabaseConfig(), promised=True, replicated=True)
    plain = connection_finding(missing, 0, DatabaseConfig(), promised=True)
    typo = connection_finding(missing, 0, DatabaseConfig(), promised=False)
    assert replicated.severity is plain.severity is Severity.CRITICAL
    assert "`dbguard backup restore --from-replica`" in replicated.remediation
    assert "`dbguard backup restore --latest`" in plain.remediation
    assert typo.severity is Severity.WARNING  # not promised: 1 failure of 3


def test_health_url_naming_the_monitor_itself_is_skipped_not_looped(
    tmp_path: Path, demo_db: Path
) -> None:
    port = free_port()
    # The plan's own example: the monitor's health route as the application's health URL.
    own_route = f"http://127.0.0.1:{port}/tools/monitor/health/quick"
    write_config(
        tmp_path,
        demo_db,
        f'[system]\nhealth_url = "{own_route}"\n[serve]\nport = {port}\n[watch]\nenabled = false\n',
    )
    server = serve_process(tmp_path)
    try:
        wait_listening(server, port, "dbguard serve")
        looped = dbguard("health", "--quick", cwd=tmp_path)
        # The server's own health run probes the same URL: itself.
        answered = httpx.get(own_route, timeout=30)
    finally:
        stop(server)
    assert looped.returncode == 0, looped.stdout
    assert f"health_url {own_route} skipped: it is dbguard's own monitor" in looped.stdout
    assert "health url" not in looped.stdout  # a note, not a failed check
    assert answered.status_code == 200
    body = answered.json()
    assert body["status"] == "ok", body
    assert any("skipped: it is dbguard's own monitor" in note for note in body.get("notes", []))
