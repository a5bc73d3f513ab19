"""Bad input stops `dbguard check` with one line and exit 2 before the suite starts.

A file named with --db that is not SQLite at all (a wrong path) and a reports
folder the run cannot write are found before pytest runs: no test output, no
report, nothing recorded in the history. (The configured database turning into
garbage is damage, reported as critical: see test_check_damaged_database.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from quality_runs import dbguard, write_config

from dbguard.check_run import PROJECT_ROOT


def assert_one_line_before_the_suite(result: subprocess.CompletedProcess[str], folder: Path) -> str:
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dbguard: error: "), result.stderr
    assert result.stdout == ""  # pytest never started: no progress, no summary
    assert not list(folder.rglob("quality_*.html"))
    assert not (folder / "reports" / "history.sqlite3").exists()
    return lines[0]


@pytest.fixture
def project(demo_db_template: Path, tmp_path: Path) -> Path:
    shutil.copyfile(demo_db_template, tmp_path / "db.sqlite3")
    write_config(tmp_path, PROJECT_ROOT / "expectations")
    return tmp_path


def test_check_db_naming_a_file_that_is_not_sqlite_is_one_line(project: Path) -> None:
    not_a_database = project / "export.csv"
    not_a_database.write_text("id,name\n1,a\n" * 500)
    result = dbguard(project, "check", "--db", str(not_a_database))
    line = assert_one_line_before_the_suite(result, project)
    assert line == (
        f"dbguard: error: {not_a_database} is not a SQLite database (pass --db with a SQLite file)"
    )


def test_reports_folder_that_refuses_writes_is_found_before_the_suite(project: Path) -> None:
    reports = project / "reports"
    reports.mkdir()
    with unwritable(reports):
        result = dbguard(project, "check")
        line = assert_one_line_before_the_suite(result, project)
    assert line.startswith(f"dbguard: error: cannot write to report folder {reports}: ")


def test_latest_html_that_is_a_folder_is_found_before_the_suite(project: Path) -> None:
    (project / "reports" / "latest.html").mkdir(parents=True)
    line = assert_one_line_before_the_suite(dbguard(project, "check"), project)
    assert "latest.html: it is a folder" in line


def test_junit_file_that_is_a_folder_is_found_before_the_suite(project: Path) -> None:
    (project / "out" / "run.xml").mkdir(parents=True)
    result = dbguard(project, "check", "--report", str(project / "out" / "run.html"))
    line = assert_one_line_before_the_suite(result, project)
    assert f"cannot write report {project / 'out' / 'run.xml'}: it is a folder" in line


@contextmanager
def unwritable(folder: Path) -> Iterator[None]:
    """A folder nobody can create files in, root included: immutable (chattr +i) where the
    file system allows it, else read-only permissions for a user that is not root."""
    immutable = shutil.which("chattr") is not None and (
        subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
    )
    if not immutable:
        if os.geteuid() == 0:
            pytest.skip("root ignores permissions and chattr +i is not available here")
        folder.chmod(0o500)
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        else:
            folder.chmod(0o700)
