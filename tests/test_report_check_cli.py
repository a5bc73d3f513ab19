"""End to end: `dbguard check` on a copy of the demo database with the real checks/ and suites
writes the report, JUnit and latest.html, prints their paths, and records the run's metrics."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from check_project import ROOT

from dbguard.history import History


def dbguard(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbguard", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_writes_reports_prints_paths_and_feeds_the_history(
    tmp_path: Path, demo_db: Path
) -> None:
    (tmp_path / "dbguard.toml").write_text(
        f'[database]\npath = "{demo_db}"\n[backup]\ndir = "backups"\n'
        f'[checks]\nexpectations_dir = "{ROOT / "expectations"}"\n'
        '[reports]\ndir = "reports"\nhistory = "reports/history.sqlite3"\n'
    )
    assert dbguard("backup", "create", cwd=tmp_path).returncode == 0
    result = dbguard("check", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    printed = dict(
        line.split(":", 1)
        for line in result.stdout.splitlines()
        if line.startswith(("report:", "junit:", "latest:"))
    )
    html = Path(printed["report"].strip())
    assert html.parent == tmp_path / "reports" and html.name.startswith("quality_")
    assert Path(printed["junit"].strip()) == html.with_suffix(".xml")
    assert Path(printed["latest"].strip()).read_bytes() == html.read_bytes()
    text = html.read_text()
    assert 'data-status="OK"' in text
    assert 'aria-label="Latest backup size"' in text
    # A skip (no health_url here) reads as its reason, not as pytest's raw tuple.
    assert "Skipped: no [system] health_url configured" in text
    assert "test_system_health.py&amp;#x27;, " not in text
    run = History(tmp_path / "reports" / "history.sqlite3").recent_runs(kind="check")[0]
    assert run.status == "ok"
    assert run.metrics["rows.pue_drill_data.live"] == 13680
    for name in ("disk_percent.db", "memory_percent", "connect_ms"):
        assert name in run.metrics
    assert {"connection", "memory"} <= {outcome.name for outcome in run.outcomes}
