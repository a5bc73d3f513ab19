"""What a check run writes, and what it leaves behind.

Reports: `reports/latest.html` and `reports/weekly_report_*.md` stay the
configured database's; `check --db OTHER` and `report --weekly --db OTHER`
write into `reports/<file name>-<hash>/`; a `--db` that does not exist is an
error, not a CRITICAL weekly report.

Temporary files: each run points TMPDIR at a folder of the test's own and looks
into it afterwards: after a finished run (which also removes the copy a killed
run left), and after a run stopped with SIGTERM (cron's timeout, systemd's stop).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from quality_runs import dbguard, read_junit, write_config

from backup.snapshot import create_backup
from dbguard.check_run import PROJECT_ROOT
from dbguard.config import DatabaseConfig
from dbguard.report_files import database_folder_name

pytestmark = pytest.mark.slow

DRILL_GLOB = "dbguard-restore-drill-*"


def in_project(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return dbguard(folder, *args, environment={"TMPDIR": str(folder / "tmp")})


def printed(result: subprocess.CompletedProcess[str], label: str) -> Path:
    line = next(line for line in result.stdout.splitlines() if line.startswith(label))
    return Path(line.split()[-1])


def dead_process_id() -> int:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(finished.stdout)


def new_project(template: Path, folder: Path) -> Path:
    shutil.copyfile(template, folder / "db.sqlite3")
    write_config(folder, PROJECT_ROOT / "expectations")
    create_backup(folder / "db.sqlite3", folder / "backups")
    (folder / "tmp").mkdir()
    return folder


@dataclass
class Runs:
    project: Path
    other: Path
    results: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    latest_before: str = ""
    weekly_before: str = ""

    @property
    def other_folder(self) -> Path:
        return self.project / "reports" / database_folder_name(DatabaseConfig(path=self.other))


@pytest.fixture(scope="module")
def runs(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    project = new_project(demo_db_template, tmp_path_factory.mktemp("configured"))
    other = tmp_path_factory.mktemp("other") / "db.sqlite3"
    shutil.copyfile(demo_db_template, other)
    # What a run killed outright (SIGKILL) would leave: the next run removes it.
    abandoned = project / "tmp" / f"dbguard-restore-drill-{dead_process_id()}-x1y2z3"
    abandoned.mkdir()
    (abandoned / "restore-drill.sqlite3").write_bytes(b"\0" * 4096)
    found = Runs(project, other)
    found.results["check"] = in_project(project, "check")
    found.results["weekly"] = in_project(project, "report", "--weekly")
    found.latest_before = (project / "reports" / "latest.html").read_text()
    found.weekly_before = printed(found.results["weekly"], "/").read_text()
    found.results["check-other"] = in_project(project, "check", "--db", str(other))
    found.results["weekly-other"] = in_project(project, "report", "--weekly", "--db", str(other))
    found.results["latest-other"] = in_project(project, "report", "--db", str(other))
    found.results["weekly-missing"] = in_project(
        project, "report", "--weekly", "--db", str(project / "db.sqlite")
    )
    return found


def test_a_finished_run_leaves_nothing_in_the_temp_folder(runs: Runs) -> None:
    result = runs.results["check"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    (drill,) = [c for c in read_junit(printed(result, "junit:")) if c.name == "test_restore_drill"]
    assert drill.outcome == "passed"  # the drill restored a copy, and it is gone
    assert list((runs.project / "tmp").iterdir()) == []  # the killed run's copy too


def test_check_of_another_database_writes_into_its_own_folder(runs: Runs) -> None:
    result = runs.results["check-other"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert printed(result, "report:").parent == runs.other_folder
    assert printed(result, "junit:").parent == runs.other_folder
    assert printed(result, "latest:") == runs.other_folder / "latest.html"
    assert str(runs.other) in (runs.other_folder / "latest.html").read_text()


def test_the_configured_databases_latest_report_is_left_alone(runs: Runs) -> None:
    latest = runs.project / "reports" / "latest.html"
    assert latest.read_text() == runs.latest_before
    assert str(runs.other) not in latest.read_text()
    assert printed(runs.results["latest-other"], "/") == runs.other_folder / "latest.html"


def test_weekly_report_of_another_database_does_not_overwrite_the_configured_ones(
    runs: Runs,
) -> None:
    configured = printed(runs.results["weekly"], "/")
    assert configured.parent == runs.project / "reports"
    result = runs.results["weekly-other"]
    assert result.returncode == 0, result.stderr
    assert printed(result, "/") == runs.other_folder / configured.name
    assert configured.read_text() == runs.weekly_before


def test_weekly_report_of_a_missing_database_is_an_error_not_a_critical_report(
    runs: Runs,
) -> None:
    result = runs.results["weekly-missing"]
    assert result.returncode == 2
    assert result.stdout == ""
    missing = runs.project / "db.sqlite"
    assert result.stderr.startswith(f"dbguard: error: database {missing} does not exist")
    assert len(result.stderr.strip().splitlines()) == 1
    weekly = list(runs.project.rglob("weekly_report_*.md"))
    assert len(weekly) == 2  # the configured one and the other database's, nothing more


def test_a_run_stopped_with_sigterm_removes_its_copy(
    demo_db_template: Path, tmp_path: Path
) -> None:
    project = new_project(demo_db_template, tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "dbguard", "check"],
        cwd=project,
        env={**os.environ, "TMPDIR": str(project / "tmp")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
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
