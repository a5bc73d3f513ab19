"""Helpers for tests that run the real quality suite (`pytest checks/`, `dbguard …`) in subprocesses.

Each run imports Great Expectations (seconds), so tests start their runs
together, two at a time, and read the JUnit XML each run writes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from dbguard.check_run import CHECKS_DIR, PROJECT_ROOT

PARALLEL_RUNS = 2
DBGUARD = [sys.executable, "-m", "dbguard"]
MY_CHECK_FILES = ("test_expectations.py", "test_database_health.py", "test_backup_health.py")


@dataclass(frozen=True)
class Case:
    """One test case of a run, as its JUnit XML tells it."""

    name: str
    file: str
    outcome: str  # passed, failed, error, skipped
    properties: dict[str, str] = field(default_factory=dict)
    message: str = ""  # the failure's, error's or skip's message

    @property
    def severity(self) -> str:
        return self.properties.get("severity", "")

    @property
    def check(self) -> str:
        return self.properties.get("check", "")


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    cases: list[Case]

    def mine(self) -> list[Case]:
        """Cases of the quality helper's check files (not system/connection/trend checks)."""
        return [case for case in self.cases if case.file in MY_CHECK_FILES]

    def by_check(self, check: str, target: str = "live") -> Case:
        found = [
            case
            for case in self.cases
            if case.check == check and case.properties.get("target") == target
        ]
        assert found, (
            f"no case for {check} on {target}; checks: {sorted(c.check for c in self.cases)}"
        )
        return found[0]

    def not_ok(self, target: str = "live") -> dict[str, str]:
        """check -> severity of every finding that is not ok on `target`, in my files."""
        return {
            case.check: case.severity
            for case in self.mine()
            if case.severity not in ("", "ok") and case.properties.get("target") == target
        }


def dbguard(
    cwd: Path, *args: str, environment: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real console script (as `python -m dbguard`) in `cwd`, its output captured."""
    return subprocess.run(
        [*DBGUARD, *args],
        cwd=cwd,
        env={**os.environ, **(environment or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def write_config(folder: Path, expectations: Path) -> Path:
    """A dbguard.toml whose every path (reports, history, backups) stays inside `folder`."""
    path = folder / "dbguard.toml"
    path.write_text(
        "[database]\n"
        'path = "db.sqlite3"\n'
        "[backup]\n"
        'dir = "backups"\n'
        "[checks]\n"
        f"expectations_dir = {json.dumps(str(expectations))}\n"
        "[reports]\n"
        'dir = "reports"\n'
        'history = "reports/history.sqlite3"\n'
        'logs_dir = "logs"\n'
    )
    return path


def pytest_checks_command(config: Path, db: Path, backup_dir: Path, junit: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        str(CHECKS_DIR),
        "--rootdir",
        str(PROJECT_ROOT),
        "-c",
        str(PROJECT_ROOT / "pyproject.toml"),
        "-p",
        "no:cacheprovider",
        "-q",
        "--dbguard-config",
        str(config),
        "--db",
        str(db),
        "--backup-dir",
        str(backup_dir),
        "--junitxml",
        str(junit),
        "-o",
        "junit_family=xunit2",
    ]


def run_all(commands: Sequence[tuple[list[str], Path, Path | None]]) -> list[Run]:
    """Run (command, cwd, junit path) triples, PARALLEL_RUNS at a time, in order of the input."""
    with ThreadPoolExecutor(max_workers=PARALLEL_RUNS) as pool:
        return list(pool.map(lambda spec: run_one(*spec), commands))


def run_one(command: list[str], cwd: Path, junit: Path | None) -> Run:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    cases = read_junit(junit) if junit is not None and junit.is_file() else []
    return Run(result.returncode, result.stdout, result.stderr, cases)


def read_junit(path: Path) -> list[Case]:
    cases = []
    for element in ElementTree.parse(path).getroot().iter("testcase"):
        outcome, message = "passed", ""
        for kind in ("failure", "error", "skipped"):
            found = element.find(kind)
            if found is not None:
                outcome = {"failure": "failed"}.get(kind, kind)
                message = found.get("message", "")
        properties = {
            prop.get("name", ""): prop.get("value", "") for prop in element.iter("property")
        }
        module = element.get("classname", "").rsplit(".", 1)[-1]
        cases.append(Case(element.get("name", ""), f"{module}.py", outcome, properties, message))
    return cases
