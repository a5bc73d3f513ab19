"""`dbguard serve` as a real uvicorn process on a free port of 127.0.0.1: every route, its
status code and shape, Prometheus text that parses, the token, 100 concurrent requests, no
secret in any body, a port in use. Each server is stopped by the test that started it."""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from alert_receiver import dbguard, free_port, stop, wait_listening
from check_project import ROOT
from prometheus_client.parser import text_string_to_metric_families

from dbguard.history import Outcome, RunRecord, open_history, utc_now

TOKEN = "serve-token-XYZ987"
ALERT_SECRET = "ALERTSECRET555"
HEALTH_PASSWORD = "healthpw777"
SECRETS = (TOKEN, ALERT_SECRET, HEALTH_PASSWORD)
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BASE = "/tools/monitor"


@dataclass
class Server:
    url: str
    folder: Path
    process: subprocess.Popen[str]
    database_digest: str = ""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start_server(folder: Path, db: Path, serve: str) -> Server:
    port = free_port()
    (folder / "dbguard.toml").write_text(
        f'[database]\npath = "{db}"\n'
        f'[checks]\nexpectations_dir = "{ROOT / "expectations"}"\n'
        '[backup]\ndir = "backups"\n'
        '[reports]\ndir = "reports"\nhistory = "reports/history.sqlite3"\n'
        f'[system]\nhealth_url = "http://ops:{HEALTH_PASSWORD}@127.0.0.1:{free_port()}/health"\n'
        f'[alerts]\nurls = ["json://127.0.0.1:9/hook/{ALERT_SECRET}"]\n'
        f"[serve]\nport = {port}\n{serve}"
        "[watch]\nenabled = false\n"  # the endpoints alone (the watcher: test_watch_serve)
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DBGUARD_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "dbguard", "serve"],
        cwd=folder,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_listening(process, port, "dbguard serve")
    except AssertionError as error:
        raise AssertionError(f"{error}: {process.stderr.read()}") from None  # type: ignore[union-attr]
    return Server(f"http://127.0.0.1:{port}", folder, process)


def record_check_run(folder: Path, db: Path) -> None:
    started = utc_now() - timedelta(minutes=10)
    open_history(folder / "reports" / "history.sqlite3").append(
        RunRecord(
            kind="check",
            started_at=started,
            finished_at=started + timedelta(seconds=42),
            database=str(db),
            status="warning",
            exit_code=0,
            metrics={"rows.pue_data.live": 240},
            outcomes=[
                Outcome("pue range", "warning", "passed", target="live"),
                Outcome("connection", "ok", "passed", target="live"),
            ],
            counts={"ok": 1, "info": 0, "warning": 1, "critical": 0},
        )
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, demo_db_template: Path) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("serve")
    from backup.snapshot import create_backup

    create_backup(demo_db_template, folder / "backups")
    record_check_run(folder, demo_db_template)
    running = start_server(
        folder, demo_db_template, f'token = "{TOKEN}"\npublic_health_quick = true\n'
    )
    running.database_digest = digest(demo_db_template)
    yield running
    assert stop(running.process) == 0


def get(server: Server, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.get(
        f"{server.url}{BASE}{path}", headers=AUTH if headers is None else headers, timeout=30
    )


def test_health_quick_is_the_health_command_as_json(server: Server) -> None:
    response = get(server, "/health/quick")
    # The health URL refuses: one failure is a warning, still 200 for an uptime checker.
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "warning" and body["nagios_code"] == 1
    checks = {finding["check"] for finding in body["findings"]}
    assert {"connection", "database::wal_size", "memory"} <= checks
    assert body["metrics"]["rows.pue_drill_data.live"] == 13680


def test_health_database_has_integrity_wal_size_and_latency(server: Server) -> None:
    response = get(server, "/health/database")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {f["check"] for f in body["findings"]} == {
        "connection",
        "database::integrity",
        "database::wal_size",
        "database::size",
    }
    assert body["latency_ms"] > 0 and body["db_bytes"] > 0 and body["wal_bytes"] >= 0


def test_metrics_parse_and_cover_rows_sizes_backup_check_and_latency(server: Server) -> None:
    response = get(server, "/performance/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    families = {family.name: family for family in text_string_to_metric_families(response.text)}
    rows = {s.labels["table"]: s.value for s in families["dbguard_table_rows"].samples}
    assert rows == {
        "pue_data": 240,
        "fault_record": 272,
        "huijugugan": 28,
        "pue_comment": 34,
        "pue_drill_data": 13680,
    }
    for name in (
        "dbguard_database_size_bytes",
        "dbguard_wal_size_bytes",
        "dbguard_query_latency_seconds",
        "dbguard_backup_age_seconds",
        "dbguard_check_duration_seconds",
        "dbguard_database_up",
    ):
        assert name in families, name
    assert families["dbguard_check_duration_seconds"].samples[0].value == 42
    findings = {s.labels["severity"]: s.value for s in families["dbguard_check_findings"].samples}
    assert findings["warning"] == 1 and findings["critical"] == 0
    assert 0 <= families["dbguard_backup_age_seconds"].samples[0].value < 3600


def test_overview_shows_the_last_check_backups_and_links(server: Server) -> None:
    response = get(server, "/status/overview")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "warning"
    assert body["last_check"]["findings"] == [
        {"check": "pue range", "severity": "warning", "target": "live", "outcome": "passed"}
    ]
    assert len(body["latest_backups"]) == 1
    assert body["latest_backups"][0]["name"].startswith("db_")
    assert body["links"]["metrics"] == f"{BASE}/performance/metrics"
    for link in body["links"].values():
        assert httpx.get(f"{server.url}{link}", headers=AUTH, timeout=30).status_code in (
            200,
            404,  # /report before any check wrote one
        )


def test_report_is_served_once_written_and_unknown_paths_are_json_404(server: Server) -> None:
    missing = get(server, "/report")
    assert missing.status_code == 404 and missing.json()["error"] == "no report yet"
    (server.folder / "reports" / "latest.html").write_text("<html>the latest report</html>")
    found = get(server, "/report")
    assert found.status_code == 200 and "the latest report" in found.text
    assert found.headers["content-type"].startswith("text/html")
    for path in (f"{BASE}/nope", "/", "/tools/other"):
        response = httpx.get(f"{server.url}{path}", headers=AUTH, timeout=30)
        assert response.status_code == 404 and "no such page" in response.json()["error"]


def test_the_mount_point_without_a_slash_lists_the_routes(server: Server) -> None:
    response = httpx.get(f"{server.url}{BASE}", follow_redirects=True, timeout=30)
    assert response.status_code == 200
    assert response.json()["routes"]["metrics"]["path"] == f"{BASE}/performance/metrics"


def test_token_is_required_except_where_configured(server: Server) -> None:
    for path in ("/health/database", "/performance/metrics", "/status/overview", "/report"):
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            response = get(server, path, headers)
            assert response.status_code == 401, (path, headers)
            assert response.headers["www-authenticate"] == "Bearer"
    assert get(server, "/health/quick", {}).status_code == 200  # public_health_quick = true


def test_no_secret_in_any_body(server: Server) -> None:
    for path in ("/health/quick", "/health/database", "/performance/metrics", "/status/overview"):
        text = get(server, path).text
        for secret in SECRETS:
            assert secret not in text, (path, secret)


def test_a_hundred_concurrent_requests_are_all_answered(server: Server) -> None:
    async def flood() -> list[int]:
        limits = httpx.Limits(max_connections=100)
        async with httpx.AsyncClient(
            base_url=server.url, headers=AUTH, limits=limits, timeout=60
        ) as client:
            paths = [f"{BASE}/health/quick", f"{BASE}/performance/metrics"] * 50
            responses = await asyncio.gather(*(client.get(path) for path in paths))
            return [response.status_code for response in responses]

    assert asyncio.run(asyncio.wait_for(flood(), 120)) == [200] * 100


def test_serving_never_writes_the_database(server: Server, demo_db_template: Path) -> None:
    get(server, "/health/database")
    assert digest(demo_db_template) == server.database_digest


def test_quick_health_is_503_when_critical_and_the_token_guards_it(
    tmp_path: Path, demo_db: Path
) -> None:
    running = start_server(tmp_path, demo_db, f'token = "{TOKEN}"\ncache_seconds = 0\n')
    try:
        assert get(running, "/health/quick", {}).status_code == 401
        assert get(running, "/health/quick").json()["status"] == "warning"
        with sqlite3.connect(demo_db) as connection:
            connection.execute("DELETE FROM pue_comment")
        response = get(running, "/health/quick")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "critical"
        assert any(
            f["severity"] == "critical" and "pue_comment" in f["check"] for f in body["findings"]
        )
    finally:
        assert stop(running.process) == 0


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        (tmp_path / "dbguard.toml").write_text("")
        result = dbguard("serve", "--port", str(port), cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"dbguard: error: port {port} on 127.0.0.1 is in use"
        " (stop what listens there or pass another --port)"
    ]


def test_a_request_that_outlives_its_timeout_is_503_unknown(
    tmp_path: Path, demo_db_template: Path
) -> None:
    running = start_server(
        tmp_path, demo_db_template, "request_timeout_seconds = 0.001\ncache_seconds = 0\n"
    )
    try:
        response = get(running, "/health/database", {})
        assert response.status_code == 503
        assert response.json() == {"status": "unknown", "error": "no answer within 0.001 s"}
    finally:
        assert stop(running.process) == 0
