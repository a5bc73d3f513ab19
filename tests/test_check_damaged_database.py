"""The configured live database that exists but is damaged is a critical finding with a report,
not an input error (a file named with --db that is not SQLite is: see test_check_bad_input)."""

from __future__ import annotations

from pathlib import Path

from check_project import ROOT
from quality_runs import dbguard


def test_check_reports_a_garbage_live_file_as_critical(tmp_path: Path) -> None:
    garbage = tmp_path / "db.sqlite3"
    garbage.write_bytes(bytes(range(256)) * 40)
    before = garbage.read_bytes()
    (tmp_path / "dbguard.toml").write_text(
        f'[database]\npath = "db.sqlite3"\n[backup]\ndir = "backups"\n'
        f'[checks]\nexpectations_dir = "{ROOT / "expectations"}"\n'
        '[reports]\ndir = "reports"\nhistory = "reports/history.sqlite3"\n'
    )
    result = dbguard(tmp_path, "check")
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert "dbguard status: CRITICAL" in result.stdout
    assert "integrity" in result.stdout
    assert 'data-status="CRITICAL"' in (tmp_path / "reports" / "latest.html").read_text()
    assert garbage.read_bytes() == before
    # After that critical run, baseline names the real reason, not the run history.
    baseline = dbguard(tmp_path, "baseline")
    assert baseline.returncode == 2
    assert baseline.stderr.strip() == (
        f"dbguard: error: {garbage} is not a SQLite database (pass --db with a SQLite file)"
    )


def test_check_of_a_missing_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = dbguard(tmp_path, "check", "--db", str(tmp_path / "nowhere.sqlite3"))
    assert result.returncode == 2
    assert result.stderr.startswith("dbguard: error: database ")
    assert "does not exist" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "nowhere.sqlite3").exists()
