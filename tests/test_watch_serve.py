"""`dbguard serve` watches (issue 20): a real serve process with short [watch] intervals, a
real writer, damage made by another process, alerts at a real receiver behind apprise's
json://. Waits are bounded; no timing is asserted beyond "within the bound"."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from alert_receiver import Receiver, dbguard, free_port, serve_process, stop, wait_listening
from check_project import ROOT

from dbguard.history import open_history

WRITER = Path(__file__).resolve().parent / "writer_process.py"
pytestmark = pytest.mark.slow


@dataclass
class Watched:
    folder: Path
    db: Path
    port: int
    receiver: Receiver
    process: subprocess.Popen[str]

    def overview(self) -> dict[str, object]:
        url = f"http://127.0.0.1:{self.port}/tools/monitor/status/overview"
        body: dict[str, object] = httpx.get(url, timeout=30).json()
        return body

    def runs(self, kind: str) -> int:
        history = open_history(self.folder / "reports" / "history.sqlite3", verify=False)
        return len(history.recent_runs(kind=kind, limit=1000))

    def check_runs(self) -> int:
        return self.runs("check")

    def more_health_runs(self, count: int, what: str) -> None:
        """Wait until `count` more health runs are recorded: the watcher looked again."""
        start = self.runs("health")
        wait_for(lambda: self.runs("health") >= start + count, 60, what)


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds:g} s: {what}")


def in_another_process(db: Path, *statements: str) -> None:
    """The damage, done by a process of its own, as the application would."""
    script = (
        "import sqlite3, sys\n"
        "connection = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "connection.execute('PRAGMA foreign_keys = OFF')\n"
        "for statement in sys.argv[2:]:\n"
        "    connection.execute(statement)\n"
        "connection.close()\n"
    )
    subprocess.run([sys.executable, "-c", script, str(db), *statements], check=True, timeout=60)


@pytest.fixture
def watched(tmp_path: Path, demo_db: Path) -> Iterator[Watched]:
    port = free_port()
    with Receiver() as receiver:
        (tmp_path / "dbguard.toml").write_text(
            f'[database]\npath = "{demo_db}"\n'
            f'[checks]\nexpectations_dir = "{ROOT / "expectations"}"\n'
            'ignore_tables = ["writer_*"]\n'  # the stand-in application's own table
            '[backup]\ndir = "backups"\n'
            '[reports]\ndir = "reports"\nhistory = "reports/history.sqlite3"\n'
            f'[alerts]\nurls = ["{receiver.url}"]\n'
            f"[serve]\nport = {port}\n"
            '[watch]\nhealth_interval = "1s"\nrules_interval = "2s"\nfull_check = "1d"\n'
        )
        created = dbguard("backup", "create", cwd=tmp_path)
        assert created.returncode == 0, created.stderr
        process = serve_process(tmp_path)
        try:
            wait_listening(process, port, "dbguard serve")
            yield Watched(tmp_path, demo_db, port, receiver, process)
        finally:
            stop(process)


def test_a_bad_delete_is_alerted_once_and_its_recovery_once(watched: Watched) -> None:
    writer = subprocess.run(
        [
            sys.executable,
            str(WRITER),
            "--db",
            str(watched.db),
            "--duration",
            "2",
            "--stats-json",
            str(watched.folder / "writer.json"),
        ],
        timeout=60,
        check=True,
    )
    assert writer.returncode == 0
    wait_for(lambda: watched.check_runs() >= 1, 60, "a check run after the writer's commits")
    assert watched.receiver.payloads == []  # healthy data: nothing to say
    in_another_process(watched.db, "DELETE FROM fault_record WHERE rowid % 5 < 2")  # 40 %
    wait_for(lambda: len(watched.receiver.payloads) >= 1, 60, "an alert after the delete")
    runs = watched.check_runs()
    # The application writes on: another check run, still critical, and no second alert.
    in_another_process(watched.db, "UPDATE writer_accounts SET balance = balance WHERE id = 1")
    wait_for(lambda: watched.check_runs() >= runs + 1, 60, "another check run after the alert")
    messages = watched.receiver.messages()
    assert len(messages) == 1, messages
    assert "CRITICAL" in messages[0] and "fault_record" in messages[0], messages[0]
    assert watched.overview()["status"] == "critical"
    restored = dbguard("backup", "restore", "--latest", "--yes", cwd=watched.folder)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    wait_for(lambda: len(watched.receiver.payloads) >= 2, 60, "the recovery message")
    watched.more_health_runs(3, "three more health runs after the recovery")
    messages = watched.receiver.messages()
    assert len(messages) == 2, messages
    assert "RECOVERED" in messages[1], messages[1]


def test_a_deleted_database_is_one_critical_alert_and_critical_on_the_overview(
    watched: Watched,
) -> None:
    wait_for(lambda: watched.overview()["database"] != "", 30, "the overview answers")
    for path in (watched.db, Path(f"{watched.db}-wal"), Path(f"{watched.db}-shm")):
        path.unlink(missing_ok=True)
    wait_for(lambda: len(watched.receiver.payloads) >= 1, 30, "an alert after the loss")
    watched.more_health_runs(3, "three more health runs after the loss")  # still one alert
    messages = watched.receiver.messages()
    assert len(messages) == 1, messages
    assert "CRITICAL" in messages[0] and "backup restore --latest" in messages[0], messages[0]
    assert watched.overview()["status"] == "critical"
    assert not watched.db.exists()
    assert watched.process.poll() is None  # serve keeps serving


def junit_outcomes(stdout: str) -> dict[str, str]:
    """Each check's outcome, from the JUnit XML the run names on its `junit:` line."""
    import xml.etree.ElementTree as ElementTree

    path = next(
        line.split(":", 1)[1].strip() for line in stdout.splitlines() if line.startswith("junit:")
    )
    outcomes = {}
    for case in ElementTree.parse(path).iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        outcomes[f"{case.get('classname')}::{case.get('name')}"] = kinds[0] if kinds else "passed"
    return outcomes


def test_check_runs_warm_in_the_watcher_with_the_output_and_exit_of_a_cold_run(
    watched: Watched,
) -> None:
    in_another_process(watched.db, "DELETE FROM pue_comment WHERE rowid % 2 = 0")  # critical
    first = dbguard("check", "--cold", cwd=watched.folder)
    warm = dbguard("check", cwd=watched.folder)
    cold = dbguard("check", "--cold", cwd=watched.folder)
    assert stop(watched.process) == 0
    served = watched.process.stderr.read() if watched.process.stderr else ""
    assert first.returncode == warm.returncode == cold.returncode == 1, warm.stderr
    assert served.count("ran a client's dbguard check warm (exit 1)") == 1, served
    assert junit_outcomes(warm.stdout) == junit_outcomes(cold.stdout)
    status = [line for line in warm.stdout.splitlines() if line.startswith("dbguard status:")]
    assert status == [
        line for line in cold.stdout.splitlines() if line.startswith("dbguard status:")
    ]
    assert status and "CRITICAL" in status[0]
    assert warm.stderr == cold.stderr


def forkserver_of(pid: int) -> int | None:
    """The forkserver among `pid`'s children (multiprocessing starts it with its `main`)."""
    tasks = Path(f"/proc/{pid}/task").iterdir()  # a thread's children are listed under it
    children = [child for task in tasks for child in (task / "children").read_text().split()]
    for child in children:
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"multiprocessing.forkserver" in command:
            return int(child)
    return None


def test_a_killed_forkserver_is_started_again_while_serve_keeps_serving(
    watched: Watched,
) -> None:
    wait_for(lambda: forkserver_of(watched.process.pid) is not None, 30, "the forkserver")
    first = forkserver_of(watched.process.pid)
    assert first is not None
    os.kill(first, 9)
    assert watched.overview()["status"] in ("ok", "unknown", "warning")  # still answering
    runs = watched.check_runs()
    in_another_process(watched.db, "UPDATE pue_comment SET rowid = rowid WHERE rowid = 1")
    wait_for(lambda: watched.check_runs() >= runs + 1, 90, "a check run after the kill")
    second = forkserver_of(watched.process.pid)
    assert second is not None and second != first
    assert watched.process.poll() is None
    assert watched.receiver.payloads == []  # the runs after the restart were ordinary
