"""`dbguard suggest` on real SQLite files: what it proposes, that it only appends, that a
second run proposes nothing, and that every suite it writes passes lint."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from analyst_databases import build_generated_database, quoted

from dbguard.check_run import PROJECT_ROOT
from dbguard.config import Config
from dbguard.quality.lint import lint_suites
from dbguard.quality.queries import batch_sql
from dbguard.quality.suggest.apply import SuiteSuggestions, suggest
from dbguard.quality.suites import load_suites

NOW = datetime.now(UTC).replace(microsecond=0)


def config_for(folder: Path, db: Path) -> Config:
    return Config().with_overrides(
        database__path=str(db), checks__expectations_dir=str(folder / "expectations")
    )


def kinds(result: SuiteSuggestions) -> set[tuple[str, tuple[str, ...]]]:
    return {(proposal.kind, proposal.columns) for proposal in result.proposals}


def by_table(results: list[SuiteSuggestions]) -> dict[str, SuiteSuggestions]:
    return {result.table: result for result in results}


@pytest.fixture
def awkward(tmp_path: Path) -> Config:
    db = tmp_path / "db.sqlite3"
    build_generated_database(db, NOW, awkward=True)
    return config_for(tmp_path, db)


def test_proposes_every_kind_on_tables_no_suite_was_written_for(awkward: Config) -> None:
    results = by_table(suggest(awkward, now=NOW))
    order = kinds(results["order"])
    assert {("not_null", ("external_id",)), ("not_null", ("amount",))} <= order
    assert {("unique", ("id",)), ("unique", ("external_id",)), ("in_set", ("status",))} <= order
    assert {
        ("range", ("amount",)),
        ("format", ("created_at",)),
        ("range", ("created_at",)),
    } <= order
    assert ("freshness", ("created_at",)) in order
    items = kinds(results["order items"])
    assert {("unique", ("order_id", "line_no")), ("reference", ("order_id",))} <= items
    assert {("range", ("quantity",)), ("format", ("sku",))} <= items
    assert ("range", ("line_no",)) not in items  # a key part, not a measurement
    weird = kinds(results['we"ird'])
    assert {("format", ("a.b",)), ("unique", ("label",)), ("unique", ("ticket_no",))} <= weird
    assert ("in_set", ("a.b",)) not in weird  # a YYYY-MM column grows: a format, not a set
    dotted = kinds(results["a.b"])
    assert {("format", ("uuid",)), ("in_set", ("kind",))} <= dotted
    assert ("not_null", ("note",)) not in dotted
    assert all(result.created and not result.written for result in results.values())


def test_proposals_are_warnings_with_their_evidence(awkward: Config) -> None:
    results = by_table(suggest(awkward, now=NOW))
    for result in results.values():
        for proposal in result.proposals:
            if proposal.entry is None:
                assert proposal.freshness is not None
                assert proposal.freshness["warning_after"] == "2h"
                assert proposal.freshness["critical_after"] == "26h"
                continue
            assert proposal.entry["severity"] == "warning"
            suggested = proposal.entry["meta"]["dbguard"]["suggested"]
            assert suggested["captured_at"] == NOW.isoformat(timespec="seconds")
            assert suggested["observed"]["rows"] == result.rows
    amount = next(p for p in results["order"].proposals if p.kind == "range")
    assert amount.entry is not None
    low, high = amount.entry["kwargs"]["min_value"], amount.entry["kwargs"]["max_value"]
    seen = amount.entry["meta"]["dbguard"]["suggested"]["observed"]
    assert 0 <= low < seen["minimum"] and seen["maximum"] < high


def test_write_passes_lint_and_a_second_run_changes_no_byte(awkward: Config) -> None:
    database = Path(awkward.database.path)
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    written = suggest(awkward, write=True, now=NOW)
    assert all(result.written for result in written)
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before  # profiled read-only
    assert {suite.table for suite in load_suites(awkward.checks.expectations_dir)} == {
        "order",
        "order items",
        'we"ird',
        "a.b",
        "sensor_reading",
    }
    assert lint_suites(awkward) == []
    files = {path: path.read_bytes() for path in awkward.checks.expectations_dir.glob("*.json")}
    again = suggest(awkward, write=True, now=NOW + timedelta(hours=1))
    assert [result.proposals for result in again] == [[] for _ in again]
    assert not any(result.written for result in again)
    assert {path: path.read_bytes() for path in files} == files


def test_reference_query_is_portable_sql_that_finds_orphans(awkward: Config) -> None:
    results = by_table(suggest(awkward, now=NOW))
    reference = next(p for p in results["order items"].proposals if p.kind == "reference")
    assert reference.entry is not None
    query = reference.entry["kwargs"]["unexpected_rows_query"]
    assert '"order"' in query and "{batch} AS child LEFT JOIN" in query
    sql = batch_sql(query, "order items")
    with sqlite3.connect(awkward.database.path) as connection:
        assert connection.execute(sql).fetchall() == []
        connection.execute(f"INSERT INTO {quoted('order items')} VALUES (999, 1, 'SKU-0001', 1)")
        assert connection.execute(sql).fetchall() == [(999, 1)]  # the key names the row
    results = by_table(suggest(awkward, now=NOW))
    assert not any(p.kind == "reference" for p in results["order items"].proposals)
    assert any(
        "1 row(s) already have no order row" in s.why for s in results["order items"].not_proposed
    )


def test_a_historical_table_gets_no_freshness_rule(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    build_generated_database(db, NOW - timedelta(days=30))
    results = by_table(suggest(config_for(tmp_path, db), now=NOW))
    assert not any(p.kind == "freshness" for p in results["orders"].proposals)
    why = " ".join(s.why for s in results["orders"].not_proposed)
    assert "looks historical" in why


def test_analyst_entries_are_never_touched(tmp_path: Path, demo_db_template: Path) -> None:
    shutil.copytree(PROJECT_ROOT / "expectations", tmp_path / "expectations")
    config = config_for(tmp_path, demo_db_template)
    originals = {
        path.name: json.loads(path.read_text())
        for path in (tmp_path / "expectations").glob("*.json")
    }
    results = by_table(suggest(config, write=True, now=NOW))
    for path in (tmp_path / "expectations").glob("*.json"):
        document = json.loads(path.read_text())
        old = originals[path.name]["expectations"]
        assert document["expectations"][: len(old)] == old  # kept, in place, first
        for entry in document["expectations"][len(old) :]:
            assert entry["severity"] == "warning" and "suggested" in entry["meta"]["dbguard"]
    # What the analysts' suites already check is not proposed again.
    assert ("in_set", ("status",)) not in kinds(results["fault_record"])
    assert ("unique", ("id",)) not in kinds(results["pue_data"])  # their id_is_unique query
    assert ("unique", ("site", "month")) not in kinds(results["pue_data"])
    assert ("format", ("month",)) not in kinds(results["pue_data"])  # their length rule
    assert ("reference", ("pue_id",)) not in kinds(results["pue_comment"])
    assert ("in_set", ("author",)) in kinds(results["pue_comment"])
    assert lint_suites(config) == []


def run_cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "dbguard",
            "--config",
            str(folder / "dbguard.toml"),
            "suggest",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=folder,
    )


def test_cli_shows_a_readable_diff_json_and_one_line_errors(tmp_path: Path) -> None:
    build_generated_database(tmp_path / "db.sqlite3", NOW, awkward=True)
    (tmp_path / "dbguard.toml").write_text(
        '[database]\npath = "db.sqlite3"\n[checks]\nexpectations_dir = "expectations"\n'
    )
    shown = run_cli(tmp_path, "--table", 'we"ird')
    assert shown.returncode == 0, shown.stderr
    assert "+ warning  a.b is written as YYYY-MM" in shown.stdout
    assert "nothing written: run again with --write" in shown.stdout
    assert not (tmp_path / "expectations").exists()
    listed = run_cli(tmp_path, "--table", "a.b", "--json")
    assert listed.returncode == 0, listed.stderr
    (suite,) = json.loads(listed.stdout)
    assert suite["table"] == "a.b" and {p["kind"] for p in suite["proposals"]} >= {
        "format",
        "in_set",
    }
    missing = run_cli(tmp_path, "--table", "nope")
    assert missing.returncode == 2
    assert missing.stderr.startswith("dbguard: error: table 'nope' is not in")
    assert len(missing.stderr.strip().splitlines()) == 1
