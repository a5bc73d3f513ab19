"""A check run leaves nothing in the temp folder: the restore drill's copy goes when the run ends.

Each test points TMPDIR at a folder of its own and looks into it afterwards:
after a finished run, after a run stopped with SIGTERM (cron's timeout,
systemd's stop), and after a run killed outright, whose leftovers the next run
removes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from quality_runs import read_junit, write_config

from backup.snapshot import create_backup
from dbguard.check_run import PROJECT_ROOT

pytestmark = pytest.mark.slow

DRILL_GLOB = "dbguard-restore-drill-*"


@pytest.fixture
def project(demo_db_template: Path, tmp_path: Path) -> Path:
    shutil.copyfile(demo_db_template, tmp_path / "db.sqlite3")
    write_config(tmp_path, PROJECT_ROOT / "expectations")
    create_backup(tmp_path / "db.sqlite3", tmp_path / "backups")
    (tmp_path / "tmp").mkdir()
    return tmp_path


def check_command(project: Path) -> dict[str, object]:
    environment = {**os.environ, "TMPDIR": str(project / "tmp")}
    return {
        "args": [sys.executable, "-m", "dbguard", "check"],
        "cwd": project,
        "env": environment,
        "stdout": subprocess.PIPE,
        "stderr": subprocess.PIPE,
        "text": True,
    }


def dead_process_id() -> int:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(finished.stdout)


def test_a_finished_run_leaves_nothing_and_removes_a_killed_runs_copy(project: Path) -> None:
    abandoned = project / "tmp" / f"dbguard-restore-drill-{dead_process_id()}-x1y2z3"
    abandoned.mkdir()
    (abandoned / "restore-drill.sqlite3").write_bytes(b"\0" * 4096)
    result = subprocess.run(**check_command(project), timeout=300)  # type: ignore[call-overload]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    junit = Path(
        next(line for line in result.stdout.splitlines() if line.startswith("junit:")).split()[-1]
    )
    (drill,) = [case for case in read_junit(junit) if case.name == "test_restore_drill"]
    assert drill.outcome == "passed"  # the drill restored a copy, and it is gone
    assert list((project / "tmp").iterdir()) == []


def test_a_run_stopped_with_sigterm_removes_its_copy(project: Path) -> None:
    process = subprocess.Popen(**check_command(project))  # type: ignore[call-overload]
    try:
        deadline = time.monotonic() + 120
        while not list((project / "tmp").glob(DRILL_GLOB)):
            assert process.poll() is None, "the run ended before its restore drill was seen"
            assert time.monotonic() < deadline, "no restore drill within 120 s"
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 2, stdout[-2000:] + stderr[-2000:]
    assert "dbguard: error: the check run was interrupted" in stderr
    assert list((project / "tmp").iterdir()) == []
