import hashlib
import sqlite3
from pathlib import Path

from dbguard.demo.database import EXPECTED_COUNTS, build_demo_database


def _content_digest(path: Path) -> str:
    connection = sqlite3.connect(path)
    digest = hashlib.sha256()
    for line in connection.iterdump():
        digest.update(line.encode())
    connection.close()
    return digest.hexdigest()


def test_demo_database_has_the_plans_counts(demo_db: Path) -> None:
    connection = sqlite3.connect(demo_db)
    counts = {
        table: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in EXPECTED_COUNTS
    }
    assert counts == EXPECTED_COUNTS
    assert sum(counts.values()) == 14_254
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_demo_database_values_are_consistent(demo_db: Path) -> None:
    connection = sqlite3.connect(demo_db)
    low, high = connection.execute("SELECT MIN(pue), MAX(pue) FROM pue_data").fetchone()
    assert 1.0 <= low <= high <= 3.0
    (worst_sum_gap,) = connection.execute(
        "SELECT MAX(ABS(p.total_energy_kwh - d.total)) FROM pue_data p JOIN "
        "(SELECT pue_id, SUM(energy_kwh) AS total FROM pue_drill_data GROUP BY pue_id) d "
        "ON d.pue_id = p.id"
    ).fetchone()
    assert worst_sum_gap < 0.01
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    (bad_recoveries,) = connection.execute(
        "SELECT COUNT(*) FROM fault_record WHERE recovery_time < start_time"
    ).fetchone()
    assert bad_recoveries == 0


def test_demo_database_is_deterministic(tmp_path: Path) -> None:
    first = build_demo_database(tmp_path / "a" / "db.sqlite3")
    second = build_demo_database(tmp_path / "b" / "db.sqlite3")
    assert _content_digest(first) == _content_digest(second)
