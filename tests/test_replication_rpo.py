"""RPO: a writer commits numbered rows at about 200 a second while `dbguard replicate` (the real
Litestream) runs; the writer is SIGKILLed; two sync intervals later, a restore from the
replica holds every row committed up to one sync interval before the kill — into a folder
replica, and into S3 (a local moto_server on 127.0.0.1)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

import pytest
from replication_support import (
    SYNC_INTERVAL,
    committed_rows,
    dbguard,
    make_database,
    moto_s3,
    replicating,
    write_config,
    writing,
)

pytestmark = pytest.mark.slow

RATE = 200.0
WRITE_SECONDS = 3.0


def kill_writer_and_restore(
    folder: Path, config: Path, db: Path, environment: Mapping[str, str] | None = None
) -> tuple[dict[int, float], dict[int, float], float]:
    """(rows committed in the live DB, rows in the replica's restore, time of the kill)."""
    with replicating(config, db, environment):
        with writing(db, RATE) as writer:
            time.sleep(WRITE_SECONDS)
            writer.kill()
            killed_at = time.time()
            writer.wait(timeout=10)
        time.sleep(2 * SYNC_INTERVAL)
        restored = folder / "restored.sqlite3"
        result = dbguard(
            config,
            "backup",
            "restore",
            "--from-replica",
            "--db",
            str(restored),
            "--yes",
            environment=environment,
        )
        assert result.returncode == 0, result.stderr
    return committed_rows(db), committed_rows(restored), killed_at


def assert_nothing_older_than_one_interval_lost(
    live: dict[int, float], restored: dict[int, float], killed_at: float
) -> None:
    assert len(live) >= RATE * WRITE_SECONDS * 0.5, f"the writer committed only {len(live)} rows"
    must_have = {row for row, at in live.items() if at <= killed_at - SYNC_INTERVAL}
    missing = sorted(must_have - set(restored))
    assert not missing, f"{len(missing)} rows lost, the first {missing[:5]}"
    assert set(restored) <= set(live), "the restore holds rows the live database never had"
    assert restored == {row: live[row] for row in restored}


def test_rpo_with_a_folder_replica(tmp_path: Path) -> None:
    db = make_database(tmp_path / "app.sqlite3")
    config = write_config(tmp_path, db, replica="replica")
    live, restored, killed_at = kill_writer_and_restore(tmp_path, config, db)
    assert_nothing_older_than_one_interval_lost(live, restored, killed_at)


def test_rpo_with_an_s3_replica(tmp_path: Path) -> None:
    db = make_database(tmp_path / "app.sqlite3")
    with moto_s3("dbguard-rpo") as (endpoint, environment):
        config = write_config(
            tmp_path,
            db,
            replica="s3://dbguard-rpo/app",
            endpoint=endpoint,
            region="us-east-1",
            force_path_style=True,
        )
        live, restored, killed_at = kill_writer_and_restore(tmp_path, config, db, environment)
    assert_nothing_older_than_one_interval_lost(live, restored, killed_at)
