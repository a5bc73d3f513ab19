"""A Spark source that cannot work is one line and exit 2, before a JVM starts: a missing
Parquet folder, a table without a key, no Java, the extra not installed; and the backup
commands say they are for SQLite. Each is a real `dbguard` process (no session needed)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
from quality_runs import DBGUARD
from spark_support import spark_tables, write_spark_config

from dbguard.config import load_config
from dbguard.errors import ConfigError

pytestmark = pytest.mark.xdist_group("spark")

TABLES = ("pue_data", "pue_comment")
KEYS = {table: ("id",) for table in TABLES}


def one_line_exit_2(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("dbguard: error: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def run(
    folder: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DBGUARD, *args],
        cwd=folder,
        env=env if env is not None else dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A Spark project whose Parquet folders exist (empty: nothing here reads them)."""
    for table in TABLES:
        (tmp_path / "parquet" / table).mkdir(parents=True)
    write_spark_config(tmp_path, spark_tables(tmp_path / "parquet", KEYS))
    return tmp_path


def test_missing_parquet_folder(project: Path) -> None:
    (project / "parquet" / "pue_comment").rmdir()
    line = one_line_exit_2(run(project, "check"), "pue_comment", "does not exist")
    assert "tables.pue_comment" in line


def test_table_without_key(project: Path) -> None:
    keyless = dataclasses.replace(
        spark_tables(project / "parquet", KEYS), keys={"pue_data": ("id",)}
    )
    config = write_spark_config(project, keyless)
    one_line_exit_2(run(project, "check"), "pue_comment", "has no key", "keys")
    with pytest.raises(ConfigError, match="has no key"):
        load_config(config)


def test_no_java(project: Path, tmp_path: Path) -> None:
    """PATH without java and no JAVA_HOME: pyspark would die with a gateway error."""
    bin_dir = tmp_path / "bin-without-java"
    bin_dir.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "JAVA_HOME"}
    env["PATH"] = str(bin_dir)
    one_line_exit_2(run(project, "check", env=env), "Java", "openjdk-17-jre-headless")
    env["JAVA_HOME"] = str(tmp_path / "no-such-jdk")
    one_line_exit_2(run(project, "lint", env=env), "JAVA_HOME", "has no bin/java")


def test_extra_not_installed(project: Path) -> None:
    """pyspark blocked from importing, as in a venv without the extra."""
    blocked = "import sys; sys.modules['pyspark'] = None; from dbguard.cli import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", blocked, "check"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    one_line_exit_2(result, "pyspark is not installed", "dbguard[spark]")


@pytest.mark.parametrize(
    "command", [["backup", "create"], ["backup", "restore", "--latest", "--yes"]]
)
def test_backups_are_for_sqlite(project: Path, command: list[str]) -> None:
    one_line_exit_2(run(project, *command), "SQLite", "Spark")
