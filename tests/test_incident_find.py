"""`dbguard incident find`: a real writer adds fault_record rows while `dbguard replicate` (real
Litestream) runs; then a bad DELETE of 40 % of fault_record and an UPDATE of 10 pue_data rows
to pue = 9.9; the writer goes on for 5 s. find bisects the replica's transactions (real GX on
each restored point) and returns the transaction just before the damage. Bad inputs: one line,
exit 2."""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from replication_support import (
    dbguard,
    replicating,
    wait_for,
    write_config,
    writing,
)

from dbguard.config import load_config
from dbguard.history import CHECK, RunRecord, open_history
from dbguard.history.incidents import IncidentStore
from dbguard.incident.points import Point, materialize, replica_points
from dbguard.incident.records import record_run

EXPECTATIONS = Path(__file__).resolve().parent.parent / "expectations"


def counts(path: Path) -> tuple[int, int]:
    """fault_record rows, pue_data rows with pue = 9.9."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        faults = connection.execute("SELECT count(*) FROM fault_record").fetchone()[0]
        broken = connection.execute("SELECT count(*) FROM pue_data WHERE pue = 9.9").fetchone()[0]
    return int(faults), int(broken)


def damage(db: Path) -> int:
    """The bad DELETE (40 % of fault_record) and the bad UPDATE (10 pue rows), as an operator
    would type them; returns fault_record's row count just before."""
    with closing(sqlite3.connect(db, isolation_level=None, timeout=30)) as connection:
        connection.execute("BEGIN IMMEDIATE")
        (before,) = connection.execute("SELECT count(*) FROM fault_record").fetchone()
        connection.execute(
            "DELETE FROM fault_record WHERE id IN "
            "(SELECT id FROM fault_record ORDER BY id LIMIT ?)",
            (int(before * 0.4),),
        )
        # One script, one transaction: both land in the same replica transaction.
        connection.execute(
            "UPDATE pue_data SET pue = 9.9 WHERE id IN (SELECT id FROM pue_data ORDER BY id LIMIT 10)"
        )
        connection.execute("COMMIT")
    return int(before)


def open_an_incident(config_path: Path) -> None:
    config = load_config(config_path)
    moment = datetime.now(UTC)
    history = open_history(config.reports.history)
    record_run(history, RunRecord(CHECK, moment, moment, config.database.key, "critical", 1))


@pytest.mark.slow
def test_find_returns_the_transaction_just_before_the_damage(tmp_path: Path, demo_db: Path) -> None:
    config_path = write_config(tmp_path, demo_db, EXPECTATIONS)
    config = load_config(config_path)
    with replicating(config_path, demo_db), writing(demo_db, 2.0, 60.0, copy_row="fault_record"):
        time.sleep(6.0)  # the writer's rows arrive, transaction by transaction
        before = damage(demo_db)
        time.sleep(5.0)  # the writer goes on
        newest_txid = replica_points(config)[-1].txid
        assert newest_txid is not None
        wait_for(
            lambda: (replica_points(config)[-1].txid or 0) > newest_txid + 1,
            "the writer's later transactions to reach the replica",
        )
    open_an_incident(config_path)

    found = dbguard(config_path, "incident", "find", "--json", timeout=300)
    assert found.returncode == 0, found.stderr
    result = json.loads(found.stdout)
    good, bad = result["last_good"], result["first_bad"]
    assert int(bad["txid"], 16) == int(good["txid"], 16) + 1, result["precision"]
    assert datetime.fromisoformat(good["time"]) <= datetime.fromisoformat(bad["time"])
    assert "fault_record row count" in result["flipped"]
    assert any(rule.startswith("pue_data") and "pue" in rule for rule in result["flipped"])
    assert "transaction" in result["precision"] and "did it" in result["precision"]
    # Bisection, not a scan: about log2 of the points, plus the two ends.
    assert result["probes"] <= result["points"].bit_length() + 3 < result["points"]

    # The last good point holds the writer's rows up to the damage and none of the damage;
    # the first bad one holds the damage.
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    good_rows, good_broken = counts(materialize(config, point_of(good), scratch))
    bad_rows, _ = counts(materialize(config, point_of(bad), scratch))
    assert before - 2 <= good_rows <= before and good_broken == 0
    assert bad_rows < before * 0.7

    # Recorded in the open incident.
    incident = IncidentStore(open_history(config.reports.history)).incidents(
        config.database.key, limit=1
    )[0]
    assert incident.assessment is not None
    assert incident.assessment.last_good is not None
    assert incident.assessment.last_good.txid == good["txid"]
    assert "fault_record row count" in incident.assessment.flipped

    text = dbguard(config_path, "incident", "find", timeout=300)
    assert text.returncode == 0, text.stderr
    assert f"last good: TXID 0x{int(good['txid'], 16):x}" in text.stdout
    assert "flipped rules: " in text.stdout and "note: bisection assumes" in text.stdout


def point_of(shape: dict[str, str]) -> Point:
    return Point(datetime.fromisoformat(shape["time"]), "txid", txid=int(shape["txid"], 16))


@pytest.mark.slow
def test_nothing_to_find_when_live_passes_and_no_good_point_says_how_far_back(
    tmp_path: Path, demo_db: Path
) -> None:
    config_path = write_config(tmp_path, demo_db, EXPECTATIONS, enabled=False)
    made = dbguard(config_path, "backup", "create")
    assert made.returncode == 0, made.stderr
    calm = dbguard(config_path, "incident", "find")
    assert calm.returncode == 0, calm.stderr
    assert "nothing to find" in calm.stdout

    damage(demo_db)
    time.sleep(1.1)  # backups are named by the second
    made = dbguard(config_path, "backup", "create")
    assert made.returncode == 0, made.stderr
    since = Path(made.stdout.strip().splitlines()[-1]).name
    lost = dbguard(config_path, "incident", "find", "--since", since, "--json")
    assert lost.returncode == 1, lost.stderr
    result = json.loads(lost.stdout)
    assert result["last_good"] is None and result["oldest"]["backup"].endswith(since)
    printed = dbguard(config_path, "incident", "find", "--since", since)
    assert printed.returncode == 1
    assert f"every point as far back as backup {since}" in printed.stdout

    # Over both backups: the good one is the last good point, the damaged one the first bad.
    both = dbguard(config_path, "incident", "find", "--json")
    assert both.returncode == 0, both.stderr
    result = json.loads(both.stdout)
    assert result["first_bad"]["backup"].endswith(since)
    assert result["last_good"]["backup"] != result["first_bad"]["backup"]


@pytest.mark.parametrize(
    ("setup", "arguments", "words"),
    [
        ("nothing", (), "no recovery point"),
        ("backup", ("--since", "0x99999"), "cannot restore transaction"),
        ("backup", ("--since", "2001-01-01T00:00:00Z"), "no recovery point at or before"),
        ("postgres", (), "pg_dump"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, demo_db_template: Path, setup: str, arguments: tuple[str, ...], words: str
) -> None:
    db = tmp_path / "db.sqlite3"
    db.write_bytes(demo_db_template.read_bytes())
    config_path = write_config(tmp_path, db, EXPECTATIONS, enabled=False)
    if setup == "backup":
        assert dbguard(config_path, "backup", "create").returncode == 0
    if setup == "postgres":
        config_path.write_text('[database]\nurl = "postgresql+psycopg://u@localhost/app"\n')
    before = db.read_bytes()
    result = dbguard(config_path, "incident", "find", *arguments)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dbguard: error:") and words in lines[0]
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == before  # never writes live
