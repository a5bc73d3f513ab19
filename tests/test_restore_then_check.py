"""The runbook's promise, end to end with the real console script: after `backup restore
--latest` repaired a table that lost 40 % of its rows, the next `check` is OK — it compares
with what the restore put back, not with the damaged run before it."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from check_project import ROOT
from quality_runs import dbguard, write_config


@pytest.mark.slow
def test_the_check_after_a_good_restore_is_ok(tmp_path: Path, demo_db_template: Path) -> None:
    shutil.copy(demo_db_template, tmp_path / "db.sqlite3")
    write_config(tmp_path, ROOT / "expectations")
    assert dbguard(tmp_path, "backup", "create").returncode == 0
    first = dbguard(tmp_path, "check")
    assert first.returncode == 0, first.stdout[-2000:]

    with sqlite3.connect(tmp_path / "db.sqlite3") as connection:
        connection.execute("DELETE FROM fault_record WHERE id % 5 IN (1, 2)")  # 40 % gone
    connection.close()
    damaged = dbguard(tmp_path, "check")
    assert damaged.returncode == 1

    restored = dbguard(tmp_path, "backup", "restore", "--latest", "--yes")
    assert restored.returncode == 0, restored.stderr
    after = dbguard(tmp_path, "check", "--strict")
    assert after.returncode == 0, after.stdout[-3000:]
    assert "dbguard status: OK" in after.stdout
    html = (tmp_path / "reports" / "latest.html").read_text()
    assert "272 rows (+0.0 % vs the restored backup)" in html
