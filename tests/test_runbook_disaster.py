"""The runbook's lost-database procedure (docs/RUNBOOK.md, section 2c), followed literally with
real processes: Litestream replicating a database an application writes, the database file
deleted, the runbook's command block run line by line (its `systemctl` lines stop and start
the real `dbguard replicate` and the real writer), then new writes reach the replica and a
second restore from the replica holds them. The restored file has the mode and owner the
database had, as its backup's manifest recorded them."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from replication_support import (
    DBGUARD,
    committed_rows,
    make_database,
    replicating,
    wait_for,
    write_config,
    writing,
)

from dbguard.check_run import PROJECT_ROOT
from dbguard.errors import NagiosCode

pytestmark = pytest.mark.slow

RUNBOOK = PROJECT_ROOT / "docs" / "RUNBOOK.md"
SECTION = "## 2c."
APP_UID, APP_GID = 4321, 4322
FIRST_ROWS = 2000  # the writer adds a few percent: within the drift bands of `dbguard check`


def runbook_block() -> list[str]:
    """The commands of the first ```sh block of section 2c, comments dropped."""
    text = RUNBOOK.read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    block = section[section.index("```sh\n") + len("```sh\n") :]
    block = block[: block.index("```")]
    lines = [line.split("#", 1)[0].strip() for line in block.splitlines()]
    return [line for line in lines if line]


class Machine:
    """The services the runbook's systemctl lines name, as real processes."""

    def __init__(self, config: Path, db: Path) -> None:
        self.config, self.db = config, db
        self.services: dict[str, contextlib.ExitStack] = {}
        self.application: subprocess.Popen[str] | None = None

    def start(self, service: str) -> None:
        stack = contextlib.ExitStack()
        if service == "dbguard-replicate":
            stack.enter_context(replicating(self.config, self.db))
        else:  # the application: a writer committing numbered rows for a few seconds
            self.application = stack.enter_context(writing(self.db, rate=40, seconds=3))
        self.services[service] = stack

    def application_done(self) -> None:
        """Wait for the writer to end by itself (its few seconds), then stop the service."""
        if self.application is not None:
            self.application.wait(timeout=60)
        self.stop("myapp")

    def stop(self, service: str) -> None:
        stack = self.services.pop(service, None)
        if stack is not None:
            stack.close()

    def stop_all(self) -> None:
        for service in list(self.services):
            self.stop(service)


def dbguard(
    config: Path, arguments: list[str], answer: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DBGUARD, "--config", str(config), *arguments],
        cwd=config.parent,
        input=answer,
        capture_output=True,
        text=True,
        timeout=300,
    )


def replica_status(config: Path) -> dict[str, object]:
    return dict(json.loads(dbguard(config, ["replica", "status", "--json"]).stdout))


@pytest.fixture
def machine(tmp_path: Path) -> Iterator[Machine]:
    folder = tmp_path / "app"
    folder.mkdir(mode=0o750)
    os.chown(folder, APP_UID, APP_GID)
    db = make_database(folder / "db.sqlite3")
    with closing(sqlite3.connect(db)) as connection, connection:
        connection.executemany(
            "INSERT INTO replication_rows (committed_at) VALUES (?)", [(0.0,)] * FIRST_ROWS
        )
    os.chown(db, APP_UID, APP_GID)
    db.chmod(0o640)
    running = Machine(write_config(tmp_path, db), db)
    yield running
    running.stop_all()


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_the_runbook_restores_a_lost_database_and_replication_carries_on(
    machine: Machine, tmp_path: Path
) -> None:
    config, db = machine.config, machine.db
    created = dbguard(config, ["backup", "create"])
    assert created.returncode == 0, created.stderr
    machine.start("dbguard-replicate")
    machine.start("myapp")
    machine.application_done()
    wait_for(lambda: replica_status(config)["lag_seconds"] == 0.0, "the replica to catch up")
    acknowledged = committed_rows(db)
    assert len(acknowledged) > FIRST_ROWS

    for suffix in ("", "-wal", "-shm"):  # the disk died
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    # Litestream still holds the lost file: a restore now is refused, naming it.
    early = dbguard(config, ["backup", "restore", "--from-replica", "--yes"])
    assert early.returncode == 1, early.stdout + early.stderr
    assert "litestream (pid" in early.stderr and "still has the lost file open" in early.stderr
    assert not db.exists()

    outputs: dict[str, list[subprocess.CompletedProcess[str]]] = {}
    for line in runbook_block():
        words = line.split()
        if words[0] == "systemctl":
            getattr(machine, words[1])(words[2])
            continue
        assert words[0] == "dbguard", line
        result = dbguard(config, words[1:], answer="y\n")
        outputs.setdefault(" ".join(words[1:3]), []).append(result)

    before, after = outputs["replica status"]
    assert before.returncode == NagiosCode.WARNING  # no Litestream while the file was restored
    restore = outputs["backup restore"][0]
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert "(new)" in restore.stdout
    assert stat.S_IMODE(db.stat().st_mode) == 0o640
    assert (db.stat().st_uid, db.stat().st_gid) == (APP_UID, APP_GID)
    assert f"mode 0640, owner {APP_UID}:{APP_GID}" in restore.stdout
    assert after.returncode == NagiosCode.OK, after.stdout
    check = outputs["check"][0]
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr

    # Every acknowledged write survived; the writer wrote more after the restart.
    machine.application_done()
    rows = committed_rows(db)
    assert set(acknowledged) <= set(rows) and len(rows) > len(acknowledged)
    wait_for(lambda: replica_status(config)["lag_seconds"] == 0.0, "the new writes to arrive")
    scratch = tmp_path / "second-restore.sqlite3"
    second = dbguard(config, ["backup", "restore", "--from-replica", "--db", str(scratch), "--yes"])
    assert second.returncode == 0, second.stdout + second.stderr
    assert committed_rows(scratch) == rows
