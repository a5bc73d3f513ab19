"""The damage the incident tests repair and assess, done for real on a demo database: a
recovery point (a real `dbguard backup create`), a real writer process inserting
`fault_record` rows throughout (tests/numbered_writer.py --copy-row), a bad DELETE of 40 % of `fault_record` and an UPDATE of 10
`pue_data` rows to pue = 9.9, then the writer goes on for a few seconds more."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alert_receiver import dbguard
from check_project import ROOT
from replication_support import wait_for, writing

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


def later_ids(db: Path, point: Path) -> list[int]:
    """The fault_record ids above the point's newest: the rows the writer committed since."""
    with contextlib.closing(sqlite3.connect(f"file:{point}?mode=ro", uri=True)) as connection:
        (newest,) = connection.execute("SELECT max(id) FROM fault_record").fetchone()
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        return [
            row[0]
            for row in connection.execute(
                "SELECT id FROM fault_record WHERE id > ? ORDER BY id", (newest,)
            )
        ]


def fault_writing(db: Path, rate: float, seconds: float = 60.0) -> Any:
    """A real writer adding copies of a fault_record row (tests/numbered_writer.py)."""
    return writing(db, rate, seconds, copy_row="fault_record")


def damage(folder: Path, db: Path, *, after: float = 5.0, rate: float = 2.0) -> Damage:
    """Back up, then damage `db` while a writer inserts; the writer stops `after` s later."""
    write_project(folder, db)
    created = dbguard("backup", "create", cwd=folder)
    assert created.returncode == 0, created.stderr
    (point,) = sorted((folder / "backups").glob("db_*.sqlite3"))
    with fault_writing(db, rate) as writer:
        wait_for(lambda: len(later_ids(db, point)) >= 2, "the writer's first rows")
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
    return Damage(point, deleted, changed, later_ids(db, point))
