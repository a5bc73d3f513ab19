"""`dbguard baseline` keeps each table's schema snapshot in its suite; `dbguard lint` explains a
drift from it and how to accept it."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dbguard.check_run import PROJECT_ROOT
from dbguard.config import Config
from dbguard.quality.baseline import capture_baselines
from dbguard.quality.lint import lint_suites
from dbguard.quality.schema_snapshot import snapshot_of

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def project(tmp_path: Path, demo_db_template: Path) -> Config:
    shutil.copy(demo_db_template, tmp_path / "db.sqlite3")
    shutil.copytree(PROJECT_ROOT / "expectations", tmp_path / "expectations")
    return Config().with_overrides(
        database__path=str(tmp_path / "db.sqlite3"),
        checks__expectations_dir=str(tmp_path / "expectations"),
        reports__history=str(tmp_path / "history.sqlite3"),
    )


def suite_of(config: Config, table: str) -> dict[str, object]:
    return dict(json.loads((config.checks.expectations_dir / f"{table}.json").read_text()))


def test_baseline_keeps_the_schema_and_rewrites_it_only_when_it_changed(
    tmp_path: Path, demo_db_template: Path
) -> None:
    config = project(tmp_path, demo_db_template)
    capture_baselines(config, now=NOW)
    snapshot = snapshot_of(suite_of(config, "huijugugan"))
    assert snapshot is not None
    assert [(c.name, c.type, c.not_null, c.primary_key) for c in snapshot[:2]] == [
        ("id", "INTEGER", False, 1),
        ("node_name", "TEXT", True, 0),
    ]
    first = suite_of(config, "huijugugan")["meta"]
    capture_baselines(config, now=NOW + timedelta(days=1))
    assert suite_of(config, "huijugugan")["meta"] == first  # unchanged schema: same capture time


def test_lint_explains_drift_and_baseline_accepts_it(
    tmp_path: Path, demo_db_template: Path
) -> None:
    config = project(tmp_path, demo_db_template)
    capture_baselines(config, now=NOW)
    assert lint_suites(config) == []
    with sqlite3.connect(config.database.path) as connection:
        connection.execute("ALTER TABLE huijugugan ADD COLUMN rack TEXT")
        connection.execute("ALTER TABLE pue_comment DROP COLUMN content")
    connection.close()
    problems = [problem for problem in lint_suites(config) if "schema" in problem.message]
    said = {problem.message: problem.fix for problem in problems}
    added = "schema of 'huijugugan' changed since its snapshot: column 'rack' added (TEXT) (warning in `dbguard check`)"
    removed = "schema of 'pue_comment' changed since its snapshot: column 'content' removed (TEXT) (critical in `dbguard check`)"
    assert set(said) == {added, removed}
    assert "dbguard baseline --table huijugugan" in said[added]
    capture_baselines(config, ["huijugugan"], now=NOW)
    assert not [p for p in lint_suites(config) if "huijugugan" in p.message]
