"""docs/own-database.md, followed literally on a database the project did not design.

Every command of the page's shell blocks runs in order, as written, in the folder
holding a copy of `../shared/testdata/Chinook_Sqlite.sqlite` (MIT, licence beside
it) named as the page names it, and exits with the code the page says. The one
block not run is the install step, which the page marks: this test runs the
installed dbguard it is part of, through PATH. `crontab` is a stand-in on PATH
(tests/fake_crontab.py), so the page's `schedule --install` is run for real
without touching the machine's crontab.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from doc_commands import PageCommand, shell_blocks
from fake_crontab import fake_crontab_bin, fake_crontab_environment

from dbguard.check_run import PROJECT_ROOT
from dbguard.schedule import BEGIN, END

pytestmark = pytest.mark.slow

PAGE = PROJECT_ROOT / "docs" / "own-database.md"
CHINOOK = PROJECT_ROOT.parent / "shared" / "testdata" / "Chinook_Sqlite.sqlite"
DATABASE_NAME = "db.sqlite3"  # the name the page uses, in `dbguard init --db`
STATUS = re.compile(r"^dbguard status: (OK|WARNING|CRITICAL) ", re.MULTILINE)
TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
PROBLEM = re.compile(r"^  (CRITICAL|WARNING) +(\S+) \[(\w+)\]", re.MULTILINE)


def page_commands() -> list[PageCommand]:
    blocks = shell_blocks(PAGE)
    skipped = [block for block in blocks if block.skipped_because]
    assert len(skipped) == 1, "only the install block may be left out of the walkthrough"
    assert "dbguard init" not in " ".join(c.command for c in skipped[0].commands)
    return [command for block in blocks if not block.skipped_because for command in block.commands]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def problems(output: str) -> dict[str, str]:
    """check -> severity of each problem listed under the status line."""
    return {check: severity for severity, check, _target in PROBLEM.findall(output)}


def test_the_page_states_the_database_name_once_and_never_cds() -> None:
    commands = page_commands()
    named = [c for c in commands if DATABASE_NAME in c.command]
    assert [c.command for c in named] == [f"dbguard init --db {DATABASE_NAME}"]
    assert not [c for c in commands if c.command.startswith("cd ")]


def test_own_database_page_walked_through_on_chinook(tmp_path: Path) -> None:
    if not CHINOOK.is_file():
        pytest.skip(f"{CHINOOK} is absent (the shared test data is not beside the repository)")
    app = tmp_path / "my app"
    app.mkdir()
    database = app / DATABASE_NAME
    shutil.copyfile(CHINOOK, database)
    database.chmod(0o644)
    before = sha256(database)
    environment = fake_crontab_environment(fake_crontab_bin(tmp_path), tmp_path / "crontab.txt")
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment['PATH']}"
    environment.pop("DBGUARD_CONFIG", None)

    outputs: list[tuple[PageCommand, str]] = []
    for command in page_commands():
        result = subprocess.run(
            ["bash", "-c", command.command],
            cwd=app,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        output = result.stdout + result.stderr
        assert result.returncode == command.expected_exit, (
            f"docs/own-database.md line {command.line}: `{command.command}` exited"
            f" {result.returncode}, the page says {command.expected_exit}\n{output}"
        )
        outputs.append((command, output))

    by_command: dict[str, list[str]] = {}
    for command, output in outputs:
        by_command.setdefault(command.command, []).append(output)
    init = by_command[f"dbguard init --db {DATABASE_NAME}"][0]
    for next_command in ("dbguard check", "dbguard schedule --install", "dbguard replicate"):
        assert next_command in init.split("next:")[1]
    assert (app / "dbguard.toml").is_file()
    suites = sorted(path.stem for path in (app / "expectations").glob("*.json"))
    with closing(sqlite3.connect(f"file:{CHINOOK}?mode=ro", uri=True)) as connection:
        tables = [name for (name,) in connection.execute(TABLES)]
    assert suites == sorted(tables) and len(tables) == 11

    first_check, last_check = by_command["dbguard check"][0], by_command["dbguard check"][-1]
    # The page: before the first backup, CRITICAL for one reason only; no suggested rule fails.
    assert STATUS.search(first_check).group(1) == "CRITICAL"  # type: ignore[union-attr]
    first = problems(first_check)
    machine_checks = ("backup::", "database::", "system::")
    assert all(check.startswith(machine_checks) for check in first), first  # no suite's rule
    assert [check for check, severity in first.items() if severity == "CRITICAL"] == [
        "backup::latest_age"
    ]
    # After the backup: OK or WARNING, and Chinook (rollback-journal mode) warns about that.
    assert STATUS.search(last_check).group(1) in ("OK", "WARNING")  # type: ignore[union-attr]
    last = problems(last_check)
    assert "CRITICAL" not in last.values()
    assert all(check.startswith(machine_checks) for check in last), last
    assert last.get("database::journal_mode") == "WARNING"
    assert len(list((app / "backups").glob("db_*.sqlite3"))) == 1
    assert (app / "reports" / "latest.html").is_file()

    installed = (tmp_path / "crontab.txt").read_text()
    assert installed.startswith(BEGIN) and installed.rstrip().endswith(END)
    assert f"cd '{app}'" in installed or f"cd {app}" in installed
    # Nothing on the page wrote to the database.
    assert sha256(database) == before
