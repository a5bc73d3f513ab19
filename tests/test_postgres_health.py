"""`dbguard health` on a real PostgreSQL server (a throwaway cluster): the same row-count
rules as on SQLite, the server's own gauges, and one clear line for a URL that cannot work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from check_project import ROOT
from postgres_cluster import PostgresCluster, database_name

from dbguard.config import DatabaseConfig
from dbguard.demo.postgres import load_demo


def write_config(folder: Path, url: str = "", **database: str) -> Path:
    lines = ["[database]"]
    if url:
        lines.append(f'url = "{url}"')
    lines += [f'{key} = "{value}"' for key, value in database.items()]
    lines += [
        "[checks]",
        f'expectations_dir = "{ROOT / "expectations"}"',
        "[reports]",
        'dir = "reports"',
        'history = "reports/history.sqlite3"',
        "[backup]",
        'dir = "backups"',
    ]
    path = folder / "dbguard.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def dbguard(
    config: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbguard", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def demo_url(postgres_db: str) -> str:
    load_demo(DatabaseConfig(url=postgres_db))
    return postgres_db


def test_quick_health_of_the_demo_on_postgres_is_ok(tmp_path: Path, demo_url: str) -> None:
    result = dbguard(write_config(tmp_path, demo_url), "health", "--quick")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("DBGUARD OK - 14254 rows in 5 tables")
    assert "connections" in result.stdout
    assert "rows_pue_data=240;216:264;180:300;0" in result.stdout


def test_rows_lost_on_postgres_are_critical_like_on_sqlite(
    tmp_path: Path, demo_url: str, postgres_cluster: PostgresCluster
) -> None:
    name = database_name(demo_url)
    postgres_cluster.psql("DELETE FROM pue_comment; DELETE FROM pue_drill_data;", name)
    postgres_cluster.psql("DELETE FROM pue_data WHERE id > 144", name)  # 240 -> 144, -40 %
    result = dbguard(write_config(tmp_path, demo_url), "health", "--quick")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "rows pue_data: 144 rows (-40.0 % vs the baseline)" in result.stdout
    assert "rows pue_comment: 0 rows: the table was wiped" in result.stdout


def test_db_option_takes_a_url(tmp_path: Path, demo_url: str) -> None:
    config = write_config(tmp_path, path=str(tmp_path / "unused.sqlite3"))
    result = dbguard(config, "health", "--quick", "--db", demo_url)
    assert result.returncode == 0, result.stdout + result.stderr


def test_wrong_password_is_unknown_with_one_line(
    tmp_path: Path, demo_url: str, postgres_cluster: PostgresCluster
) -> None:
    postgres_cluster.psql(
        "DO $$ BEGIN CREATE ROLE app LOGIN PASSWORD 'right'; "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    )
    name = database_name(demo_url)
    url = postgres_cluster.tcp_url(name, "app")
    result = dbguard(
        write_config(tmp_path, url), "health", "--quick", env={"PGPASSWORD": "wrong-secret"}
    )
    assert result.returncode == 3
    assert result.stdout.startswith("DBGUARD UNKNOWN - cannot log in to")
    assert result.stderr.count("\n") == 1 and "wrong-secret" not in result.stdout + result.stderr


def test_unknown_database_is_unknown_with_one_line(
    tmp_path: Path, postgres_cluster: PostgresCluster
) -> None:
    result = dbguard(write_config(tmp_path, postgres_cluster.url("no_such_db")), "health")
    assert result.returncode == 3
    assert 'database "no_such_db" does not exist' in result.stdout


def test_a_stopped_server_is_a_connection_failure_not_a_traceback(tmp_path: Path) -> None:
    cluster = PostgresCluster().start()
    url = cluster.create_database("gone")
    cluster.stop()
    config = write_config(tmp_path, url)
    first = dbguard(config, "health", "--quick")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "connection: failed: cannot reach" in first.stdout
    assert "Traceback" not in first.stderr
    codes = [dbguard(config, "health", "--quick").returncode for _ in range(2)]
    assert codes == [1, 2]  # the plan's rule: the third failure in a row is critical


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgres://u@h/db", "has no SQLAlchemy dialect"),
        ("mysql://u@h/db", "is not a database dbguard can check"),
        ("postgresql+psycopg://u:hunter2@h/db", "holds a password"),
    ],
)
def test_a_url_that_cannot_work_is_one_line_exit_2(tmp_path: Path, url: str, message: str) -> None:
    config = write_config(tmp_path, url)
    result = dbguard(config, "lint")
    assert result.returncode == 2
    assert message in result.stderr and "hunter2" not in result.stderr
    health = dbguard(config, "health", "--quick")
    assert health.returncode == 3


def test_password_comes_from_an_environment_reference(
    tmp_path: Path, demo_url: str, postgres_cluster: PostgresCluster
) -> None:
    postgres_cluster.psql(
        "DO $$ BEGIN CREATE ROLE app LOGIN PASSWORD 'right'; "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    )
    name = database_name(demo_url)
    postgres_cluster.psql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO app", name)
    url = postgres_cluster.tcp_url(name, "app", "${APP_DB_PASSWORD}")
    config = write_config(tmp_path, url)
    result = dbguard(config, "health", "--quick", env={"APP_DB_PASSWORD": "right"})
    assert result.returncode == 0, result.stdout + result.stderr
    missing = dbguard(config, "health", "--quick", env={"APP_DB_PASSWORD": ""})
    assert missing.returncode == 3  # wrong (empty) password: one line, UNKNOWN
    history = (tmp_path / "reports" / "history.sqlite3").read_bytes()
    assert b"right" not in history
