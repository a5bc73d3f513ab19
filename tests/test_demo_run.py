"""`dbguard demo` end to end, through the real console script."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from dbguard.demo.database import build_demo_database
from dbguard.errors import DatabaseError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def test_demo_builds_backs_up_checks_and_prints_the_report(tmp_path: Path) -> None:
    config = tmp_path / "dbguard.toml"
    config.write_text(
        f'[reports]\ndir = "{tmp_path / "reports"}"\n'
        f'history = "{tmp_path / "reports" / "history.sqlite3"}"\n'
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "dbguard",
            "--config",
            str(config),
            "demo",
            "--dir",
            str(tmp_path / "demo"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    steps = [line for line in result.stderr.splitlines() if line.startswith("dbguard demo: ")]
    assert [step.split()[2] for step in steps] == ["building", "backing", "checking"], steps
    lines = dict(line.split(":", 1) for line in result.stdout.splitlines() if ":" in line)
    report = Path(lines["report"].strip())
    backup = Path(lines["backup"].strip())
    assert "Status: OK" in report.read_text(encoding="utf-8")
    assert backup.parent == tmp_path / "demo" / "backups"
    verify = subprocess.run(
        [sys.executable, "-m", "dbguard", "backup", "verify", str(backup)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_demo_never_replaces_a_database_it_did_not_build(tmp_path: Path) -> None:
    precious = tmp_path / "db.sqlite3"
    connection = sqlite3.connect(precious)
    connection.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
    connection.execute("INSERT INTO orders VALUES (1)")
    connection.commit()
    connection.close()
    before = precious.read_bytes()
    with pytest.raises(DatabaseError, match="not a dbguard demo database"):
        build_demo_database(precious)
    assert precious.read_bytes() == before
