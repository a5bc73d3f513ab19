"""baseline, lint, suggest, report --weekly and health on a real PostgreSQL server: they read
through a read-only session and write nothing to it; a login that cannot work is one line and
exit 2 from every command; suggest proposes the same rules as on the SQLite demo."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from postgres_cluster import PostgresCluster

from dbguard.check_run import PROJECT_ROOT
from dbguard.config import Config, load_config
from dbguard.config.database_url import libpq_conninfo
from dbguard.health.quick import run_health
from dbguard.quality.baseline import capture_baselines
from dbguard.quality.lint import lint_suites
from dbguard.quality.suggest.apply import suggest

ROLE = (
    "DO $$ BEGIN CREATE ROLE app LOGIN PASSWORD 'right'; "
    "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
)


def write_config(folder: Path, url: str, expectations: Path) -> Path:
    path = folder / "dbguard.toml"
    path.write_text(
        f'[database]\nurl = "{url}"\n'
        f'[checks]\nexpectations_dir = "{expectations}"\n'
        '[reports]\ndir = "reports"\nhistory = "reports/history.sqlite3"\n'
        '[backup]\ndir = "backups"\n'
    )
    return path


def dbguard(config: Path, *args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbguard", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **environment},
    )


@pytest.fixture
def demo_copy(postgres_cluster: PostgresCluster, postgres_demo_template: str) -> Iterator[str]:
    """A copy of the demo database of this test's own; its name."""
    name = "commands_demo"
    postgres_cluster.drop_database(name)
    postgres_cluster.create_database(name, template=postgres_demo_template)
    yield name
    postgres_cluster.drop_database(name)


@pytest.fixture
def suites(tmp_path: Path) -> Path:
    """A copy of the demo's suite files (baseline and suggest --write may rewrite them)."""
    return Path(shutil.copytree(PROJECT_ROOT / "expectations", tmp_path / "expectations"))


def test_baseline_lint_suggest_and_health_read_without_writing(
    postgres_cluster: PostgresCluster, demo_copy: str, suites: Path, tmp_path: Path
) -> None:
    config = load_config(write_config(tmp_path, postgres_cluster.url(demo_copy), suites))
    before = postgres_cluster.fingerprint(demo_copy)
    changes = capture_baselines(config, accept=True)
    problems = lint_suites(config)
    proposals = suggest(config)
    health = run_health(config, quick=False)
    after = postgres_cluster.fingerprint(demo_copy)
    assert after == before
    assert {change.table: change.new for change in changes}["pue_drill_data"] == 13_680
    assert problems == []
    assert sum(len(result.proposals) for result in proposals) > 10
    assert health.severity.value == "ok", [f.message() for f in health.findings]


def _without_capture_times(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_capture_times(v) for k, v in value.items() if k != "captured_at"}
    if isinstance(value, list):
        return [_without_capture_times(item) for item in value]
    return value


def test_suggest_proposes_the_same_rules_on_both_engines(
    postgres_cluster: PostgresCluster, demo_copy: str, demo_db_template: Path, tmp_path: Path
) -> None:
    """The profiles differ in SQL (typeof and GLOB against declared types and ~), not in what
    they find: with no suite yet, every proposal is the same on the same rows."""
    empty = tmp_path / "none"
    empty.mkdir()
    postgres = load_config(write_config(tmp_path, postgres_cluster.url(demo_copy), empty))
    sqlite = dataclasses.replace(
        postgres, database=dataclasses.replace(postgres.database, url="", path=demo_db_template)
    )

    def proposed(config: Config) -> list[Any]:
        return [
            (
                proposal.table,
                proposal.kind,
                _without_capture_times(proposal.entry or proposal.freshness),
            )
            for result in suggest(config)
            for proposal in result.proposals
        ]

    on_postgres = proposed(postgres)
    assert on_postgres == proposed(sqlite)
    kinds = {kind for _, kind, _ in on_postgres}
    assert {"not_null", "unique", "in_set", "range", "reference"} <= kinds


@pytest.mark.parametrize(
    "command",
    [["check"], ["baseline"], ["lint"], ["suggest"], ["report", "--weekly"], ["health"]],
    ids=lambda command: "-".join(command),
)
def test_a_wrong_password_is_one_line_and_exit_2(
    postgres_cluster: PostgresCluster,
    demo_copy: str,
    suites: Path,
    tmp_path: Path,
    command: list[str],
) -> None:
    postgres_cluster.psql(ROLE)
    config = write_config(tmp_path, postgres_cluster.tcp_url(demo_copy, "app"), suites)
    result = dbguard(config, *command, PGPASSWORD="wrong-secret")
    expected = 3 if command == ["health"] else 2  # health speaks Nagios: UNKNOWN
    assert result.returncode == expected, result.stdout + result.stderr
    said = result.stderr if command != ["health"] else result.stdout
    assert "cannot log in to postgresql+psycopg://app@127.0.0.1" in said
    assert "password authentication failed" in said
    if command != ["health"]:
        assert result.stderr.startswith("dbguard: error: ") and result.stderr.count("\n") == 1
    assert "wrong-secret" not in result.stdout + result.stderr and "Traceback" not in result.stderr


def test_an_unknown_database_or_a_bad_scheme_stops_check_with_one_line(
    postgres_cluster: PostgresCluster, suites: Path, tmp_path: Path
) -> None:
    unknown = dbguard(write_config(tmp_path, postgres_cluster.url("no_such_db"), suites), "check")
    assert unknown.returncode == 2
    assert 'database "no_such_db" does not exist' in unknown.stderr
    assert unknown.stderr.count("\n") == 1
    bad = dbguard(write_config(tmp_path, "postgres://u@h/db", suites), "check")
    assert bad.returncode == 2 and "has no SQLAlchemy dialect" in bad.stderr


def test_demo_refuses_a_database_that_has_tables(
    postgres_cluster: PostgresCluster, demo_copy: str, suites: Path, tmp_path: Path
) -> None:
    before = postgres_cluster.fingerprint(demo_copy)
    config = write_config(tmp_path, postgres_cluster.url(demo_copy), suites)
    result = dbguard(config, "demo", "--postgres", postgres_cluster.url(demo_copy))
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("dbguard: error:")]
    assert len(errors) == 1 and "already has tables (fault_record, huijugugan" in errors[0]
    assert "it never replaces tables" in errors[0] and "Traceback" not in result.stderr
    assert postgres_cluster.fingerprint(demo_copy) == before


def test_suggest_profiles_postgresql_types(postgres_db: str, tmp_path: Path) -> None:
    """One aggregate pass over columns SQLite has no type for: numbers as NUMERIC, booleans,
    UUIDs, JSON, arrays and timestamps are profiled without an error."""
    with psycopg.connect(libpq_conninfo(postgres_db), autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE readings (id bigint PRIMARY KEY, sensor uuid NOT NULL,"
            " kwh numeric(10, 2) NOT NULL, ok boolean, extra jsonb, tags text[],"
            " taken_at timestamptz NOT NULL, unit varchar(8) NOT NULL)"
        )
        connection.execute(
            "INSERT INTO readings SELECT n, gen_random_uuid(), n * 1.25, n % 2 = 0,"
            " '{\"a\": 1}', ARRAY['x'], now() - n * interval '1 hour',"
            " CASE WHEN n % 3 = 0 THEN 'kWh' ELSE 'MWh' END FROM generate_series(1, 40) AS n"
        )
    empty = tmp_path / "none"
    empty.mkdir()
    config = load_config(write_config(tmp_path, postgres_db, empty))
    (result,) = suggest(config)
    proposals = {(proposal.kind, proposal.columns): proposal for proposal in result.proposals}
    kwh = proposals[("range", ("kwh",))].entry
    assert kwh is not None and kwh["kwargs"]["min_value"] == 0 and kwh["kwargs"]["max_value"] > 50
    unit = proposals[("in_set", ("unit",))].entry
    assert unit is not None and unit["kwargs"]["value_set"] == ["MWh", "kWh"]
    assert ("not_null", ("taken_at",)) in proposals and ("unique", ("id",)) in proposals


def test_suggest_bounds_native_dates_and_timestamps_and_check_passes_right_after(
    postgres_db: str, tmp_path: Path
) -> None:
    """PostgreSQL's own date, timestamp and timestamptz columns get the same lower bound a
    date in text gets, typed so that GX can compare it with the column's values, and the
    freshest of them a freshness rule from its cadence."""
    with psycopg.connect(libpq_conninfo(postgres_db), autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE meter (id bigint PRIMARY KEY, day date NOT NULL,"
            " read_at timestamp NOT NULL, sent_at timestamptz NOT NULL)"
        )
        connection.execute(
            "INSERT INTO meter SELECT n, date '2026-01-01' + n,"
            " timestamp '2026-01-01 08:00' + n * interval '1 day',"
            " now() - n * interval '1 hour' FROM generate_series(1, 60) AS n"
        )
    suites = tmp_path / "suites"
    suites.mkdir()
    config_path = write_config(tmp_path, postgres_db, suites)
    (result,) = suggest(load_config(config_path), write=True)
    bounds = {
        proposal.columns[0]: proposal.entry["kwargs"]["min_value"]
        for proposal in result.proposals
        if proposal.kind == "range" and proposal.entry is not None
    }
    assert bounds["day"] == "2025-12-28"  # 2026-01-02 less 10 % of 59 days, in whole days
    assert bounds["read_at"] == "2025-12-28T00:00:00"
    assert bounds["sent_at"].endswith("+00:00")
    (fresh,) = [proposal for proposal in result.proposals if proposal.kind == "freshness"]
    assert fresh.columns == ("sent_at",) and fresh.freshness is not None
    assert fresh.freshness["warning_after"] == "2h"  # an hourly cadence, two gaps
    checked = dbguard(config_path, "check", "--strict")
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr


def test_the_schedule_leaves_the_daily_backup_to_pg_dump(tmp_path: Path) -> None:
    from dbguard.schedule import render_block

    url = "postgresql+psycopg://app@db.example/energy"
    config = load_config(write_config(tmp_path, url, tmp_path))
    block = render_block(config, Path("/venv/bin/dbguard"), systemd=False)
    backup = [line for line in block.splitlines() if "backup create" in line]
    assert len(backup) == 1 and backup[0].startswith("# 0 2 * * *")
    assert "schedule pg_dump (or pgBackRest) into [backup] postgres_dump_dir" in block
    hourly = [line for line in block.splitlines() if line.startswith("0 * * * * ")]
    assert len(hourly) == 1 and " check >> " in hourly[0]
