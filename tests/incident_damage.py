"""The damage the incident tests repair and assess, done for real on a demo database: a
recovery point (a real `dbguard backup create`), a real writer process inserting
`fault_record` rows throughout, a bad DELETE of 40 % of `fault_record` and an UPDATE of 10
`pue_data` rows to pue = 9.9, then the writer goes on for a few seconds more."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from alert_receiver import dbguard
from check_project import ROOT
from replication_support import wait_for

WRITER = Path(__file__).with_name("fault_writer.py")
CHANGED_PUE = 9.9


@dataclass(frozen=True)
class Damage:
    point: Path  # the backup taken before the damage
    deleted: dict[int, tuple]  # id -> the whole fault_record row at the point
    changed: dict[int, float]  # pue_data id -> pue at the point
    written: list[int]  # every fault_record id the writer committed after the point


def write_project(folder: Path, db: Path) -> None:
    (folder / "dbguard.toml").write_text(
        f'[database]\npath = "{db}"\n[backup]\ndir = "backups"\n'
        f'[checks]\nexpectations_dir = "{ROOT / "expectations"}"\n'
        '[reports]\ndir = "reports"\nhistory = "reports/history.sqlite3"\nlogs_dir = "logs"\n'
    )


@contextlib.contextmanager
def fault_writing(
    db: Path, ids: Path, rate: float, seconds: float
) -> Iterator[subprocess.Popen[str]]:
    """tests/fault_writer.py committing about `rate` rows a second (killed at the end of the
    block if still running)."""
    ready = db.with_name(db.name + ".fault-writer-ready")
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
            "--ids-file",
            str(ids),
            "--ready-file",
            str(ready),
        ],
        text=True,
    )
    try:
        wait_for(lambda: ready.exists() or process.poll() is not None, "the fault writer")
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def written_ids(ids: Path) -> list[int]:
    return [int(line) for line in ids.read_text().split()] if ids.exists() else []


def damage(folder: Path, db: Path, *, after: float = 5.0, rate: float = 2.0) -> Damage:
    """Back up, then damage `db` while a writer inserts; the writer stops `after` s later."""
    write_project(folder, db)
    created = dbguard("backup", "create", cwd=folder)
    assert created.returncode == 0, created.stderr
    (point,) = sorted((folder / "backups").glob("db_*.sqlite3"))
    ids = folder / "writer-ids.txt"
    with fault_writing(db, ids, rate, 60.0) as writer:
        wait_for(lambda: len(written_ids(ids)) >= 2, "the writer's first rows")
        with contextlib.closing(sqlite3.connect(db, isolation_level=None, timeout=30)) as live:
            gone = "id <= 272 AND id % 5 IN (1, 3)"
            deleted = {
                row[0]: row for row in live.execute(f"SELECT * FROM fault_record WHERE {gone}")
            }
            changed = dict(live.execute("SELECT id, pue FROM pue_data WHERE id % 20 = 7 LIMIT 10"))
            live.execute("BEGIN IMMEDIATE")
            live.execute(f"DELETE FROM fault_record WHERE {gone}")
            live.execute(
                f"UPDATE pue_data SET pue = {CHANGED_PUE} WHERE id IN"
                f" ({', '.join(str(i) for i in changed)})"
            )
            live.execute("COMMIT")
        time.sleep(after)
        writer.terminate()
        writer.wait(timeout=10)
    assert len(deleted) > 100 and len(changed) == 10
    return Damage(point, deleted, changed, written_ids(ids))
