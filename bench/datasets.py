"""Generated databases, cached under bench/.data/ (git-ignored) between runs.

A cached file is reused while its recipe (generator source + parameters) is
unchanged; the time its build took is kept beside it and shown in RESULTS.md.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dbguard.demo import database as demo_database

log = logging.getLogger(__name__)

DEMO_PUE_ROWS = 240
BLOB_BYTES = 4000
BLOB_ROWS_PER_TRANSACTION = 5000


@dataclass(frozen=True)
class Dataset:
    path: Path
    build_seconds: float
    reused: bool

    @property
    def size_bytes(self) -> int:
        return self.path.stat().st_size


def drill_rows_per_pue(total_drill_rows: int) -> int:
    """Items per PUE row that give about `total_drill_rows` rows in pue_drill_data."""
    return max(1, round(total_drill_rows / DEMO_PUE_ROWS))


def demo_shaped(data_dir: Path, drill_rows: int | None) -> Dataset:
    """The demo database (drill_rows=None) or a bigger one of the same shape."""
    per_pue = 57 if drill_rows is None else drill_rows_per_pue(drill_rows)
    name = "demo.sqlite3" if drill_rows is None else f"scale_{per_pue * DEMO_PUE_ROWS}.sqlite3"
    recipe = {
        "generator": _source_hash(demo_database),
        "drill_rows_per_pue": per_pue,
    }

    def build(path: Path) -> None:
        demo_database.build_demo_database(path, drill_rows_per_pue=per_pue)

    return _cached(data_dir / name, recipe, build)


def blob_database(data_dir: Path, size_mib: int) -> Dataset:
    """A WAL database of about `size_mib` MiB: one table of random 4 kB blobs."""
    rows = size_mib * 2**20 // (BLOB_BYTES + 100)
    recipe = {"generator": _source_hash(_fill_blobs), "rows": rows, "blob_bytes": BLOB_BYTES}
    return _cached(
        data_dir / f"blobs_{size_mib}mib.sqlite3", recipe, lambda path: _fill_blobs(path, rows)
    )


def _fill_blobs(path: Path, rows: int) -> None:
    rng = random.Random(20251125)
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute(
            "CREATE TABLE payload (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL,"
            " label TEXT NOT NULL, body BLOB NOT NULL)"
        )
        written = 0
        while written < rows:
            batch = min(BLOB_ROWS_PER_TRANSACTION, rows - written)
            with connection:
                connection.executemany(
                    "INSERT INTO payload (created_at, label, body) VALUES (?, ?, ?)",
                    (
                        (
                            f"2025-09-04T{(written + index) % 24:02d}:00:00",
                            f"item-{written + index}",
                            rng.randbytes(BLOB_BYTES),
                        )
                        for index in range(batch)
                    ),
                )
            written += batch
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def _source_hash(thing: object) -> str:
    source = inspect.getsource(thing)  # type: ignore[arg-type]
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def _cached(path: Path, recipe: dict[str, object], build: Callable[[Path], None]) -> Dataset:
    stamp = path.with_name(path.name + ".json")
    if path.is_file() and stamp.is_file():
        saved = json.loads(stamp.read_text())
        if saved.get("recipe") == recipe:
            return Dataset(path, float(saved["build_seconds"]), reused=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    log.info("building %s …", path.name)
    started = time.perf_counter()
    build(path)
    seconds = time.perf_counter() - started
    stamp.write_text(json.dumps({"recipe": recipe, "build_seconds": seconds}, indent=2))
    log.info("built %s in %.1f s (%.0f MiB)", path.name, seconds, path.stat().st_size / 2**20)
    return Dataset(path, seconds, reused=False)
