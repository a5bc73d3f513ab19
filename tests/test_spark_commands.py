"""The commands on Spark: `dbguard demo --spark` end to end; then, on the Parquet tables it
wrote, baseline, lint, suggest (the same rules as on SQLite, from one Spark aggregate per
table), health and the weekly report in the tests' session, and `suggest --write` followed by
`check --strict` as a real process, which exits 0, then `dbguard serve`'s overview and
metrics."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from alert_receiver import free_port, serve_process, stop, wait_listening
from quality_runs import DBGUARD
from spark_support import MASTER, copy_suites, spark_tables, write_spark_config

from dbguard.config import Config, load_config
from dbguard.demo.spark import sqlite_keys
from dbguard.health.quick import run_health
from dbguard.quality.baseline import capture_baselines
from dbguard.quality.lint import lint_suites
from dbguard.quality.suggest.apply import suggest
from dbguard.report.weekly import write_weekly_report

pytestmark = [pytest.mark.xdist_group("spark"), pytest.mark.slow]

# Spark declares no foreign keys and no unique indexes: suggest proposes neither from them.
DECLARED_ONLY = {"reference", "unique"}


def run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DBGUARD, *args], cwd=folder, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, spark: Any) -> Path:
    """`dbguard demo --spark` in an empty folder: its Parquet tables, checked."""
    folder = tmp_path_factory.mktemp("spark-demo")
    result = run(folder, "demo", "--spark", "--dir", "demo")
    assert result.returncode == 0, (result.stdout, result.stderr[-3000:])
    assert "report:" in result.stdout and (folder / "reports" / "latest.html").is_file()
    assert "Traceback" not in result.stderr
    assert sorted(path.name for path in (folder / "demo" / "parquet").iterdir()) == [
        "fault_record",
        "huijugugan",
        "pue_comment",
        "pue_data",
        "pue_drill_data",
    ]
    return folder / "demo"


def project(demo: Path, folder: Path, *, suites: bool = True) -> Config:
    """A dbguard.toml in `folder` reading the demo's Parquet tables (local[1])."""
    folder.mkdir(parents=True, exist_ok=True)
    keys = sqlite_keys(demo / "db.sqlite3")
    expectations = copy_suites(folder) if suites else folder / "expectations"
    expectations.mkdir(exist_ok=True)
    tables = spark_tables(demo / "parquet", keys)
    return load_config(write_spark_config(folder, tables, expectations=expectations))


def test_baseline_lint_health_and_weekly_report_on_spark(demo: Path, tmp_path: Path) -> None:
    config = project(demo, tmp_path)
    assert config.database.is_spark and config.database.spark.master == MASTER
    changes = capture_baselines(config, accept=True)
    assert {change.table: change.new for change in changes}["pue_drill_data"] == 13_680
    assert lint_suites(config) == []
    health = run_health(config, quick=True)
    assert health.severity.value == "ok", [f.message() for f in health.findings]
    assert "14254 rows in 5 tables" in health.line()
    weekly = write_weekly_report(config).read_text()
    assert "database `spark:local[1]`" in weekly and "- Total records: 14,254" in weekly
    assert "the tables' volumes are the lake's storage" in weekly


def _proposed(config: Config) -> list[Any]:
    found = []
    for result in suggest(config):
        for proposal in result.proposals:
            if proposal.kind in DECLARED_ONLY:
                continue
            entry = json.loads(json.dumps(proposal.entry or proposal.freshness, default=str))
            if isinstance(entry, dict):
                entry.get("meta", {}).pop("dbguard", None)
            found.append((proposal.table, proposal.kind, entry))
    return found


def test_suggest_proposes_the_same_rules_as_on_sqlite(demo: Path, tmp_path: Path) -> None:
    on_spark_config = project(demo, tmp_path / "spark", suites=False)
    on_sqlite_config = dataclasses.replace(
        on_spark_config,
        database=dataclasses.replace(
            on_spark_config.database,
            path=demo / "db.sqlite3",
            spark=dataclasses.replace(on_spark_config.database.spark, master="", tables={}),
        ),
    )
    assert on_sqlite_config.database.is_sqlite
    on_spark = _proposed(on_spark_config)
    assert on_spark == _proposed(on_sqlite_config)
    assert {"not_null", "in_set", "range"} <= {kind for _, kind, _ in on_spark}


def test_suggest_write_then_check_strict_exits_0(demo: Path, tmp_path: Path) -> None:
    config = project(demo, tmp_path)
    written = suggest(config, write=True)
    assert sum(len(result.proposals) for result in written) > 10
    result = run(tmp_path, "check", "--strict")
    assert result.returncode == 0, (result.stdout[-4000:], result.stderr[-2000:])
    assert "dbguard status: OK for spark:local[1]" in result.stdout
    # serve's overview and metrics: the check's numbers and a health run on Spark.
    port = free_port()
    with (tmp_path / "dbguard.toml").open("a") as file:
        file.write(f"[serve]\nport = {port}\nrequest_timeout_seconds = 60\n")
    server = serve_process(tmp_path)
    try:
        overview, metrics = _serve_answers(server, port)
    finally:
        assert stop(server) == 0
    assert "not watching: on Spark" in (server.stderr.read() if server.stderr else "")
    assert overview["database"] == "spark:local[1]" and overview["status"] == "ok"
    assert 'dbguard_table_rows{table="pue_drill_data"} 13680.0' in metrics


def _serve_answers(server: subprocess.Popen[str], port: int) -> tuple[dict[str, Any], str]:
    """The overview and the metrics, once the server listens (its JVM starts first: up to
    three minutes on a busy machine), the overview asked at most 10 times. Spark's serve does
    not watch (each run would start a JVM): the endpoints alone."""
    wait_listening(server, port, "dbguard serve", seconds=180)
    base = f"http://127.0.0.1:{port}/tools/monitor"
    with httpx.Client(timeout=90) as client:
        for _ in range(10):
            answer = client.get(f"{base}/status/overview")
            if answer.status_code == 200:
                break
            time.sleep(2)
        assert answer.status_code == 200, answer.text
        metrics = client.get(f"{base}/performance/metrics")
        assert metrics.status_code == 200, metrics.text
    return answer.json(), metrics.text
