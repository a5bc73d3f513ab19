"""Every backup's quality verdict (real backups of the demo, real GX): `backup restore --latest`
skips the damaged backups and restores the good one, naming what it skipped; it refuses when
no backup is usable; `--ignore-quality` restores the newest verified as before; retention keeps
the last good backup; `backup list` shows the verdicts; a verdict is recorded beside the backup
and computed again only when the file or the suites change."""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest
from replication_support import dbguard, write_config

from backup.naming import quality_path

pytestmark = pytest.mark.slow

EXPECTATIONS = Path(__file__).resolve().parent.parent / "expectations"


def faults(path: Path) -> int:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return int(connection.execute("SELECT count(*) FROM fault_record").fetchone()[0])


def delete_half_of_fault_record(db: Path) -> None:
    with closing(sqlite3.connect(db, isolation_level=None)) as connection:
        connection.execute("DELETE FROM fault_record WHERE id % 2 = 0")


def backup(config: Path) -> Path:
    time.sleep(1.05)  # backups are named by the second
    made = dbguard(config, "backup", "create")
    assert made.returncode == 0, made.stderr
    return Path(made.stdout.strip().splitlines()[-1])


def project(tmp_path: Path, demo_db: Path) -> Path:
    config = write_config(tmp_path, demo_db, EXPECTATIONS, enabled=False)
    with config.open("a") as toml:
        toml.write("[backup.retention]\nmin_verified = 1\n")
    return config


def test_restore_latest_skips_damaged_backups_and_names_them(tmp_path: Path, demo_db: Path) -> None:
    config = project(tmp_path, demo_db)
    good = backup(config)
    delete_half_of_fault_record(demo_db)
    damaged = [backup(config), backup(config)]

    target = tmp_path / "restored.sqlite3"
    restored = dbguard(config, "backup", "restore", "--latest", "--yes", "--db", str(target))
    assert restored.returncode == 0, restored.stderr
    for path in damaged:
        assert f"skipped {path.name}: CRITICAL (fault_record row count" in restored.stdout
    assert f"chose {good.name}: OK" in restored.stdout
    assert faults(target) == 272
    # Recorded beside each backup it judged.
    for path in (good, *damaged):
        recorded = json.loads(quality_path(path).read_text())
        assert recorded["quality"]["verdict"] == ("ok" if path == good else "critical")

    # --ignore-quality: the newest verified backup, the damage itself, as before.
    plain = tmp_path / "plain.sqlite3"
    ignored = dbguard(
        config, "backup", "restore", "--latest", "--ignore-quality", "--yes", "--db", str(plain)
    )
    assert ignored.returncode == 0, ignored.stderr
    assert faults(plain) == 136 and "skipped" not in ignored.stdout

    # backup list shows each verdict, and --json has it.
    listed = dbguard(config, "backup", "list", "--json")
    rows = {row["name"]: row for row in json.loads(listed.stdout) if row["kind"] == "backup"}
    assert rows[good.name]["quality"]["verdict"] == "ok"
    assert rows[damaged[0].name]["quality"]["verdict"] == "critical"
    assert "fault_record row count" in rows[damaged[0].name]["quality_text"]

    # Retention keeps the last good backup even when newer damaged ones would push it out.
    pruned = dbguard(
        config, "backup", "prune", "--keep-last", "1", "--keep-daily", "0",
        "--keep-weekly", "0", "--keep-monthly", "0", "--keep-within", "0",
    )  # fmt: skip
    assert pruned.returncode == 0, pruned.stderr
    assert good.exists() and damaged[1].exists() and not damaged[0].exists()
    assert "newest not CRITICAL" in pruned.stdout
    assert not quality_path(damaged[0]).exists()  # its record went with it


def test_restore_latest_refuses_when_no_backup_is_usable_and_lists_verdicts(
    tmp_path: Path, demo_db: Path
) -> None:
    config = project(tmp_path, demo_db)
    delete_half_of_fault_record(demo_db)
    damaged = backup(config)
    target = tmp_path / "restored.sqlite3"
    refused = dbguard(config, "backup", "restore", "--latest", "--yes", "--db", str(target))
    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "no usable backup" in lines[0]
    assert f"{damaged.name}: CRITICAL" in lines[0] and "--ignore-quality" in lines[0]
    assert not target.exists()


def test_list_shows_not_checked_then_quality_computes_and_suites_change_recomputes(
    tmp_path: Path, demo_db: Path
) -> None:
    expectations = tmp_path / "suites"
    expectations.mkdir()
    for suite in EXPECTATIONS.glob("*.json"):
        (expectations / suite.name).write_bytes(suite.read_bytes())
    config = write_config(tmp_path, demo_db, expectations, enabled=False)
    made = backup(config)

    listed = dbguard(config, "backup", "list")
    assert "not checked" in listed.stdout
    computed = dbguard(config, "backup", "list", "--quality", "--json")
    row = next(row for row in json.loads(computed.stdout) if row["kind"] == "backup")
    assert row["quality"]["verdict"] == "ok"
    first = json.loads(quality_path(made).read_text())

    # Same file, same suites: the record is reused (nothing judged again).
    again = dbguard(config, "backup", "list", "--quality", "--json")
    assert json.loads(quality_path(made).read_text()) == first
    assert json.loads(again.stdout)[0]["quality"] == row["quality"]

    # The suites change: the old verdict no longer counts until judged again.
    suite = expectations / "fault_record.json"
    document = json.loads(suite.read_text())
    document["expectations"][1]["kwargs"]["min_value"] = 300  # the critical band now fails
    suite.write_text(json.dumps(document, indent=2))
    stale = dbguard(config, "backup", "list", "--json")
    assert json.loads(stale.stdout)[0]["quality"] is None
    judged = dbguard(config, "backup", "list", "--quality", "--json")
    assert json.loads(judged.stdout)[0]["quality"]["verdict"] == "critical"


def test_check_and_verify_record_the_verdict_beside_the_backup(
    tmp_path: Path, demo_db: Path
) -> None:
    config = project(tmp_path, demo_db)
    good = backup(config)
    checked = dbguard(config, "check", timeout=600)
    assert checked.returncode in (0, 1), checked.stderr
    recorded = json.loads(quality_path(good).read_text())  # check's backup target judged it
    assert recorded["quality"]["verdict"] == "ok"

    delete_half_of_fault_record(demo_db)
    damaged = backup(config)
    verified = dbguard(config, "backup", "verify")
    assert verified.returncode == 0, verified.stderr
    assert f"ok   {damaged} (data CRITICAL (fault_record row count" in verified.stdout
    assert f"ok   {good} (data OK)" in verified.stdout
    assert json.loads(quality_path(damaged).read_text())["quality"]["verdict"] == "critical"
    quick = dbguard(config, "backup", "verify", "--no-quality", str(damaged))
    assert quick.returncode == 0 and quick.stdout.strip() == f"ok   {damaged}"
