"""Helpers for the replication tests: real `dbguard replicate` processes (real Litestream), a real
writer process committing numbered rows, a real S3-compatible server (moto) on 127.0.0.1.

Every process a helper starts is stopped by it (context managers), every wait is bounded.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

DBGUARD = [sys.executable, "-m", "dbguard"]
WRITER = Path(__file__).with_name("numbered_writer.py")
ROWS_TABLE = "replication_rows"
SYNC_INTERVAL = 0.5  # seconds; the tests' [replication] sync_interval
WAIT_SECONDS = 30.0


def wait_for(condition: Callable[[], bool], what: str, timeout: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def write_config(
    folder: Path, db: Path, expectations: Path | None = None, **replication: object
) -> Path:
    """dbguard.toml for `db` with every path inside `folder`, and a [replication] section.
    Without `expectations` (the demo's are PROJECT_ROOT / "expectations") the suites folder
    is an empty one of its own."""
    if expectations is None:
        expectations = folder / "expectations"
        expectations.mkdir(exist_ok=True)
    settings = {"enabled": True, "sync_interval": f"{int(SYNC_INTERVAL * 1000)}ms"}
    settings.update(replication)
    lines = [
        "[database]",
        f"path = {json.dumps(str(db))}",
        "[backup]",
        'dir = "backups"',
        "[checks]",
        f"expectations_dir = {json.dumps(str(expectations))}",
        "[reports]",
        'dir = "reports"',
        'history = "reports/history.sqlite3"',
        'logs_dir = "logs"',
        "[replication]",
        *(f"{key} = {json.dumps(value)}" for key, value in settings.items()),
    ]
    path = folder / "dbguard.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def dbguard(
    config: Path,
    *arguments: str,
    environment: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DBGUARD, "--config", str(config), *arguments],
        cwd=config.parent,
        env=dict(environment if environment is not None else os.environ),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def ltx_files(replica: Path) -> list[Path]:
    return sorted(replica.glob("ltx/*/*.ltx"))


def litestream_pids(db: Path) -> list[int]:
    from backup.holders import processes_holding

    return processes_holding(db, command="litestream") or []


@contextlib.contextmanager
def replicating(
    config: Path, db: Path, environment: Mapping[str, str] | None = None
) -> Iterator[subprocess.Popen[str]]:
    """`dbguard replicate` running until the block ends (SIGTERM, then SIGKILL if it lingers),
    ready once Litestream holds the database open."""
    log = (config.parent / "replicate.log").open("a")
    process = subprocess.Popen(
        [*DBGUARD, "--config", str(config), "replicate"],
        cwd=config.parent,
        env=dict(environment if environment is not None else os.environ),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(lambda: bool(litestream_pids(db)) or process.poll() is not None, "litestream")
        assert process.poll() is None, (config.parent / "replicate.log").read_text()[-2000:]
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        for pid in litestream_pids(db):  # never leave a replicator behind
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        log.close()


@contextlib.contextmanager
def writing(
    db: Path, rate: float, seconds: float = 60.0, copy_row: str | None = None
) -> Iterator[subprocess.Popen[str]]:
    """tests/numbered_writer.py committing about `rate` rows a second into `db` (killed at the
    end of the block if still running); with `copy_row`, copies of that table's first row."""
    ready = db.with_name(db.name + ".writer-ready")
    process = subprocess.Popen(
        [
            sys.executable,
            str(WRITER),
            "--db",
            str(db),
            "--rate",
            str(rate),
            "--duration",
            str(seconds),
            "--ready-file",
            str(ready),
            *(["--copy-row", copy_row] if copy_row else []),
        ],
        text=True,
    )
    try:
        wait_for(lambda: ready.exists() or process.poll() is not None, "the writer")
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def make_database(db: Path) -> Path:
    """A WAL database with the writer's (empty) table, as an application would have it."""
    with contextlib.closing(sqlite3.connect(db, isolation_level=None)) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute(
            f"CREATE TABLE IF NOT EXISTS {ROWS_TABLE} "
            "(id INTEGER PRIMARY KEY, committed_at REAL NOT NULL)"
        )
    return db


def committed_rows(db: Path) -> dict[int, float]:
    """id -> committed_at of every row the writer committed."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        return dict(connection.execute(f"SELECT id, committed_at FROM {ROWS_TABLE}").fetchall())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def moto_s3(bucket: str) -> Iterator[tuple[str, dict[str, str]]]:
    """A local S3-compatible server (moto_server) on 127.0.0.1 with `bucket` in it: yields its
    endpoint and an environment with test credentials; stopped at the end of the block."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "LITESTREAM_ACCESS_KEY_ID": "dbguard-test-key",
        "LITESTREAM_SECRET_ACCESS_KEY": "dbguard-test-secret",
        "AWS_ACCESS_KEY_ID": "dbguard-test-key",
        "AWS_SECRET_ACCESS_KEY": "dbguard-test-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    try:

        def listening() -> bool:
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", port)) == 0

        wait_for(listening, "moto_server")
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="dbguard-test-key",
            aws_secret_access_key="dbguard-test-secret",
        )
        client.create_bucket(Bucket=bucket)
        yield endpoint, environment
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
