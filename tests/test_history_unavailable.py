"""A run history that cannot be opened (a path under a regular file, a folder in its place) is
a warning while the checks still run, one line (exit 2) for the weekly report, and is never
"moved aside"; a history that is corrupt is."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from check_project import make_project, run_project

from dbguard.history import HistoryUnavailable, open_history


def test_open_history_under_a_regular_file_raises_without_moving_anything(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(HistoryUnavailable, match="cannot be opened"):
        open_history(blocker / "history.sqlite3")
    assert blocker.read_text() == "x"


def test_open_history_on_a_folder_raises_and_leaves_it(tmp_path: Path) -> None:
    folder = tmp_path / "history.sqlite3"
    folder.mkdir()
    with pytest.raises(HistoryUnavailable):
        open_history(folder)
    assert folder.is_dir() and not list(tmp_path.glob("*.corrupt-*"))


def test_only_a_corrupt_file_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"not a database " * 200)
    history = open_history(path)
    assert history.recovered_from is not None and history.recovered_from.exists()
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM runs").fetchone() == (0,)
    connection.close()


@pytest.mark.parametrize("blocked_by", ["a file above it", "a folder in its place"])
def test_check_with_an_unopenable_history_warns_and_still_runs(
    tmp_path: Path, demo_db: Path, blocked_by: str
) -> None:
    if blocked_by == "a file above it":
        blocker = tmp_path / "blocker"
        blocker.write_text("a file, not a folder")
        history = blocker / "history.sqlite3"
    else:
        history = tmp_path / "history.sqlite3"
        history.mkdir()
    project = make_project(
        tmp_path,
        demo_db,
        {},
        include=("test_change_over_time.py", "test_connection.py"),
        settings={"reports": {"history": str(history)}},
    )
    result = run_project(project)
    assert result["exit_code"] == 0, result["output"][-3000:]
    assert "INTERNALERROR" not in result["output"]
    html = Path(result["html"]).read_text()
    assert "cannot be opened" in html and "moved aside" not in html
    assert not list(tmp_path.glob("**/*.corrupt-*"))


def test_weekly_report_with_an_unopenable_history_is_one_line_exit_2(
    tmp_path: Path, demo_db_template: Path
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    config = tmp_path / "dbguard.toml"
    config.write_text(
        f'[database]\npath = "{demo_db_template}"\n'
        f'[reports]\ndir = "{tmp_path / "reports"}"\nhistory = "{blocker / "h.sqlite3"}"\n'
    )
    result = subprocess.run(
        [sys.executable, "-m", "dbguard", "--config", str(config), "report", "--weekly"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(
        "dbguard: error: run history"
    )
    assert "Traceback" not in result.stderr
