"""Recovery points (dbguard.incident.points): which replica transactions Litestream can restore
one by one, every point listed with its time, a user's --from/--since resolved to a point, and
a point brought back into a scratch folder (real Litestream, real backups)."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from replication_support import (
    ROWS_TABLE,
    dbguard,
    make_database,
    replicating,
    wait_for,
    write_config,
)

from dbguard.config import Config, load_config
from dbguard.errors import ConfigError
from dbguard.incident.points import (
    BACKUP,
    TXID,
    materialize,
    recovery_points,
    replica_points,
    resolve_point,
)
from dbguard.replication.restorable import restorable_txids
from dbguard.replication.state import SNAPSHOT_LEVEL, LtxFile

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def ltx(level: int, low: int, high: int) -> LtxFile:
    return LtxFile(level, low, high, 100, NOW + timedelta(seconds=high))


def test_every_level_zero_transaction_is_restorable_while_the_chain_is_whole() -> None:
    assert restorable_txids([ltx(0, n, n) for n in range(1, 11)]) == list(range(1, 11))


def test_compacted_transactions_survive_only_as_the_coarser_files_ends() -> None:
    # Level 1 holds 1-5 and 6-8; level 0 still holds 4..10 (1..3 were removed).
    files = [ltx(1, 1, 5), ltx(1, 6, 8), *(ltx(0, n, n) for n in range(4, 11))]
    assert restorable_txids(files) == [5, 6, 7, 8, 9, 10]


def test_a_snapshot_starts_the_chain_and_a_gap_ends_it() -> None:
    files = [ltx(SNAPSHOT_LEVEL, 1, 20), ltx(0, 21, 21), ltx(0, 22, 22), ltx(0, 24, 24)]
    assert restorable_txids(files) == [20, 21, 22]


def commit_rows(db: Path, count: int) -> None:
    """`count` rows, one transaction each."""
    with closing(sqlite3.connect(db, isolation_level=None)) as connection:
        for _ in range(count):
            connection.execute(
                f"INSERT INTO {ROWS_TABLE} (committed_at) VALUES (?)", (time.time(),)
            )
            time.sleep(0.02)


def rows_in(path: Path) -> int:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return int(connection.execute(f"SELECT count(*) FROM {ROWS_TABLE}").fetchone()[0])


@pytest.mark.slow
def test_points_list_resolve_and_materialize_replica_and_backups(tmp_path: Path) -> None:
    db = make_database(tmp_path / "app.sqlite3")
    config_path = write_config(tmp_path, db)
    with replicating(config_path, db):
        commit_rows(db, 5)
        made = dbguard(config_path, "backup", "create")
        assert made.returncode == 0, made.stderr
        backup_path = Path(made.stdout.strip().splitlines()[-1])
        for _ in range(4):  # four more replica transactions, each after a sync
            commit_rows(db, 3)
            time.sleep(1.0)
        config = load_config(config_path)
        wait_for(lambda: len(replica_points(config)) >= 5, "five replica transactions")
        final_rows = rows_in(db)
        wait_for(lambda: rows_in_newest(config, tmp_path) == final_rows, "the replica to catch up")

    points = recovery_points(config)
    assert points == sorted(points)
    kinds = {point.kind for point in points}
    assert kinds == {BACKUP, TXID}
    backups = [point for point in points if point.kind == BACKUP]
    assert [point.backup for point in backups] == [backup_path.absolute()]
    transactions = [point for point in points if point.kind == TXID]

    # Each point materializes into the scratch folder with its own state; rows only grow.
    counts = []
    for index, point in enumerate(transactions[-4:]):
        folder = tmp_path / f"scratch-{index}"
        folder.mkdir()
        copy = materialize(config, point, folder)
        assert copy.parent == folder
        counts.append(rows_in(copy))
    assert counts == sorted(counts) and counts[-1] == final_rows and counts[0] < final_rows
    backup_copy = materialize(config, backups[0], tmp_path)
    assert rows_in(backup_copy) == 5

    # The resolver: a backup's name or path, a TXID in either spelling, an ISO time.
    assert resolve_point(config, backup_path.name) == backups[0]
    assert resolve_point(config, str(backup_path)) == backups[0]
    middle = transactions[len(transactions) // 2]
    assert resolve_point(config, f"0x{middle.txid:x}") == middle
    assert resolve_point(config, middle.txid_hex) == middle
    assert resolve_point(config, middle.time.isoformat()) == middle
    later = (middle.time + timedelta(microseconds=1)).astimezone().replace(tzinfo=None)
    assert resolve_point(config, later.isoformat()).time <= later.astimezone(UTC)
    assert middle.to_json() == {"time": middle.time.isoformat(), "txid": middle.txid_hex}

    # Points that do not exist: one clear error each (exit 2 through the CLI).
    newest = transactions[-1].txid
    assert newest is not None
    for wrong, words in (
        (f"0x{newest + 1000:x}", "cannot restore transaction"),
        ("db_19990101_000000.sqlite3", "no such backup"),
        ("1999-01-01T00:00:00Z", "no recovery point at or before"),
        ("yesterday", "is not a backup, a TXID or an ISO 8601 time"),
    ):
        with pytest.raises(ConfigError, match=words):
            resolve_point(config, wrong, option="--since")
    assert not list(db.parent.glob("app.sqlite3.before_restore*"))  # live never touched


def rows_in_newest(config: Config, folder: Path) -> int:
    points = replica_points(config)
    scratch = folder / f"newest-{points[-1].txid_hex}"
    scratch.mkdir(exist_ok=True)
    path = scratch / f"point-{points[-1].txid_hex}.sqlite3"
    if not path.exists():
        materialize(config, points[-1], scratch)
    return rows_in(path)


def test_no_recovery_point_and_postgres_are_bad_input(tmp_path: Path) -> None:
    db = make_database(tmp_path / "app.sqlite3")
    config = load_config(write_config(tmp_path, db))
    with pytest.raises(ConfigError, match="no recovery point"):
        recovery_points(config)
    postgres = tmp_path / "pg.toml"
    postgres.write_text('[database]\nurl = "postgresql+psycopg://u@localhost/app"\n')
    with pytest.raises(ConfigError) as raised:
        recovery_points(load_config(postgres))
    assert "pg_dump" in raised.value.one_line() and "PITR" in raised.value.one_line()


def plan_reaches(files: list[LtxFile], target: int) -> bool:
    """Litestream 0.5's CalcRestorePlan for `-txid target`, written out plainly: the newest
    snapshot at or before it, then each level from 8 down to 0, every file ending after what
    the plan holds and at or before the target, without a gap; restored exactly when the
    plan ends at the target."""
    snapshots = [f.max_txid for f in files if f.level == SNAPSHOT_LEVEL and f.max_txid <= target]
    reached = max(snapshots, default=0)
    for level in range(SNAPSHOT_LEVEL - 1, -1, -1):
        chosen = sorted(
            (f for f in files if f.level == level and reached < f.max_txid <= target),
            key=lambda f: (f.max_txid, f.min_txid),
        )
        for file in chosen:
            if file.min_txid > reached + 1:
                return False
            reached = file.max_txid
    return reached == target


@given(
    st.lists(
        st.tuples(
            st.sampled_from([0, 0, 0, 1, 2, SNAPSHOT_LEVEL]), st.integers(1, 40), st.integers(0, 6)
        ),
        max_size=40,
    )
)
def test_restorable_txids_agree_with_litestreams_restore_plan(
    shapes: list[tuple[int, int, int]],
) -> None:
    files = [
        ltx(level, 1 if level == SNAPSHOT_LEVEL else low, low + width)
        for level, low, width in shapes
    ]
    expected = [t for t in sorted({f.max_txid for f in files}) if plan_reaches(files, t)]
    assert restorable_txids(files) == expected
