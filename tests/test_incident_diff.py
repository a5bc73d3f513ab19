"""`dbguard incident diff` on real damage: a backup, a real writer inserting throughout, a bad
DELETE and UPDATE. The diff lists exactly the deleted ids, the changed ids with their before
and after values, and the writer's rows as inserted; `--out` has every row; live is only read;
bad input is one line and exit 2."""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from alert_receiver import dbguard
from incident_damage import CHANGED_PUE, damage, write_project

from dbguard.incident.diff import diff_databases
from dbguard.incident.tables import DiffError


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_diff_names_the_deleted_changed_and_inserted_rows(tmp_path: Path, demo_db: Path) -> None:
    done = damage(tmp_path, demo_db)
    assert done.written, "the writer committed nothing"
    with contextlib.closing(sqlite3.connect(demo_db)) as live:
        live.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = digest(demo_db)

    result = dbguard(
        "incident",
        "diff",
        "--from",
        str(done.point),
        "--json",
        "--out",
        "lost.sqlite3",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    tables = json.loads(result.stdout)["tables"]
    faults, pue = tables["fault_record"], tables["pue_data"]
    assert sorted(faults["deleted_keys"]) == sorted(done.deleted)
    assert faults["deleted"] == len(done.deleted)
    assert faults["changed"] == 0
    assert faults["inserted"] == len(done.written)
    assert pue["changed"] == 10 and pue["deleted"] == pue["inserted"] == 0
    assert sorted(pue["changed_keys"]) == sorted(done.changed)
    for row in pue["changed_rows"]:
        assert row["changes"] == {"pue": [done.changed[row["key"]["id"]], CHANGED_PUE]}
    assert all(
        tables[t]["deleted"] == tables[t]["changed"] == 0 for t in ("huijugugan", "pue_comment")
    )
    assert digest(demo_db) == before  # live was only read

    with contextlib.closing(sqlite3.connect(tmp_path / "lost.sqlite3")) as out:
        rows = out.execute(
            "SELECT * FROM fault_record WHERE _kind = 'deleted' ORDER BY id"
        ).fetchall()
        assert [tuple(row[2:]) for row in rows] == [done.deleted[i] for i in sorted(done.deleted)]
        sides = out.execute(
            "SELECT _side, id, pue FROM pue_data WHERE _kind = 'changed' ORDER BY _side, id"
        ).fetchall()
        assert sides == [("live", i, CHANGED_PUE) for i in sorted(done.changed)] + [
            ("point", i, done.changed[i]) for i in sorted(done.changed)
        ]

    printed = dbguard("incident", "diff", "--from", str(done.point), cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert (
        f"fault_record: {len(done.deleted)} deleted, 0 changed, {len(done.written)} inserted"
        in printed.stdout
    )
    assert f"pue: {next(iter(done.changed.values()))!r} -> {CHANGED_PUE!r}" in printed.stdout


def test_a_dropped_table_and_schema_drift_are_reported_not_diffed(
    tmp_path: Path, demo_db: Path
) -> None:
    point = tmp_path / "point.sqlite3"
    with contextlib.closing(sqlite3.connect(demo_db)) as live:
        with contextlib.closing(sqlite3.connect(point)) as copy:
            live.backup(copy)
        live.execute("DROP TABLE pue_comment")
        live.execute("ALTER TABLE huijugugan ADD COLUMN rack TEXT")
        live.execute("CREATE TABLE audit_note (id INTEGER PRIMARY KEY, note TEXT)")
        live.execute("INSERT INTO audit_note (note) VALUES ('a'), ('b')")
        live.commit()
    result = diff_databases(point, demo_db, ())
    assert result.tables["pue_comment"].status == "dropped"
    assert result.tables["pue_comment"].counts["deleted"] == 34
    assert result.drift["huijugugan"].added == ("rack",)
    assert "huijugugan" not in result.tables
    assert result.tables["audit_note"].status == "new"
    assert result.tables["audit_note"].counts["inserted"] == 2


def keyless(path: Path, rows: list[str]) -> None:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE readings (sensor TEXT, value REAL)")
        connection.executemany("INSERT INTO readings VALUES (?, 1.0)", [(r,) for r in rows])
        connection.commit()


def test_a_table_without_key_is_matched_by_rowid(tmp_path: Path) -> None:
    keyless(tmp_path / "point.sqlite3", ["a", "b", "c", "d"])
    keyless(tmp_path / "live.sqlite3", ["a", "b", "c", "d"])
    with contextlib.closing(sqlite3.connect(tmp_path / "live.sqlite3")) as live:
        live.execute("DELETE FROM readings WHERE sensor = 'b'")
        live.execute("UPDATE readings SET value = 2.0 WHERE sensor = 'd'")
        live.commit()
    result = diff_databases(tmp_path / "point.sqlite3", tmp_path / "live.sqlite3", (), keys=True)
    table = result.tables["readings"]
    assert table.key == ("rowid",)
    assert (table.deleted_keys, table.changed_keys) == ([2], [4])


def test_rowids_reused_after_vacuum_are_refused(tmp_path: Path) -> None:
    live_db = tmp_path / "live.sqlite3"
    keyless(live_db, ["a", "b", "c", "d"])
    write_project(tmp_path, live_db)
    assert dbguard("backup", "create", cwd=tmp_path).returncode == 0
    (point,) = (tmp_path / "backups").glob("db_*.sqlite3")
    with contextlib.closing(sqlite3.connect(live_db, isolation_level=None)) as live:
        live.execute("DELETE FROM readings WHERE sensor = 'b'")
        live.execute("VACUUM")  # renumbers c and d to rowids 2 and 3
    with pytest.raises(DiffError, match="rowids were reused"):
        diff_databases(point, live_db, ())
    refused = dbguard("incident", "diff", "--from", point.name, cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "rowids were reused" in refused.stderr


def test_ignored_tables_are_left_out(tmp_path: Path, demo_db: Path) -> None:
    point = tmp_path / "point.sqlite3"
    with contextlib.closing(sqlite3.connect(demo_db)) as live:
        with contextlib.closing(sqlite3.connect(point)) as copy:
            live.backup(copy)
        live.execute("DELETE FROM pue_comment")
        live.commit()
    assert "pue_comment" not in diff_databases(point, demo_db, ("pue_*",)).tables


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "db_20200101_000000.sqlite3"], "no such backup"),
        (["--from", "2001-01-01T00:00:00Z"], "no recovery point at or before"),
        ([], "needs a recovery point"),
        (["--from", "BACKUP", "--out", "dbguard.toml"], "exists already"),
        (["--db", "postgresql://u@127.0.0.1:1/x", "--from", "BACKUP"], "PostgreSQL"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, demo_db: Path, args: list[str], message: str
) -> None:
    write_project(tmp_path, demo_db)
    assert dbguard("backup", "create", cwd=tmp_path).returncode == 0
    (point,) = (tmp_path / "backups").glob("db_*.sqlite3")
    args = [point.name if arg == "BACKUP" else arg for arg in args]
    result = dbguard("incident", "diff", *args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
