"""A run against a database other than the configured one never replaces the configured one's reports.

`reports/latest.html` and `reports/weekly_report_*.md` stay the configured
database's; `check --db OTHER` and `report --weekly --db OTHER` write into
`reports/<file name>-<hash>/`; a `--db` that does not exist is an error, not a
CRITICAL weekly report.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from quality_runs import write_config

from backup.snapshot import create_backup
from dbguard.check_run import PROJECT_ROOT
from dbguard.config import DatabaseConfig
from dbguard.report_files import database_folder_name

pytestmark = pytest.mark.slow


def dbguard(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbguard", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )


def printed(result: subprocess.CompletedProcess[str], label: str) -> Path:
    return Path(
        next(line for line in result.stdout.splitlines() if line.startswith(label)).split()[-1]
    )


@pytest.fixture(scope="module")
def folders(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    project = tmp_path_factory.mktemp("configured")
    shutil.copyfile(demo_db_template, project / "db.sqlite3")
    write_config(project, PROJECT_ROOT / "expectations")
    create_backup(project / "db.sqlite3", project / "backups")
    other = tmp_path_factory.mktemp("other") / "db.sqlite3"
    shutil.copyfile(demo_db_template, other)
    return project, other


@pytest.fixture(scope="module")
def runs(folders: tuple[Path, Path]) -> dict[str, subprocess.CompletedProcess[str]]:
    project, other = folders
    results = {"check": dbguard(project, "check"), "weekly": dbguard(project, "report", "--weekly")}
    reports = project / "reports"
    results["before"] = subprocess.CompletedProcess(
        [], 0, stdout=(reports / "latest.html").read_text(), stderr=""
    )
    results["weekly-before"] = subprocess.CompletedProcess(
        [], 0, stdout=printed(results["weekly"], "/").read_text(), stderr=""
    )
    results["check-other"] = dbguard(project, "check", "--db", str(other))
    results["weekly-other"] = dbguard(project, "report", "--weekly", "--db", str(other))
    results["latest-other"] = dbguard(project, "report", "--db", str(other))
    results["weekly-missing"] = dbguard(
        project, "report", "--weekly", "--db", str(project / "db.sqlite")
    )
    return results


def test_check_of_another_database_writes_into_its_own_folder(
    folders: tuple[Path, Path], runs: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    project, other = folders
    assert runs["check"].returncode == 0, runs["check"].stdout[-3000:]
    result = runs["check-other"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    own = project / "reports" / database_folder_name(DatabaseConfig(path=other))
    assert printed(result, "report:").parent == own
    assert printed(result, "junit:").parent == own
    assert printed(result, "latest:") == own / "latest.html"
    assert (own / "latest.html").is_file()
    assert str(other) in (own / "latest.html").read_text()


def test_the_configured_databases_latest_report_is_left_alone(
    folders: tuple[Path, Path], runs: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    project, other = folders
    latest = project / "reports" / "latest.html"
    assert latest.read_text() == runs["before"].stdout
    assert str(other) not in latest.read_text()
    assert printed(runs["latest-other"], "/") == (
        project / "reports" / database_folder_name(DatabaseConfig(path=other)) / "latest.html"
    )


def test_weekly_report_of_another_database_does_not_overwrite_the_configured_ones(
    folders: tuple[Path, Path], runs: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    project, other = folders
    configured = printed(runs["weekly"], "/")
    assert configured.parent == project / "reports"
    result = runs["weekly-other"]
    assert result.returncode == 0, result.stderr
    assert printed(result, "/").parent == project / "reports" / database_folder_name(
        DatabaseConfig(path=other)
    )
    assert printed(result, "/").name == configured.name
    assert configured.read_text() == runs["weekly-before"].stdout


def test_weekly_report_of_a_missing_database_is_an_error_not_a_critical_report(
    folders: tuple[Path, Path], runs: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    project, _ = folders
    result = runs["weekly-missing"]
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(
        f"dbguard: error: database {project / 'db.sqlite'} does not exist"
    )
    assert len(result.stderr.strip().splitlines()) == 1
    weekly = sorted(path.relative_to(project) for path in project.rglob("weekly_report_*.md"))
    assert len(weekly) == 2  # the configured one and the other database's, nothing more
