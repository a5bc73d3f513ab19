"""`dbguard init`: dbguard.toml beside one's own database with paths that work, a suite per
table (baseline and suggestions as warnings), a second run that keeps what is there, the
database never written, and bad input as one line and exit 2 with nothing written."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from dbguard.check_run import CHECKS_DIR
from dbguard.cli import main
from dbguard.config import load_config
from dbguard.errors import ConfigError, DatabaseError
from dbguard.init_project import init_project

DEMO_TABLES = ["fault_record", "huijugugan", "pue_comment", "pue_data", "pue_drill_data"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def suite_entries(folder: Path, table: str) -> list[dict[str, object]]:
    document = json.loads((folder / "expectations" / f"{table}.json").read_text())
    entries: list[dict[str, object]] = document["expectations"]
    return entries


def dbguard_meta(entry: dict[str, object]) -> dict[str, object]:
    meta = entry.get("meta") or {}
    assert isinstance(meta, dict)
    return meta.get("dbguard") or {}


def test_init_writes_config_beside_the_database_with_paths_of_that_folder(
    demo_db: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    before = sha256(demo_db)
    result = init_project(str(demo_db), cwd=elsewhere)

    folder = demo_db.parent
    assert result.config_path == folder / "dbguard.toml" and result.config_written
    config = load_config(result.config_path)
    assert config.database.path == demo_db
    assert config.checks.expectations_dir == folder / "expectations"
    assert config.backup.dir == folder / "backups"
    assert config.archive.dir == folder / "backups" / "archives"
    assert config.archive.source == folder
    assert config.reports.dir == folder / "reports"
    assert not (elsewhere / "dbguard.toml").exists()
    assert result.checks_dir == CHECKS_DIR
    assert sorted(result.new_suites) == DEMO_TABLES and result.suggested_rules > 0
    for table in DEMO_TABLES:
        entries = suite_entries(folder, table)
        managed = [e for e in entries if dbguard_meta(e).get("managed") == "row_count_baseline"]
        assert sorted(str(e["severity"]) for e in managed) == ["critical", "warning"]
        suggested = [e for e in entries if "suggested" in dbguard_meta(e)]
        assert suggested and {e["severity"] for e in suggested} == {"warning"}
    assert sha256(demo_db) == before  # only ever read
    commands = [command for command, _ in result.next_commands(elsewhere)]
    assert commands[0].startswith(f"cd {folder} && ") and commands[0].endswith("dbguard check")
    assert [c.split("&& ")[-1] for c in commands[1:]] == [
        "dbguard schedule --install",
        "dbguard replicate",
    ]


def test_second_run_keeps_config_and_suites_and_gives_new_tables_theirs(demo_db: Path) -> None:
    init_project(str(demo_db))
    folder = demo_db.parent
    config_path = folder / "dbguard.toml"
    edited = config_path.read_text() + "\n# my own note\n"
    config_path.write_text(edited)
    suite = folder / "expectations" / "pue_data.json"
    suite.write_text(suite.read_text().replace('"warning"', '"critical"', 1))
    kept_suite = suite.read_bytes()
    with sqlite3.connect(demo_db) as connection:
        connection.execute("CREATE TABLE site_owner (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        connection.executemany("INSERT INTO site_owner (name) VALUES (?)", [("a",), ("b",)])
    connection.close()

    again = init_project(None, cwd=folder)  # no --db: the database dbguard.toml names

    assert not again.config_written and config_path.read_text() == edited
    assert suite.read_bytes() == kept_suite
    assert again.new_suites == ["site_owner"]
    assert sorted(again.kept_suites) == DEMO_TABLES
    assert (folder / "expectations" / "site_owner.json").is_file()


def test_a_config_for_another_database_is_replaced_only_when_forced(demo_db: Path) -> None:
    config_path = demo_db.parent / "dbguard.toml"
    config_path.write_text('[database]\npath = "other.sqlite3"\n')
    with pytest.raises(ConfigError, match="already configures another database"):
        init_project(str(demo_db))
    assert config_path.read_text() == '[database]\npath = "other.sqlite3"\n'
    assert not (demo_db.parent / "expectations").exists()

    result = init_project(str(demo_db), force=True)
    assert result.config_written and result.config_copy is not None
    assert result.config_copy.read_text() == '[database]\npath = "other.sqlite3"\n'
    assert load_config(config_path).database.path == demo_db


def test_without_db_the_one_sqlite_file_of_the_folder_is_chosen(demo_db: Path) -> None:
    folder = demo_db.parent
    (folder / "notes.txt").write_text("not a database")
    assert init_project(None, cwd=folder).database == demo_db
    (folder / "dbguard.toml").unlink()
    sqlite3.connect(folder / "other.sqlite3").execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(DatabaseError, match="2 SQLite databases"):
        init_project(None, cwd=folder)


def bad_inputs(root: Path) -> dict[str, list[str]]:
    (root / "text.db").write_text("hello, I am not a database\n")
    empty = root / "empty.sqlite3"
    sqlite3.connect(empty).close()  # an empty file: SQLite, without tables
    (root / "no-database").mkdir()
    return {
        "missing": ["init", "--db", str(root / "absent.sqlite3")],
        "not SQLite": ["init", "--db", str(root / "text.db")],
        "no tables": ["init", "--db", str(empty)],
        "PostgreSQL URL": ["init", "--db", "postgresql+psycopg://app:secret@db.example/energy"],
        "no database here": ["init"],
        "--config": ["--config", str(root / "text.db"), "init", "--db", str(root / "text.db")],
    }


@pytest.mark.parametrize(
    "case",
    ["missing", "not SQLite", "no tables", "PostgreSQL URL", "no database here", "--config"],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    arguments = bad_inputs(tmp_path)[case]
    monkeypatch.chdir(tmp_path / "no-database")
    before = sorted(path.name for path in tmp_path.rglob("*"))

    assert main(arguments) == 2

    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("dbguard: error: "), captured.err
    assert "secret" not in captured.err
    assert sorted(path.name for path in tmp_path.rglob("*")) == before
