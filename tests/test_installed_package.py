"""dbguard installed without the repository (`pip install .`, not editable) runs from a project folder.

The package holds the library and the CLI; the analysts' suites (expectations/)
and the checks (checks/, the root conftest.py) live in the project folder, a
clone of the repository. Outside one, `dbguard check` says so in one line;
with `--config PROJECT/dbguard.toml` it runs that project's checks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from quality_runs import read_junit

from dbguard.check_run import PROJECT_ROOT

pytestmark = pytest.mark.slow

PROJECT_FILES = ("conftest.py", "pyproject.toml", "README.md")
PROJECT_FOLDERS = ("checks", "expectations")
IGNORED = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
# The installed copy only: no PYTHONPATH leading back into a source tree.
ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}


def run(cwd: Path, *command: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=ENVIRONMENT, capture_output=True, text=True, timeout=600, check=check
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding a real (non-editable) install of dbguard; its dependencies are the dev
    venv's, reached through a .pth line (which does not run the dev venv's editable hook)."""
    root = tmp_path_factory.mktemp("installed")
    source = root / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT_ROOT / name, source / name)
    for name in ("dbguard", "backup"):
        shutil.copytree(PROJECT_ROOT / name, source / name, ignore=IGNORED)
    venv = root / "venv"
    run(root, sys.executable, "-m", "venv", "--without-pip", str(venv), check=True)
    python = str(venv / "bin" / "python")
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site_packages = run(root, python, "-c", purelib, check=True).stdout.strip()
    (Path(site_packages) / "dev-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n"
    )
    pip = [sys.executable, "-m", "pip", "--python", python]
    run(root, *pip, "install", "--quiet", "--no-deps", str(source), check=True)
    # From root, not the repository, whose dbguard/ `python -c` would find first.
    where = run(root, python, "-c", "import dbguard; print(dbguard.__file__)", check=True)
    located = where.stdout.strip()
    assert located.startswith(site_packages), located  # the installed copy, not the repository
    return venv / "bin" / "dbguard"


@pytest.fixture(scope="module")
def project(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder as a clone has it, with a database and its configuration."""
    folder = tmp_path_factory.mktemp("project")
    for name in PROJECT_FILES:
        shutil.copy(PROJECT_ROOT / name, folder / name)
    for name in PROJECT_FOLDERS:
        shutil.copytree(PROJECT_ROOT / name, folder / name, ignore=IGNORED)
    shutil.copyfile(demo_db_template, folder / "db.sqlite3")
    (folder / "dbguard.toml").write_text(
        '[database]\npath = "db.sqlite3"\n[backup]\ndir = "backups"\n'
        '[reports]\ndir = "reports"\nhistory = "reports/history.sqlite3"\n'
    )
    return folder


def test_check_outside_a_project_folder_says_where_dbguard_runs_from(
    installed: Path, project: Path, tmp_path: Path
) -> None:
    shutil.copyfile(project / "db.sqlite3", tmp_path / "db.sqlite3")
    result = run(tmp_path, str(installed), "check")
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stdout == ""
    assert result.stderr.strip() == (
        "dbguard: error: dbguard check runs from its project folder (a clone of the dbguard "
        "repository, holding checks/ and expectations/); found no checks/ beside the defaults "
        f"or in {tmp_path} (cd into the project folder, or pass --config PROJECT/dbguard.toml)"
    )


def test_check_with_the_project_config_runs_that_projects_checks(
    installed: Path, project: Path, tmp_path: Path
) -> None:
    result = run(tmp_path, str(installed), "--config", str(project / "dbguard.toml"), "check")
    # No backup yet: critical (exit 1), but the project's suites ran and the report was written.
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    junit = Path(
        next(line for line in result.stdout.splitlines() if line.startswith("junit:")).split()[-1]
    )
    assert junit.parent == project / "reports"
    live = [
        case
        for case in read_junit(junit)
        if case.name.startswith("test_expectation[") and case.properties.get("target") == "live"
    ]
    assert live and all(case.outcome == "passed" for case in live)
    assert (project / "reports" / "latest.html").is_file()
