"""`dbguard check` and the watcher's socket (dbguard.watch.channel): a socket that answers with
another dbguard version, or none at all, means a cold run, as without a watcher."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import pytest
from alert_receiver import dbguard
from check_project import ROOT


def write_config(folder: Path) -> None:
    (folder / "dbguard.toml").write_text(
        '[database]\npath = "db.sqlite3"\n'
        f'[checks]\nexpectations_dir = "{ROOT / "expectations"}"\n'
        '[backup]\ndir = "backups"\n'
        '[reports]\ndir = "reports"\nhistory = "reports/history.sqlite3"\n'
    )


@pytest.mark.slow  # cold `dbguard check` runs
def test_a_watcher_of_another_version_means_a_cold_run(tmp_path: Path, demo_db: Path) -> None:
    write_config(tmp_path)
    path = tmp_path / "reports" / "watch.sock"
    path.parent.mkdir()
    heard: list[dict[str, object]] = []
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)

    def answer() -> None:
        connection, _ = server.accept()
        with connection:
            stream = connection.makefile("rwb")
            heard.append(json.loads(stream.readline()))
            stream.write(b'{"version": "0.0.1-older"}\n')
            stream.flush()
            heard.append({"after": stream.readline().decode()})  # the client hangs up

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        result = dbguard("check", cwd=tmp_path)
    finally:
        thread.join(timeout=30)
        server.close()
    # It ran, here: no backup yet is critical, and the report is written.
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert "dbguard status: CRITICAL" in result.stdout and "report: " in result.stdout
    assert heard[0].keys() == {"version"}
    assert heard[1] == {"after": ""}  # no command was sent to the other version


@pytest.mark.slow  # cold `dbguard check` runs
def test_a_socket_nobody_listens_on_means_a_cold_run(tmp_path: Path, demo_db: Path) -> None:
    write_config(tmp_path)
    path = tmp_path / "reports" / "watch.sock"
    path.parent.mkdir()
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))
    dead.close()  # left behind by a serve that was killed: connection refused
    result = dbguard("check", cwd=tmp_path)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "dbguard status: CRITICAL" in result.stdout and "report: " in result.stdout
    assert result.stderr == ""


def test_the_watcher_runs_checks_only(tmp_path: Path) -> None:
    from dbguard.cli.warm_check import warm_check

    for argv in (["backup", "restore", "--latest", "--yes"], ["--config", "x.toml", "check"]):
        answer = warm_check({"argv": argv, "cwd": str(tmp_path), "environment": {}})
        assert answer == {
            "stdout": "",
            "stderr": "dbguard: error: the watcher runs `dbguard check` only\n",
            "exit": 2,
        }
