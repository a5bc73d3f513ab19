"""`dbguard baseline`: only the managed row-count bands change; analysts' entries stay byte-for-byte."""

from __future__ import annotations

import json
import shutil
import sqlite3
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dbguard.check_run import PROJECT_ROOT
from dbguard.config import Config
from dbguard.errors import NotSQLiteError, SuiteError
from dbguard.history import RunRecord, open_history
from dbguard.quality.baseline import BaselineRefusedError, capture_baselines, is_managed
from dbguard.quality.suite_files import dump_suite
from dbguard.quality.suites import load_suites

ANALYST_ENTRY: dict[str, Any] = {
    "description": "PUE of the Beijing sites stays below 2.5 (李娜, OPS-42)",
    "kwargs": {"column": "pue", "max_value": 2.5, "min_value": 1.0, "mostly": 0.99},
    "meta": {"owner": "李娜", "remediation": "call the site engineer", "ticket": {"id": 42}},
    "severity": "warning",
    "type": "expect_column_values_to_be_between",
}


@pytest.fixture
def setup(demo_db: Path, tmp_path: Path) -> Config:
    expectations = tmp_path / "expectations"
    shutil.copytree(PROJECT_ROOT / "expectations", expectations)
    return Config().with_overrides(
        database__path=str(demo_db),
        checks__expectations_dir=str(expectations),
        reports__history=str(tmp_path / "history.sqlite3"),
    )


def record_critical_run(config: Config) -> None:
    """The history of a check run of `config`'s database that found something critical."""
    moment = datetime.now(UTC)
    open_history(config.reports.history).append(
        RunRecord(
            kind="check",
            started_at=moment,
            finished_at=moment,
            database=str(config.database.path),
            status="critical",
        )
    )


def entry_block(entry: dict[str, Any]) -> str:
    """How an entry appears inside a canonical suite file."""
    return textwrap.indent(json.dumps(entry, indent=2, sort_keys=True, ensure_ascii=False), "    ")


def analyst_entries(path: Path) -> list[str]:
    document = json.loads(path.read_text(encoding="utf-8"))
    return [dump_suite(entry) for entry in document["expectations"] if not is_managed(entry)]


def test_recapture_rewrites_only_the_managed_bands(setup: Config, demo_db: Path) -> None:
    suite_path = setup.checks.expectations_dir / "pue_data.json"
    document = json.loads(suite_path.read_text(encoding="utf-8"))
    document["expectations"].insert(3, ANALYST_ENTRY)
    suite_path.write_text(dump_suite(document), encoding="utf-8")
    before_text = suite_path.read_text(encoding="utf-8")
    before_entries = analyst_entries(suite_path)
    assert entry_block(ANALYST_ENTRY) in before_text
    with sqlite3.connect(demo_db) as connection:
        connection.execute("DELETE FROM pue_drill_data WHERE pue_id > 210")
        connection.execute("DELETE FROM pue_comment WHERE pue_id > 210")
        connection.execute("DELETE FROM pue_data WHERE id > 210")

    changes = {
        change.table: change
        for change in capture_baselines(setup, now=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    }

    after_text = suite_path.read_text(encoding="utf-8")
    assert analyst_entries(suite_path) == before_entries
    assert entry_block(ANALYST_ENTRY) in after_text
    assert after_text != before_text
    change = changes["pue_data"]
    assert (change.old, change.new) == (240, 210)
    assert change.change_percent == pytest.approx(-12.5)
    managed = [e for e in json.loads(after_text)["expectations"] if is_managed(e)]
    assert [(e["severity"], e["kwargs"]) for e in managed] == [
        ("warning", {"max_value": 231, "min_value": 189}),
        ("critical", {"max_value": 262, "min_value": 158}),
    ]
    assert {e["meta"]["dbguard"]["captured_at"] for e in managed} == {"2026-01-02T03:04:05+00:00"}
    assert changes["huijugugan"].old == changes["huijugugan"].new == 28


def test_untouched_tables_keep_their_file_bytes_when_counts_are_unchanged(
    setup: Config,
) -> None:
    moment = datetime(2025, 9, 4, tzinfo=UTC)
    capture_baselines(setup, now=moment)
    first = {p.name: p.read_bytes() for p in setup.checks.expectations_dir.glob("*.json")}
    capture_baselines(setup, now=moment)
    assert {p.name: p.read_bytes() for p in setup.checks.expectations_dir.glob("*.json")} == first


def test_table_without_a_suite_gets_one_with_just_the_baseline(
    setup: Config, demo_db: Path
) -> None:
    with sqlite3.connect(demo_db) as connection:
        connection.execute("CREATE TABLE audit_log (id INTEGER PRIMARY KEY, note TEXT)")
        connection.executemany("INSERT INTO audit_log (note) VALUES (?)", [("x",)] * 12)
    changes = capture_baselines(setup, ["audit_log"])
    assert [(c.table, c.old, c.new, c.created) for c in changes] == [("audit_log", None, 12, True)]
    (suite,) = [s for s in load_suites(setup.checks.expectations_dir) if s.table == "audit_log"]
    assert [e.managed for e in suite.expectations] == ["row_count_baseline"] * 2
    assert [e.kwargs for e in suite.expectations] == [
        {"max_value": 14, "min_value": 10},  # small table: at least ±2 rows
        {"max_value": 17, "min_value": 7},  # and ±5 rows
    ]


def test_new_suite_never_overwrites_another_tables_suite_file(setup: Config, demo_db: Path) -> None:
    # "pue data" and "pue_data" both make the file name pue_data.json.
    with sqlite3.connect(demo_db) as connection:
        connection.execute('CREATE TABLE "pue data" (id INTEGER PRIMARY KEY)')
    before = (setup.checks.expectations_dir / "pue_data.json").read_bytes()
    (change,) = capture_baselines(setup, ["pue data"])
    assert (setup.checks.expectations_dir / "pue_data.json").read_bytes() == before
    assert change.created and change.suite_path.name != "pue_data.json"
    tables = [suite.table for suite in load_suites(setup.checks.expectations_dir)]
    assert "pue data" in tables and "pue_data" in tables


def test_suite_meta_overrides_the_configured_percentages(setup: Config) -> None:
    suite_path = setup.checks.expectations_dir / "pue_data.json"
    document = json.loads(suite_path.read_text(encoding="utf-8"))
    document["meta"]["dbguard"] = {"warning_percent": 5, "critical_percent": 15}
    suite_path.write_text(dump_suite(document), encoding="utf-8")
    capture_baselines(setup, ["pue_data"])
    managed = [
        e["kwargs"] for e in json.loads(suite_path.read_text())["expectations"] if is_managed(e)
    ]
    assert managed == [{"max_value": 252, "min_value": 228}, {"max_value": 276, "min_value": 204}]


def test_refuses_after_a_critical_run_unless_accepted(setup: Config) -> None:
    record_critical_run(setup)
    before = {p.name: p.read_bytes() for p in setup.checks.expectations_dir.glob("*.json")}
    with pytest.raises(BaselineRefusedError) as refused:
        capture_baselines(setup)
    assert "critical" in refused.value.message
    assert "--accept" in refused.value.hint
    assert {p.name: p.read_bytes() for p in setup.checks.expectations_dir.glob("*.json")} == before
    assert capture_baselines(setup, accept=True)


def test_unknown_table_is_refused_with_the_choices(setup: Config) -> None:
    with pytest.raises(SuiteError) as raised:
        capture_baselines(setup, ["pue_dta"])
    assert "'pue_dta' is not in" in raised.value.message
    assert "pue_data" in raised.value.hint


def test_unchanged_counts_leave_every_suite_file_untouched_a_day_later(setup: Config) -> None:
    """No `captured_at` rewrite, no new inode, no mode change: nothing for a diff to show."""
    capture_baselines(setup, now=datetime(2025, 9, 4, tzinfo=UTC))
    paths = sorted(setup.checks.expectations_dir.glob("*.json"))
    paths[0].chmod(0o644)
    paths[1].chmod(0o640)
    before = {path.name: (path.read_bytes(), path.stat()) for path in paths}

    changes = capture_baselines(setup, now=datetime(2025, 9, 5, tzinfo=UTC))

    assert changes and not any(change.written for change in changes)
    for path in paths:
        data, status = before[path.name]
        assert path.read_bytes() == data, path
        assert (path.stat().st_ino, path.stat().st_mtime_ns) == (status.st_ino, status.st_mtime_ns)
    assert oct(paths[0].stat().st_mode & 0o777) == "0o644"
    assert oct(paths[1].stat().st_mode & 0o777) == "0o640"


def test_a_changed_suite_keeps_its_mode_and_a_new_suite_gets_0644(
    setup: Config, demo_db: Path
) -> None:
    import os

    suite_path = setup.checks.expectations_dir / "pue_data.json"
    suite_path.chmod(0o664)
    with sqlite3.connect(demo_db) as connection:
        connection.execute("DELETE FROM pue_drill_data WHERE pue_id > 200")
        connection.execute("DELETE FROM pue_comment WHERE pue_id > 200")
        connection.execute("DELETE FROM pue_data WHERE id > 200")
        connection.execute("CREATE TABLE audit_log (id INTEGER PRIMARY KEY)")
    connection.close()
    previous_umask = os.umask(0o077)  # a strict umask must not make a shared suite private
    try:
        changes = {change.table: change for change in capture_baselines(setup)}
    finally:
        os.umask(previous_umask)
    assert changes["pue_data"].written and changes["audit_log"].created
    assert oct(suite_path.stat().st_mode & 0o777) == "0o664"
    assert oct(changes["audit_log"].suite_path.stat().st_mode & 0o777) == "0o644"


def test_baseline_of_a_file_that_is_not_a_database_says_so_not_the_last_run(
    setup: Config, tmp_path: Path
) -> None:
    """Even after a critical run of it, the reason given is the file, not the history."""
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is a spreadsheet, not a database" * 100)
    config = setup.with_overrides(database__path=str(garbage))
    record_critical_run(config)
    with pytest.raises(NotSQLiteError) as raised:
        capture_baselines(config)
    assert raised.value.message == f"{garbage} is not a SQLite database"
