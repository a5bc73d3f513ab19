"""What the replication measurements share: a dbguard.toml that replicates, `dbguard replicate`
running for the length of a `with` block, waits, and clean-up of a database and its sidecars."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from bench.context import Context, to_toml
from bench.measure import Section

log = logging.getLogger(__name__)

SYNC_INTERVAL_S = 1.0  # the default of [replication] sync_interval
LITESTREAM = Path(sys.executable).with_name("litestream")


def not_failing(section: Section, what: str, function: Callable[..., None], *args: object) -> None:
    """Run one measurement; a failure is noted in the results instead of ending the bench."""
    try:
        function(*args)
    except (RuntimeError, OSError, sqlite3.Error, subprocess.SubprocessError) as error:
        log.warning("%s not measured: %s", what, error)
        section.notes.append(f"{what}: not measured ({error}).")


def replica_config(
    context: Context, name: str, database: Path, *, replication: bool = True
) -> Path:
    """The benchmark's dbguard.toml, replicating `database` into <work>/replica (or not)."""
    work = context.scratch(name)
    config = context.write_config(name, database=database, backup_dir=work / "backups")
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    data["replication"] = {"enabled": replication, "replica": str(work / "replica")}
    config.write_text(to_toml(data), encoding="utf-8")
    return config


def litestream_pids(database: Path) -> list[int]:
    from backup.holders import processes_holding

    return processes_holding(database, command="litestream") or []


def wait(condition: Callable[[], bool], what: str, timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


def snapshot_done(replica: Path) -> bool:
    return any(path.suffix == ".ltx" for path in (replica / "ltx" / "9").glob("*.ltx"))


def snapshot_completed_at(log_file: Path) -> float | None:
    """When Litestream logged "snapshot complete" (Unix time), if it did."""
    for line in log_file.read_text(errors="replace").splitlines():
        if "snapshot complete" in line and line.startswith("time="):
            stamp = line.split()[0].removeprefix("time=").replace("Z", "+00:00")
            return datetime.fromisoformat(stamp).timestamp()
    return None


@contextlib.contextmanager
def replicating(
    context: Context, config: Path, database: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """`dbguard replicate` running (its output in replicate.log beside the config) until the
    block ends; then it is stopped and any Litestream left holding `database` is killed."""
    log_file = (config.parent / "replicate.log").open("ab")
    process = subprocess.Popen(
        [context.dbguard, "--config", str(config), "replicate"],
        cwd=config.parent,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    try:
        wait(lambda: bool(litestream_pids(database)) or process.poll() is not None, "litestream")
        if process.poll() is not None:
            raise RuntimeError(f"dbguard replicate exited with {process.returncode}")
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        for pid in litestream_pids(database):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        log_file.close()


def fresh(path: Path) -> None:
    """Remove a database, its -wal and -shm, and Litestream's hidden folder beside it."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(path.with_name(f".{path.name}-litestream"), ignore_errors=True)
